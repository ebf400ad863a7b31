/// The `bubblesim` command line: run, mc, sweep, compare, report, serve, validate, validate-history, scenarios,
/// schema.
///
/// Exit codes: 0 success, 2 bad input (scenario, option or value), 1 any other failure.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <thread>
#include <chrono>

#include "analysis/compare.h"
#include "analysis/history.h"
#include "analysis/summary.h"
#include "core/diagnostics.h"
#include "io/builtin_scenarios.h"
#include "io/history_output.h"
#include "io/network.h"
#include "io/output.h"
#include "io/output_folder.h"
#include "io/report.h"
#include "io/scenario_loader.h"
#include "io/results_db.h"
#include "io/schema.h"
#include "io/svg_chart.h"
#include "jobs/mc_report.h"
#include "jobs/monte_carlo.h"
#include "jobs/mpi.h"
#include "jobs/sensitivity.h"
#include "model/record.h"
#include "server/http_server.h"
#include "sim/run_path.h"

namespace {

/// --seed: a whole number from 0 to 2^64 − 1. CLI11 would read "-1" into an unsigned seed as
/// 2^64 − 1 without a word.
const CLI::Validator kSeed(
    [](const std::string& text) -> std::string {
      const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
      if (digits && (text.size() < 20 || (text.size() == 20 && text <= "18446744073709551615"))) return {};
      return "the seed must be a whole number from 0 to 18446744073709551615, not '" + text.substr(0, 40) + "'";
    },
    "SEED", "seed");

constexpr int kExitBadInput = 2;
constexpr int kExitFailure = 1;
constexpr int kExitInterrupted = 130;

// Set by SIGINT or SIGTERM: a Monte Carlo run finishes the paths under way, checkpoints and stops.
std::atomic<bool> g_stop{false};

extern "C" void request_stop(int) { g_stop.store(true); }

// `--persist-months N` (run, mc, sweep): how many consecutive months a bust condition must hold
// before it counts. It is the scenario key verdict.persist_months, given as a --set override so
// that the results database, the rerun hints and --resume treat it like any other.
CLI::Option* add_persist_months(CLI::App* command, int& months) {
  return command
      ->add_option("--persist-months", months,
                   "A bust condition counts only once it has held N consecutive months (sets verdict.persist_months; "
                   "default: the scenario's, 1 unless it says otherwise)")
      ->type_name("N")
      ->check(CLI::Range(1, 120));
}

void apply_persist_months(const CLI::Option* option, int months, std::vector<std::string>& sets) {
  if (option->count() > 0) sets.push_back(fmt::format("verdict.persist_months={}", months));
}

struct RunOptions {
  std::string scenario = "default";
  std::string out_dir;
  bool json = false;
  std::vector<std::string> sets;
  std::uint64_t seed = 1;
  std::uint64_t path_id = 0;
  bool drawn = false;
  int persist_months = 1;
  std::string command_line;  ///< recorded in run.json
};

int do_run(const RunOptions& opt) {
  using namespace bsim;
  io::LoadedScenario loaded = io::load_scenario(opt.scenario, opt.sets);
  if (opt.drawn) {
    // The Monte Carlo path itself: the [uncertain] values it draws for (seed, path id).
    std::vector<double> values;
    loaded.scenario = jobs::path_scenario(loaded, opt.seed, opt.path_id, values);
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::cerr << fmt::format("drawn: {} = {:.6g}\n", loaded.uncertain[i].key, values[i]);
    }
  }
  // The folder is checked and locked before the run, so that a second writer stops at once.
  std::optional<io::OutputFolder> out;
  if (!opt.out_dir.empty()) out.emplace(opt.out_dir);
  const sim::PathResult path = sim::run_path(loaded.scenario, opt.path_id, opt.seed);
  const analysis::PathSummary summary = analysis::summarise(path, loaded.scenario);
  const nlohmann::json json = io::summary_json(loaded, path, summary);
  if (out) {
    const std::vector<std::string> removed = out->replace_with({
        {"timeseries.csv", io::timeseries_csv(path.months)},
        {"firms.csv", io::firms_csv(loaded.scenario, path.firms)},
        {"events.csv", io::events_csv(path.events)},
        {"summary.json", json.dump(2) + "\n"},
        {"network.json", io::network_json(loaded.scenario, path).dump(2) + "\n"},
        // How the files were made, for `report`; kept apart so that the results above stay the
        // same bytes whatever the folder or the build.
        {"run.json", nlohmann::json{{"bubblesim_version", BSIM_VERSION},
                                    {"command_line", opt.command_line},
                                    {"scenario_source", loaded.source_name},
                                    {"overrides", loaded.overrides},
                                    {"seed", opt.seed},
                                    {"path_id", opt.path_id},
                                    {"drawn", opt.drawn}}
                             .dump(2) +
                         "\n"},
    });
    if (!removed.empty()) {
      std::cerr << fmt::format("run: replaced the previous run in {}, removing what was drawn from it: {}\n", opt.out_dir,
                               fmt::join(removed, ", "));
    }
  }
  if (opt.json) {
    std::cout << json.dump(2) << '\n';
  } else {
    std::cout << io::summary_text(loaded, path, summary);
    if (!opt.out_dir.empty()) {
      std::cout << fmt::format("\nWrote {0}/timeseries.csv, {0}/firms.csv, {0}/events.csv, {0}/summary.json, "
                               "{0}/network.json and {0}/run.json\n",
                               opt.out_dir);
    }
  }
  return 0;
}

