// The soak's checks (mc --check-paths): what they count on paths that pass, that they fail a
// month with a non-finite value or a residual above its tolerance, and that a checked run
// counts a failed path as failed.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "analysis/mc_aggregate.h"
#include "io/scenario_loader.h"
#include "jobs/monte_carlo.h"
#include "model/record.h"

namespace bsim::jobs {
namespace {

McRun checked_run(const io::LoadedScenario& s, std::uint64_t paths, analysis::PathChecks checks) {
  McOptions o;
  o.paths = paths;
  o.seed = 11;
  o.threads = 2;
  o.checks = checks;
  return run_monte_carlo(s, o);
}

TEST(PathChecks, ACheckedRunCountsEveryMonthAndValueAndChangesNoResult) {
  const io::LoadedScenario s =
      io::load_scenario("default", {"time.end=2029-06", "technology.efficiency.jump_rate_per_year=1.5"});
  const McRun checked = checked_run(s, 6, analysis::PathChecks::kOutputs);
  const McRun plain = checked_run(s, 6, analysis::PathChecks::kEngine);
  ASSERT_EQ(checked.aggregate.failed(), 0u);
  EXPECT_EQ(checked.checks.paths, 6u);
  // 2026-01 … 2029-06 is 3 years and 6 months: 42 months a path, one value per column a month.
  EXPECT_EQ(checked.checks.months, 6u * 42u);
  EXPECT_EQ(checked.checks.values, 6u * 42u * model::kColumns.size());
  EXPECT_GE(checked.checks.worst_residual_share, 0.0);
  EXPECT_LE(checked.checks.worst_residual_share, 1.0);
  // Checking reads the paths; it changes none of the statistics.
  EXPECT_EQ(checked.aggregate.serialize(), plain.aggregate.serialize());
  EXPECT_EQ(plain.checks.paths, 0u);
  EXPECT_EQ(plain.checks.months, 0u);
}

TEST(PathChecks, ANonFiniteValueFailsTheMonthNamingTheColumn) {
  model::MonthRecord r;
  r.month = *core::Month::parse("2031-04");
  analysis::PathCheckTotals totals;
  analysis::check_month_record(r, 1e-6, totals);  // all zeros: passes
  EXPECT_EQ(totals.months, 1u);
  EXPECT_EQ(totals.values, model::kColumns.size());
  r.spot_price_usd_per_h100e_hour = std::numeric_limits<double>::quiet_NaN();
  try {
    analysis::check_month_record(r, 1e-6, totals);
    FAIL() << "a NaN spot price passed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("spot_price_usd_per_h100e_hour is nan in 2031-04"), std::string::npos) << e.what();
  }
  EXPECT_EQ(totals.values, model::kColumns.size());  // the failed month's values are not counted
}

TEST(PathChecks, AResidualAboveItsToleranceFailsAndOneAtItIsTheWorstShare) {
  model::MonthRecord r;
  r.month = *core::Month::parse("2100-01");
  analysis::PathCheckTotals totals;
  r.sfc_max_residual_usd_bn = 2e-3;
  analysis::check_month_record(r, 2e-3, totals);
  EXPECT_DOUBLE_EQ(totals.worst_residual_share, 1.0);
  r.sfc_max_residual_usd_bn = 2.1e-3;
  EXPECT_THROW(analysis::check_month_record(r, 2e-3, totals), std::runtime_error);
  r.sfc_max_residual_usd_bn = std::numeric_limits<double>::infinity();
  EXPECT_THROW(analysis::check_month_record(r, 2e-3, totals), std::runtime_error);
}

TEST(PathChecks, MergingAddsCountsAndKeepsTheWorstShare) {
  analysis::PathCheckTotals a{.paths = 2, .months = 24, .values = 100, .worst_residual_share = 0.25};
  const analysis::PathCheckTotals b{.paths = 1, .months = 12, .values = 50, .worst_residual_share = 0.5};
  a.merge(b);
  EXPECT_EQ(a.paths, 3u);
  EXPECT_EQ(a.months, 36u);
  EXPECT_EQ(a.values, 150u);
  EXPECT_DOUBLE_EQ(a.worst_residual_share, 0.5);
}

TEST(PathChecks, AFailedPathIsCountedAsFailedNotChecked) {
  // sudden-100x's shock made NaN after validation (no scenario file can say so), with no
  // [uncertain] keys so that every path runs that scenario: every path stops with a located
  // non-finite error, and none counts as checked.
  io::LoadedScenario s = io::load_scenario("sudden-100x", {"time.end=2029-06"});
  ASSERT_EQ(s.scenario.shocks.size(), 1u);
  s.scenario.shocks.front().multiplier = std::numeric_limits<double>::quiet_NaN();
  s.uncertain.clear();
  s.correlations.clear();
  const McRun run = checked_run(s, 3, analysis::PathChecks::kOutputs);
  EXPECT_EQ(run.aggregate.failed(), 3u);
  EXPECT_EQ(run.aggregate.paths(), 0u);
  EXPECT_EQ(run.checks.paths, 0u);
  ASSERT_FALSE(run.failed.empty());
  EXPECT_NE(run.failed.front().error->find("non-finite value"), std::string::npos) << *run.failed.front().error;
}

}  // namespace
}  // namespace bsim::jobs
