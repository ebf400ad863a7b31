#include "jobs/sensitivity.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <optional>
#include <thread>

#include "analysis/sampler.h"
#include "core/diagnostics.h"
#include "jobs/resources.h"

namespace bsim::jobs {
namespace {

using Clock = std::chrono::steady_clock;
using Values = std::vector<std::pair<std::string, double>>;

// What one evaluation leaves for the summaries: a few numbers, not the path's whole verdict
// (whose losses by holder and trigger text are heap strings), so that memory stays small when
// a design has millions of evaluations.
struct Outcome {
  bool bust = false;
  double capital_destroyed_usd_bn = 0.0;
  double claims_written_off_usd_bn = 0.0;
  std::optional<std::string> error;  ///< set when the path failed
};

// Runs evaluations 0 … count − 1 on the options' threads; outcome i is run_one(i). run_one is
// called from several threads at once and must be a pure function of i.
std::vector<Outcome> evaluate_all(std::size_t count, const std::function<analysis::PathVerdict(std::size_t)>& run_one,
                                  const SweepOptions& options) {
  // One outcome per evaluation, and two numbers more for Sobol's estimators.
  require_memory(static_cast<long double>(count) * (sizeof(Outcome) + 2 * sizeof(double)), "sweep",
                 fmt::format("a sensitivity analysis of {} path evaluations", count));
  std::vector<Outcome> out(count);
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> busts{0};
  std::atomic<int> running{0};
  auto stopping = [&] { return options.stop != nullptr && options.stop->load(std::memory_order_relaxed); };
  const int threads = std::max(1, options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency()));
  running = threads;
  auto work = [&] {
    while (!stopping()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= count) break;
      Outcome& o = out[i];
      try {
        const analysis::PathVerdict v = run_one(i);
        o.bust = v.bust.occurred;
        o.capital_destroyed_usd_bn = v.capital_destroyed_usd_bn;
        o.claims_written_off_usd_bn = v.claims_written_off_usd_bn;
        o.error = v.error;
      } catch (const std::exception& e) {
        o = Outcome{};
        o.error = std::string("the setting is invalid: ") + e.what();
      }
      if (o.error) o.bust = false;
      if (o.bust) busts.fetch_add(1);
      finished.fetch_add(1);
    }
    running.fetch_sub(1);
  };
  const auto started = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  auto report = [&] {
    if (!options.progress) return;
    McProgress p;
    p.done = finished.load();
    p.total = count;
    p.busts = busts.load();
    p.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    p.paths_per_second = p.elapsed_seconds > 0 ? static_cast<double>(p.done) / p.elapsed_seconds : 0.0;
    options.progress(p);
  };
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    report();
  }
  for (std::thread& t : pool) t.join();
  report();
  if (finished.load() < count) throw SweepInterrupted();
  return out;
}

// Runs `paths` paths (ids 0 … paths − 1, the same for every setting) of each scenario;
// outcome s · paths + id belongs to setting s and path id. Failed paths go to options.failures
// with the setting's name from `names`.
std::vector<Outcome> evaluate_settings(const std::vector<model::Scenario>& settings, const std::vector<std::string>& names,
                                       std::uint64_t paths, const SweepOptions& options) {
  std::vector<Outcome> v = evaluate_all(settings.size() * paths, [&](std::size_t i) {
    return analysis::evaluate_path(settings[i / paths], i % paths, options.seed).verdict;
  }, options);
  if (options.failures != nullptr) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].error) continue;
      ++options.failures->count;
      if (options.failures->first.size() < SweepFailures::kKept) {
        options.failures->first.push_back({names[i / paths], i % paths, *v[i].error});
      }
    }
  }
  return v;
}

