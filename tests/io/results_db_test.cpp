// The Monte Carlo results database: exact round trips, transactional checkpoints that survive
// SIGKILL, clear errors for files that are not ours, and a dump independent of write order.
#include "io/results_db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

namespace bsim::io {
namespace {

namespace fs = std::filesystem;

/// A fresh folder for one test, removed afterwards.
class ResultsDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("bsim_results_db_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  [[nodiscard]] std::string file(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

McRunMeta sample_meta() {
  McRunMeta m;
  m.scenario_name = "default";
  m.scenario_source = "scenarios/default.toml";
  m.scenario_text = "schema_version = 1\n[meta]\nname = \"default\"  # ünïcode, 'quotes'\n";
  m.overrides = {"demand.growth=0.3", "firm.openai.cash_usd_bn=\"12\""};
  m.seed = 18446744073709551615ULL;  // the largest seed still round-trips (stored as text)
  m.paths_requested = 1000;
  m.bubblesim_version = "0.1.0";
  m.sketch_accuracy = 0.005;
  m.command_line = "bubblesim mc default --paths 1000 --db runs.db";
  m.parameter_keys = {"demand.growth", "technology.efficiency.jump_rate_per_year"};
  m.parameter_distributions = {"uniform(0.1, 0.5)", "lognormal(mean 0.2, sd 0.1)"};
  return m;
}

/// A row whose doubles exercise the bits a text format would lose.
McPathRow sample_row(std::uint64_t id) {
  McPathRow r;
  r.path_id = id;
  r.bust = id % 2 == 1;
  if (r.bust) {
    r.bust_month = "2028-0" + std::to_string(1 + id % 9);
    r.bust_trigger = "AI equity value ≥ 50% below its peak";
  }
  r.defaults = static_cast<int>(id % 4);
  r.claims_written_off_usd_bn = 0.1 + 0.2 + static_cast<double>(id);
  r.equity_wiped_out_usd_bn = 0.0;
  r.accelerator_writedown_usd_bn = 4.9406564584124654e-324 * static_cast<double>(id + 1);  // subnormal
  r.capital_destroyed_usd_bn = std::numeric_limits<double>::max() / static_cast<double>(id + 1);
  r.peak_ai_equity_value_usd_bn = std::numeric_limits<double>::infinity();
  r.max_equity_drawdown = 1.0 / 3.0;
  r.end_spot_price_usd_per_h100e_hour = std::nextafter(2.0, 3.0);
  r.legacy_power_gw = 12.345678901234567;
  r.legacy_datacenter_gw = -1e-17 * static_cast<double>(id + 1);
  r.parameters = {0.3 + 1e-16 * static_cast<double>(id), 1e300};
  r.losses_by_holder = {{"public-equity", 1.5 * static_cast<double>(id)}, {"banks", 0.7}, {"firms", 0.0}};
  if (id % 5 == 4) {
    r.error = "stock-flow check failed in 2031-04: cash of 'coreweave' off by 2e-6 USD bn";
    r.parameters.clear();  // parameters may be left out of a failed path
  }
  return r;
}

std::uint64_t bits(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

void expect_same_row(const McPathRow& a, const McPathRow& b) {
  SCOPED_TRACE("path " + std::to_string(a.path_id));
  EXPECT_EQ(a.path_id, b.path_id);
  EXPECT_EQ(a.bust, b.bust);
  EXPECT_EQ(a.bust_month, b.bust_month);
  EXPECT_EQ(a.bust_trigger, b.bust_trigger);
  EXPECT_EQ(a.defaults, b.defaults);
  EXPECT_EQ(bits(a.claims_written_off_usd_bn), bits(b.claims_written_off_usd_bn));
  EXPECT_EQ(bits(a.equity_wiped_out_usd_bn), bits(b.equity_wiped_out_usd_bn));
  EXPECT_EQ(bits(a.accelerator_writedown_usd_bn), bits(b.accelerator_writedown_usd_bn));
  EXPECT_EQ(bits(a.capital_destroyed_usd_bn), bits(b.capital_destroyed_usd_bn));
  EXPECT_EQ(bits(a.peak_ai_equity_value_usd_bn), bits(b.peak_ai_equity_value_usd_bn));
  EXPECT_EQ(bits(a.max_equity_drawdown), bits(b.max_equity_drawdown));
  EXPECT_EQ(bits(a.end_spot_price_usd_per_h100e_hour), bits(b.end_spot_price_usd_per_h100e_hour));
  EXPECT_EQ(bits(a.legacy_power_gw), bits(b.legacy_power_gw));
  EXPECT_EQ(bits(a.legacy_datacenter_gw), bits(b.legacy_datacenter_gw));
  ASSERT_EQ(a.parameters.size(), b.parameters.size());
  for (std::size_t i = 0; i < a.parameters.size(); ++i) EXPECT_EQ(bits(a.parameters[i]), bits(b.parameters[i]));
  ASSERT_EQ(a.losses_by_holder.size(), b.losses_by_holder.size());
  for (std::size_t i = 0; i < a.losses_by_holder.size(); ++i) {
    EXPECT_EQ(a.losses_by_holder[i].first, b.losses_by_holder[i].first);
    EXPECT_EQ(bits(a.losses_by_holder[i].second), bits(b.losses_by_holder[i].second));
  }
  EXPECT_EQ(a.error, b.error);
}

/// Direct access through the SQLite library, as a user's own tools would see the file.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  /// The first column of the first row as text ("" when none).
  std::string scalar(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }
  void exec(const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

/// Runs `f`, expecting a DatabaseError whose message contains the path and `phrase`.
template <class F>
void expect_database_error(F f, const std::string& path, const std::string& phrase) {
  try {
    f();
    ADD_FAILURE() << "no DatabaseError for " << path;
  } catch (const DatabaseError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.path(), path);
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(phrase), std::string::npos) << what;
  }
}

TEST_F(ResultsDbTest, CheckpointsReopenWithMetaRowsAndStateExact) {
  const std::string path = file("runs.db");
  const McRunMeta meta = sample_meta();
  const std::string first_state("\0\x01sketch\xff", 9);
  const std::string second_state(std::string("merged\0", 7) + std::string(100000, '\x7f'));
  std::vector<McPathRow> expected;
  {
    ResultsDb db = ResultsDb::create(path, meta);
    EXPECT_EQ(db.paths_done(), 0u);
    EXPECT_EQ(db.status(), McStatus::kRunning);
    EXPECT_EQ(db.aggregate_state(), "");
    db.checkpoint({sample_row(0), sample_row(1), sample_row(2)}, first_state, McStatus::kRunning);
    EXPECT_EQ(db.aggregate_state(), first_state);
    db.checkpoint({sample_row(9), sample_row(4), sample_row(3)}, second_state, McStatus::kInterrupted);
  }
  for (const std::uint64_t id : {0, 1, 2, 3, 4, 9}) expected.push_back(sample_row(id));

  const ResultsDb db = ResultsDb::open_existing(path);
  const McRunMeta& m = db.meta();
  EXPECT_EQ(m.scenario_name, meta.scenario_name);
  EXPECT_EQ(m.scenario_source, meta.scenario_source);
  EXPECT_EQ(m.scenario_text, meta.scenario_text);
  EXPECT_EQ(m.overrides, meta.overrides);
  EXPECT_EQ(m.seed, meta.seed);
  EXPECT_EQ(m.paths_requested, meta.paths_requested);
  EXPECT_EQ(m.bubblesim_version, meta.bubblesim_version);
  EXPECT_EQ(bits(m.sketch_accuracy), bits(meta.sketch_accuracy));
  EXPECT_EQ(m.command_line, meta.command_line);
  EXPECT_EQ(m.parameter_keys, meta.parameter_keys);
  EXPECT_EQ(m.parameter_distributions, meta.parameter_distributions);

  EXPECT_EQ(db.paths_done(), 6u);
  EXPECT_EQ(db.completed_path_ids(), (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 9}));
  EXPECT_EQ(db.status(), McStatus::kInterrupted);
  EXPECT_EQ(db.aggregate_state(), second_state);
  const std::vector<McPathRow> rows = db.read_paths();
  ASSERT_EQ(rows.size(), expected.size());
  for (std::size_t i = 0; i < rows.size(); ++i) expect_same_row(rows[i], expected[i]);
}

TEST_F(ResultsDbTest, NanIsStoredAsNullAndReadsBackAsNan) {
  const std::string path = file("nan.db");
  McPathRow row = sample_row(7);
  row.max_equity_drawdown = std::numeric_limits<double>::quiet_NaN();
  row.parameters[1] = std::numeric_limits<double>::quiet_NaN();
  {
    ResultsDb db = ResultsDb::create(path, sample_meta());
    db.checkpoint({row}, "", McStatus::kRunning);
    const std::vector<McPathRow> rows = db.read_paths();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_TRUE(std::isnan(rows[0].max_equity_drawdown));
    EXPECT_TRUE(std::isnan(rows[0].parameters[1]));
    EXPECT_EQ(rows[0].parameters[0], row.parameters[0]);
  }
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("SELECT max_equity_drawdown IS NULL FROM paths"), "1");
}

TEST_F(ResultsDbTest, NegativeZeroReadsBackAsZero) {
  // SQLite keeps a REAL that is a whole number as an integer, so −0 comes back as 0 (the CSV
  // writers fold −0 the same way); every other double is kept bit for bit.
  const std::string path = file("zero.db");
  McPathRow row = sample_row(2);
  row.equity_wiped_out_usd_bn = -0.0;
  ResultsDb db = ResultsDb::create(path, sample_meta());
  db.checkpoint({row}, "", McStatus::kRunning);
  EXPECT_EQ(bits(db.read_paths().at(0).equity_wiped_out_usd_bn), bits(0.0));
}

TEST_F(ResultsDbTest, FailedCheckpointWritesNothing) {
  const std::string path = file("runs.db");
  ResultsDb db = ResultsDb::create(path, sample_meta());
  db.checkpoint({sample_row(0), sample_row(1)}, "two", McStatus::kRunning);
  // Path 1 again, after a new one: the whole checkpoint is refused, path 2 included.
  expect_database_error(
      [&] {
        db.checkpoint({sample_row(2), sample_row(1)}, "three", McStatus::kRunning);
      },
      path, "path 1 is already stored");
  McPathRow short_row = sample_row(3);
  short_row.parameters = {1.0};
  expect_database_error([&] { db.checkpoint({short_row}, "four", McStatus::kRunning); }, path,
                        "path 3 has 1 parameter values for 2 parameter keys");
  McPathRow too_big = sample_row(0);
  too_big.path_id = std::numeric_limits<std::uint64_t>::max();
  expect_database_error([&] { db.checkpoint({too_big}, "five", McStatus::kRunning); }, path, "does not fit");
  EXPECT_EQ(db.paths_done(), 2u);
  EXPECT_EQ(db.completed_path_ids(), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(db.aggregate_state(), "two");
  // The connection is still usable afterwards.
  db.checkpoint({sample_row(2)}, "three", McStatus::kComplete);
  EXPECT_EQ(db.paths_done(), 3u);
  EXPECT_EQ(db.status(), McStatus::kComplete);
}

TEST_F(ResultsDbTest, StoredSeriesRoundTripExactlyWithTheirMonths) {
  const std::string path = file("series.db");
  McRunMeta meta = sample_meta();
  meta.stored_columns = {"capex_usd_bn", "ai_revenue_usd_bn"};  // not in name order
  meta.series_start = "2026-11";                                 // the series cross a year
  ResultsDb db = ResultsDb::create(path, meta);
  McPathRow a = sample_row(4);
  a.series = {{0.1 + 0.2, 4.9406564584124654e-324, -0.0}, {1e300, std::nan(""), 3.0}};
  McPathRow b = sample_row(9);
  b.series = {{7.0, 8.0, 9.0}, {1.0, 2.0, 3.0}};
  McPathRow failed = sample_row(5);
  failed.error = "stock-flow check failed";  // a failed path stores no series
  db.checkpoint({a, failed, b}, "state", McStatus::kComplete);

  const ResultsDb reopened = ResultsDb::open_existing(path);
  EXPECT_EQ(reopened.meta().stored_columns, meta.stored_columns);
  EXPECT_EQ(reopened.meta().series_start, "2026-11");
  const std::vector<McPathRow> rows = reopened.read_paths();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[1].series.empty());
  for (const auto& [stored, written] : {std::pair{rows[0], a}, std::pair{rows[2], b}}) {
    ASSERT_EQ(stored.series.size(), 2u);
    for (std::size_t c = 0; c < 2; ++c) {
      ASSERT_EQ(stored.series[c].size(), 3u);
      for (std::size_t t = 0; t < 3; ++t) {
        const double w = written.series[c][t];
        if (std::isnan(w)) {
          EXPECT_TRUE(std::isnan(stored.series[c][t]));
        } else {
          EXPECT_EQ(bits(stored.series[c][t]), bits(w == 0.0 ? 0.0 : w)) << c << " " << t;  // −0 reads as 0
        }
      }
    }
  }
  // The months are the scenario's from series_start: 2026-11, 2026-12, 2027-01.
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("SELECT group_concat(month, ' ') FROM (SELECT DISTINCT month FROM path_series ORDER BY month)"),
            "2026-11 2026-12 2027-01");
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM path_series"), "12");  // 2 paths × 2 columns × 3 months
}

