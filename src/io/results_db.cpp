#include "io/results_db.h"

#include <sqlite3.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/calendar.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <set>
#include <system_error>

namespace bsim::io {

DatabaseError::DatabaseError(std::string path, const std::string& message)
    : std::runtime_error(path + ": " + message), path_(std::move(path)) {}

std::string_view mc_status_name(McStatus status) {
  switch (status) {
    case McStatus::kRunning:
      return "running";
    case McStatus::kInterrupted:
      return "interrupted";
    case McStatus::kComplete:
      return "complete";
  }
  return "unknown";
}

namespace {

/// Written into the file header (`PRAGMA application_id`), so that `file` and open_existing
/// can tell a bubblesim results database from any other SQLite file: "bsim" in ASCII.
constexpr int kApplicationId = 0x6273696d;

// ---- A small RAII layer over the SQLite C API -------------------------------------------

class Statement;

/// An open sqlite3 connection; every failure throws DatabaseError naming the file.
class Connection {
 public:
  Connection(const std::string& path, int flags) : path_(path) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    db_.reset(db);  // sqlite3_open_v2 allocates a handle even on failure
    if (rc != SQLITE_OK) fail("cannot open", rc);
    sqlite3_extended_result_codes(db, 1);
  }

  [[nodiscard]] sqlite3* get() const { return db_.get(); }
  [[nodiscard]] const std::string& path() const { return path_; }

  /// Runs SQL without results (may hold several statements).
  void exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      const std::string reason = message != nullptr ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      throw DatabaseError(path_, fmt::format("{} failed: {}", statement_name(sql), reason));
    }
  }

  [[noreturn]] void fail(std::string_view what, int rc) const {
    const char* reason = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    throw DatabaseError(path_, fmt::format("{}: {}", what, reason));
  }

  /// The first line of a statement, enough to name it in an error.
  static std::string statement_name(std::string_view sql) {
    while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\n')) sql.remove_prefix(1);
    const std::string_view line = sql.substr(0, sql.find('\n'));
    return fmt::format("'{}{}'", line.substr(0, 72), line.size() > 72 || line.size() < sql.size() ? " …" : "");
  }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Close> db_;
  std::string path_;
};

/// A prepared statement. Parameters are numbered from 1, result columns from 0 (as in SQLite).
class Statement {
 public:
  Statement(Connection& connection, std::string_view sql)
      : connection_(&connection), name_(Connection::statement_name(sql)) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(connection.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    stmt_.reset(stmt);
    if (rc != SQLITE_OK) connection.fail(fmt::format("cannot prepare {}", name_), rc);
  }

  Statement& bind(int index, std::int64_t value) { return check(sqlite3_bind_int64(stmt_.get(), index, value)); }
  Statement& bind(int index, int value) { return check(sqlite3_bind_int(stmt_.get(), index, value)); }
  Statement& bind(int index, std::uint64_t value) {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw DatabaseError(connection_->path(), fmt::format("{}: {} does not fit an SQLite integer", name_, value));
    }
    return bind(index, static_cast<std::int64_t>(value));
  }
  /// NaN would become NULL anyway; binding NULL says so.
  Statement& bind(int index, double value) {
    return check(std::isnan(value) ? sqlite3_bind_null(stmt_.get(), index)
                                   : sqlite3_bind_double(stmt_.get(), index, value));
  }
  Statement& bind(int index, std::string_view text) {
    return check(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::optional<std::string>& text) {
    return text ? bind(index, std::string_view(*text)) : check(sqlite3_bind_null(stmt_.get(), index));
  }
  Statement& bind_blob(int index, std::string_view bytes) {
    // A zero-length blob, not NULL, when empty: the column is NOT NULL.
    return check(
        sqlite3_bind_blob64(stmt_.get(), index, bytes.empty() ? "" : bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  }

  /// Steps once: true when a row is ready, false when done. Throws on failure.
  bool step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    connection_->fail(fmt::format("{} failed", name_), rc);
  }
  /// Runs a statement that returns no rows, then resets it for the next bindings.
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }

  [[nodiscard]] int columns() const { return sqlite3_column_count(stmt_.get()); }
  [[nodiscard]] int type(int column) const { return sqlite3_column_type(stmt_.get(), column); }
  [[nodiscard]] bool is_null(int column) const { return type(column) == SQLITE_NULL; }
  [[nodiscard]] std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
  [[nodiscard]] std::uint64_t uint64(int column) const { return static_cast<std::uint64_t>(int64(column)); }
  /// NULL reads as NaN (NaN is stored as NULL).
  [[nodiscard]] double real(int column) const {
    return is_null(column) ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(stmt_.get(), column);
  }
  [[nodiscard]] std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_.get(), column);
    const int n = sqlite3_column_bytes(stmt_.get(), column);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
  }
  [[nodiscard]] std::optional<std::string> optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }
  [[nodiscard]] std::string blob(int column) const {
    const void* p = sqlite3_column_blob(stmt_.get(), column);
    const int n = sqlite3_column_bytes(stmt_.get(), column);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
  }
  [[nodiscard]] std::string column_name(int column) const { return sqlite3_column_name(stmt_.get(), column); }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) connection_->fail(fmt::format("cannot bind a value of {}", name_), rc);
    return *this;
  }
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  Connection* connection_;
  std::string name_;
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

