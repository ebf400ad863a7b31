// Firms' business outside the model (DESIGN §1.5, "large core cash flow";
// firm.<id>.core_cash_flow_usd_bn_per_year and core_capex_usd_bn_per_year): its cash flow
// arrives from households every month and counts against shortfalls, its capex is spent on
// other assets that wear out as fast, and neither touches the AI columns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::finance {
namespace {

model::Scenario scenario(std::vector<std::string> sets) {
  sets.insert(sets.begin(), "technology.efficiency.jump_rate_per_year=0");
  return io::load_scenario("sudden-100x", sets).scenario;
}

std::size_t index_of(const model::Scenario& s, const std::string& id) {
  for (std::size_t f = 0; f < s.firms.size(); ++f) {
    if (s.firms[f].id == id) return f;
  }
  ADD_FAILURE() << "no firm " << id;
  return 0;
}

bool defaulted(const sim::PathResult& r, const model::Scenario& s, const std::string& id) {
  const std::size_t f = index_of(s, id);
  for (const model::FirmMonth& m : r.firms) {
    if (m.firm == f && m.status == model::FirmStatus::kDefaulted) return true;
  }
  return false;
}

TEST(CoreBusiness, ItsCashFlowArrivesEachMonthByCalendarYearAndGrowsAfterTheLastYear) {
  const model::Scenario s = scenario({"firm.coreweave.core_cash_flow_usd_bn_per_year.2026=12",
                                      "firm.coreweave.core_cash_flow_usd_bn_per_year.2027=24",
                                      "firm.coreweave.core_growth_after_per_year=1.5"});
  const std::size_t cw = index_of(s, "coreweave");
  sim::PathRunner runner(s, 0, 1);
  model::NullEventSink sink;
  for (int t = 0; t < 36 && !runner.done(); ++t) {
    runner.step(sink);
    const int year = runner.world().month.year();
    const double expected = year == 2026 ? 1.0 : year == 2027 ? 2.0 : 2.0 * 1.5;
    EXPECT_NEAR(runner.world().ledger.receipts(model::Flow::kCoreBusiness, cw), expected, 1e-12) << runner.world().month.str();
  }
}

TEST(CoreBusiness, ALargeCoreCashFlowKeepsAFirmThatDefaultedWithoutItSolvent) {
  // The firm is OpenAI, the one that defaults in sudden-100x since the demand recalibration
  // (CoreWeave, the firm here before, now comes through the shock).
  const model::Scenario without = scenario({});
  const model::Scenario with = scenario({"firm.openai.core_cash_flow_usd_bn_per_year.2026=200"});
  const auto a = sim::run_path(without, 0, 1);
  const auto b = sim::run_path(with, 0, 1);
  ASSERT_TRUE(defaulted(a, without, "openai"));
  EXPECT_FALSE(defaulted(b, with, "openai"));
  // It is not AI revenue: the AI columns of the first month are the same.
  EXPECT_EQ(a.months.front().ai_revenue_usd_bn, b.months.front().ai_revenue_usd_bn);
  EXPECT_EQ(a.months.front().capex_usd_bn, b.months.front().capex_usd_bn);
}

TEST(CoreBusiness, ItsCapexIsCountedApartAndMaintainsOtherAssets) {
  // Credit is held open: OpenAI's default in this world (2028-08) writes off the termination
  // claims of its commitments, the credit market closes (tightness 1) and AMD, whose core
  // capex would then be unfunded, defaults in 2028-09; this test is about the accounting of
  // core capex while both firms are alive.
  const model::Scenario s = scenario({"credit.enabled=false", "firm.nvidia.core_capex_usd_bn_per_year.2026=24",
                                      "firm.amd.core_capex_usd_bn_per_year.2026=12"});
  const std::size_t amd = index_of(s, "amd");  // the chipmaker that builds no fabs (Nvidia's fab projects are construction too)
  const auto r = sim::run_path(s, 0, 1);
  const auto base = sim::run_path(scenario({"credit.enabled=false"}), 0, 1);
  for (std::size_t t = 0; t < r.months.size(); ++t) {
    const auto& m = r.months[t];
    // 2 + 1 a month more than the base world's (the hyperscalers' own core capex), both firms
    // alive throughout.
    EXPECT_NEAR(m.core_capex_usd_bn - base.months[t].core_capex_usd_bn, 3.0, 1e-9) << m.month.str();
    EXPECT_DOUBLE_EQ(m.total_capex_usd_bn, m.capex_usd_bn + m.core_capex_usd_bn);
  }
  // The spending is paid for construction; the firm's other assets stay at their opening book.
  sim::PathRunner runner(s, 0, 1);
  model::NullEventSink sink;
  const double opening = runner.world().ledger.sheet(amd).assets[static_cast<std::size_t>(model::Asset::kOtherAssets)];
  for (int t = 0; t < 12; ++t) {
    runner.step(sink);
    EXPECT_NEAR(runner.world().ledger.sheet(amd).assets[static_cast<std::size_t>(model::Asset::kOtherAssets)], opening, 1e-9);
    EXPECT_NEAR(-runner.world().ledger.flow(model::Flow::kCapexConstruction, amd), 1.0, 1e-9);
  }
}

}  // namespace
}  // namespace bsim::finance
