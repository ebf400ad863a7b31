// Validation against history (analysis/history.h): the yearly aggregation and the error measure
// on hand-made cases, the loader's [[observed]] and [[shape_target]] tables, and the shape
// targets of calibration case V1 on the built-in history/telecom-1996.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "analysis/history.h"
#include "core/diagnostics.h"
#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim {
namespace {

const model::Column& column(std::string_view name) {
  for (const model::Column& c : model::kColumns) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no column " + std::string(name));
}

/// Two years of months: capex 1 a month in year one and 2 a month in year two.
std::vector<model::MonthRecord> two_years() {
  std::vector<model::MonthRecord> months;
  for (int i = 0; i < 24; ++i) {
    model::MonthRecord r;
    r.month = core::Month(2000, 1) + i;
    r.capex_usd_bn = i < 12 ? 1.0 : 2.0;
    r.utilization = 0.1 * (i % 12 + 1) / 1.2;
    months.push_back(r);
  }
  return months;
}

TEST(YearlySeries, AggregatesMonthsIntoCalendarYears) {
  const auto months = two_years();
  const auto sum = analysis::yearly_series(months, column("capex_usd_bn"), model::YearAggregate::kSum, false, 1.0);
  ASSERT_EQ(sum.size(), 2u);
  EXPECT_EQ(sum[0].first, 2000);
  EXPECT_DOUBLE_EQ(sum[0].second, 12.0);
  EXPECT_DOUBLE_EQ(sum[1].second, 24.0);
  const auto end = analysis::yearly_series(months, column("utilization"), model::YearAggregate::kEnd, false, 1.0);
  EXPECT_DOUBLE_EQ(end[0].second, 0.1 * 12 / 1.2);
  const auto low = analysis::yearly_series(months, column("utilization"), model::YearAggregate::kMin, false, 1.0);
  EXPECT_DOUBLE_EQ(low[1].second, 0.1 / 1.2);
  const auto scaled = analysis::yearly_series(months, column("capex_usd_bn"), model::YearAggregate::kMean, false, 12.0);
  EXPECT_DOUBLE_EQ(scaled[1].second, 24.0);
}

TEST(YearlySeries, ChangeIsYearOnYearFromTheSecondYear) {
  const auto change = analysis::yearly_series(two_years(), column("capex_usd_bn"), model::YearAggregate::kSum, true, 1.0);
  ASSERT_EQ(change.size(), 1u);
  EXPECT_EQ(change[0].first, 2001);
  EXPECT_DOUBLE_EQ(change[0].second, 1.0);  // 12 → 24: +100%
}

TEST(MeanAbsLogError, HandComputedLevelsAndChanges) {
  // Levels: |ln 2 − ln 1| = ln 2 and |ln 1 − ln 2| = ln 2; the non-positive pair is skipped.
  const auto levels = analysis::mean_abs_log_error({{2.0, 1.0}, {1.0, 2.0}, {0.0, 5.0}}, false);
  ASSERT_TRUE(levels.has_value());
  EXPECT_NEAR(*levels, std::log(2.0), 1e-12);
  // Changes compare growth factors: −50% against −75% is |ln 0.5 − ln 0.25| = ln 2; +100% against
  // +100% is 0; mean ln 2 / 2.
  const auto changes = analysis::mean_abs_log_error({{-0.5, -0.75}, {1.0, 1.0}}, true);
  ASSERT_TRUE(changes.has_value());
  EXPECT_NEAR(*changes, std::log(2.0) / 2, 1e-12);
  EXPECT_FALSE(analysis::mean_abs_log_error({}, false).has_value());
}

TEST(HistoryRow, WithinRangeNeedsARange) {
  analysis::HistoryRow row;
  row.simulated = 5.0;
  row.observed.value = 5.0;
  EXPECT_FALSE(row.within_range().has_value());
  row.observed.low = 4.0;
  row.observed.high = 6.0;
  EXPECT_TRUE(*row.within_range());
  row.simulated = 7.0;
  EXPECT_FALSE(*row.within_range());
}

/// A small scenario of one carrier and one ISP, 1995–1997, with observed series and a target
/// that a run of it meets.
std::string small_history(const std::string& extra) {
  return R"(schema_version = 1
name = "small-history"
[time]
start = "1995-01"
end = "1997-12"
[[generation]]
id = "old"
available = "1990-01"
kw_per_h100e = 1.0
usd_per_h100e = 20000
[supply.production]
initial_cap_h100e_per_month = 50000
[[segment]]
id = "traffic"
initial_users = 1.0e7
market_potential_users = 5.0e7
initial_service_units_per_month = 1000
compute_h100e_hours_per_unit = 100000
[[firm]]
id = "isp"
type = "lab"
inference_share = 1
[[firm]]
id = "carrier"
type = "neocloud"
initial_h100e = "200 kH100e"
[validation]
fitted_through = 1995
[[observed]]
id = "capex"
column = "capex_usd_bn"
aggregate = "sum"
values = { 1995 = 10, 1996 = 20, 1997 = 30 }
[[observed]]
id = "util"
column = "utilization"
values = { 1996 = 0.5 }
low = { 1996 = 0.0 }
high = { 1996 = 1.0 }
[[shape_target]]
id = "util-in-range"
type = "each_year"
series = "util"
from = 1995
to = 1997
min = 0
max = 1
)" + extra;
}