/// BEGIN IMMEDIATE … COMMIT, rolled back when left by an exception.
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) { connection_.exec("BEGIN IMMEDIATE"); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (!committed_) sqlite3_exec(connection_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    connection_.exec("COMMIT");
    committed_ = true;
  }

 private:
  Connection& connection_;
  bool committed_ = false;
};

// ---- Schema ----------------------------------------------------------------------------

/// Version 2 (version 1 lacked path_series). Any change to a table here needs kSchemaVersion + 1 and docs/outputs.md.
constexpr const char* kSchemaSql = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE parameters (
  idx          INTEGER PRIMARY KEY,
  key          TEXT NOT NULL UNIQUE,
  distribution TEXT NOT NULL
);
CREATE TABLE paths (
  path_id                           INTEGER PRIMARY KEY,
  bust                              INTEGER NOT NULL CHECK (bust IN (0, 1)),
  bust_month                        TEXT,
  bust_trigger                      TEXT NOT NULL,
  defaults                          INTEGER NOT NULL,
  claims_written_off_usd_bn         REAL,
  equity_wiped_out_usd_bn           REAL,
  accelerator_writedown_usd_bn      REAL,
  capital_destroyed_usd_bn          REAL,
  peak_ai_equity_value_usd_bn       REAL,
  max_equity_drawdown               REAL,
  end_spot_price_usd_per_h100e_hour REAL,
  legacy_power_gw                   REAL,
  legacy_datacenter_gw              REAL,
  error                             TEXT
);
CREATE TABLE path_parameters (
  path_id INTEGER NOT NULL REFERENCES paths (path_id),
  idx     INTEGER NOT NULL REFERENCES parameters (idx),
  value   REAL,
  PRIMARY KEY (path_id, idx)
) WITHOUT ROWID;
CREATE TABLE path_losses (
  path_id     INTEGER NOT NULL REFERENCES paths (path_id),
  holder      TEXT NOT NULL,
  position    INTEGER NOT NULL,
  loss_usd_bn REAL,
  PRIMARY KEY (path_id, holder)
) WITHOUT ROWID;
CREATE TABLE path_series (
  path_id   INTEGER NOT NULL REFERENCES paths (path_id),
  indicator TEXT NOT NULL,
  month     TEXT NOT NULL,
  value     REAL,
  PRIMARY KEY (path_id, indicator, month)
) WITHOUT ROWID;
CREATE TABLE quantiles (
  indicator TEXT NOT NULL,
  month     TEXT NOT NULL,
  n         INTEGER NOT NULL,
  mean      REAL,
  p05       REAL,
  p25       REAL,
  p50       REAL,
  p75       REAL,
  p95       REAL,
  PRIMARY KEY (indicator, month)
) WITHOUT ROWID;
CREATE TABLE aggregate_state (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  bytes BLOB NOT NULL
);
CREATE TABLE sensitivity (
  analysis  TEXT NOT NULL CHECK (analysis IN ('tornado', 'grid', 'sobol')),
  keys      TEXT NOT NULL,
  setting   TEXT NOT NULL,
  statistic TEXT NOT NULL,
  value     REAL,
  PRIMARY KEY (analysis, keys, setting, statistic)
) WITHOUT ROWID;
CREATE VIEW run_summary AS
SELECT
  (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'paths_requested') AS paths_requested,
  COUNT(*)                                                               AS paths,
  COALESCE(SUM(error IS NOT NULL), 0)                                    AS failed,
  COALESCE(SUM(bust), 0)                                                 AS busts,
  AVG(CASE WHEN error IS NULL THEN bust END)                             AS bust_share,
  (SELECT value FROM meta WHERE key = 'status')                          AS status
