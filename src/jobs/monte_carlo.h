#pragma once
/// Monte Carlo runs (DESIGN §1.11): many paths of one scenario on several threads (and MPI
/// ranks), each a pure function of (scenario, path id, seed), aggregated as they finish, with
/// optional checkpoints into a results database that a later run can resume.
///
///   jobs::McOptions opt;
///   opt.paths = 10'000;
///   opt.threads = 2;
///   jobs::McRun run = jobs::run_monte_carlo(io::load_scenario("default"), opt);
///   run.aggregate.bust_probability();
///
/// A path whose scenario has `[uncertain]` keys first draws their values from the random
/// stream (seed, path id, analysis::kUncertainStream) and instantiates the scenario with them.
/// Results do not depend on the number of threads or ranks: the aggregate merges exactly.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/mc_aggregate.h"
#include "io/results_db.h"
#include "io/scenario_loader.h"

namespace bsim::jobs {

/// Where a run stands, for progress displays.
struct McProgress {
  std::uint64_t done = 0;      ///< paths finished in this process (resumed paths included)
  std::uint64_t total = 0;     ///< paths this process will have finished at the end
  std::uint64_t busts = 0;     ///< busts among the paths done (checkpointed ones and this run's)
  double elapsed_seconds = 0;  ///< since this run started
  double paths_per_second = 0; ///< this run's paths ÷ elapsed
};

struct McRun;

struct McOptions {
  std::uint64_t paths = 1000;   ///< path ids 0 … paths − 1
  std::uint64_t seed = 1;
  int threads = 0;              ///< 0: one per hardware thread
  double sketch_accuracy = 0.005;
  /// Results database (SQLite); empty for none. With `resume`, an existing one is continued.
  std::string db_path;
  bool resume = false;
  double checkpoint_seconds = 2.0;  ///< how often completed paths are committed to the database
  std::string command_line;         ///< recorded in the database
  /// Called from the calling thread about ten times a second, and once at the end.
  std::function<void(const McProgress&)> progress;
  /// Set (e.g. by a signal handler) to stop: paths under way finish, nothing new starts, the
  /// database gets a last checkpoint with status "interrupted".
  const std::atomic<bool>* stop = nullptr;
  /// Called from the calling thread about every `partial_seconds` while paths are under way,
  /// with the run so far: `aggregate` holds every path done (the workers' merged, exactly as at
  /// the end), `paths_run` and `seconds` are current. For live displays (the server's fan charts).
  std::function<void(const McRun&)> partial;
  double partial_seconds = 0.3;
  /// Keep every path's row in McRun::rows (for an MPI gather; the database has them otherwise).
  bool keep_rows = false;
  /// timeseries.csv columns whose monthly series each path keeps in its row (McPathRow::series,
  /// stored in the database's path_series table): `mc --store-paths`. Checked with
  /// checked_columns(). With `resume`, the database's own list is used instead.
  std::vector<std::string> store_columns;
  /// analysis::PathChecks::kOutputs (`mc --check-paths`, the soak): every path's months are
  /// also checked as written; a path that fails a check fails like any other, and the totals
  /// go to McRun::checks.
  analysis::PathChecks checks = analysis::PathChecks::kEngine;
  /// MPI: this process runs the path ids with id mod ranks == rank (see jobs/mpi.h).
  int rank = 0;
  int ranks = 1;
};

struct McRun {
  std::string scenario_name;
  std::uint64_t seed = 0;
  std::uint64_t paths_requested = 0;
  bool interrupted = false;
  std::vector<std::string> parameter_keys;           ///< the [uncertain] keys, in order
  std::vector<std::string> parameter_distributions;  ///< their distributions, as text
  analysis::McAggregate aggregate;                   ///< every completed path (of this rank, before an MPI merge)
  /// Failed paths of this run with their messages: the 100 with the lowest path ids, ascending.
  /// aggregate.failed() counts every one (resumed ones included).
  std::vector<analysis::PathVerdict> failed;
  double seconds = 0;                                 ///< wall time of this run
  std::uint64_t paths_run = 0;                        ///< paths run by this process in this run (not resumed)
  std::vector<io::McPathRow> rows;                     ///< with McOptions::keep_rows, sorted by path id
  /// With McOptions::checks = kOutputs: what the checks saw in this run's paths (resumed ones
  /// are not counted).
  analysis::PathCheckTotals checks{};
  std::string bust_rule{};                             ///< the scenario's bust rule in words (analysis::bust_rule_text)
  int persist_months = 1;                              ///< verdict.persist_months of the scenario
  std::vector<std::string> stored_columns{};           ///< the columns each row's series holds, in order
  std::string series_start{};                          ///< "YYYY-MM", the first month of every series
};

/// `names` (timeseries.csv columns, e.g. from `--store-paths a,b` or `--fan a,b`), checked: each
/// a known column, none twice. Throws core::InputError located at `option`, listing every
/// unknown name with a suggestion, for an unknown or repeated name or an empty list.
std::vector<std::string> checked_columns(const std::vector<std::string>& names, const std::string& option);

/// Runs the paths. With `db_path`, creates the database (or, with `resume`, opens it, takes
/// its scenario, seed and path count, and runs only the missing paths). Throws
/// core::InputError for a bad scenario or options, io::DatabaseError for database problems.
McRun run_monte_carlo(const io::LoadedScenario& loaded, const McOptions& options);

/// With `resume`: the scenario recorded in the database (its text and --set overrides).
io::LoadedScenario scenario_of_database(const std::string& db_path);

/// The database's record of a run of `loaded` (its text, --set values, uncertain keys) with
/// this seed, path count and command line.
io::McRunMeta run_meta(const io::LoadedScenario& loaded, std::uint64_t seed, std::uint64_t paths,
                       const std::string& command_line, const std::vector<std::string>& stored_columns = {});

/// The scenario of path `path_id`: the base scenario, or with [uncertain] keys their drawn
/// values (returned in `drawn`, in key order). Throws core::InputError if a drawn value is invalid.
model::Scenario path_scenario(const io::LoadedScenario& loaded, std::uint64_t seed, std::uint64_t path_id,
                              std::vector<double>& drawn);

}  // namespace bsim::jobs