struct McCliOptions {
  std::string scenario = "default";
  std::uint64_t paths = 1000;
  int threads = 0;
  std::uint64_t seed = 1;
  std::string db;
  bool resume = false;
  bool json = false;
  bool quiet = false;
  std::vector<std::string> sets;
  double checkpoint_seconds = 2.0;
  std::string command_line;
  int persist_months = 1;
  std::vector<std::string> store_paths;  ///< --store-paths COL,…
  std::vector<std::string> fan;          ///< --fan COL,… ("all": every column)
  bool check_paths = false;
};

// The fan charts `mc` prints: --fan's columns (checked; "all" for every one), else the defaults.
std::vector<std::string> fan_columns_of(const std::vector<std::string>& fan) {
  if (fan.empty()) return bsim::jobs::fan_chart_columns();
  if (fan.size() == 1 && fan.front() == "all") {
    std::vector<std::string> all;
    for (const bsim::model::Column& c : bsim::model::kColumns) all.emplace_back(c.name);
    return all;
  }
  return bsim::jobs::checked_columns(fan, "--fan");
}

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

// A progress bar on a terminal (redrawn in place), plain lines every ten seconds otherwise.
class ProgressDisplay {
 public:
  /// `label` names the command on plain lines ("mc", "sweep").
  explicit ProgressDisplay(bool enabled, std::string label = "mc")
      : enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1), label_(std::move(label)) {}
  void operator()(const bsim::jobs::McProgress& p) {
    if (!enabled_) return;
    const double fraction = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0;
    const double eta = p.paths_per_second > 0 ? static_cast<double>(p.total - p.done) / p.paths_per_second : NAN;
    const std::string busts = p.done ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(p.busts) / static_cast<double>(p.done)) : "–";
    if (tty_) {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(fraction * kWidth);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.append(static_cast<std::size_t>(kWidth - filled), '.');
      std::cerr << fmt::format("\r[{}] {:5.1f}%  {}/{} paths  {:.0f} paths/s  ETA {}  busts {}   ", bar, 100 * fraction, p.done,
                               p.total, p.paths_per_second, duration_text(eta), busts)
                << std::flush;
      // The bar is left open until finish() ends its line (once, however often 100% is drawn).
      drew_ = true;
      return;
    }
    if (p.done < p.total && p.elapsed_seconds - last_line_ < 10.0) return;
    if (p.done >= p.total && printed_end_) return;
    last_line_ = p.elapsed_seconds;
    printed_end_ = p.done >= p.total;
    std::cerr << fmt::format("{}: {}/{} paths ({:.1f}%), {:.0f} paths/s, elapsed {}, ETA {}, busts {}\n", label_, p.done, p.total,
                             100 * fraction, p.paths_per_second, duration_text(p.elapsed_seconds), duration_text(eta), busts);
  }
  void finish() {
    if (tty_ && drew_) std::cerr << '\n';
  }

 private:
  bool enabled_;
  bool tty_;
  bool drew_ = false;
  bool printed_end_ = false;
  double last_line_ = -1e9;
  std::string label_;
};

// When paths failed: says so on stderr, with the command that reruns the first failed path
// alone, and returns kExitFailure; else 0. `scenario` is the name or file the run was given.
int report_failed_paths(const bsim::jobs::McRun& run, const std::string& scenario, const std::vector<std::string>& sets) {
  const std::uint64_t failed = run.aggregate.failed();
  if (failed == 0) return 0;
  const std::uint64_t done = run.aggregate.paths() + failed;
  std::cerr << fmt::format("mc: {} of {} paths failed; the statistics are over the {} that completed, not all paths:\n",
                           failed, done, run.aggregate.paths());
  std::cerr << bsim::jobs::failed_paths_text(run, bsim::jobs::kFailuresShown);
  if (!run.failed.empty()) {
    std::string rerun = fmt::format("bubblesim run {} --drawn --path {} --seed {}", scenario, run.failed.front().path_id, run.seed);
    for (const std::string& s : sets) rerun += " --set " + s;
    std::cerr << fmt::format("mc: rerun a failed path alone with: {}\n", rerun);
  }
  return kExitFailure;
}

// mc --check-paths: what the checks covered and found, as a line for stderr and as JSON.
std::string path_checks_text(const bsim::jobs::McRun& run) {
  const bsim::analysis::PathCheckTotals& c = run.checks;
  const std::uint64_t failed = run.paths_run - c.paths;
  return fmt::format("mc: check-paths: {} paths in {:.1f} s: {} passed every check, {} failed; {} months and {} timeseries "
                     "values finite; largest stock-flow residual {:.3g} of its month's tolerance\n",
                     run.paths_run, run.seconds, c.paths, failed, c.months, c.values, c.worst_residual_share);
}

nlohmann::json path_checks_json(const bsim::jobs::McRun& run) {
  const bsim::analysis::PathCheckTotals& c = run.checks;
  return {{"paths", run.paths_run},
          {"passed", c.paths},
          {"failed", run.paths_run - c.paths},
          {"months", c.months},
          {"values", c.values},
          {"worst_residual_share_of_tolerance", c.worst_residual_share},
          {"seconds", run.seconds}};
}