FROM paths;
)sql";

/// Meta keys that differ between two otherwise identical runs; dump_results_db leaves them out.
bool is_run_specific_meta_key(std::string_view key) {
  return key == "created_utc" || key == "updated_utc" || key == "command_line";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

/// Shortest text that reads back to the same double.
std::string exact_text(double x) { return fmt::format("{}", x); }

std::uint64_t parse_uint(const std::string& path, std::string_view key, const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw DatabaseError(path, fmt::format("meta '{}' is '{}', not a whole number", key, text));
  }
  return value;
}

double parse_double(const std::string& path, std::string_view key, const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw DatabaseError(path, fmt::format("meta '{}' is '{}', not a number", key, text));
  }
  return value;
}

McStatus parse_status(const std::string& path, const std::string& text) {
  for (const McStatus s : {McStatus::kRunning, McStatus::kInterrupted, McStatus::kComplete}) {
    if (mc_status_name(s) == text) return s;
  }
  throw DatabaseError(path, fmt::format("meta 'status' is '{}', not running, interrupted or complete", text));
}

int pragma_int(Connection& db, const char* pragma) {
  Statement s(db, fmt::format("PRAGMA {}", pragma));
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

/// Durability settings of every connection (docs/decisions/0005): a rollback journal, synced
/// fully at each commit, and a wait rather than a failure while a reader holds the file.
void configure(Connection& db) {
  db.exec("PRAGMA journal_mode = DELETE");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  sqlite3_busy_timeout(db.get(), 5000);
}

/// Opens an existing bubblesim results database read-write (a killed writer's hot journal can
/// then be rolled back) and checks that it is one, of this schema version.
Connection open_checked(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw DatabaseError(path, "no such file");
  if (std::filesystem::is_directory(path, ec)) throw DatabaseError(path, "is a folder, not a results database");
  Connection db(path, SQLITE_OPEN_READWRITE);
  // The first read of the header tells whether this is an SQLite file at all.
  char* message = nullptr;
  const int rc = sqlite3_exec(db.get(), "SELECT COUNT(*) FROM sqlite_schema", nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc == SQLITE_NOTADB)
    throw DatabaseError(path, "not an SQLite database (and so not a bubblesim results database)");
  if (rc != SQLITE_OK) db.fail("cannot read", rc);
  configure(db);
  if (pragma_int(db, "application_id") != kApplicationId) {
    throw DatabaseError(path, "an SQLite database, but not a bubblesim results database (application_id differs)");
  }
  Statement version(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!version.step()) throw DatabaseError(path, "has no schema_version in its meta table");
  const std::string found = version.text(0);
  if (found != std::to_string(ResultsDb::kSchemaVersion)) {
    throw DatabaseError(path, fmt::format("results database of schema version {}; this bubblesim reads version {}",
                                          found, ResultsDb::kSchemaVersion));
  }
  return db;
}

void set_meta(Statement& upsert, std::string_view key, std::string_view value) {
  upsert.bind(1, key).bind(2, value).run();
}

constexpr const char* kUpsertMeta =
    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// A value of the current row as canonical text for the dump.
std::string dump_value(const Statement& s, int column) {
  switch (s.type(column)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return std::to_string(s.int64(column));
    case SQLITE_FLOAT:
      return exact_text(s.real(column));
    case SQLITE_TEXT:
      return nlohmann::json(s.text(column)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    default: {
      std::string hex = "x'";
      for (const char c : s.blob(column)) hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
      return hex + "'";
    }
  }
}

}  // namespace

// ---- ResultsDb ---------------------------------------------------------------------------

struct ResultsDb::Impl {
  Connection db;
  McRunMeta meta;
};

ResultsDb::ResultsDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsDb::ResultsDb(ResultsDb&&) noexcept = default;
ResultsDb& ResultsDb::operator=(ResultsDb&&) noexcept = default;
ResultsDb::~ResultsDb() = default;

const std::string& ResultsDb::path() const { return impl_->db.path(); }
const McRunMeta& ResultsDb::meta() const { return impl_->meta; }

ResultsDb ResultsDb::create(const std::string& path, const McRunMeta& meta) {
  if (meta.parameter_keys.size() != meta.parameter_distributions.size()) {
    throw DatabaseError(path, fmt::format("{} parameter keys but {} distributions", meta.parameter_keys.size(),
                                          meta.parameter_distributions.size()));
  }
  if (!meta.stored_columns.empty() && !core::Month::parse(meta.series_start)) {
    throw DatabaseError(path, fmt::format("stored series start in '{}', not a YYYY-MM month", meta.series_start));
  }
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    if (std::filesystem::is_directory(path, ec)) throw DatabaseError(path, "is a folder, not a results database");
    if (std::filesystem::file_size(path, ec) > 0 || ec) {
      throw DatabaseError(path, "already exists and is not empty; continue it with --resume or choose another file");
    }
  }
  Connection db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  configure(db);
  {
    Transaction t(db);
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId).c_str());
    db.exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str());
    db.exec(kSchemaSql);
    Statement upsert(db, kUpsertMeta);
    const std::string now = utc_now();
    set_meta(upsert, "schema_version", std::to_string(kSchemaVersion));
    set_meta(upsert, "bubblesim_version", meta.bubblesim_version);
    set_meta(upsert, "scenario_name", meta.scenario_name);
    set_meta(upsert, "scenario_source", meta.scenario_source);
    set_meta(upsert, "scenario_text", meta.scenario_text);
    set_meta(upsert, "overrides", nlohmann::json(meta.overrides).dump());
    set_meta(upsert, "seed", std::to_string(meta.seed));
    set_meta(upsert, "paths_requested", std::to_string(meta.paths_requested));
    set_meta(upsert, "paths_done", "0");
    set_meta(upsert, "status", mc_status_name(McStatus::kRunning));
    set_meta(upsert, "sketch_accuracy", exact_text(meta.sketch_accuracy));
    set_meta(upsert, "created_utc", now);
    set_meta(upsert, "updated_utc", now);
    set_meta(upsert, "command_line", meta.command_line);
    set_meta(upsert, "stored_columns", nlohmann::json(meta.stored_columns).dump());
    set_meta(upsert, "series_start", meta.series_start);
    Statement parameter(db, "INSERT INTO parameters (idx, key, distribution) VALUES (?1, ?2, ?3)");
    for (std::size_t i = 0; i < meta.parameter_keys.size(); ++i) {
      parameter.bind(1, static_cast<std::int64_t>(i))
          .bind(2, meta.parameter_keys[i])
          .bind(3, meta.parameter_distributions[i])
          .run();
    }
    t.commit();
  }
  return ResultsDb(std::make_unique<Impl>(Impl{std::move(db), meta}));
}