// Summarises outcomes [from, from + paths).
SettingResult summarise(const std::vector<Outcome>& v, std::size_t from, std::uint64_t paths) {
  SettingResult r;
  double capital = 0.0;
  double claims = 0.0;
  for (std::size_t i = from; i < from + paths; ++i) {
    if (v[i].error) {
      ++r.failed;
      continue;
    }
    ++r.paths;
    if (v[i].bust) ++r.busts;
    capital += v[i].capital_destroyed_usd_bn;
    claims += v[i].claims_written_off_usd_bn;
  }
  if (r.paths > 0) {
    r.mean_capital_destroyed_usd_bn = capital / static_cast<double>(r.paths);
    r.mean_claims_written_off_usd_bn = claims / static_cast<double>(r.paths);
  }
  return r;
}

void require_paths(const SweepOptions& options, const char* what) {
  if (options.paths == 0) throw core::InputError({"--paths", 0, 0}, fmt::format("{} needs at least 1 path per setting", what));
}

void require_uncertain(const io::LoadedScenario& loaded, const char* what) {
  if (loaded.uncertain.empty()) {
    throw core::InputError({loaded.source_name, 0, 0},
                           fmt::format("{} needs uncertain parameters: add an [uncertain] table to the scenario "
                                       "(docs/scenario.md, \"Uncertain parameters\")",
                                       what));
  }
}

std::string pct(double x) { return std::isnan(x) ? "n/a" : fmt::format("{:5.1f}%", 100 * x); }

std::string setting_text(const SettingResult& r) {
  const analysis::Interval ci = r.bust_ci();
  std::string text = fmt::format("{} [{}–{}]  {:>8.1f}", pct(r.bust_probability()), pct(ci.low), pct(ci.high),
                                 r.mean_capital_destroyed_usd_bn);
  if (r.failed > 0) text += fmt::format("  ({} paths failed)", r.failed);
  return text;
}

void add_setting_rows(std::vector<io::SensitivityRow>& rows, const std::string& analysis, const std::string& keys,
                      const std::string& setting, const SettingResult& r) {
  const analysis::Interval ci = r.bust_ci();
  rows.push_back({analysis, keys, setting, "paths", static_cast<double>(r.paths)});
  rows.push_back({analysis, keys, setting, "failed", static_cast<double>(r.failed)});
  rows.push_back({analysis, keys, setting, "bust_probability", r.bust_probability()});
  rows.push_back({analysis, keys, setting, "bust_probability_ci_low", ci.low});
  rows.push_back({analysis, keys, setting, "bust_probability_ci_high", ci.high});
  rows.push_back({analysis, keys, setting, "mean_capital_destroyed_usd_bn", r.mean_capital_destroyed_usd_bn});
  rows.push_back({analysis, keys, setting, "mean_claims_written_off_usd_bn", r.mean_claims_written_off_usd_bn});
}

}  // namespace

double SettingResult::bust_probability() const {
  return paths == 0 ? std::nan("") : static_cast<double>(busts) / static_cast<double>(paths);
}

analysis::Interval SettingResult::bust_ci() const { return analysis::wilson_interval(busts, paths); }

double TornadoBar::swing() const {
  const double d = high.bust_probability() - low.bust_probability();
  return std::isnan(d) ? 0.0 : std::fabs(d);
}

// The scenario with `values` set, for a setting that will run many paths. A value the scenario
// rejects is bad input, collected in `problems` with `what` names the setting.
model::Scenario setting_scenario(const io::LoadedScenario& loaded, const Values& values, const std::string& what,
                                 core::Diagnostics& problems) {
  try {
    return io::instantiate(loaded, values);
  } catch (const core::InputError& e) {
    for (const core::Diagnostic& d : e.diagnostics().items()) problems.error(d.pos, fmt::format("{}: {}", what, d.message));
    return loaded.scenario;
  }
}