TEST(HistoryValidation, ComparesDeclaredSeriesAndSplitsTheErrorAtTheFittedYear) {
  const io::LoadedScenario loaded = io::load_scenario_text(small_history(""), "small.toml", {});
  const model::Scenario& s = loaded.scenario;
  ASSERT_EQ(s.validation.series.size(), 2u);
  EXPECT_EQ(s.validation.fitted_through, 1995);
  const sim::PathResult path = sim::run_path(s, 0, 1);
  const analysis::HistoryReport report = analysis::validate_history(s, path);
  ASSERT_EQ(report.series.size(), 2u);
  const analysis::SeriesComparison& capex = report.series[0];
  ASSERT_EQ(capex.rows.size(), 3u);
  EXPECT_EQ(capex.years_compared, 3);
  // The error is recomputed here from the rows by its definition.
  double in = 0.0;
  double out = 0.0;
  for (const analysis::HistoryRow& r : capex.rows) {
    const double e = std::fabs(std::log(*r.simulated) - std::log(*r.observed.value));
    (r.year <= 1995 ? in : out) += e;
  }
  EXPECT_NEAR(*capex.error_in_sample, in, 1e-12);
  EXPECT_NEAR(*capex.error_out_of_sample, out / 2, 1e-12);
  EXPECT_NEAR(*capex.error_all, (in + out) / 3, 1e-12);
  ASSERT_EQ(report.targets.size(), 1u);
  EXPECT_TRUE(report.targets[0].pass) << report.targets[0].measured;
  EXPECT_TRUE(report.all_targets_pass());
}

TEST(HistoryValidation, AFailedTargetFailsTheReport) {
  const std::string extra = R"([[shape_target]]
id = "impossible"
type = "lowest"
series = "capex"
from = 1995
to = 1997
min = 1e9
)";
  const io::LoadedScenario loaded = io::load_scenario_text(small_history(extra), "small.toml", {});
  const sim::PathResult path = sim::run_path(loaded.scenario, 0, 1);
  const analysis::HistoryReport report = analysis::validate_history(loaded.scenario, path);
  ASSERT_EQ(report.targets.size(), 2u);
  EXPECT_FALSE(report.targets[1].pass);
  EXPECT_FALSE(report.all_targets_pass());
}

TEST(HistoryValidation, UnknownSeriesAndColumnAreLocatedErrors) {
  const std::string extra = R"([[observed]]
id = "typo"
column = "capex_usd_bm"
[[shape_target]]
id = "bad"
type = "peak_year"
series = "capexx"
from = 1996
to = 1995
)";
  try {
    io::load_scenario_text(small_history(extra), "small.toml", {});
    FAIL() << "expected errors";
  } catch (const core::InputError& e) {
    const std::string text = e.diagnostics().str();
    EXPECT_NE(text.find("capex_usd_bn"), std::string::npos) << text;  // did you mean
    EXPECT_NE(text.find("not defined in any [[observed]]; did you mean 'capex'"), std::string::npos) << text;
    EXPECT_NE(text.find("to (1995) is before"), std::string::npos) << text;
  }
}

// ---- The shape targets of calibration case V1 on history/telecom-1996 ("What must hold").