ResultsDb ResultsDb::open_existing(const std::string& path) {
  Connection db = open_checked(path);
  McRunMeta meta;
  {
    Statement s(db, "SELECT key, value FROM meta");
    while (s.step()) {
      const std::string key = s.text(0);
      const std::string value = s.text(1);
      if (key == "bubblesim_version")
        meta.bubblesim_version = value;
      else if (key == "scenario_name")
        meta.scenario_name = value;
      else if (key == "scenario_source")
        meta.scenario_source = value;
      else if (key == "scenario_text")
        meta.scenario_text = value;
      else if (key == "seed")
        meta.seed = parse_uint(path, key, value);
      else if (key == "paths_requested")
        meta.paths_requested = parse_uint(path, key, value);
      else if (key == "sketch_accuracy")
        meta.sketch_accuracy = parse_double(path, key, value);
      else if (key == "command_line")
        meta.command_line = value;
      else if (key == "series_start")
        meta.series_start = value;
      else if (key == "overrides" || key == "stored_columns") {
        std::vector<std::string>& strings = key == "overrides" ? meta.overrides : meta.stored_columns;
        const nlohmann::json list = nlohmann::json::parse(value, nullptr, false);
        if (!list.is_array()) throw DatabaseError(path, fmt::format("meta '{}' is not a JSON array", key));
        for (const auto& item : list) {
          if (!item.is_string()) throw DatabaseError(path, fmt::format("meta '{}' holds a value that is not a string", key));
          strings.push_back(item.get<std::string>());
        }
      }
    }
  }
  {
    Statement s(db, "SELECT key, distribution FROM parameters ORDER BY idx");
    while (s.step()) {
      meta.parameter_keys.push_back(s.text(0));
      meta.parameter_distributions.push_back(s.text(1));
    }
  }
  return ResultsDb(std::make_unique<Impl>(Impl{std::move(db), std::move(meta)}));
}

