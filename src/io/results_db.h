#pragma once
/// The Monte Carlo results database (`bubblesim mc --db FILE`): one SQLite file holding the run's
/// metadata, one verdict row per completed path, per-month quantiles and sensitivity results,
/// and (`mc --store-paths`) each path's monthly series of chosen columns.
///
/// Writing goes through checkpoints, each one transaction: a run that is interrupted (Ctrl-C,
/// SIGTERM, even SIGKILL or a crash) leaves a database holding exactly the paths of its last
/// completed checkpoint, which `--resume` continues. The schema is documented in
/// docs/outputs.md ("Results database"), the journal choice in docs/decisions/0005.
///
/// Example:
///
///     io::ResultsDb db = io::ResultsDb::create("runs.db", meta);
///     for (each block of finished paths) {
///       db.checkpoint(rows, aggregate.serialise(), io::McStatus::kRunning);
///     }
///     db.write_quantiles(quantile_rows);
///     db.checkpoint({}, aggregate.serialise(), io::McStatus::kComplete);
///
///     // --resume:
///     io::ResultsDb db = io::ResultsDb::open_existing("runs.db");
///     std::vector<std::uint64_t> done = db.completed_path_ids();  // run the others
///     Aggregate aggregate = Aggregate::deserialise(db.aggregate_state());

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bsim::io {

/// Thrown when the results database cannot be created, opened, read or written. The message
/// starts with the file's path and, for SQLite failures, names the statement and SQLite's reason.
class DatabaseError : public std::runtime_error {
 public:
  DatabaseError(std::string path, const std::string& message);
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// What identifies a Monte Carlo run; written once when the database is created.
struct McRunMeta {
  std::string scenario_name;            ///< the scenario's `name` (e.g. "default")
  std::string scenario_source;          ///< where its text came from: a file path or a built-in's path (error locations)
  std::string scenario_text;           ///< the scenario file's full text, as run
  std::vector<std::string> overrides;  ///< the `--set key=value` strings, in command-line order
  std::uint64_t seed = 0;
  std::uint64_t paths_requested = 0;
  std::string bubblesim_version;
  double sketch_accuracy = 0.005;  ///< relative accuracy of the quantile sketches
  std::string command_line;
  /// The [uncertain] scenario keys and their distributions in words, in the same order;
  /// McPathRow::parameters follows this order.
  std::vector<std::string> parameter_keys;
  std::vector<std::string> parameter_distributions;
  /// The timeseries.csv columns whose monthly series every path stores (`--store-paths`), in
  /// order; McPathRow::series follows it. Empty: no series stored.
  std::vector<std::string> stored_columns;
  /// The first month of the stored series, "YYYY-MM" (the scenario's start); "" without any.
  std::string series_start;
};

/// One completed path: its verdict, losses and drawn parameters. Every amount in USD bn.
struct McPathRow {
  std::uint64_t path_id = 0;  ///< at most 2^63 − 1
  bool bust = false;
  std::optional<std::string> bust_month;  ///< "YYYY-MM"; none without a bust
  std::string bust_trigger;               ///< the condition(s) that held, in words; "" without a bust
  int defaults = 0;                       ///< firms in default at the end
  double claims_written_off_usd_bn = 0;
  double equity_wiped_out_usd_bn = 0;
  double accelerator_writedown_usd_bn = 0;
  double capital_destroyed_usd_bn = 0;
  double peak_ai_equity_value_usd_bn = 0;
  double max_equity_drawdown = 0;  ///< share of the peak, 0–1
  double end_spot_price_usd_per_h100e_hour = 0;
  double legacy_power_gw = 0;
  double legacy_datacenter_gw = 0;
  /// Drawn values in McRunMeta::parameter_keys order: one per key, or empty when not recorded.
  std::vector<double> parameters;
  /// Holder class → loss in USD bn, in the caller's order (kept on read-back); classes unique.
  std::vector<std::pair<std::string, double>> losses_by_holder;
  /// One monthly series per McRunMeta::stored_columns entry (in its order, each from
  /// McRunMeta::series_start on); empty when none are stored or the path failed.
  std::vector<std::vector<double>> series;
  /// Set for a failed path: the message. The path can be rerun alone from its id and the seed.
  std::optional<std::string> error;
};

/// One indicator's distribution over the completed paths in one month.
struct McQuantileRow {
  std::string indicator;                                         ///< a timeseries.csv column name
  std::string month;                                             ///< "YYYY-MM"
  std::uint64_t n = 0;                                           ///< paths contributing
  double mean = 0, p05 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0;  ///< in the indicator's unit
};

/// One number of a sensitivity analysis, as a row of a long table.
struct SensitivityRow {
  std::string analysis;   ///< "tornado", "grid" or "sobol"
  std::string keys;       ///< the scenario key varied; a grid's two keys joined by ","
  std::string setting;    ///< e.g. "low", "high", or a grid point "0.5,1.2"; "" when none (sobol)
  std::string statistic;  ///< e.g. "bust_probability", "first_order", "total_order_se"
  double value = 0;
};

enum class McStatus { kRunning, kInterrupted, kComplete };

/// "running", "interrupted" or "complete", as stored in the database.
std::string_view mc_status_name(McStatus status);

/// A results database open for writing. Move-only; closing is the destructor's job.
/// Not thread-safe: one thread (the runner's collector) writes.
/// Doubles are stored bit-exactly; a NaN is stored as NULL and reads back as a quiet NaN.
class ResultsDb {
 public:
  /// The schema version this build writes and reads (meta `schema_version`).
  static constexpr int kSchemaVersion = 2;

  /// Creates a new database at `path` with status "running" and no paths. Throws DatabaseError
  /// when the file exists and is not empty, when it cannot be written, or when `meta` is
  /// inconsistent (parameter keys and distributions of different lengths).
  static ResultsDb create(const std::string& path, const McRunMeta& meta);

  /// Opens an existing database for `--resume` (rolling back a transaction a killed writer left
  /// unfinished). Throws DatabaseError when the file is missing, is not an SQLite database, is
  /// not a bubblesim results database, or has another schema version.
  static ResultsDb open_existing(const std::string& path);

  ResultsDb(ResultsDb&&) noexcept;
  ResultsDb& operator=(ResultsDb&&) noexcept;
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;
  ~ResultsDb();

  [[nodiscard]] const std::string& path() const;
  [[nodiscard]] const McRunMeta& meta() const;
  /// Completed paths (rows in `paths`, failed ones included).
  [[nodiscard]] std::uint64_t paths_done() const;
  /// The ids of the completed paths, ascending.
  [[nodiscard]] std::vector<std::uint64_t> completed_path_ids() const;
  /// Failed paths among them (rows with an error; meta `paths_failed` after a checkpoint).
  [[nodiscard]] std::uint64_t paths_failed() const;
  [[nodiscard]] McStatus status() const;

  /// One transaction: inserts `rows`, replaces the aggregate state (opaque bytes serialised by
  /// the caller: the merged sketches of every completed path), and sets paths_done, status and
  /// the update time. Either all of it lands or none. Throws DatabaseError (and writes nothing)
  /// for a path id already stored, a row whose parameters do not match the parameter keys, a
  /// completed row whose series do not match the stored columns, or a failed write.
  void checkpoint(const std::vector<McPathRow>& rows, std::string_view aggregate_state, McStatus status);

  /// The aggregate state of the last checkpoint; empty before the first.
  [[nodiscard]] std::string aggregate_state() const;

  /// Replaces every per-month quantile row (one transaction).
  void write_quantiles(const std::vector<McQuantileRow>& rows);

  /// Replaces the rows of each analysis named in `rows` (one transaction); other analyses stay.
  /// Throws DatabaseError for an unknown analysis or two rows with the same
  /// (analysis, keys, setting, statistic).
  void write_sensitivity(const std::vector<SensitivityRow>& rows);

  /// Every path, by path id; losses in the order written; series as stored.
  [[nodiscard]] std::vector<McPathRow> read_paths() const;
  /// Every quantile row, by indicator then month.
  [[nodiscard]] std::vector<McQuantileRow> read_quantiles() const;
  /// Every sensitivity row, by analysis, keys, setting, statistic.
  [[nodiscard]] std::vector<SensitivityRow> read_sensitivity() const;

 private:
  struct Impl;
  explicit ResultsDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct DumpOptions {
  /// The aggregate state as its size and FNV-1a hash; off when two runs may merge their
  /// sketches in different groupings (quantiles agree, bytes need not).
  bool aggregate_state = true;
};

/// A canonical text dump of the database at `path`: every table's definition and rows, rows in
/// key order, so two databases with the same contents dump to the same bytes whatever order the
/// rows were written in. Leaves out what differs between identical runs: the creation and
/// update times and the command line (which names the file and thread count).
/// Throws DatabaseError as open_existing does.
std::string dump_results_db(const std::string& path, const DumpOptions& options = {});

}  // namespace bsim::io
