// The indicators of DESIGN §1.10 computed over the whole world (sim/indicators.cpp): stranded
// accelerators, the revenue gap, commitments to revenue and debt-service coverage move the way
// the ×100 shock should move them, and stay quiet in the base world.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::sim {
namespace {

// The indicators are tested on a fixed physical path (behaviour feedbacks off, as in
// tests/finance/default_test.cpp); tests/behaviour tests the feedbacks themselves.
PathResult run(const std::string& name, std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), {"technology.efficiency.jump_rate_per_year=0", "build.price_discipline=false", "build.financing_limit=false",
                             "training.funding_discipline=false", "sentiment.equity_access=false", "credit.enabled=false"});
  return run_path(io::load_scenario(name, sets).scenario, 0, 1);
}

const model::MonthRecord& at(const PathResult& r, const char* month) {
  for (const auto& m : r.months) {
    if (m.month.str() == month) return m;
  }
  ADD_FAILURE() << "no month " << month;
  return r.months.front();
}

TEST(Stranded, TheShockStrandsAlmostTheWholeFleetAndTheRecoveryReturnsIt) {
  const auto r = run("sudden-100x");
  const auto& before = at(r, "2027-05");
  EXPECT_LT(before.stranded_h100e, 0.2 * before.installed_h100e);
  // Within six months the spot price sits at running cost: the fleet earns nothing over it.
  const auto& after = at(r, "2027-12");
  EXPECT_GT(after.stranded_h100e, 0.9 * after.installed_h100e);
  EXPECT_LE(after.stranded_h100e, after.installed_h100e + 1e-6);
  // When demand has grown back into the fleet, nothing is stranded any more.
  EXPECT_EQ(r.months.back().stranded_h100e, 0.0);
}

TEST(Stranded, IdleCapacityCountsOnlyOnceIdleForThreeMonths) {
  // In the base world accelerators wait for powered halls from the start: they are stranded
  // from the third month, and never more than were idle in each of the three.
  const auto r = run("default");
  EXPECT_EQ(r.months[0].stranded_h100e, 0.0);
  EXPECT_EQ(r.months[1].stranded_h100e, 0.0);
  double idle_throughout = 1e18;
  for (int i = 0; i < 3; ++i) {
    idle_throughout = std::min(idle_throughout, r.months[i].installed_h100e - r.months[i].served_h100e);
  }
  EXPECT_GT(r.months[2].stranded_h100e, 0.0);
  EXPECT_LE(r.months[2].stranded_h100e, idle_throughout + 1e-6);
}

TEST(RevenueGap, OpensWhenEndUsersStopPayingForTheInfrastructure) {
  const auto base = run("default");
  const auto shocked = run("sudden-100x");
  for (const char* m : {"2026-06", "2027-05", "2028-06", "2030-06"}) {
    EXPECT_LT(base.months.front().revenue_gap_usd_bn, 0.0);
    EXPECT_LT(at(base, m).revenue_gap_usd_bn, 0.0) << m;
  }
  for (const char* m : {"2027-07", "2028-06", "2030-06"}) {
    const auto& x = at(shocked, m);
    EXPECT_GT(x.revenue_gap_usd_bn, 10.0) << m;
    EXPECT_GT(x.revenue_gap_usd_bn, 0.9 * (x.revenue_gap_usd_bn + x.ai_revenue_usd_bn)) << m;  // revenue covers <10%
  }
  // A higher cost of capital raises the revenue the same infrastructure needs.
  const auto dear = run("default", {"finance.discount_rate_per_year=0.3"});
  EXPECT_GT(at(dear, "2027-01").revenue_gap_usd_bn, at(base, "2027-01").revenue_gap_usd_bn + 1.0);
}

TEST(CommitmentsToRevenue, SoarAsLabRevenueCollapsesAndVanishWithTheCommitments) {
  const auto base = run("default");
  const auto shocked = run("sudden-100x");
  EXPECT_GT(base.months.front().commitments_to_revenue, 1.0);  // multi-year deals on a year's revenue
  EXPECT_GT(at(shocked, "2028-06").commitments_to_revenue, 3.0 * at(base, "2028-06").commitments_to_revenue);
  // Once every commitment has ended (or its buyer has defaulted), the ratio is 0.
  EXPECT_EQ(shocked.months.back().commitments_to_revenue, 0.0);
  const auto gone = run("default", {"firm.openai.forced_default_month=2026-06", "firm.anthropic.forced_default_month=2026-06"});
  EXPECT_EQ(at(gone, "2026-07").commitments_to_revenue, 0.0);
}

TEST(DebtServiceCoverage, FallsToAboutOneInTheBustAndStaysHighInTheBoom) {
  const auto base = run("default");
  const auto shocked = run("sudden-100x");
  for (const auto& m : base.months) EXPECT_GT(m.debt_service_coverage, 5.0) << m.month.str();
  double worst = 1e9;
  for (const auto& m : shocked.months) worst = std::min(worst, m.debt_service_coverage);
  // Operating cash barely covers interest (1.05 with jumps off, from above 5 before).
  EXPECT_LT(worst, 1.25);
}

}  // namespace
}  // namespace bsim::sim