Tornado run_tornado(const io::LoadedScenario& loaded, const SweepOptions& options) {
  require_uncertain(loaded, "a tornado");
  require_paths(options, "a tornado");
  // Every setting is made (and checked) before anything runs: a percentile that breaks a rule
  // between keys is bad input, not a column of failed paths.
  core::Diagnostics problems;
  std::vector<model::Scenario> settings{loaded.scenario};
  std::vector<std::string> names{"base"};
  for (const analysis::UncertainParameter& p : loaded.uncertain) {
    for (const auto& [u, name] : {std::pair{0.05, "5th"}, std::pair{0.95, "95th"}}) {
      const double x = p.distribution.quantile(u);
      settings.push_back(setting_scenario(loaded, {{p.key, x}},
                                          fmt::format("tornado setting {} = {:g} (its {} percentile)", p.key, x, name), problems));
      names.push_back(fmt::format("{}={} ({} percentile)", p.key, x, name));  // exact, for a rerun
    }
  }
  if (problems.has_errors()) throw core::InputError(std::move(problems));
  const std::vector<Outcome> v = evaluate_settings(settings, names, options.paths, options);
  Tornado t;
  t.base = summarise(v, 0, options.paths);
  for (std::size_t k = 0; k < loaded.uncertain.size(); ++k) {
    const analysis::UncertainParameter& p = loaded.uncertain[k];
    TornadoBar bar;
    bar.key = p.key;
    bar.distribution = p.distribution.describe();
    bar.low_value = p.distribution.quantile(0.05);
    bar.high_value = p.distribution.quantile(0.95);
    bar.low = summarise(v, (1 + 2 * k) * options.paths, options.paths);
    bar.high = summarise(v, (2 + 2 * k) * options.paths, options.paths);
    t.bars.push_back(std::move(bar));
  }
  std::stable_sort(t.bars.begin(), t.bars.end(), [](const TornadoBar& a, const TornadoBar& b) { return a.swing() > b.swing(); });
  return t;
}

GridAxis parse_grid_axis(const std::string& text) {
  const auto eq = text.find('=');
  auto fail = [&](const std::string& why) {
    throw core::InputError({"--grid", 0, 0}, fmt::format("'{}': {}; write KEY=V1,V2,… (e.g. "
                                                         "demand.elasticity_long_run=0.8,1.2,1.6)",
                                                         text, why));
  };
  if (eq == std::string::npos) fail("no '='");
  if (eq == 0) fail("no key before '='");
  GridAxis axis;
  axis.key = text.substr(0, eq);
  std::string rest = text.substr(eq + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    const auto comma = rest.find(',', start);
    const std::string item = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t used = 0;
    double x = 0.0;
    try {
      x = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || !std::isfinite(x)) fail(fmt::format("'{}' is not a number", item));
    if (std::find(axis.values.begin(), axis.values.end(), x) != axis.values.end()) fail(fmt::format("{} is given twice", x));
    axis.values.push_back(x);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return axis;
}

std::vector<GridCell> run_grid(const io::LoadedScenario& loaded, const std::vector<GridAxis>& axes, const SweepOptions& options) {
  if (axes.empty() || axes.size() > 2) throw core::InputError({"--grid", 0, 0}, "a grid has one or two axes (--grid given once or twice)");
  require_paths(options, "a grid");
  // A key on both axes would set it twice (the second value winning), and a value given twice
  // would run the same cell twice under one name: neither grid is what it says.
  if (axes.size() == 2 && axes[0].key == axes[1].key) {
    throw core::InputError({"--grid", 0, 0}, fmt::format("'{}' is on both axes; give each --grid its own key", axes[0].key));
  }
  for (const GridAxis& axis : axes) {
    if (axis.values.empty()) throw core::InputError({"--grid", 0, 0}, fmt::format("'{}' has no values", axis.key));
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      if (std::find(axis.values.begin(), axis.values.begin() + static_cast<std::ptrdiff_t>(i), axis.values[i]) !=
          axis.values.begin() + static_cast<std::ptrdiff_t>(i)) {
        throw core::InputError({"--grid", 0, 0}, fmt::format("'{}' has the value {} twice", axis.key, axis.values[i]));
      }
    }
  }
  std::vector<std::vector<double>> cells_values;
  for (const double a : axes[0].values) {
    if (axes.size() == 1) {
      cells_values.push_back({a});
    } else {
      for (const double b : axes[1].values) cells_values.push_back({a, b});
    }
  }
  // Every cell is made (and checked) before anything runs: a bad key or value is bad input.
  core::Diagnostics problems;
  std::vector<model::Scenario> settings;
  std::vector<std::string> names;
  for (const auto& c : cells_values) {
    Values values;
    std::string name;
    for (std::size_t i = 0; i < axes.size(); ++i) {
      values.emplace_back(axes[i].key, c[i]);
      name += fmt::format("{}{}={}", i ? ", " : "", axes[i].key, c[i]);
    }
    settings.push_back(setting_scenario(loaded, values, "grid cell " + name, problems));
    names.push_back(std::move(name));
  }
  if (problems.has_errors()) throw core::InputError(std::move(problems));
  const std::vector<Outcome> v = evaluate_settings(settings, names, options.paths, options);
  std::vector<GridCell> cells;
  for (std::size_t c = 0; c < cells_values.size(); ++c) {
    cells.push_back({cells_values[c], summarise(v, c * options.paths, options.paths)});
  }
  return cells;
}