class TelecomHistory : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ = new io::LoadedScenario(io::load_scenario("history/telecom-1996"));
    path_ = new sim::PathResult(sim::run_path(loaded_->scenario, 0, 1));
    report_ = new analysis::HistoryReport(analysis::validate_history(loaded_->scenario, *path_));
  }
  static void TearDownTestSuite() {
    delete report_;
    delete path_;
    delete loaded_;
  }
  static const analysis::TargetResult& target(const std::string& id) {
    for (const analysis::TargetResult& t : report_->targets) {
      if (t.target.id == id) return t;
    }
    throw std::runtime_error("no shape target " + id);
  }
  static io::LoadedScenario* loaded_;
  static sim::PathResult* path_;
  static analysis::HistoryReport* report_;
};
io::LoadedScenario* TelecomHistory::loaded_ = nullptr;
sim::PathResult* TelecomHistory::path_ = nullptr;
analysis::HistoryReport* TelecomHistory::report_ = nullptr;

TEST_F(TelecomHistory, StartsIn1995AndNamesItsUnits) {
  EXPECT_EQ(loaded_->scenario.time.start, core::Month(1995, 1));
  EXPECT_EQ(loaded_->scenario.capacity_unit_name, "Gbps-95");
  EXPECT_EQ(loaded_->scenario.service_unit_name, "TB of backbone traffic");
}

TEST_F(TelecomHistory, CapexPeaksAround2000) {
  const auto& t = target("capex-peak");
  EXPECT_TRUE(t.pass) << t.measured;
}

// With firm orders (`build.order_cancellation = false`) the boom's orders queued at the makers
// are delivered, and paid for, after the price collapse: capex peaks two years late or more. The
// cancellation rule is what brings the peak to 2000 (docs/validation.md).
TEST_F(TelecomHistory, WithFirmOrdersCapexPeaksLate) {
  const auto firm = io::load_scenario("history/telecom-1996", {"build.order_cancellation=false"});
  const auto report = analysis::validate_history(firm.scenario, sim::run_path(firm.scenario, 0, 1));
  for (const analysis::TargetResult& t : report.targets) {
    if (t.target.id == "capex-peak") {
      EXPECT_FALSE(t.pass) << t.measured;
      // Two years late under the queue rule, three under the stock-management rule, whose
      // supply-line underweighting keeps more on order when the price turns.
      const std::size_t at = t.measured.rfind("in ");
      ASSERT_NE(at, std::string::npos) << t.measured;
      EXPECT_GE(std::stoi(t.measured.substr(at + 3)), 2002) << t.measured;
    }
  }
}

TEST_F(TelecomHistory, IncumbentsWithTheirTelephoneBusinessSurvive) {
  std::size_t incumbents = loaded_->scenario.firms.size();
  for (std::size_t f = 0; f < loaded_->scenario.firms.size(); ++f) {
    if (loaded_->scenario.firms[f].id == "incumbents") incumbents = f;
  }
  ASSERT_LT(incumbents, loaded_->scenario.firms.size());
  for (const model::FirmMonth& m : path_->firms) {
    if (m.firm == incumbents) {
      ASSERT_EQ(m.status, model::FirmStatus::kActive) << m.month.str();
    }
  }
}

TEST_F(TelecomHistory, CapexFallsByRoughlyHalfBy2003) {
  const auto& t = target("capex-halves");
  EXPECT_TRUE(t.pass) << t.measured;
}

TEST_F(TelecomHistory, TrafficKeepsGrowingThroughTheBust) {
  const auto& t = target("traffic-keeps-growing");
  EXPECT_TRUE(t.pass) << t.measured;
}

TEST_F(TelecomHistory, CapacityPriceFallsSteeplyForSeveralYears) {
  const auto& t = target("price-falls");
  EXPECT_TRUE(t.pass) << t.measured;
}

TEST_F(TelecomHistory, UtilizationAtTheTroughIsAFewPercent) {
  const auto& t = target("utilization-trough");
  EXPECT_TRUE(t.pass) << t.measured;
}

TEST_F(TelecomHistory, DebtFinancedCarriersDefaultAndCreditorsRecoverLittle) {
  const auto& t = target("debt-carriers-default");
  EXPECT_TRUE(t.pass) << t.measured;
}

TEST_F(TelecomHistory, SectorEquityValueFallsByMostOfItsPeakBy2002) {
  const auto& t = target("sector-equity-falls");
  EXPECT_TRUE(t.pass) << t.measured;
}

TEST_F(TelecomHistory, EquityFinancedCarriersLoseValueWithoutDefault) {
  const auto& t = target("equity-firms-lose-value");
  EXPECT_TRUE(t.pass) << t.measured;
}

}  // namespace
}  // namespace bsim
