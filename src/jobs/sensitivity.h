#pragma once
/// Sensitivity analyses (DESIGN §1.11): which assumptions drive the bust probability and the
/// losses. A one-at-a-time tornado over the scenario's `[uncertain]` keys, grids over one or two
/// keys, and variance-based (Sobol first-order and total) indices.
///
///   jobs::SweepOptions opt;  opt.paths = 200;  opt.threads = 2;
///   jobs::Tornado t = jobs::run_tornado(io::load_scenario("my.toml"), opt);
///   t.bars.front().key;   // the assumption whose low and high values move P(bust) most
///
/// Every setting runs the same path ids with the same seed (common random numbers), so a
/// difference between settings is the parameter's effect, not sampling noise in the jumps.
/// Results do not depend on the number of threads.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/mc_aggregate.h"
#include "analysis/sobol.h"
#include "analysis/stats.h"
#include "io/results_db.h"
#include "io/scenario_loader.h"
#include "jobs/monte_carlo.h"

namespace bsim::jobs {

/// The failed paths of a tornado or a grid: how many, and the first few in evaluation order
/// (setting by setting, path id by path id), so the same whatever the threads.
struct SweepFailures {
  struct Failure {
    std::string setting;       ///< "base", "KEY=value (5th percentile)", or a grid cell "KEY=value, …"
    std::uint64_t path_id = 0;
    std::string error;
  };
  static constexpr std::size_t kKept = 5;
  std::uint64_t count = 0;
  std::vector<Failure> first;  ///< at most kKept
};

struct SweepOptions {
  std::uint64_t paths = 200;  ///< paths per setting (tornado, grid)
  std::uint64_t seed = 1;
  int threads = 0;            ///< 0: one per hardware thread
  std::function<void(const McProgress&)> progress;
  const std::atomic<bool>* stop = nullptr;  ///< set to stop early: the analysis then throws SweepInterrupted
  /// When set, a tornado or a grid records its failed paths here (their settings' statistics
  /// leave them out, and count them as `failed`).
  SweepFailures* failures = nullptr;
};

/// Thrown when a sweep is stopped before it finishes (a partial sensitivity is not reported).
struct SweepInterrupted : std::runtime_error {
  SweepInterrupted() : std::runtime_error("sensitivity analysis interrupted before it finished") {}
};

/// What one setting of the parameters comes to over its paths.
struct SettingResult {
  std::uint64_t paths = 0;   ///< completed
  std::uint64_t failed = 0;  ///< paths that threw (a model invariant broke); not in P(bust)
  std::uint64_t busts = 0;
  [[nodiscard]] double bust_probability() const;
  [[nodiscard]] analysis::Interval bust_ci() const;  ///< Wilson 95%
  double mean_capital_destroyed_usd_bn = 0.0;
  double mean_claims_written_off_usd_bn = 0.0;
};

/// One bar of the tornado: the parameter at the 5th and the 95th percentile of its
/// distribution, every other key at the scenario's own value.
struct TornadoBar {
  std::string key;
  std::string distribution;
  double low_value = 0.0;
  double high_value = 0.0;
  SettingResult low;
  SettingResult high;
  /// |P(bust) at high − P(bust) at low|.
  [[nodiscard]] double swing() const;
};

struct Tornado {
  SettingResult base;            ///< every key at the scenario's own value
  std::vector<TornadoBar> bars;  ///< largest swing first (ties: declaration order)
};

/// One-at-a-time tornado over the `[uncertain]` keys (rank correlations play no part: one key
/// moves at a time). Throws core::InputError if there are none, if options.paths is 0, or if a
/// key's 5th or 95th percentile is a value the scenario rejects (a rule between keys), before
/// anything runs.
Tornado run_tornado(const io::LoadedScenario& loaded, const SweepOptions& options);

struct GridAxis {
  std::string key;
  std::vector<double> values;
};

struct GridCell {
  std::vector<double> values;  ///< one per axis
  SettingResult result;
};

/// Every combination of the axes' values (one or two axes), the first axis varying slowest.
/// Throws core::InputError, before anything runs, for a key the scenario does not have or a
/// value it rejects, the same key on both axes, a value given twice, or options.paths 0.
std::vector<GridCell> run_grid(const io::LoadedScenario& loaded, const std::vector<GridAxis>& axes,
                               const SweepOptions& options);

/// Parses `KEY=V1,V2,…` (a --grid argument). Throws core::InputError naming the argument for a
/// missing key or '=', a value that is not a finite number, or a value given twice.
GridAxis parse_grid_axis(const std::string& text);

struct SobolResult {
  std::vector<std::string> keys;
  std::size_t base_rows = 0;
  analysis::SobolIndices bust;               ///< of the bust indicator (1 busts, 0 not)
  analysis::SobolIndices capital_destroyed;  ///< of capital destroyed, USD bn
  double bust_probability = 0.0;             ///< over the design's A and B rows
};

/// Sobol indices over the `[uncertain]` keys, each drawn from its marginal distribution
/// independently (rank correlations are ignored here: the indices assume independent inputs).
/// base_rows · (keys + 2) paths; evaluation i runs path id i mod base_rows, so the rows of A,
/// B and every A_B^i share their random jumps. Each evaluation's values are made when it runs,
/// and only its bust and losses are kept, so memory is a few dozen bytes per evaluation. Throws
/// core::InputError without [uncertain] keys, std::invalid_argument for fewer than 2 base rows,
/// std::runtime_error if a path fails.
SobolResult run_sobol(const io::LoadedScenario& loaded, std::size_t base_rows, const SweepOptions& options);

/// The analyses as text tables.
std::string tornado_text(const Tornado& t);
std::string grid_text(const std::vector<GridAxis>& axes, const std::vector<GridCell>& cells);
std::string sobol_text(const SobolResult& s);

/// The analyses as rows of the results database's `sensitivity` table.
std::vector<io::SensitivityRow> tornado_rows(const Tornado& t);
std::vector<io::SensitivityRow> grid_rows(const std::vector<GridAxis>& axes, const std::vector<GridCell>& cells);
std::vector<io::SensitivityRow> sobol_rows(const SobolResult& s);

}  // namespace bsim::jobs