SobolResult run_sobol(const io::LoadedScenario& loaded, std::size_t base_rows, const SweepOptions& options) {
  require_uncertain(loaded, "Sobol indices");
  const std::size_t k = loaded.uncertain.size();
  const analysis::SobolDesign design = analysis::sobol_design(base_rows, k, options.seed);
  // Each evaluation's values are made from its design point when it runs, not stored.
  const std::vector<Outcome> v = evaluate_all(design.evaluations(), [&](std::size_t i) {
    const std::vector<double> u = analysis::sobol_point(design, i);
    Values values;
    for (std::size_t j = 0; j < k; ++j) values.emplace_back(loaded.uncertain[j].key, loaded.uncertain[j].distribution.quantile(u[j]));
    return analysis::evaluate_path(io::instantiate(loaded, values), i % base_rows, options.seed).verdict;
  }, options);
  std::vector<double> bust(v.size());
  std::vector<double> capital(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i].error) throw std::runtime_error(fmt::format("Sobol evaluation {} (path {}) failed: {}", i, i % base_rows, *v[i].error));
    bust[i] = v[i].bust ? 1.0 : 0.0;
    capital[i] = v[i].capital_destroyed_usd_bn;
  }
  SobolResult r;
  for (const auto& p : loaded.uncertain) r.keys.push_back(p.key);
  r.base_rows = base_rows;
  r.bust = analysis::sobol_indices(design, bust);
  r.capital_destroyed = analysis::sobol_indices(design, capital);
  double busts = 0.0;
  for (std::size_t i = 0; i < 2 * base_rows; ++i) busts += bust[i];
  r.bust_probability = busts / static_cast<double>(2 * base_rows);
  return r;
}

std::string tornado_text(const Tornado& t) {
  std::string out = fmt::format("Tornado: each uncertain parameter at the 5th and 95th percentile of its distribution, the "
                                "others at the scenario's values; {} paths per setting.\n",
                                t.base.paths + t.base.failed);
  out += "Columns: P(bust) [95% CI]  mean capital destroyed (USD bn)\n\n";
  out += fmt::format("  {:<44} {}\n", "base (scenario values)", setting_text(t.base));
  for (const TornadoBar& b : t.bars) {
    out += fmt::format("\n  {}  ~ {}   swing {:.1f} points\n", b.key, b.distribution, 100 * b.swing());
    out += fmt::format("    {:<42} {}\n", fmt::format("low  = {:g}", b.low_value), setting_text(b.low));
    out += fmt::format("    {:<42} {}\n", fmt::format("high = {:g}", b.high_value), setting_text(b.high));
  }
  return out;
}

std::string grid_text(const std::vector<GridAxis>& axes, const std::vector<GridCell>& cells) {
  std::string out = "Grid: P(bust) [95% CI]  mean capital destroyed (USD bn)";
  out += fmt::format(", {} paths per cell\n\n", cells.empty() ? 0 : cells.front().result.paths + cells.front().result.failed);
  for (const GridCell& c : cells) {
    std::string setting;
    for (std::size_t i = 0; i < axes.size(); ++i) setting += fmt::format("{}{}={:g}", i ? ", " : "", axes[i].key, c.values[i]);
    out += fmt::format("  {:<60} {}\n", setting, setting_text(c.result));
  }
  return out;
}