std::uint64_t ResultsDb::paths_done() const {
  Statement s(impl_->db, "SELECT value FROM meta WHERE key = 'paths_done'");
  if (!s.step()) throw DatabaseError(path(), "has no paths_done in its meta table");
  return parse_uint(path(), "paths_done", s.text(0));
}

std::vector<std::uint64_t> ResultsDb::completed_path_ids() const {
  std::vector<std::uint64_t> ids;
  Statement s(impl_->db, "SELECT path_id FROM paths ORDER BY path_id");
  while (s.step()) ids.push_back(s.uint64(0));
  return ids;
}

std::uint64_t ResultsDb::paths_failed() const {
  Statement s(impl_->db, "SELECT COUNT(*) FROM paths WHERE error IS NOT NULL");
  if (!s.step()) throw DatabaseError(path(), "cannot count its failed paths");
  return static_cast<std::uint64_t>(s.int64(0));
}

McStatus ResultsDb::status() const {
  Statement s(impl_->db, "SELECT value FROM meta WHERE key = 'status'");
  if (!s.step()) throw DatabaseError(path(), "has no status in its meta table");
  return parse_status(path(), s.text(0));
}

void ResultsDb::checkpoint(const std::vector<McPathRow>& rows, std::string_view aggregate_state, McStatus status) {
  const std::size_t parameter_count = impl_->meta.parameter_keys.size();
  for (const McPathRow& row : rows) {
    if (!row.parameters.empty() && row.parameters.size() != parameter_count) {
      throw DatabaseError(path(), fmt::format("path {} has {} parameter values for {} parameter keys", row.path_id,
                                              row.parameters.size(), parameter_count));
    }
    if (!row.error && row.series.size() != impl_->meta.stored_columns.size()) {
      throw DatabaseError(path(), fmt::format("path {} has {} stored series for {} stored columns", row.path_id,
                                              row.series.size(), impl_->meta.stored_columns.size()));
    }
  }
  // The month of each stored value, as text, once for the longest series.
  std::vector<std::string> months;
  if (!impl_->meta.stored_columns.empty()) {
    const core::Month start = core::Month::parse(impl_->meta.series_start).value_or(core::Month());
    std::size_t longest = 0;
    for (const McPathRow& row : rows) {
      for (const std::vector<double>& s : row.series) longest = std::max(longest, s.size());
    }
    for (std::size_t t = 0; t < longest; ++t) months.push_back((start + static_cast<int>(t)).str());
  }
  Connection& db = impl_->db;
  Transaction t(db);
  Statement insert_path(db, R"sql(INSERT INTO paths (path_id, bust, bust_month, bust_trigger, defaults,
      claims_written_off_usd_bn, equity_wiped_out_usd_bn, accelerator_writedown_usd_bn, capital_destroyed_usd_bn,
      peak_ai_equity_value_usd_bn, max_equity_drawdown, end_spot_price_usd_per_h100e_hour, legacy_power_gw,
      legacy_datacenter_gw, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15))sql");
  Statement insert_parameter(db, "INSERT INTO path_parameters (path_id, idx, value) VALUES (?1, ?2, ?3)");
  Statement insert_loss(db, "INSERT INTO path_losses (path_id, holder, position, loss_usd_bn) VALUES (?1, ?2, ?3, ?4)");
  Statement insert_series(db, "INSERT INTO path_series (path_id, indicator, month, value) VALUES (?1, ?2, ?3, ?4)");
  Statement exists(db, "SELECT 1 FROM paths WHERE path_id = ?1");
  for (const McPathRow& row : rows) {
    exists.bind(1, row.path_id);
    const bool duplicate = exists.step();
    exists.reset();
    if (duplicate) throw DatabaseError(path(), fmt::format("path {} is already stored", row.path_id));
    insert_path.bind(1, row.path_id)
        .bind(2, row.bust ? 1 : 0)
        .bind(3, row.bust_month)
        .bind(4, row.bust_trigger)
        .bind(5, row.defaults)
        .bind(6, row.claims_written_off_usd_bn)
        .bind(7, row.equity_wiped_out_usd_bn)
        .bind(8, row.accelerator_writedown_usd_bn)
        .bind(9, row.capital_destroyed_usd_bn)
        .bind(10, row.peak_ai_equity_value_usd_bn)
        .bind(11, row.max_equity_drawdown)
        .bind(12, row.end_spot_price_usd_per_h100e_hour)
        .bind(13, row.legacy_power_gw)
        .bind(14, row.legacy_datacenter_gw)
        .bind(15, row.error)
        .run();
    for (std::size_t i = 0; i < row.parameters.size(); ++i) {
      insert_parameter.bind(1, row.path_id).bind(2, static_cast<std::int64_t>(i)).bind(3, row.parameters[i]).run();
    }
    for (std::size_t i = 0; i < row.losses_by_holder.size(); ++i) {
      insert_loss.bind(1, row.path_id)
          .bind(2, row.losses_by_holder[i].first)
          .bind(3, static_cast<std::int64_t>(i))
          .bind(4, row.losses_by_holder[i].second)
          .run();
    }
    for (std::size_t c = 0; c < row.series.size(); ++c) {
      for (std::size_t t = 0; t < row.series[c].size(); ++t) {
        insert_series.bind(1, row.path_id)
            .bind(2, impl_->meta.stored_columns[c])
            .bind(3, months[t])
            .bind(4, row.series[c][t])
            .run();
      }
    }
  }
  Statement(
      db,
      "INSERT INTO aggregate_state (id, bytes) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes")
      .bind_blob(1, aggregate_state)
      .run();
  // paths_done is counted inside the transaction, so it always equals the rows in `paths`.
  db.exec("UPDATE meta SET value = (SELECT COUNT(*) FROM paths) WHERE key = 'paths_done'");
  // So is paths_failed: a reader sees at once that the statistics cover only the paths without
  // an error (the row is added by the first checkpoint, also in files made before it existed).
  db.exec("INSERT INTO meta (key, value) VALUES ('paths_failed', (SELECT COUNT(*) FROM paths WHERE error IS NOT NULL)) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  Statement upsert(db, kUpsertMeta);
  set_meta(upsert, "status", mc_status_name(status));
  set_meta(upsert, "updated_utc", utc_now());
  t.commit();
}

