#include "sim/run_path.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "io/output.h"
#include "io/scenario_loader.h"

namespace bsim::sim {
namespace {

std::size_t index_of(const std::vector<model::MonthRecord>& months, const char* month) {
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (months[i].month.str() == month) return i;
  }
  ADD_FAILURE() << "no month " << month;
  return 0;
}

TEST(RunPath, CoversTheHorizonOneRowPerMonth) {
  const auto s = io::load_scenario("default").scenario;
  const PathResult r = run_path(s, 0, 1);
  ASSERT_EQ(r.months.size(), 132u);
  EXPECT_EQ(r.months.front().month.str(), "2026-01");
  EXPECT_EQ(r.months.back().month.str(), "2036-12");
}

TEST(RunPath, SameSeedGivesIdenticalOutputDifferentPathsDiffer) {
  const auto s = io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=3"}).scenario;
  const std::string a = io::timeseries_csv(run_path(s, 5, 42).months);
  const std::string b = io::timeseries_csv(run_path(s, 5, 42).months);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, io::timeseries_csv(run_path(s, 6, 42).months));
  EXPECT_NE(a, io::timeseries_csv(run_path(s, 5, 43).months));
}

TEST(RunPath, DefaultBoomsCapacityGrowsAndCapexIsSpent) {
  const auto s = io::load_scenario("default").scenario;
  const auto m = run_path(s, 0, 1).months;
  const auto y2029 = index_of(m, "2029-01");
  EXPECT_GT(m[y2029].installed_h100e, 2.0 * m.front().installed_h100e);
  EXPECT_GT(m[y2029].demand_h100e, 2.0 * m.front().demand_h100e);
  double capex = 0.0;
  for (std::size_t i = 0; i < y2029; ++i) capex += m[i].capex_usd_bn;
  EXPECT_GT(capex, 0.0);
}

TEST(RunPath, SuddenShockCollapsesInferenceDemandUtilizationAndPrice) {
  const auto s = io::load_scenario("sudden-100x", {"technology.efficiency.jump_rate_per_year=0"}).scenario;
  const auto m = run_path(s, 0, 1).months;
  const auto before = index_of(m, "2027-05");
  for (std::size_t i = before + 1; i <= before + 6; ++i) {
    EXPECT_LT(m[i].inference_demand_h100e, 0.1 * m[before].inference_demand_h100e) << m[i].month.str();
  }
  EXPECT_GT(m[before].utilization, 0.95);
  EXPECT_LT(m[before + 1].utilization, 0.5);
  EXPECT_LT(m[before + 1].spot_price_usd_per_h100e_hour, m[before].spot_price_usd_per_h100e_hour);
  EXPECT_LT(m[before + 1].ai_revenue_usd_bn, m[before].ai_revenue_usd_bn);
  // Without the shock, the same month keeps full use: the collapse is the shock's doing.
  const auto base = run_path(io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=0"}).scenario, 0, 1).months;
  EXPECT_GT(base[before + 1].utilization, 0.95);
}

TEST(RunPath, StockFlowOfAcceleratorsBalances) {
  // installed_t = (installed_{t−1} + delivered_t) · survival: deliveries join the fleet before
  // the month's failures are taken.
  const auto s = io::load_scenario("default").scenario;
  const auto m = run_path(s, 0, 1).months;
  const double monthly_survival = std::pow(1.0 - s.supply.failure_rate_per_year, 1.0 / 12.0);
  double previous = 0.0;
  for (const auto& f : s.firms) previous += f.initial_h100e.value();
  for (const auto& r : m) {
    EXPECT_NEAR(r.installed_h100e, (previous + r.delivered_h100e) * monthly_survival, 1e-9 * r.installed_h100e);
    previous = r.installed_h100e;
  }
}

}  // namespace
}  // namespace bsim::sim