TEST_F(ResultsDbTest, ARowWithoutItsSeriesIsRefused) {
  const std::string path = file("series.db");
  McRunMeta meta = sample_meta();
  meta.stored_columns = {"capex_usd_bn", "ai_revenue_usd_bn"};
  meta.series_start = "2026-01";
  ResultsDb db = ResultsDb::create(path, meta);
  McPathRow whole = sample_row(0);
  whole.series = {{1.0}, {2.0}};
  McPathRow one = sample_row(1);
  one.series = {{1.0}};
  // The whole checkpoint is refused, the complete row 0 included.
  expect_database_error([&] { db.checkpoint({whole, one}, "x", McStatus::kRunning); }, path,
                        "path 1 has 1 stored series for 2 stored columns");
  EXPECT_EQ(db.paths_done(), 0u);
  McRunMeta no_start = meta;
  no_start.series_start = "";
  expect_database_error([&] { (void)ResultsDb::create(file("no_start.db"), no_start); }, file("no_start.db"),
                        "not a YYYY-MM month");
}

TEST_F(ResultsDbTest, QuantilesAndSensitivityAreReplaced) {
  const std::string path = file("runs.db");
  ResultsDb db = ResultsDb::create(path, sample_meta());
  db.write_quantiles({{"utilization", "2026-02", 10, 0.5, 0.1, 0.2, 0.5, 0.8, 0.9},
                      {"spot_price_usd_per_h100e_hour", "2026-01", 10, 2.1, 1.0, 1.5, 2.0, 2.5, 3.0}});
  const std::vector<McQuantileRow> q = {{"utilization", "2026-01", 20, 0.1 + 0.2, 0.1, 0.2, 0.3, 0.4, 0.5},
                                        {"utilization", "2026-02", 20, 0.6, 0.2, 0.3, 0.6, 0.85, 0.95}};
  db.write_quantiles({q[1], q[0]});
  const std::vector<McQuantileRow> back = db.read_quantiles();
  ASSERT_EQ(back.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back[i].indicator, q[i].indicator);
    EXPECT_EQ(back[i].month, q[i].month);
    EXPECT_EQ(back[i].n, q[i].n);
    EXPECT_EQ(bits(back[i].mean), bits(q[i].mean));
    EXPECT_EQ(back[i].p05, q[i].p05);
    EXPECT_EQ(back[i].p95, q[i].p95);
  }

  db.write_sensitivity({{"tornado", "demand.growth", "low", "bust_probability", 0.2},
                        {"tornado", "demand.growth", "high", "bust_probability", 0.6},
                        {"sobol", "demand.growth", "", "first_order", 0.4}});
  db.write_sensitivity({{"tornado", "finance.rate", "low", "bust_probability", 0.3}});  // replaces tornado only
  const std::vector<SensitivityRow> s = db.read_sensitivity();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].analysis, "sobol");
  EXPECT_EQ(s[0].statistic, "first_order");
  EXPECT_EQ(s[1].keys, "finance.rate");
  EXPECT_EQ(s[1].value, 0.3);
  expect_database_error([&] { db.write_sensitivity({{"morris", "x", "", "mu", 1.0}}); }, path, "'morris'");
  expect_database_error(
      [&] {
        db.write_sensitivity(
            {{"grid", "a,b", "1,2", "bust_probability", 0.1}, {"grid", "a,b", "1,2", "bust_probability", 0.2}});
      },
      path, "UNIQUE constraint failed");
  EXPECT_EQ(db.read_sensitivity().size(), 2u);
}