std::string ResultsDb::aggregate_state() const {
  Statement s(impl_->db, "SELECT bytes FROM aggregate_state WHERE id = 1");
  return s.step() ? s.blob(0) : std::string();
}

void ResultsDb::write_quantiles(const std::vector<McQuantileRow>& rows) {
  Connection& db = impl_->db;
  Transaction t(db);
  db.exec("DELETE FROM quantiles");
  Statement insert(db,
                   "INSERT INTO quantiles (indicator, month, n, mean, p05, p25, p50, p75, p95) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  for (const McQuantileRow& r : rows) {
    insert.bind(1, r.indicator)
        .bind(2, r.month)
        .bind(3, r.n)
        .bind(4, r.mean)
        .bind(5, r.p05)
        .bind(6, r.p25)
        .bind(7, r.p50)
        .bind(8, r.p75)
        .bind(9, r.p95)
        .run();
  }
  Statement upsert(db, kUpsertMeta);
  set_meta(upsert, "updated_utc", utc_now());
  t.commit();
}

void ResultsDb::write_sensitivity(const std::vector<SensitivityRow>& rows) {
  std::set<std::string> analyses;
  for (const SensitivityRow& r : rows) {
    if (r.analysis != "tornado" && r.analysis != "grid" && r.analysis != "sobol") {
      throw DatabaseError(path(), fmt::format("sensitivity analysis '{}' is not tornado, grid or sobol", r.analysis));
    }
    analyses.insert(r.analysis);
  }
  Connection& db = impl_->db;
  Transaction t(db);
  Statement remove(db, "DELETE FROM sensitivity WHERE analysis = ?1");
  for (const std::string& a : analyses) remove.bind(1, a).run();
  Statement insert(db,
                   "INSERT INTO sensitivity (analysis, keys, setting, statistic, value) VALUES (?1, ?2, ?3, ?4, ?5)");
  for (const SensitivityRow& r : rows) {
    insert.bind(1, r.analysis).bind(2, r.keys).bind(3, r.setting).bind(4, r.statistic).bind(5, r.value).run();
  }
  Statement upsert(db, kUpsertMeta);
  set_meta(upsert, "updated_utc", utc_now());
  t.commit();
}