// Under mpirun: every rank runs its share of the path ids without a database; rank 0 gathers
// the aggregates and rows, writes the database once at the end and prints.
int do_mc_ranks(const McCliOptions& opt, const bsim::io::LoadedScenario& loaded, const bsim::jobs::MpiSession& mpi) {
  using namespace bsim;
  const bool root = mpi.rank() == 0;
  ProgressDisplay display(!opt.quiet && root);
  jobs::McOptions mo;
  mo.paths = opt.paths;
  mo.seed = opt.seed;
  mo.threads = opt.threads;
  mo.keep_rows = !opt.db.empty();
  mo.store_columns = opt.store_paths;
  mo.rank = mpi.rank();
  mo.ranks = mpi.size();
  mo.stop = &g_stop;
  mo.progress = [&display](const jobs::McProgress& p) { display(p); };
  jobs::McRun run = jobs::run_monte_carlo(loaded, mo);
  display.finish();
  const bool interrupted = jobs::any_rank_interrupted(run.interrupted, mpi.size());
  std::vector<io::McPathRow> rows = std::move(run.rows);
  jobs::gather_runs(run, rows, mpi.rank(), mpi.size());
  if (!root) return interrupted ? kExitInterrupted : 0;
  run.interrupted = interrupted;
  if (!opt.db.empty()) {
    io::ResultsDb db =
        io::ResultsDb::create(opt.db, jobs::run_meta(loaded, opt.seed, opt.paths, opt.command_line, run.stored_columns));
    db.checkpoint(rows, run.aggregate.serialize(), interrupted ? io::McStatus::kInterrupted : io::McStatus::kComplete);
    db.write_quantiles(jobs::quantile_rows(run.aggregate));
  }
  const std::vector<std::string> fans = fan_columns_of(opt.fan);
  std::cout << (opt.json ? jobs::mc_summary_json(run, fans).dump(2) + "\n" : jobs::mc_summary_text(run, fans));
  std::cerr << fmt::format("mc: {} paths on {} ranks in {:.1f} s{}\n", run.paths_run, mpi.size(), run.seconds,
                           opt.db.empty() ? "" : fmt::format("; results in {}", opt.db));
  if (interrupted) return kExitInterrupted;
  return report_failed_paths(run, opt.scenario, opt.sets);
}

int do_mc(const McCliOptions& opt, bool paths_given, bool scenario_given, const bsim::jobs::MpiSession& mpi) {
  using namespace bsim;
  io::LoadedScenario loaded;
  if (opt.resume && mpi.size() > 1) {
    throw core::InputError({"--resume", 0, 0}, "--resume runs in one process: start it without mpirun");
  }
  if (opt.check_paths && mpi.size() > 1) {
    throw core::InputError({"--check-paths", 0, 0}, "--check-paths runs in one process: start it without mpirun");
  }
  if (opt.resume) {
    if (opt.db.empty()) throw core::InputError({"--resume", 0, 0}, "--resume needs --db FILE, the database to continue");
    if (scenario_given || !opt.sets.empty() || paths_given || !opt.store_paths.empty()) {
      throw core::InputError({"--resume", 0, 0},
                             "--resume continues the run recorded in the database: its scenario, --set values, seed, "
                             "path count and stored columns; give only --db (and --threads, --fan)");
    }
    loaded = jobs::scenario_of_database(opt.db);
  } else {
    loaded = io::load_scenario(opt.scenario, opt.sets);
  }
  // Column names are checked before any path runs or any file is written.
  const std::vector<std::string> fans = fan_columns_of(opt.fan);
  if (!opt.store_paths.empty()) {
    (void)jobs::checked_columns(opt.store_paths, "--store-paths");
    if (opt.db.empty()) {
      throw core::InputError({"--store-paths", 0, 0}, "keeps the series in the results database: give --db FILE too");
    }
  }
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  if (mpi.size() > 1) return do_mc_ranks(opt, loaded, mpi);
  ProgressDisplay display(!opt.quiet);
  jobs::McOptions mo;
  mo.paths = opt.paths;
  mo.seed = opt.seed;
  mo.threads = opt.threads;
  mo.db_path = opt.db;
  mo.resume = opt.resume;
  mo.checkpoint_seconds = opt.checkpoint_seconds;
  mo.command_line = opt.command_line;
  mo.store_columns = opt.store_paths;
  mo.checks = opt.check_paths ? analysis::PathChecks::kOutputs : analysis::PathChecks::kEngine;
  mo.stop = &g_stop;
  mo.progress = [&display](const jobs::McProgress& p) { display(p); };
  const jobs::McRun run = jobs::run_monte_carlo(loaded, mo);
  display.finish();
  if (!opt.db.empty()) {
    io::ResultsDb db = io::ResultsDb::open_existing(opt.db);
    db.write_quantiles(jobs::quantile_rows(run.aggregate));
  }
  if (opt.json) {
    nlohmann::json doc = jobs::mc_summary_json(run, fans);
    if (opt.check_paths) doc["path_checks"] = path_checks_json(run);
    std::cout << doc.dump(2) << '\n';
  } else {
    std::cout << jobs::mc_summary_text(run, fans);
  }
  if (opt.check_paths) std::cerr << path_checks_text(run);
  std::cerr << fmt::format("mc: {} paths in {:.1f} s ({:.0f} paths/s){}\n", run.paths_run, run.seconds,
                           run.seconds > 0 ? static_cast<double>(run.paths_run) / run.seconds : 0.0,
                           opt.db.empty() ? "" : fmt::format("; results in {}", opt.db));
  if (run.interrupted) {
    std::cerr << fmt::format("mc: interrupted: {} of {} paths done{}\n", run.aggregate.paths() + run.aggregate.failed(),
                             run.paths_requested,
                             opt.db.empty() ? "" : fmt::format("; continue with: bubblesim mc --db {} --resume", opt.db));
    return kExitInterrupted;
  }
  return report_failed_paths(run, opt.resume ? loaded.source_name : opt.scenario, loaded.overrides);
}