TEST_F(ResultsDbTest, RunSummaryViewCountsPathsAndBusts) {
  const std::string path = file("runs.db");
  {
    ResultsDb db = ResultsDb::create(path, sample_meta());
    std::vector<McPathRow> rows;
    for (std::uint64_t id = 0; id < 10; ++id) rows.push_back(sample_row(id));  // busts: odd ids; failed: 4 and 9
    db.checkpoint(rows, "", McStatus::kComplete);
  }
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("SELECT paths FROM run_summary"), "10");
  EXPECT_EQ(raw.scalar("SELECT failed FROM run_summary"), "2");
  EXPECT_EQ(raw.scalar("SELECT busts FROM run_summary"), "5");
  EXPECT_EQ(raw.scalar("SELECT bust_share FROM run_summary"), "0.5");  // 4 busts in 8 paths that ran
  EXPECT_EQ(raw.scalar("SELECT status FROM run_summary"), "complete");
  EXPECT_EQ(raw.scalar("SELECT paths_requested FROM run_summary"), "1000");
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "delete");
}

TEST_F(ResultsDbTest, EachCheckpointCountsTheFailedPathsInMeta) {
  const std::string path = file("runs.db");
  ResultsDb db = ResultsDb::create(path, sample_meta());
  std::vector<McPathRow> rows;
  for (std::uint64_t id = 0; id < 5; ++id) rows.push_back(sample_row(id));  // failed: 4
  db.checkpoint(rows, "", McStatus::kRunning);
  EXPECT_EQ(db.paths_failed(), 1u);
  rows.clear();
  for (std::uint64_t id = 5; id < 10; ++id) rows.push_back(sample_row(id));  // failed: 9
  db.checkpoint(rows, "", McStatus::kComplete);
  EXPECT_EQ(db.paths_failed(), 2u);
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("SELECT value FROM meta WHERE key = 'paths_failed'"), "2");
}

