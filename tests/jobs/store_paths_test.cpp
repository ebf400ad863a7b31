// `mc --store-paths` and `mc --fan`: every path's stored series is the path's own time series
// (the same numbers `run --drawn --path k` gives), read back from the database after a resume as well;
// the fans of the columns asked for bracket the stored paths; unknown column names are refused
// with every one named.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "io/results_db.h"
#include "io/scenario_loader.h"
#include "jobs/mc_report.h"
#include "jobs/monte_carlo.h"
#include "jobs/mpi.h"
#include "sim/run_path.h"

namespace bsim::jobs {
namespace {

// A short horizon keeps the sanitizer build fast; the random jumps make the paths differ.
io::LoadedScenario short_default() {
  return io::load_scenario("default", {"time.end=2029-06", "technology.efficiency.jump_rate_per_year=1.5"});
}

std::string temp_db(const std::string& name) {
  const auto path =
      std::filesystem::temp_directory_path() / ("bsim_store_" + name + "_" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(path);
  return path.string();
}

const std::vector<std::string> kStored = {"ai_revenue_usd_bn", "capex_usd_bn"};

McOptions options(std::uint64_t paths, const std::string& db) {
  McOptions o;
  o.paths = paths;
  o.seed = 11;
  o.threads = 2;
  o.db_path = db;
  o.checkpoint_seconds = 0.05;
  o.store_columns = kStored;
  return o;
}

double column_value(const model::MonthRecord& m, const std::string& name) {
  return m.*model::kColumns[analysis::McAggregate::column_index(name)].field;
}

TEST(StorePaths, EachStoredSeriesIsThatPathsOwnTimeSeries) {
  const io::LoadedScenario s = short_default();
  const std::string db_path = temp_db("own");
  (void)run_monte_carlo(s, options(6, db_path));
  const io::ResultsDb db = io::ResultsDb::open_existing(db_path);
  EXPECT_EQ(db.meta().stored_columns, kStored);
  EXPECT_EQ(db.meta().series_start, s.scenario.time.start.str());
  const std::vector<io::McPathRow> rows = db.read_paths();
  ASSERT_EQ(rows.size(), 6u);
  for (const io::McPathRow& row : rows) {
    // Path k of mc is `run --drawn --path k`: the scenario with the values path k draws for
    // the [uncertain] keys (the default scenario has some).
    std::vector<double> drawn;
    const sim::PathResult alone = sim::run_path(path_scenario(s, 11, row.path_id, drawn), row.path_id, 11);
    EXPECT_EQ(drawn, row.parameters);
    ASSERT_EQ(row.series.size(), kStored.size());
    for (std::size_t c = 0; c < kStored.size(); ++c) {
      ASSERT_EQ(row.series[c].size(), alone.months.size()) << kStored[c];
      for (std::size_t t = 0; t < alone.months.size(); ++t) {
        EXPECT_EQ(row.series[c][t], column_value(alone.months[t], kStored[c])) << kStored[c] << " month " << t;
      }
    }
  }
  // Paths differ (random jumps), so the stored series are not all one series repeated.
  EXPECT_NE(rows.front().series[0], rows.back().series[0]);
  std::filesystem::remove(db_path);
}

TEST(StorePaths, ResumedRunStoresTheSameSeriesAsAnUninterruptedOne) {
  const io::LoadedScenario s = short_default();
  const std::string full_path = temp_db("full");
  const std::string cut_path = temp_db("cut");
  (void)run_monte_carlo(s, options(8, full_path));
  // Stopped before it starts: the database holds the run's record (with its stored columns) and
  // no paths; the resume, given no columns, must take them from the database.
  std::atomic<bool> stop{true};
  McOptions first = options(8, cut_path);
  first.stop = &stop;
  const McRun cut = run_monte_carlo(s, first);
  EXPECT_TRUE(cut.interrupted);
  McOptions again;
  again.db_path = cut_path;
  again.resume = true;
  again.threads = 1;
  const McRun resumed = run_monte_carlo(s, again);
  EXPECT_EQ(resumed.stored_columns, kStored);  // from the database, not the options
  const std::vector<io::McPathRow> a = io::ResultsDb::open_existing(full_path).read_paths();
  const std::vector<io::McPathRow> b = io::ResultsDb::open_existing(cut_path).read_paths();
  ASSERT_EQ(a.size(), 8u);
  ASSERT_EQ(b.size(), 8u);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].series, b[i].series) << "path " << a[i].path_id;
  std::filesystem::remove(full_path);
  std::filesystem::remove(cut_path);
}

TEST(StorePaths, SeriesSurviveTheEncodingOfAnMpiGather) {
  // Under mpirun, rank 0 gathers the other ranks' rows as bytes (encode_rows / decode_rows).
  const io::LoadedScenario s = short_default();
  McOptions o = options(3, "");
  o.keep_rows = true;
  const McRun run = run_monte_carlo(s, o);
  ASSERT_EQ(run.rows.size(), 3u);
  const std::vector<io::McPathRow> back = decode_rows(encode_rows(run.rows));
  ASSERT_EQ(back.size(), run.rows.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    ASSERT_EQ(run.rows[i].series.size(), kStored.size());
    EXPECT_EQ(back[i].series, run.rows[i].series);
    EXPECT_EQ(back[i].parameters, run.rows[i].parameters);
  }
}

TEST(FanColumns, JsonHoldsTheColumnsAskedForAndTheirQuantilesBracketTheStoredPaths) {
  const io::LoadedScenario s = short_default();
  const std::string db_path = temp_db("fan");
  const McRun run = run_monte_carlo(s, options(20, db_path));
  // Columns outside the default fan charts, in the order asked.
  const std::vector<std::string> asked = {"capex_usd_bn", "workers_displaced_m", "ai_revenue_usd_bn"};
  const std::vector<std::string>& defaults = fan_chart_columns();
  ASSERT_EQ(std::count(defaults.begin(), defaults.end(), "workers_displaced_m"), 0);
  const nlohmann::json j = mc_summary_json(run, asked);
  std::vector<std::string> keys;
  for (const auto& [key, value] : j["fan"].items()) keys.push_back(key);
  std::vector<std::string> sorted_asked = asked;
  std::sort(sorted_asked.begin(), sorted_asked.end());
  EXPECT_EQ(keys, sorted_asked);  // nlohmann::json objects list keys sorted

  const std::vector<io::McPathRow> rows = io::ResultsDb::open_existing(db_path).read_paths();
  const double accuracy = run.aggregate.relative_accuracy();
  for (std::size_t c = 0; c < kStored.size(); ++c) {
    const nlohmann::json& f = j["fan"][kStored[c]];
    ASSERT_EQ(f["p05"].size(), rows.front().series[c].size());
    for (std::size_t t = 0; t < f["p05"].size(); ++t) {
      std::vector<double> values;
      for (const io::McPathRow& r : rows) values.push_back(r.series[c][t]);
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      // A sketch quantile is a stored value within its relative accuracy: inside [min, max]
      // widened by that accuracy (values here are ≥ 0).
      for (const char* q : {"p05", "p25", "p50", "p75", "p95"}) {
        const double v = f[q][t].get<double>();
        EXPECT_GE(v, *lo * (1 - accuracy) - 1e-12) << kStored[c] << " " << q << " month " << t;
        EXPECT_LE(v, *hi * (1 + accuracy) + 1e-12) << kStored[c] << " " << q << " month " << t;
      }
      EXPECT_LE(f["p05"][t].get<double>(), f["p95"][t].get<double>());
      // The mean is exact: the stored values' mean.
      double sum = 0;
      for (const double v : values) sum += v;
      EXPECT_NEAR(f["mean"][t].get<double>(), sum / static_cast<double>(values.size()), 1e-9 * std::max(1.0, *hi));
    }
  }
  std::filesystem::remove(db_path);
}

TEST(StorePaths, UnknownColumnsAreRefusedEachNamedWithASuggestion) {
  try {
    (void)checked_columns({"capex_usd_bn", "ai_revenue_usd", "nonsense", "capex_usd_bn"}, "--store-paths");
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    const std::string text = e.diagnostics().str();
    EXPECT_EQ(e.diagnostics().error_count(), 3);
    EXPECT_NE(text.find("--store-paths"), std::string::npos) << text;
    EXPECT_NE(text.find("unknown column 'ai_revenue_usd'; did you mean 'ai_revenue_usd_bn'?"), std::string::npos) << text;
    EXPECT_NE(text.find("unknown column 'nonsense'"), std::string::npos) << text;
    EXPECT_NE(text.find("'capex_usd_bn' is named twice"), std::string::npos) << text;
  }
  // Nothing runs and no file is written when a name is bad.
  const std::string db_path = temp_db("bad");
  McOptions o = options(2, db_path);
  o.store_columns = {"not_a_column"};
  EXPECT_THROW((void)run_monte_carlo(short_default(), o), core::InputError);
  EXPECT_FALSE(std::filesystem::exists(db_path));
}

}  // namespace
}  // namespace bsim::jobs