struct SweepCliOptions {
  std::string scenario = "default";
  bool tornado = false;
  std::vector<std::string> grid;
  std::size_t sobol = 0;
  std::uint64_t paths = 200;
  int threads = 0;
  std::uint64_t seed = 1;
  std::string db;
  bool json = false;
  bool quiet = false;
  std::vector<std::string> sets;
  std::string command_line;
  int persist_months = 1;
};

nlohmann::json rows_json(const std::vector<bsim::io::SensitivityRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    out.push_back({{"analysis", r.analysis}, {"keys", r.keys}, {"setting", r.setting}, {"statistic", r.statistic},
                   {"value", std::isfinite(r.value) ? nlohmann::json(r.value) : nlohmann::json(nullptr)}});
  }
  return out;
}

int do_sweep(const SweepCliOptions& opt) {
  using namespace bsim;
  const int chosen = (opt.tornado ? 1 : 0) + (opt.grid.empty() ? 0 : 1) + (opt.sobol > 0 ? 1 : 0);
  if (chosen != 1) {
    throw core::InputError({"sweep", 0, 0}, "choose one analysis: --tornado, --grid KEY=V1,V2,… (once or twice) or --sobol N");
  }
  const io::LoadedScenario loaded = io::load_scenario(opt.scenario, opt.sets);
  std::vector<jobs::GridAxis> axes;
  for (const std::string& g : opt.grid) axes.push_back(jobs::parse_grid_axis(g));
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  ProgressDisplay display(!opt.quiet, "sweep");
  jobs::SweepOptions so;
  so.paths = opt.paths;
  so.seed = opt.seed;
  so.threads = opt.threads;
  so.stop = &g_stop;
  so.progress = [&display](const jobs::McProgress& p) { display(p); };
  jobs::SweepFailures failures;
  so.failures = &failures;
  std::string text;
  std::vector<io::SensitivityRow> rows;
  std::uint64_t evaluations = 0;
  try {
    if (opt.tornado) {
      const jobs::Tornado t = jobs::run_tornado(loaded, so);
      text = jobs::tornado_text(t);
      rows = jobs::tornado_rows(t);
      evaluations = opt.paths * (1 + 2 * loaded.uncertain.size());
    } else if (!axes.empty()) {
      const std::vector<jobs::GridCell> cells = jobs::run_grid(loaded, axes, so);
      text = jobs::grid_text(axes, cells);
      rows = jobs::grid_rows(axes, cells);
      evaluations = opt.paths * cells.size();
    } else {
      const jobs::SobolResult r = jobs::run_sobol(loaded, opt.sobol, so);
      text = jobs::sobol_text(r);
      rows = jobs::sobol_rows(r);
      evaluations = opt.sobol * (loaded.uncertain.size() + 2);
    }
  } catch (const jobs::SweepInterrupted& e) {
    display.finish();
    std::cerr << "sweep: " << e.what() << "; nothing was written\n";
    return kExitInterrupted;
  }
  display.finish();
  if (!opt.db.empty()) {
    io::ResultsDb db = io::ResultsDb::create(opt.db, jobs::run_meta(loaded, opt.seed, 0, opt.command_line));
    db.write_sensitivity(rows);
    db.checkpoint({}, {}, io::McStatus::kComplete);
  }
  if (opt.json) {
    std::cout << nlohmann::json{{"scenario", loaded.scenario.name}, {"seed", opt.seed}, {"evaluations", evaluations},
                                {"rows", rows_json(rows)}}
                     .dump(2)
              << '\n';
  } else {
    std::cout << text;
  }
  if (failures.count > 0) {
    // The settings' statistics leave failed paths out (their `failed` rows count them): say so.
    std::cerr << fmt::format("sweep: {} of {} paths failed; each setting's statistics are over its paths that completed:\n",
                             failures.count, evaluations);
    for (const jobs::SweepFailures::Failure& f : failures.first) {
      std::string error = f.error.substr(0, f.error.find('\n'));
      std::cerr << fmt::format("    setting {}, path {} (seed {}): {}\n", f.setting, f.path_id, opt.seed, error);
    }
    const jobs::SweepFailures::Failure& f = failures.first.front();
    std::string rerun = fmt::format("bubblesim run {} --path {} --seed {}", opt.scenario, f.path_id, opt.seed);
    for (const std::string& s : opt.sets) rerun += " --set " + s;
    if (f.setting != "base") {
      // "KEY=V (5th percentile)" or a grid cell "K1=V1, K2=V2": one --set per key.
      std::string values = f.setting.substr(0, f.setting.find(" ("));
      for (std::size_t at = values.find(", "); at != std::string::npos; at = values.find(", ")) values.replace(at, 2, " --set ");
      rerun += " --set " + values;
    }
    std::cerr << fmt::format("sweep: rerun a failed path alone with: {}\n", rerun);
    return kExitFailure;
  }
  return 0;
}

struct CompareOptions {
  std::string scenario_a;
  std::string scenario_b;
  bool json = false;
  std::vector<std::string> sets;
  std::uint64_t seed = 1;
  std::uint64_t path_id = 0;
};