std::vector<McPathRow> ResultsDb::read_paths() const {
  Connection& db = impl_->db;
  std::vector<McPathRow> rows;
  Statement s(db, R"sql(SELECT path_id, bust, bust_month, bust_trigger, defaults, claims_written_off_usd_bn,
      equity_wiped_out_usd_bn, accelerator_writedown_usd_bn, capital_destroyed_usd_bn, peak_ai_equity_value_usd_bn,
      max_equity_drawdown, end_spot_price_usd_per_h100e_hour, legacy_power_gw, legacy_datacenter_gw, error
      FROM paths ORDER BY path_id)sql");
  while (s.step()) {
    McPathRow r;
    r.path_id = s.uint64(0);
    r.bust = s.int64(1) != 0;
    r.bust_month = s.optional_text(2);
    r.bust_trigger = s.text(3);
    r.defaults = static_cast<int>(s.int64(4));
    r.claims_written_off_usd_bn = s.real(5);
    r.equity_wiped_out_usd_bn = s.real(6);
    r.accelerator_writedown_usd_bn = s.real(7);
    r.capital_destroyed_usd_bn = s.real(8);
    r.peak_ai_equity_value_usd_bn = s.real(9);
    r.max_equity_drawdown = s.real(10);
    r.end_spot_price_usd_per_h100e_hour = s.real(11);
    r.legacy_power_gw = s.real(12);
    r.legacy_datacenter_gw = s.real(13);
    r.error = s.optional_text(14);
    rows.push_back(std::move(r));
  }
  // Both child tables are read in path order and merged into the rows (which are sorted by id).
  const auto row_of = [&](std::uint64_t id) -> McPathRow& {
    auto it = std::lower_bound(rows.begin(), rows.end(), id,
                               [](const McPathRow& r, std::uint64_t v) { return r.path_id < v; });
    if (it == rows.end() || it->path_id != id)
      throw DatabaseError(path(), fmt::format("a child row names path {}, which is not stored", id));
    return *it;
  };
  Statement parameters(db, "SELECT path_id, value FROM path_parameters ORDER BY path_id, idx");
  while (parameters.step()) row_of(parameters.uint64(0)).parameters.push_back(parameters.real(1));
  Statement losses(db, "SELECT path_id, holder, loss_usd_bn FROM path_losses ORDER BY path_id, position");
  while (losses.step()) row_of(losses.uint64(0)).losses_by_holder.emplace_back(losses.text(1), losses.real(2));
  // Series in stored-column order, months ascending ("YYYY-MM" sorts as text).
  const std::vector<std::string>& columns = impl_->meta.stored_columns;
  Statement series(db, "SELECT path_id, indicator, value FROM path_series ORDER BY path_id, indicator, month");
  while (series.step()) {
    McPathRow& row = row_of(series.uint64(0));
    const auto column = std::find(columns.begin(), columns.end(), series.text(1));
    if (column == columns.end()) {
      throw DatabaseError(path(), fmt::format("path_series names '{}', which is not a stored column", series.text(1)));
    }
    row.series.resize(columns.size());
    row.series[static_cast<std::size_t>(column - columns.begin())].push_back(series.real(2));
  }
  return rows;
}