TEST_F(ResultsDbTest, OpenAndCreateRefuseFilesThatAreNotOurs) {
  const std::string missing = file("missing.db");
  expect_database_error([&] { (void)ResultsDb::open_existing(missing); }, missing, "no such file");

  const std::string text = file("notes.txt");
  std::ofstream(text) << "these are notes, not a database, but long enough to fill a header of one hundred bytes..\n";
  expect_database_error([&] { (void)ResultsDb::open_existing(text); }, text, "not an SQLite database");
  expect_database_error([&] { (void)dump_results_db(text); }, text, "not an SQLite database");
  expect_database_error([&] { (void)ResultsDb::create(text, sample_meta()); }, text, "already exists and is not empty");

  const std::string other = file("other.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE meta (key TEXT, value TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  expect_database_error([&] { (void)ResultsDb::open_existing(other); }, other, "not a bubblesim results database");

  const std::string future = file("future.db");
  (void)ResultsDb::create(future, sample_meta());
  {
    RawDb raw(future);
    raw.exec("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
  }
  expect_database_error([&] { (void)ResultsDb::open_existing(future); }, future,
                        "schema version 3; this bubblesim reads version 2");
  expect_database_error([&] { (void)ResultsDb::create(future, sample_meta()); }, future, "--resume");

  McRunMeta inconsistent = sample_meta();
  inconsistent.parameter_distributions.pop_back();
  const std::string bad_meta = file("bad_meta.db");
  expect_database_error([&] { (void)ResultsDb::create(bad_meta, inconsistent); }, bad_meta, "2 parameter keys but 1");

  // An empty file (from mktemp, say) is fine to create into.
  const std::string empty = file("empty.db");
  std::ofstream(empty).close();
  ResultsDb db = ResultsDb::create(empty, sample_meta());
  EXPECT_EQ(db.paths_done(), 0u);
}

/// The state blob a checkpoint writes in the crash test: the row count it brings the file to,
/// padded so that each transaction writes many pages.
std::string crash_state(std::uint64_t rows_after) {
  return std::to_string(rows_after) + ";" + std::string(200000, 's');
}

TEST_F(ResultsDbTest, SigkillMidCheckpointLeavesTheLastCompleteCheckpoint) {
  constexpr std::uint64_t kRowsPerCheckpoint = 25;
  // The writer spends most of its time inside a transaction; kills at staggered delays after a
  // checkpoint land at different stages of the next one (the count of hot journals is printed).
  constexpr int kTrials = 6;
  int journals_left = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::string path = file("crash" + std::to_string(trial) + ".db");
    (void)ResultsDb::create(path, sample_meta());
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // The writer: checkpoints until it is killed, telling the parent after each one.
      ::close(pipe_fds[0]);
      try {
        ResultsDb db = ResultsDb::open_existing(path);
        for (std::uint64_t k = 0;; ++k) {
          std::vector<McPathRow> rows;
          for (std::uint64_t i = 0; i < kRowsPerCheckpoint; ++i) rows.push_back(sample_row(k * kRowsPerCheckpoint + i));
          db.checkpoint(rows, crash_state((k + 1) * kRowsPerCheckpoint), McStatus::kRunning);
          if (::write(pipe_fds[1], "c", 1) != 1) ::_exit(4);
        }
      } catch (...) {
        ::_exit(3);
      }
    }
    ::close(pipe_fds[1]);
    const int wait_for = 2 + trial;  // completed checkpoints before the kill
    char c = 0;
    for (int i = 0; i < wait_for; ++i) ASSERT_EQ(::read(pipe_fds[0], &c, 1), 1) << "the writer died early";
    ::usleep(static_cast<useconds_t>(300 + 900 * trial));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ::close(pipe_fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer exited with " << status;
    if (fs::exists(path + "-journal") && fs::file_size(path + "-journal") > 0) ++journals_left;

    {
      RawDb raw(path);  // its first read rolls back the half-written checkpoint
      EXPECT_EQ(raw.scalar("PRAGMA integrity_check"), "ok");
      EXPECT_EQ(raw.scalar("SELECT value FROM meta WHERE key = 'paths_done'"),
                raw.scalar("SELECT COUNT(*) FROM paths"));
    }
    ResultsDb db = ResultsDb::open_existing(path);
    const std::uint64_t done = db.paths_done();
    EXPECT_GE(done, static_cast<std::uint64_t>(wait_for) * kRowsPerCheckpoint);
    EXPECT_EQ(done % kRowsPerCheckpoint, 0u);
    EXPECT_EQ(db.completed_path_ids().size(), done);
    EXPECT_EQ(db.read_paths().size(), done);
    EXPECT_EQ(db.aggregate_state(), crash_state(done)) << "the state belongs to another checkpoint than the rows";
    // --resume: the next paths go in after the last complete checkpoint.
    db.checkpoint({sample_row(done)}, crash_state(done + 1), McStatus::kComplete);
    EXPECT_EQ(db.paths_done(), done + 1);
  }
  std::printf("[          ] %d of %d kills left a journal to roll back\n", journals_left, kTrials);
}

/// Fills a database with paths 0–5, quantiles and sensitivity rows, in the given order.
void fill(const std::string& path, const std::string& command_line, bool reversed) {
  McRunMeta meta = sample_meta();
  meta.command_line = command_line;
  ResultsDb db = ResultsDb::create(path, meta);
  std::vector<McPathRow> rows;
  for (std::uint64_t id = 0; id < 6; ++id) rows.push_back(sample_row(id));
  std::vector<McQuantileRow> q = {{"utilization", "2026-01", 6, 0.5, 0.1, 0.2, 0.5, 0.8, 0.9},
                                  {"utilization", "2026-02", 6, 0.6, 0.1, 0.2, 0.5, 0.8, 0.9},
                                  {"spot_price_usd_per_h100e_hour", "2026-01", 6, 2.0, 1.0, 1.5, 2.0, 2.5, 3.0}};
  std::vector<SensitivityRow> s = {{"tornado", "demand.growth", "low", "bust_probability", 0.25},
                                   {"tornado", "demand.growth", "high", "bust_probability", 0.75}};
  if (reversed) {
    std::reverse(rows.begin(), rows.end());
    std::reverse(q.begin(), q.end());
    std::reverse(s.begin(), s.end());
    db.checkpoint({rows.begin(), rows.begin() + 2}, "partial", McStatus::kInterrupted);
    db.checkpoint({rows.begin() + 2, rows.end()}, "final", McStatus::kComplete);
  } else {
    db.checkpoint(rows, "final", McStatus::kComplete);
  }
  db.write_quantiles(q);
  db.write_sensitivity(s);
}

TEST_F(ResultsDbTest, DumpDoesNotDependOnWriteOrderTimesOrCommandLine) {
  const std::string a = file("a.db");
  const std::string b = file("b.db");
  fill(a, "bubblesim mc default --threads 1 --db a.db", false);
  fill(b, "bubblesim mc default --threads 2 --db b.db", true);
  const std::string dump_a = dump_results_db(a);
  EXPECT_EQ(dump_a, dump_results_db(b));
  EXPECT_EQ(dump_a.find("created_utc"), std::string::npos);
  EXPECT_EQ(dump_a.find("--threads"), std::string::npos);
  EXPECT_NE(dump_a.find("CREATE TABLE paths"), std::string::npos);
  EXPECT_NE(dump_a.find("\"2028-02\""), std::string::npos);          // path 1's bust month
  EXPECT_NE(dump_a.find("0.30000000000000004"), std::string::npos);  // exact doubles

  // A change in one value shows.
  {
    RawDb raw(b);
    raw.exec("UPDATE paths SET legacy_power_gw = 12.5 WHERE path_id = 3");
  }
  EXPECT_NE(dump_a, dump_results_db(b));
  // The aggregate state can be left out of the comparison (sketches merged in another grouping).
  const std::string c = file("c.db");
  fill(c, "bubblesim mc default --db c.db", false);
  {
    ResultsDb db = ResultsDb::open_existing(c);
    db.checkpoint({}, "regrouped", McStatus::kComplete);
  }
  EXPECT_NE(dump_a, dump_results_db(c));
  EXPECT_EQ(dump_results_db(a, {.aggregate_state = false}), dump_results_db(c, {.aggregate_state = false}));
}

}  // namespace
}  // namespace bsim::io