int do_compare(const CompareOptions& opt) {
  using namespace bsim;
  // Both scenarios are checked before either runs, and every problem in either is reported. An
  // error both share (a bad --set) is reported once.
  core::Diagnostics problems;
  std::optional<io::LoadedScenario> a;
  std::optional<io::LoadedScenario> b;
  try {
    a = io::load_scenario(opt.scenario_a, opt.sets);
  } catch (const core::InputError& e) {
    problems.append(e.diagnostics());
  }
  try {
    b = io::load_scenario(opt.scenario_b, opt.sets);
  } catch (const core::InputError& e) {
    std::set<std::string> reported;
    for (const core::Diagnostic& d : problems.items()) reported.insert(d.str());
    for (const core::Diagnostic& d : e.diagnostics().items()) {
      if (reported.count(d.str()) == 0) problems.error(d.pos, d.message);
    }
  }
  if (problems.has_errors()) throw core::InputError(std::move(problems));

  const sim::PathResult path_a = sim::run_path(a->scenario, opt.path_id, opt.seed);
  const sim::PathResult path_b = sim::run_path(b->scenario, opt.path_id, opt.seed);
  const analysis::PathSummary summary_a = analysis::summarise(path_a, a->scenario);
  const analysis::PathSummary summary_b = analysis::summarise(path_b, b->scenario);
  const std::vector<analysis::ComparedRow> rows = analysis::compare(path_a, summary_a, path_b, summary_b);
  if (opt.json) {
    std::cout << io::comparison_json(*a, *b, opt.seed, opt.path_id, rows).dump(2) << '\n';
  } else {
    std::cout << io::comparison_text(*a, *b, opt.seed, opt.path_id, rows);
  }
  return 0;
}

struct ReportOptions {
  std::string results;
  std::string out_file;
  std::string svg_dir;
};

int do_report(const ReportOptions& opt) {
  using namespace bsim;
  if (opt.out_file.empty() && opt.svg_dir.empty()) {
    std::cerr << "bubblesim: error: report: give -o FILE (the HTML page), --svg DIR (one SVG file per chart), or both\n";
    return kExitBadInput;
  }
  const io::Report report = io::make_report(opt.results, io::ReportMaker{BSIM_VERSION});
  if (!opt.out_file.empty()) {
    io::write_file_atomic(opt.out_file, report.html);
    std::cout << fmt::format("wrote {} ({} charts)\n", opt.out_file, report.charts.size());
  }
  if (!opt.svg_dir.empty()) {
    std::filesystem::create_directories(opt.svg_dir);
    for (const io::ReportChart& chart : report.charts) {
      io::write_file_atomic(std::filesystem::path(opt.svg_dir) / (chart.name + ".svg"), io::svg::standalone(chart.svg));
    }
    std::cout << fmt::format("wrote {} SVG files into {}\n", report.charts.size(), opt.svg_dir);
  }
  return 0;
}

/// `bubblesim serve`: answers until SIGINT or SIGTERM, then stops cleanly (exit 0).
int do_serve(const bsim::server::ServerOptions& options) {
#if defined(__GLIBC__)
  // Request threads come and go in bursts; with glibc's default of 8 arenas per core each keeps
  // its own free memory, and the resident size only grows. Two arenas keep it bounded.
  mallopt(M_ARENA_MAX, 2);
#endif
  bsim::server::HttpServer server(options);
  const int port = server.bind();
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  // The signal handler only sets a flag; this thread turns it into a clean stop.
  std::thread watcher([&server] {
    while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
  });
  const std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::cout << fmt::format("serving on http://{}:{}/\n", host, port) << std::flush;
  std::cerr << fmt::format("bubblesim serve: the playground at http://{}:{}/ and the API under /api/; Ctrl-C stops\n", host, port);
  const bool ok = server.serve();
  g_stop.store(true);
  watcher.join();
  if (!ok) {
    std::cerr << "bubblesim: error: serve: the server stopped listening unexpectedly\n";
    return kExitFailure;
  }
  std::cerr << "bubblesim serve: stopped\n";
  return 0;
}

int do_validate(const std::string& scenario, const std::vector<std::string>& sets) {
  const bsim::io::LoadedScenario loaded = bsim::io::load_scenario(scenario, sets);
  const bsim::model::Scenario& s = loaded.scenario;
  // Every [[contract]], whatever its type.
  const std::size_t contracts = s.contracts.size() + s.debts.size() + s.leases.size() + s.equity_investments.size() +
                                s.stakes.size() + s.warrants.size() + s.ppas.size() + s.securitisations.size();
  std::cout << fmt::format("{}: ok — scenario '{}', {} to {}, {} segments, {} firms, {} contracts, {} shocks, {} uncertain keys\n",
                           loaded.source_name, loaded.scenario.name, loaded.scenario.time.start.str(),
                           loaded.scenario.time.end.str(), loaded.scenario.segments.size(),
                           loaded.scenario.firms.size(), contracts,
                           loaded.scenario.shocks.size(), loaded.uncertain.size());
  return 0;
}

struct HistoryOptions {
  std::string scenario;
  bool json = false;
  std::vector<std::string> sets;
  std::uint64_t seed = 1;
  std::uint64_t path_id = 0;
};