std::vector<McQuantileRow> ResultsDb::read_quantiles() const {
  std::vector<McQuantileRow> rows;
  Statement s(impl_->db,
              "SELECT indicator, month, n, mean, p05, p25, p50, p75, p95 FROM quantiles ORDER BY indicator, month");
  while (s.step()) {
    rows.push_back(
        {s.text(0), s.text(1), s.uint64(2), s.real(3), s.real(4), s.real(5), s.real(6), s.real(7), s.real(8)});
  }
  return rows;
}

std::vector<SensitivityRow> ResultsDb::read_sensitivity() const {
  std::vector<SensitivityRow> rows;
  Statement s(impl_->db,
              "SELECT analysis, keys, setting, statistic, value FROM sensitivity "
              "ORDER BY analysis, keys, setting, statistic");
  while (s.step()) rows.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.real(4)});
  return rows;
}

// ---- Canonical dump -------------------------------------------------------------------------

std::string dump_results_db(const std::string& path, const DumpOptions& options) {
  Connection db = open_checked(path);
  std::string out;
  std::vector<std::pair<std::string, std::string>> tables;
  {
    Statement s(db,
                "SELECT name, sql FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name");
    while (s.step()) tables.emplace_back(s.text(0), s.text(1));
  }
  Statement is_view(db, "SELECT type = 'view' FROM sqlite_schema WHERE name = ?1");
  for (const auto& [name, sql] : tables) {
    out += sql + ";\n";
    is_view.bind(1, name);
    const bool view = is_view.step() && is_view.int64(0) != 0;
    is_view.reset();
    if (view) continue;  // its rows follow from the tables'
    Statement rows(db, fmt::format("SELECT * FROM \"{}\"", name));
    const int n = rows.columns();
    std::string order;
    for (int c = 1; c <= n; ++c) order += (c > 1 ? ", " : "") + std::to_string(c);
    rows = Statement(db, fmt::format("SELECT * FROM \"{}\" ORDER BY {}", name, order));
    std::string header = "-- rows of " + name + ":";
    for (int c = 0; c < n; ++c) header += " " + rows.column_name(c);
    out += header + "\n";
    while (rows.step()) {
      if (name == "meta" && is_run_specific_meta_key(rows.text(0))) continue;
      std::string line;
      for (int c = 0; c < n; ++c) {
        if (c > 0) line += '|';
        if (name == "aggregate_state" && rows.type(c) == SQLITE_BLOB) {
          const std::string bytes = rows.blob(c);
          line += options.aggregate_state ? fmt::format("<{} bytes, fnv1a64 {:016x}>", bytes.size(), fnv1a64(bytes))
                                          : std::string("<not compared>");
        } else {
          line += dump_value(rows, c);
        }
      }
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace bsim::io