std::string sobol_text(const SobolResult& s) {
  std::string out = fmt::format("Sobol indices ({} base rows, {} paths; inputs independent, drawn from their marginals); "
                                "P(bust) over the design {}\n",
                                s.base_rows, s.base_rows * (s.keys.size() + 2), pct(s.bust_probability));
  auto table = [&](const char* title, const analysis::SobolIndices& x) {
    out += fmt::format("\n  {} (variance {:.4g})\n  {:<44} {:>22} {:>22}\n", title, x.variance, "parameter",
                       "first order [95% CI]", "total [95% CI]");
    for (std::size_t i = 0; i < s.keys.size(); ++i) {
      out += fmt::format("  {:<44} {:>6.3f} [{:6.3f},{:6.3f}] {:>6.3f} [{:6.3f},{:6.3f}]\n", s.keys[i], x.first_order[i],
                         x.first_order_ci[i].low, x.first_order_ci[i].high, x.total[i], x.total_ci[i].low, x.total_ci[i].high);
    }
  };
  table("bust (1/0)", s.bust);
  table("capital destroyed, USD bn", s.capital_destroyed);
  return out;
}

std::vector<io::SensitivityRow> tornado_rows(const Tornado& t) {
  std::vector<io::SensitivityRow> rows;
  add_setting_rows(rows, "tornado", "", "base", t.base);
  for (const TornadoBar& b : t.bars) {
    rows.push_back({"tornado", b.key, "low", "value", b.low_value});
    rows.push_back({"tornado", b.key, "high", "value", b.high_value});
    add_setting_rows(rows, "tornado", b.key, "low", b.low);
    add_setting_rows(rows, "tornado", b.key, "high", b.high);
    rows.push_back({"tornado", b.key, "", "swing", b.swing()});
  }
  return rows;
}

std::vector<io::SensitivityRow> grid_rows(const std::vector<GridAxis>& axes, const std::vector<GridCell>& cells) {
  std::vector<io::SensitivityRow> rows;
  std::string keys;
  for (std::size_t i = 0; i < axes.size(); ++i) keys += (i ? "," : "") + axes[i].key;
  for (const GridCell& c : cells) {
    std::string setting;
    for (std::size_t i = 0; i < c.values.size(); ++i) setting += fmt::format("{}{}", i ? "," : "", c.values[i]);  // shortest text that reads back exactly
    add_setting_rows(rows, "grid", keys, setting, c.result);
  }
  return rows;
}

std::vector<io::SensitivityRow> sobol_rows(const SobolResult& s) {
  std::vector<io::SensitivityRow> rows;
  auto add = [&](const char* output, const analysis::SobolIndices& x) {
    for (std::size_t i = 0; i < s.keys.size(); ++i) {
      const std::string setting = output;
      rows.push_back({"sobol", s.keys[i], setting, "first_order", x.first_order[i]});
      rows.push_back({"sobol", s.keys[i], setting, "first_order_ci_low", x.first_order_ci[i].low});
      rows.push_back({"sobol", s.keys[i], setting, "first_order_ci_high", x.first_order_ci[i].high});
      rows.push_back({"sobol", s.keys[i], setting, "total", x.total[i]});
      rows.push_back({"sobol", s.keys[i], setting, "total_ci_low", x.total_ci[i].low});
      rows.push_back({"sobol", s.keys[i], setting, "total_ci_high", x.total_ci[i].high});
    }
  };
  add("bust", s.bust);
  add("capital_destroyed_usd_bn", s.capital_destroyed);
  rows.push_back({"sobol", "", "bust", "bust_probability", s.bust_probability});
  return rows;
}

}  // namespace bsim::jobs