/// `bubblesim validate-history NAME`: runs a scenario that declares observed series and shape
/// targets and compares them. A name that is neither a built-in scenario nor a file is looked up
/// as `history/NAME`. Exit 0 when every shape target passes, 1 when one fails.
int do_validate_history(const HistoryOptions& opt) {
  using namespace bsim;
  std::string name = opt.scenario;
  const std::vector<std::string> builtins = io::builtin_scenario_names();
  const bool known = std::find(builtins.begin(), builtins.end(), name) != builtins.end() || std::filesystem::exists(name);
  if (!known && std::find(builtins.begin(), builtins.end(), "history/" + name) != builtins.end()) name = "history/" + name;
  const io::LoadedScenario loaded = io::load_scenario(name, opt.sets);
  // A history describes the world; how agents decide is what it is meant to test, so a history
  // that sets behaviour keys fits them to the past instead (docs/scenario.md, "Roles").
  const std::vector<std::string> behaviour = io::keys_written_with_role(loaded, io::Role::kBehaviour);
  if (!behaviour.empty()) {
    std::cerr << fmt::format("warning: {}: sets behaviour keys: {}\n", loaded.source_name, fmt::join(behaviour, ", "));
  }
  if (loaded.scenario.validation.empty()) {
    core::Diagnostics diags;
    diags.error({loaded.source_name, 1, 1}, fmt::format("scenario '{}' declares no [[observed]] series and no "
                                                        "[[shape_target]] to validate against (docs/validation.md)",
                                                        loaded.scenario.name));
    throw core::InputError(std::move(diags));
  }
  const sim::PathResult path = sim::run_path(loaded.scenario, opt.path_id, opt.seed);
  const analysis::HistoryReport report = analysis::validate_history(loaded.scenario, path);
  if (opt.json) {
    std::cout << io::history_json(loaded, opt.seed, opt.path_id, report).dump(2) << '\n';
  } else {
    std::cout << io::history_text(loaded, opt.seed, opt.path_id, report);
  }
  return report.all_targets_pass() ? 0 : kExitFailure;
}