namespace bsim::sim {
namespace {

/// `default` plus a scripted shock multiplying efficiency by `multiplier` in 2027-06.
model::Scenario with_shock(double multiplier) {
  model::Scenario s = io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=0"}).scenario;
  model::Shock shock;
  shock.id = "extreme";
  shock.kind = model::ShockKind::kEfficiency;
  shock.month = *core::Month::parse("2027-06");
  shock.multiplier = multiplier;
  s.shocks.push_back(shock);
  return s;
}

TEST(NonFinite, ANaNShockStopsTheRunNamingTheMonthTheMechanismAndTheQuantity) {
  // No validated scenario holds a NaN (nor, since the efficiency index saturates, any shock
  // that overflows a double), but the check must still stop a run in the first month a
  // quantity is not finite, which cannot be before the shock.
  try {
    (void)run_path(with_shock(std::numeric_limits<double>::quiet_NaN()), 0, 1);
    FAIL() << "the run finished";
  } catch (const NonFiniteError& e) {
    const std::string what = e.what();
    EXPECT_FALSE(e.mechanism().empty());
    EXPECT_FALSE(e.quantity().empty());
    EXPECT_NE(what.find(e.quantity()), std::string::npos) << what;
    const auto month = core::Month::parse(what.substr(what.find("in ") + 3, 7));
    ASSERT_TRUE(month.has_value()) << what;
    EXPECT_GE(*month, *core::Month::parse("2027-06")) << what;
  }
}

TEST(NonFinite, AnOrdinaryShockRunsToTheEndWithEveryValueFinite) {
  // The check cannot fail on an ordinary path: ×100 (sudden-100x's shock) runs to the end,
  // and every column of every month is finite.
  const PathResult r = run_path(with_shock(100.0), 0, 1);
  ASSERT_EQ(r.months.size(), 132u);
  for (const model::MonthRecord& m : r.months) {
    for (const model::Column& c : model::kColumns) EXPECT_TRUE(std::isfinite(m.*c.field)) << c.name << " " << m.month.str();
  }
}


// Every column of every month and every firm's row of every month is finite.
void expect_all_finite(const PathResult& r) {
  for (const model::MonthRecord& m : r.months) {
    for (const model::Column& c : model::kColumns) ASSERT_TRUE(std::isfinite(m.*c.field)) << c.name << " " << m.month.str();
  }
  for (const model::FirmMonth& f : r.firms) {
    for (const model::FirmColumn& c : model::kFirmColumns) ASSERT_TRUE(std::isfinite(f.*c.field)) << c.name << " " << f.month.str();
    ASSERT_TRUE(std::isfinite(f.debtrank)) << "debtrank of firm " << f.firm << " " << f.month.str();
  }
}

TEST(NonFinite, ZeroMarginalCostWithoutATrainingBudgetRunsToTheEnd) {
  // Reliability issue: history/telecom-1996 has no power price and no training budget; with
  // opex at 0 (in range) the cheapest capacity cost nothing, training demand at a price of 0 was
  // 0/0, and the run stopped in 1995-01 with unmet demand inf. No budget buys no compute at any
  // price, so the market clears as it does with a tiny opex.
  const model::Scenario s = io::load_scenario("history/telecom-1996", {"supply.opex_usd_per_h100e_hour=0"}).scenario;
  ASSERT_EQ(s.supply.opex_usd_per_h100e_hour, 0.0);
  ASSERT_EQ(s.supply.power_price_usd_per_mwh, 0.0);
  const PathResult r = run_path(s, 0, 1);
  ASSERT_EQ(r.months.size(), static_cast<std::size_t>(s.time.months()));
  expect_all_finite(r);
  for (const model::MonthRecord& m : r.months) EXPECT_EQ(m.training_demand_h100e, 0.0) << m.month.str();
}

TEST(NonFinite, HardwareMultipliersAtTheirMaximaRunACenturyWithEveryValueFinite) {
  // Reliability issue: each extrapolated generation ×100 H100e per unit, ×10 kW and ×10 USD per
  // H100e (the keys' maxima) over 100 years left 1,928 `nan` cells and "infT" in the summary.
  const model::Scenario s = io::load_scenario("default", {"time.end=2125-12", "technology.hardware.h100e_per_unit_multiplier=100",
                                                          "technology.hardware.kw_per_h100e_multiplier=10",
                                                          "technology.hardware.usd_per_h100e_multiplier=10"})
                                .scenario;
  const PathResult r = run_path(s, 0, 1);
  ASSERT_EQ(r.months.size(), 1200u);  // 2026-01 … 2125-12: 100 years of 12 months
  expect_all_finite(r);
}

TEST(NonFinite, ARecordedColumnThatOverflowsStopsTheRunNamingIt) {
  // Every state is finite, but demand_h100e = inference + training = 2e308 is not: the month's
  // record is refused rather than written as `inf`.
  const model::Scenario s = io::load_scenario("default").scenario;
  model::World w = initial_world(s);
  EXPECT_NO_THROW((void)record_month(s, w));
  w.inference_demand = core::Compute{1e308};
  w.training_demand = core::Compute{1e308};
  try {
    (void)record_month(s, w);
    FAIL() << "an infinite demand_h100e was recorded";
  } catch (const NonFiniteError& e) {
    EXPECT_EQ(e.quantity(), "demand_h100e");
    EXPECT_EQ(e.mechanism(), "recording the month");
    EXPECT_NE(std::string(e.what()).find(s.time.start.str()), std::string::npos) << e.what();
  }
}

// The largest and smallest efficiency index of a run's months.
std::pair<double, double> efficiency_range(const PathResult& r) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0.0;
  for (const model::MonthRecord& m : r.months) {
    lo = std::min(lo, m.efficiency_index);
    hi = std::max(hi, m.efficiency_index);
  }
  return {lo, hi};
}

TEST(EfficiencySaturation, AShockOfOneInTenTo300HoldsTheIndexAtItsFloorAndRunsToTheEnd) {
  // Reliability issue: ×1e-300 sent compute per service unit past what a double holds and the
  // run stopped with unmet demand inf. The validator now refuses such a multiplier (at least
  // 1e-9); built without it, the index stops at 1e-100 and the run ends with every value finite.
  const PathResult r = run_path(with_shock(1e-300), 0, 1);
  ASSERT_EQ(r.months.size(), 132u);
  expect_all_finite(r);
  const double floor = std::exp(-model::kMaxLogEfficiency);
  EXPECT_NEAR(efficiency_range(r).first, floor, 1e-9 * floor);
  EXPECT_GT(r.months.front().efficiency_index, 0.5);  // before the shock, untouched
}

TEST(EfficiencySaturation, TwelveJumpsAYearForACenturyRunToTheEndWithEveryValueFinite) {
  // Reliability issue: `default` to 2125-12 with 12 jumps a year (the key's maximum) stopped in
  // 2061 with efficiency_index inf. The index now saturates at 1e100 and the run ends.
  const model::Scenario s =
      io::load_scenario("default", {"time.end=2125-12", "technology.efficiency.jump_rate_per_year=12"}).scenario;
  const PathResult r = run_path(s, 0, 1);
  ASSERT_EQ(r.months.size(), 1200u);
  expect_all_finite(r);
  const double ceiling = std::exp(model::kMaxLogEfficiency);
  EXPECT_NEAR(efficiency_range(r).second, ceiling, 1e-9 * ceiling);  // reached, never passed
}

TEST(EfficiencySaturation, EndogenousInnovationAtItsLargestElasticityRunsACentury) {
  // Reliability issue: η = 5 (the key's maximum) to 2125-12 drove the jump rate to its cap of 12
  // a year and efficiency_index to inf in 2063.
  const model::Scenario s =
      io::load_scenario("default", {"time.end=2125-12", "technology.efficiency.jump_rate_spending_elasticity=5"}).scenario;
  const PathResult r = run_path(s, 0, 1);
  ASSERT_EQ(r.months.size(), 1200u);
  expect_all_finite(r);
  const double ceiling = std::exp(model::kMaxLogEfficiency);
  EXPECT_NEAR(efficiency_range(r).second, ceiling, 1e-9 * ceiling);
}

}  // namespace
}  // namespace bsim::sim
