/// The `bubblesim` command line: run, compare, validate, scenarios, schema.
///
/// Exit codes: 0 success, 2 bad input (scenario, option or value), 1 any other failure.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include "analysis/compare.h"
#include "analysis/summary.h"
#include "core/diagnostics.h"
#include "io/builtin_scenarios.h"
#include "io/output.h"
#include "io/scenario_loader.h"
#include "io/schema.h"
#include "sim/run_path.h"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitFailure = 1;

struct RunOptions {
  std::string scenario = "default";
  std::string out_dir;
  bool json = false;
  std::vector<std::string> sets;
  std::uint64_t seed = 1;
  std::uint64_t path_id = 0;
};

int do_run(const RunOptions& opt) {
  using namespace bsim;
  const io::LoadedScenario loaded = io::load_scenario(opt.scenario, opt.sets);
  const sim::PathResult path = sim::run_path(loaded.scenario, opt.path_id, opt.seed);
  const analysis::PathSummary summary = analysis::summarise(path, loaded.scenario);
  const nlohmann::json json = io::summary_json(loaded, path, summary);
  if (!opt.out_dir.empty()) {
    std::filesystem::create_directories(opt.out_dir);
    const std::filesystem::path dir(opt.out_dir);
    io::write_file_atomic(dir / "timeseries.csv", io::timeseries_csv(path.months));
    io::write_file_atomic(dir / "firms.csv", io::firms_csv(loaded.scenario, path.firms));
    io::write_file_atomic(dir / "events.csv", io::events_csv(path.events));
    io::write_file_atomic(dir / "summary.json", json.dump(2) + "\n");
  }
  if (opt.json) {
    std::cout << json.dump(2) << '\n';
  } else {
    std::cout << io::summary_text(loaded, path, summary);
    if (!opt.out_dir.empty()) {
      std::cout << fmt::format("\nWrote {0}/timeseries.csv, {0}/firms.csv, {0}/events.csv and {0}/summary.json\n",
                               opt.out_dir);
    }
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

int do_validate(const std::string& scenario, const std::vector<std::string>& sets) {
  const bsim::io::LoadedScenario loaded = bsim::io::load_scenario(scenario, sets);
  const bsim::model::Scenario& s = loaded.scenario;
  // Every [[contract]], whatever its type.
  const std::size_t contracts = s.contracts.size() + s.debts.size() + s.leases.size() + s.equity_investments.size() +
                                s.stakes.size() + s.warrants.size() + s.ppas.size() + s.securitisations.size();
  std::cout << fmt::format("{}: ok — scenario '{}', {} to {}, {} segments, {} firms, {} contracts, {} shocks\n",
                           loaded.source_name, loaded.scenario.name, loaded.scenario.time.start.str(),
                           loaded.scenario.time.end.str(), loaded.scenario.segments.size(),
                           loaded.scenario.firms.size(), contracts,
                           loaded.scenario.shocks.size());
  return 0;
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
  CLI::App app{"bubblesim — a stress-test simulator of the AI infrastructure economy"};
  app.set_version_flag("--version", std::string("bubblesim ") + BSIM_VERSION);
  app.require_subcommand(1);

  RunOptions run_opt;
  CLI::App* run = app.add_subcommand("run", "Run one path and print its summary and story");
  run->add_option("scenario", run_opt.scenario, "Built-in scenario name or scenario file")->capture_default_str();
  run->add_option("--out", run_opt.out_dir, "Write timeseries.csv, firms.csv, events.csv and summary.json into this folder");
  run->add_flag("--json", run_opt.json, "Print the summary as JSON on stdout");
  run->add_option("--set", run_opt.sets, "Override a scenario value: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  run->add_option("--seed", run_opt.seed, "Random seed")->capture_default_str();
  run->add_option("--path", run_opt.path_id, "Path id (which random path of the seed)")->capture_default_str();

  CompareOptions compare_opt;
  CLI::App* compare = app.add_subcommand(
      "compare", "Run two scenarios with the same seed and print their key figures side by side, with B − A and B ÷ A");
  compare->add_option("a", compare_opt.scenario_a, "Scenario A: built-in scenario name or scenario file")->required();
  compare->add_option("b", compare_opt.scenario_b, "Scenario B: built-in scenario name or scenario file")->required();
  compare->add_flag("--json", compare_opt.json, "Print the comparison as JSON on stdout");
  compare->add_option("--set", compare_opt.sets, "Override a value in both scenarios: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  compare->add_option("--seed", compare_opt.seed, "Random seed, the same for both")->capture_default_str();
  compare->add_option("--path", compare_opt.path_id, "Path id, the same for both")->capture_default_str();

  std::string validate_file;
  std::vector<std::string> validate_sets;
  CLI::App* validate = app.add_subcommand("validate", "Check a scenario without running it");
  validate->add_option("scenario", validate_file, "Built-in scenario name or scenario file")->required();
  validate->add_option("--set", validate_sets, "Override a scenario value: PATH=VALUE (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);

  CLI::App* scenarios = app.add_subcommand("scenarios", "List the built-in scenarios");

  CLI::App* schema = app.add_subcommand("schema", "Print the scenario key reference as Markdown (docs/scenario.md)");
  bool markdown = true;
  schema->add_flag("--markdown", markdown, "Markdown (the only format; the flag is accepted for clarity)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }

  try {
    if (*run) return do_run(run_opt);
    if (*compare) return do_compare(compare_opt);
    if (*validate) return do_validate(validate_file, validate_sets);
    if (*scenarios) return do_scenarios();
    if (*schema) {
      std::cout << bsim::io::schema_markdown();
      return 0;
    }
  } catch (const bsim::core::InputError& e) {
    std::cerr << e.diagnostics().str();
    const int n = e.diagnostics().error_count();
    std::cerr << fmt::format("{} error{}; nothing was run.\n", n, n == 1 ? "" : "s");
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "bubblesim: error: " << e.what() << '\n';
    return kExitFailure;
  }
  return 0;
}