int do_scenarios() {
  for (const bsim::io::EmbeddedFile& f : bsim::io::builtin_scenarios()) {
    std::string description;
    try {
      description = bsim::io::load_scenario(f.name).scenario.description;
    } catch (const bsim::core::InputError& e) {
      description = "(invalid: " + std::string(e.what()) + ")";
    }
    std::cout << fmt::format("{:<16} {}\n", f.name, description);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Under mpirun every rank parses the same command line; only `mc` uses the other ranks.
  const bsim::jobs::MpiSession mpi(argc, argv);
  CLI::App app{"bubblesim — a stress-test simulator of the AI infrastructure economy"};
  app.set_version_flag("--version", std::string("bubblesim ") + BSIM_VERSION);
  app.footer(
      "Words such as H100e, flows and stocks, the bust rule, sentiment, capital destroyed, stranded and legacy are\n"
      "explained in docs/glossary.md (also the Glossary link of the playground, `bubblesim serve`).");
  app.require_subcommand(1);

  RunOptions run_opt;
  CLI::App* run = app.add_subcommand("run", "Run one path and print its summary and story");
  run->add_option("scenario", run_opt.scenario, "Built-in scenario name or scenario file")->capture_default_str();
  run->add_option("--out", run_opt.out_dir, "Write timeseries.csv, firms.csv, events.csv, summary.json, network.json and run.json into this folder");
  run->add_flag("--json", run_opt.json, "Print the summary as JSON on stdout");
  run->add_option("--set", run_opt.sets, "Override a scenario value: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  run->add_option("--seed", run_opt.seed, "Random seed")->capture_default_str()->check(kSeed);
  run->add_option("--path", run_opt.path_id, "Path id (which random path of the seed)")->capture_default_str();
  run->add_flag("--drawn", run_opt.drawn,
                "Use the values Monte Carlo path --path draws for its [uncertain] keys (rerun one mc path as a story)");
  const CLI::Option* run_persist = add_persist_months(run, run_opt.persist_months);

  McCliOptions mc_opt;
  for (int i = 0; i < argc; ++i) mc_opt.command_line += (i ? " " : "") + std::string(argv[i]);
  run_opt.command_line = mc_opt.command_line;
  CLI::App* mc = app.add_subcommand(
      "mc", "Monte Carlo: run many paths in parallel and print the bust probability, its timing, fan charts and losses");
  auto* mc_scenario = mc->add_option("scenario", mc_opt.scenario, "Built-in scenario name or scenario file")->capture_default_str();
  auto* mc_paths = mc->add_option("-n,--paths", mc_opt.paths, "Number of paths (path ids 0 … n−1)")
                       ->capture_default_str()
                       ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  mc->add_option("--threads", mc_opt.threads, "Worker threads (0: one per hardware thread)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  mc->add_option("--seed", mc_opt.seed, "Random seed")->capture_default_str()->check(kSeed);
  mc->add_option("--db", mc_opt.db, "Write a results database (SQLite) to this file");
  mc->add_flag("--resume", mc_opt.resume, "Continue the interrupted run in --db FILE");
  mc->add_flag("--json", mc_opt.json, "Print the summary as JSON on stdout (progress goes to stderr)");
  mc->add_flag("--quiet", mc_opt.quiet, "No progress display");
  mc->add_option("--set", mc_opt.sets, "Override a scenario value: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  mc->add_option("--checkpoint-seconds", mc_opt.checkpoint_seconds, "How often completed paths are committed to --db")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 3600.0));
  mc->add_option("--store-paths", mc_opt.store_paths,
                 "Keep each path's monthly series of these timeseries.csv columns in --db (table path_series)")
      ->type_name("COL,…")
      ->delimiter(',')
      ->allow_extra_args(false);
  mc->add_option("--fan", mc_opt.fan,
                 "Fan charts (5/25/50/75/95% and mean by month) of these timeseries.csv columns in the summary and --json; "
                 "'all' for every column (default: the key indicators)")
      ->type_name("COL,…")
      ->delimiter(',')
      ->allow_extra_args(false);
  mc->add_flag("--check-paths", mc_opt.check_paths,
               "Also check every month of every path as written: all timeseries values finite, the stock-flow residual "
               "within its tolerance (the soak, docs/montecarlo.md); a path that fails a check fails the run");
  const CLI::Option* mc_persist = add_persist_months(mc, mc_opt.persist_months);

  SweepCliOptions sweep_opt;
  sweep_opt.command_line = mc_opt.command_line;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Sensitivity: a tornado over the [uncertain] keys, a grid over one or two keys, or Sobol indices");
  sweep->add_option("scenario", sweep_opt.scenario, "Built-in scenario name or scenario file")->capture_default_str();
  sweep->add_flag("--tornado", sweep_opt.tornado, "Each [uncertain] key at its 5th and 95th percentile, the others at the scenario's values");
  sweep->add_option("--grid", sweep_opt.grid, "KEY=V1,V2,…: a grid over this key (give it twice for two keys)")
      ->type_name("KEY=V1,V2,…")
      ->allow_extra_args(false);
  sweep->add_option("--sobol", sweep_opt.sobol, "Sobol indices with N base rows (N × (keys + 2) paths)")
      ->check(CLI::Range(std::size_t{2}, std::size_t{1} << 24));
  sweep->add_option("-n,--paths", sweep_opt.paths, "Paths per setting (tornado and grid)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  sweep->add_option("--threads", sweep_opt.threads, "Worker threads (0: one per hardware thread)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  sweep->add_option("--seed", sweep_opt.seed, "Random seed")->capture_default_str()->check(kSeed);
  sweep->add_option("--db", sweep_opt.db, "Save the results in a results database (SQLite; a new file)");
  sweep->add_flag("--json", sweep_opt.json, "Print the results as JSON rows on stdout");
  sweep->add_flag("--quiet", sweep_opt.quiet, "No progress display");
  sweep->add_option("--set", sweep_opt.sets, "Override a scenario value: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  const CLI::Option* sweep_persist = add_persist_months(sweep, sweep_opt.persist_months);

  CompareOptions compare_opt;
  CLI::App* compare = app.add_subcommand(
      "compare", "Run two scenarios with the same seed and print their key figures side by side, with B − A and B ÷ A");
  compare->add_option("a", compare_opt.scenario_a, "Scenario A: built-in scenario name or scenario file")
      ->required()
      ->type_name("SCENARIO_A");
  compare->add_option("b", compare_opt.scenario_b, "Scenario B: built-in scenario name or scenario file")
      ->required()
      ->type_name("SCENARIO_B");
  compare->add_flag("--json", compare_opt.json, "Print the comparison as JSON on stdout");
  compare->add_option("--set", compare_opt.sets, "Override a value in both scenarios: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  compare->add_option("--seed", compare_opt.seed, "Random seed, the same for both")->capture_default_str()->check(kSeed);
  compare->add_option("--path", compare_opt.path_id, "Path id, the same for both")->capture_default_str();

  ReportOptions report_opt;
  CLI::App* report = app.add_subcommand(
      "report", "Write an HTML page of charts (inline SVG, self-contained) from a run --out folder or an mc --db file");
  report->add_option("results", report_opt.results, "A run output folder or a Monte Carlo results database")->required();
  report->add_option("-o,--out", report_opt.out_file, "Write the HTML page to this file");
  report->add_option("--svg", report_opt.svg_dir, "Also write each chart as its own SVG file into this folder");

  bsim::server::ServerOptions serve_opt;
  serve_opt.jobs.threads_per_job = 0;
  CLI::App* serve = app.add_subcommand("serve", "Serve the web playground and the JSON API (docs/serve.md) on this machine");
  serve->add_option("--host", serve_opt.host, "Address to listen on (127.0.0.1: this machine only)")->capture_default_str();
  serve->add_option("--port", serve_opt.port, "Port to listen on (0: any free port, printed at start)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve->add_option("--threads", serve_opt.jobs.threads_per_job, "Worker threads per Monte Carlo job (0: one per hardware thread)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  serve->add_option("--max-body", serve_opt.max_body_bytes, "Largest request body accepted, bytes (413 above)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  serve->add_option("--max-paths", serve_opt.max_paths, "Most paths a Monte Carlo job may ask for (422 above)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  serve->add_option("--max-jobs", serve_opt.jobs.max_jobs, "Most Monte Carlo jobs queued or running at once (429 above)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  serve->add_option("--parallel-jobs", serve_opt.jobs.parallel_jobs, "Monte Carlo jobs running at once (the rest wait)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  serve->add_option("--max-job-seconds", serve_opt.jobs.max_job_seconds, "A job running longer is stopped (status timed_out)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  serve->add_option("--keep-jobs", serve_opt.jobs.keep_finished, "Finished jobs kept for GET /api/jobs/ID (the oldest go first)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  serve->add_option("--max-streams", serve_opt.max_streams, "Most job event streams open at once (429 above)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  serve->add_option("--max-run-cost", serve_opt.max_run_cost,
                    "Largest scenario a run or a job's path may have: months x (firms + contracts) (422 above)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  serve->add_option("--max-run-seconds", serve_opt.jobs.max_run_seconds, "A single run taking longer is stopped (503)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  serve->add_option("--max-runs", serve_opt.jobs.max_queued_runs, "Most single runs queued or running at once (429 above)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  serve->add_option("--run-threads", serve_opt.jobs.run_threads, "Threads running single runs (the rest wait)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  serve->add_option("--http-threads", serve_opt.http_threads, "Most threads answering connections at once (the rest wait)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{2}, std::size_t{4096}));
  serve->add_option("--backlog", serve_opt.backlog, "Connections the kernel queues before they are accepted")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  serve->add_option("--request-timeout", serve_opt.request_seconds,
                    "Seconds a request (line, headers, body) may take to arrive (408 and closed beyond)")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 3600.0));
  serve->add_option("--allow-host", serve_opt.allowed_hosts,
                    "Also accept this name (or name:port) in Host and Origin, e.g. behind a proxy (repeatable)");

  std::string validate_file;
  std::vector<std::string> validate_sets;
  CLI::App* validate = app.add_subcommand("validate", "Check a scenario without running it");
  validate->add_option("scenario", validate_file, "Built-in scenario name or scenario file")->required();
  validate->add_option("--set", validate_sets, "Override a scenario value: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);

  HistoryOptions history_opt;
  CLI::App* history = app.add_subcommand(
      "validate-history",
      "Run a scenario that declares observed history and print simulated against observed series, errors and shape "
      "targets (exit 1 if a target fails)");
  history->add_option("scenario", history_opt.scenario,
                      "Built-in scenario name, scenario file, or NAME for the built-in history/NAME")
      ->required();
  history->add_flag("--json", history_opt.json, "Print the comparison as JSON on stdout");
  history->add_option("--set", history_opt.sets, "Override a scenario value: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  history->add_option("--seed", history_opt.seed, "Random seed")->capture_default_str()->check(kSeed);
  history->add_option("--path", history_opt.path_id, "Path id")->capture_default_str();

  CLI::App* scenarios = app.add_subcommand("scenarios", "List the built-in scenarios");

  CLI::App* schema = app.add_subcommand(
      "schema", "Print the scenario key reference: Markdown (docs/scenario.md) or JSON, each key with its role");
  bool markdown = false;
  bool schema_as_json = false;
  auto* schema_markdown_flag = schema->add_flag("--markdown", markdown, "Markdown (the default)");
  schema->add_flag("--json", schema_as_json, "JSON: every table and key with its type, range, default and role")
      ->excludes(schema_markdown_flag);

  try {
    app.parse(argc, argv);
  } catch (const CLI::RequiredError& e) {
    // CLI11 says "b is required" for a missing positional argument: say which command needs
    // which argument, and how the command is called.
    const CLI::App* sub = nullptr;
    for (const CLI::App* s : app.get_subcommands()) sub = s;
    if (sub == nullptr) return app.exit(e) == 0 ? 0 : kExitBadInput;
    std::string usage = "bubblesim " + sub->get_name();
    std::string missing;
    for (const CLI::Option* o : sub->get_options([](const CLI::Option* o) { return o->get_positional(); })) {
      usage += " " + o->get_name();
      if (o->get_required() && o->count() == 0 && missing.empty()) missing = o->get_name() + " (" + o->get_description() + ")";
    }
    std::cerr << "bubblesim " << sub->get_name() << ": missing argument "
              << (missing.empty() ? std::string(e.what()) : missing) << "\nUsage: " << usage
              << " [OPTIONS]; run with --help for more information.\n";
    return kExitBadInput;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }

  apply_persist_months(run_persist, run_opt.persist_months, run_opt.sets);
  apply_persist_months(mc_persist, mc_opt.persist_months, mc_opt.sets);
  apply_persist_months(sweep_persist, sweep_opt.persist_months, sweep_opt.sets);

  try {
    if (*run) return do_run(run_opt);
    if (*sweep) return do_sweep(sweep_opt);
    if (*mc) return do_mc(mc_opt, mc_paths->count() > 0, mc_scenario->count() > 0, mpi);
    if (*compare) return do_compare(compare_opt);
    if (*report) return do_report(report_opt);
    if (*serve) return do_serve(serve_opt);
    if (*validate) return do_validate(validate_file, validate_sets);
    if (*history) return do_validate_history(history_opt);
    if (*scenarios) return do_scenarios();
    if (*schema) {
      std::cout << (schema_as_json ? bsim::io::schema_json().dump(2) + "\n" : bsim::io::schema_markdown());
      return 0;
    }
  } catch (const bsim::core::InputError& e) {
    std::cerr << e.diagnostics().str();
    const int n = e.diagnostics().error_count();
    std::cerr << fmt::format("{} error{}; nothing was run.\n", n, n == 1 ? "" : "s");
    return kExitBadInput;
  } catch (const bsim::io::OutputFolderBusy& e) {
    std::cerr << "bubblesim: error: " << e.what() << '\n';
    return kExitFailure;
  } catch (const bsim::io::ReportInputError& e) {
    std::cerr << "bubblesim: error: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const bsim::io::DatabaseError& e) {
    std::cerr << "bubblesim: error: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "bubblesim: error: " << e.what() << '\n';
    return kExitFailure;
  }
  return 0;
}
