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
// tests/finance/default_test.cpp); tests/behaviour tests the feedbacks themselves. Every
// generation has the same opex per H100e-hour, so the fleet has one running cost up to power
// (the derivations below price at "running cost"); with opex per device (the default) the newest
// generations run for less and keep earning after the shock (docs/experiments.md).
PathResult run(const std::string& name, std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), {"technology.efficiency.jump_rate_per_year=0", "build.price_discipline=false", "build.financing_limit=false",
                             "training.funding_discipline=false", "sentiment.equity_access=false", "credit.enabled=false",
                             "supply.opex_per_device=false"});
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
  const auto base = run("default");
  const auto& before = at(r, "2027-05");
  EXPECT_LT(before.stranded_h100e, 0.2 * before.installed_h100e);
  // Within six months the spot price sits at running cost: the fleet earns nothing over it.
  const auto& after = at(r, "2027-12");
  EXPECT_GT(after.stranded_h100e, 0.9 * after.installed_h100e);
  EXPECT_LE(after.stranded_h100e, after.installed_h100e + 1e-6);
  // When demand has grown back into the fleet, the shocked world strands no more of its fleet
  // than the world without the shock. (Both end with some idle capacity, which the build rule
  // adds ahead of demand: docs/experiments.md; until the recalibration to the 2025 record the
  // shocked world ended with none.)
  EXPECT_LE(r.months.back().stranded_h100e / r.months.back().installed_h100e,
            base.months.back().stranded_h100e / base.months.back().installed_h100e);
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
  // At the start end users' spending falls short of what the infrastructure in service needs
  // (calibration §1.13: Sequoia's ≈$600–840bn question); in the base world revenue growth
  // (×2–3 a year) closes the gap within months and keeps it closed through 2030.
  EXPECT_GT(base.months.front().revenue_gap_usd_bn, 0.0);
  for (const char* m : {"2026-06", "2027-05", "2028-06", "2030-06"}) EXPECT_LT(at(base, m).revenue_gap_usd_bn, 0.0) << m;
  for (const char* m : {"2027-07", "2028-06", "2030-06"}) EXPECT_GT(at(shocked, m).revenue_gap_usd_bn, 10.0) << m;
  // A year after the shock revenue covers under a quarter of the requirement. Derivation: the
  // cost basis of service falls ×100 (compute per unit) × ≈5 (spot from ≈$1.5 to running cost
  // ≈$0.3); with a 9-month half-life the price has moved 1 − 2^(−12/9) = 60% of the way, a fall
  // of 500^0.6 ≈ ×42; demand rises at most ×42^ε_SR ≈ ×2.1 at once and ×3 a year by the
  // diffusion limit, so revenue is at most 43 × 2.1 × 3 / 42 ≈ $6bn a month of the ≈$30bn needed.
  const auto& year_after = at(shocked, "2028-06");
  EXPECT_LT(year_after.ai_revenue_usd_bn, 0.25 * (year_after.revenue_gap_usd_bn + year_after.ai_revenue_usd_bn));
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

// Until the recalibration to the 2025 record this test was "FallsToAboutOneInTheBust..." (1.05
// with jumps off); with service prices passing the shock through over months, coverage now falls
// to ≈3 (docs/experiments.md), so the name says what holds: it falls, and only in the bust.
TEST(DebtServiceCoverage, FallsInTheBustAndStaysHighInTheBoom) {
  const auto base = run("default");
  const auto shocked = run("sudden-100x");
  for (const auto& m : base.months) EXPECT_GT(m.debt_service_coverage, 5.0) << m.month.str();
  double worst = 1e9;
  std::string worst_month;
  for (const auto& m : shocked.months) {
    if (m.debt_service_coverage < worst) {
      worst = m.debt_service_coverage;
      worst_month = m.month.str();
    }
  }
  double base_worst = 1e9;
  for (const auto& m : base.months) base_worst = std::min(base_worst, m.debt_service_coverage);
  EXPECT_LT(worst, base_worst);
  EXPECT_GE(worst_month, std::string("2027-06"));  // after the shock, not before
  EXPECT_LT(worst, at(shocked, "2027-05").debt_service_coverage);
}

}  // namespace
}  // namespace bsim::sim
