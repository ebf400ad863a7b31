#include "jobs/mc_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "analysis/stats.h"

namespace bsim::jobs {
namespace {

constexpr double kQuantiles[] = {0.05, 0.25, 0.5, 0.75, 0.95};

double share(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? std::nan("") : static_cast<double>(part) / static_cast<double>(whole);
}

std::string percent(double x) { return std::isnan(x) ? "n/a" : fmt::format("{:.1f}%", 100.0 * x); }

// JSON has no NaN: write null.
nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

// The month by which half of `busts` paths have busted (lower median), from their histogram
// by month index; none without busts.
std::optional<core::Month> median_month(const analysis::McAggregate& a, std::uint64_t busts,
                                        const std::vector<std::uint64_t>& by_month) {
  if (busts == 0) return std::nullopt;
  const std::uint64_t half = (busts + 1) / 2;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < by_month.size(); ++i) {
    seen += by_month[i];
    if (seen >= half) return a.start() + static_cast<int>(i);
  }
  return std::nullopt;
}

std::optional<core::Month> median_bust_month(const analysis::McAggregate& a) {
  return median_month(a, a.busts(), a.bust_months());
}

// A condition's name in the printed summary.
constexpr const char* kConditionWords[analysis::kBustConditionCount] = {"AI equity drawdown", "capex drop", "write-offs"};

std::map<int, std::uint64_t> busts_by_year(const analysis::McAggregate& a) {
  std::map<int, std::uint64_t> years;
  for (std::size_t i = 0; i < a.bust_months().size(); ++i) {
    years[(a.start() + static_cast<int>(i)).year()] += a.bust_months()[i];
  }
  return years;
}

// A compact number for tables: 3 significant figures, thousands grouped by suffix.
std::string compact(double x) {
  if (std::isnan(x)) return "n/a";
  const double ax = std::fabs(x);
  if (ax >= 1e12) return fmt::format("{:.3g}T", x / 1e12);
  if (ax >= 1e9) return fmt::format("{:.3g}G", x / 1e9);
  if (ax >= 1e6) return fmt::format("{:.3g}M", x / 1e6);
  if (ax >= 1e4) return fmt::format("{:.3g}k", x / 1e3);
  if (ax >= 100) return fmt::format("{:.0f}", x);
  return fmt::format("{:.3g}", x);
}

// One uncertain parameter's effect in the sample: P(bust) with it in its lowest and its highest
// fifth, and the paths behind each.
struct Driver {
  std::size_t index;
  double low;
  double high;
  std::uint64_t low_paths;
  std::uint64_t high_paths;
  double low_capital;   ///< mean capital destroyed, USD bn
  double high_capital;
  /// Each condition's own P(bust) (McAggregate::condition_busts) in the lowest and highest fifth.
  std::array<double, analysis::kBustConditionCount> condition_low{};
  std::array<double, analysis::kBustConditionCount> condition_high{};
  [[nodiscard]] double swing() const { return std::isnan(high - low) ? 0.0 : std::fabs(high - low); }
  [[nodiscard]] double condition_swing(std::size_t c) const {
    const double d = condition_high[c] - condition_low[c];
    return std::isnan(d) ? 0.0 : std::fabs(d);
  }
  [[nodiscard]] double capital_swing() const {
    return std::isnan(high_capital - low_capital) ? 0.0 : std::fabs(high_capital - low_capital);
  }
};

std::vector<Driver> drivers(const analysis::McAggregate& a) {
  std::vector<Driver> out;
  constexpr std::size_t kTop = analysis::McAggregate::kDriverBins - 1;
  for (std::size_t p = 0; p < a.driver_parameters(); ++p) {
    out.push_back({p, share(a.driver_busts(p, 0), a.driver_paths(p, 0)), share(a.driver_busts(p, kTop), a.driver_paths(p, kTop)),
                   a.driver_paths(p, 0), a.driver_paths(p, kTop), analysis::mean(a.driver_capital_destroyed(p, 0)),
                   analysis::mean(a.driver_capital_destroyed(p, kTop))});
    for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
      out.back().condition_low[c] = share(a.driver_condition_busts(c, p, 0), a.driver_paths(p, 0));
      out.back().condition_high[c] = share(a.driver_condition_busts(c, p, kTop), a.driver_paths(p, kTop));
    }
  }
  // Largest swing in the bust probability first; equal swings (e.g. every path busts) by the
  // swing in capital destroyed.
  std::stable_sort(out.begin(), out.end(), [](const Driver& x, const Driver& y) {
    if (x.swing() != y.swing()) return x.swing() > y.swing();
    return x.capital_swing() > y.capital_swing();
  });
  return out;
}

// One line of an error message: its first line, cut to a readable length.
std::string one_line(const std::string& message) {
  constexpr std::size_t kLongest = 300;
  std::string line = message.substr(0, message.find('\n'));
  if (line.size() > kLongest) line = line.substr(0, kLongest) + "…";
  return line;
}

}  // namespace

std::string failed_paths_text(const McRun& run, std::size_t shown) {
  std::string out;
  const std::size_t listed = std::min(shown, run.failed.size());
  for (std::size_t i = 0; i < listed; ++i) {
    out += fmt::format("    path {} (seed {}): {}\n", run.failed[i].path_id, run.seed, one_line(run.failed[i].error.value_or("")));
  }
  const std::uint64_t failed = run.aggregate.failed();
  if (failed > listed) {
    out += fmt::format("    … and {} more{}\n", failed - listed,
                       listed < run.failed.size() ? "" : " (the database's paths table holds every error)");
  }
  return out;
}

const std::vector<std::string>& fan_chart_columns() {
  static const std::vector<std::string> columns = {
      "demand_h100e",      "operable_h100e",       "utilization",   "spot_price_usd_per_h100e_hour",
      "capex_usd_bn",      "ai_revenue_usd_bn",    "revenue_gap_usd_bn", "sentiment_index",
      "ai_equity_value_usd_bn", "stranded_h100e", "idle_no_power_h100e", "power_gw"};
  return columns;
}

std::string mc_summary_text(const McRun& run, const std::vector<std::string>& fan_columns) {
  const analysis::McAggregate& a = run.aggregate;
  std::string out;
  out += fmt::format("Monte Carlo: scenario '{}', {} of {} paths (seed {}){}\n", run.scenario_name, a.paths() + a.failed(),
                     run.paths_requested, run.seed, run.interrupted ? " — INTERRUPTED, partial results" : "");
  if (a.failed() > 0) {
    out += fmt::format("  {} of {} paths FAILED: every statistic below is over the {} paths that completed, not all {}\n",
                       a.failed(), a.paths() + a.failed(), a.paths(), a.paths() + a.failed());
    out += failed_paths_text(run, kFailuresShown);
  }
  if (!run.parameter_keys.empty()) {
    out += fmt::format("Uncertain parameters ({}):\n", run.parameter_keys.size());
    for (std::size_t i = 0; i < run.parameter_keys.size(); ++i) {
      out += fmt::format("  {:<48} {}\n", run.parameter_keys[i], run.parameter_distributions[i]);
    }
  }
  const analysis::Interval ci = analysis::wilson_interval(a.busts(), a.paths());
  out += fmt::format("\nBust probability: {} (95% CI {} – {}), {} of {} paths{}\n", percent(share(a.busts(), a.paths())),
                     percent(ci.low), percent(ci.high), a.busts(), a.paths(),
                     a.failed() > 0 ? fmt::format(" (completed paths only; {} failed)", a.failed()) : std::string());
  out += fmt::format("  rule: {} (a path busts in the first month any condition counts)\n", run.bust_rule);
  out += fmt::format("  by condition (a path can meet several in its bust month): AI equity drawdown {}, capex drop {}, "
                     "write-offs {}\n",
                     percent(share(a.busts_by_equity_drawdown(), a.paths())), percent(share(a.busts_by_capex_drop(), a.paths())),
                     percent(share(a.busts_by_writeoffs(), a.paths())));
  out += "  each condition on its own (the share of paths in which it counts at some month, first or not):\n";
  for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
    const std::uint64_t n = a.condition_busts(c);
    const analysis::Interval cc = analysis::wilson_interval(n, a.paths());
    const auto median = median_month(a, n, a.condition_bust_months(c));
    out += fmt::format("    {:<20} {:>6} (95% CI {} – {}), {} paths{}\n", kConditionWords[c], percent(share(n, a.paths())),
                       percent(cc.low), percent(cc.high), n,
                       median ? fmt::format(", median first month {}", median->str()) : std::string());
  }
  out += fmt::format("  paths with at least one default: {}\n", percent(share(a.paths_with_defaults(), a.paths())));
  if (a.busts() > 0) {
    out += "\nBust timing (share of all paths busting in each year):\n";
    const auto years = busts_by_year(a);
    int last_year = years.begin()->first;
    for (const auto& [year, n] : years) {
      if (n > 0) last_year = year;
    }
    std::uint64_t by_then = 0;
    out += fmt::format("  {}  {:>6}  {:>9}\n", "year", "busts", "by its end");
    for (const auto& [year, n] : years) {
      if (year > last_year) break;
      by_then += n;
      const double s = share(n, a.paths());
      out += fmt::format("  {}  {:>6}  {:>9}  {}\n", year, percent(s), percent(share(by_then, a.paths())),
                         std::string(static_cast<std::size_t>(std::lround(s * 50)), '#'));
    }
    out += fmt::format("  never  {:>6}\n", percent(share(a.paths() - a.busts(), a.paths())));
    out += fmt::format("  median bust month (of busting paths): {}\n", median_bust_month(a)->str());
  }
  if (a.paths() > 0 && a.driver_parameters() > 0) {
    out += "\nDrivers (a tornado from the sample): P(bust) and mean capital destroyed (USD bn) with each uncertain\n"
           "parameter in the lowest and the highest fifth of its distribution, the others varying as drawn, and\n"
           "the swing of each condition's own P(bust) (equity drawdown, capex drop, write-offs);\n"
           "largest swing in P(bust) first, then in capital destroyed:\n";
    out += fmt::format("  {:<44} {:>8} {:>8} {:>7}   {:>9} {:>9}   {:>7} {:>7} {:>7}\n", "parameter", "P low", "P high", "swing",
                       "cap. low", "cap. high", "equity", "capex", "w-offs");
    for (const Driver& d : drivers(a)) {
      out += fmt::format("  {:<44} {:>8} {:>8} {:>5.1f}pt   {:>9} {:>9}   {:>5.1f}pt {:>5.1f}pt {:>5.1f}pt\n",
                         run.parameter_keys[d.index], percent(d.low), percent(d.high), 100 * d.swing(),
                         compact(d.low_capital), compact(d.high_capital), 100 * d.condition_swing(0),
                         100 * d.condition_swing(1), 100 * d.condition_swing(2));
    }
  }
  if (a.paths() > 0) {
    out += "\nFan charts, quantiles 5 / 25 / 50 / 75 / 95 % each December:\n";
    for (const std::string& name : fan_columns) {
      const std::size_t c = analysis::McAggregate::column_index(name);
      out += fmt::format("  {} ({})\n", name, model::kColumns[c].unit);
      for (int t = 0; t < a.months(); ++t) {
        const core::Month m = a.start() + t;
        if (m.month() != 12 && t + 1 != a.months()) continue;
        out += fmt::format("    {}", m.str());
        for (const double q : kQuantiles) out += fmt::format(" {:>9}", compact(a.fan(c, t).quantile(q)));
        out += '\n';
      }
    }
    out += "\nLosses per path, USD bn: mean, median, 95th and 99th percentile\n";
    auto loss_line = [&](const std::string& name, const analysis::QuantileSketch& s, const analysis::ExactSum& sum) {
      out += fmt::format("  {:<34} {:>9} {:>9} {:>9} {:>9}\n", name, compact(analysis::mean(sum)), compact(s.quantile(0.5)),
                         compact(s.quantile(0.95)), compact(s.quantile(0.99)));
    };
    for (std::size_t i = 0; i < analysis::path_figure_names().size(); ++i) {
      const std::string& name = analysis::path_figure_names()[i];
      if (name.find("usd_bn") == std::string::npos || name.rfind("peak_", 0) == 0) continue;
      loss_line(name, a.figure(i), a.figure_sum(i));
    }
    out += "  by holder type:\n";
    for (std::size_t i = 0; i < a.holder_names().size(); ++i) {
      loss_line("  " + a.holder_names()[i], a.holder_loss(i), a.holder_loss_sum(i));
    }
  }
  return out;
}

nlohmann::json mc_summary_json(const McRun& run, const std::vector<std::string>& fan_columns) {
  const analysis::McAggregate& a = run.aggregate;
  nlohmann::json j;
  j["scenario"] = run.scenario_name;
  j["seed"] = run.seed;
  j["paths_requested"] = run.paths_requested;
  j["paths"] = a.paths();
  j["failed"] = a.failed();
  j["interrupted"] = run.interrupted;
  if (a.failed() > 0) {
    // Only when paths failed, so that the JSON of a run without failures is unchanged.
    j["statistics_over"] = "completed paths only";
    nlohmann::json failed = nlohmann::json::array();
    for (const analysis::PathVerdict& v : run.failed) {
      failed.push_back({{"path_id", v.path_id}, {"seed", run.seed}, {"error", v.error.value_or("")}});
    }
    j["failed_paths"] = failed;
  }
  j["parameters"] = nlohmann::json::array();
  for (std::size_t i = 0; i < run.parameter_keys.size(); ++i) {
    j["parameters"].push_back({{"key", run.parameter_keys[i]}, {"distribution", run.parameter_distributions[i]}});
  }
  const analysis::Interval ci = analysis::wilson_interval(a.busts(), a.paths());
  nlohmann::json bust;
  bust["probability"] = number(share(a.busts(), a.paths()));
  bust["ci95"] = {number(ci.low), number(ci.high)};
  bust["busts"] = a.busts();
  bust["by_condition"] = {{"equity_drawdown", a.busts_by_equity_drawdown()},
                          {"capex_drop", a.busts_by_capex_drop()},
                          {"writeoffs", a.busts_by_writeoffs()}};
  bust["rule"] = run.bust_rule;
  bust["persist_months"] = run.persist_months;
  nlohmann::json conditions = nlohmann::json::object();
  for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
    const std::uint64_t n = a.condition_busts(c);
    const analysis::Interval cc = analysis::wilson_interval(n, a.paths());
    const auto median = median_month(a, n, a.condition_bust_months(c));
    conditions[std::string(analysis::bust_condition_name(c))] = {
        {"busts", n},
        {"probability", number(share(n, a.paths()))},
        {"ci95", {number(cc.low), number(cc.high)}},
        {"median_month", median ? nlohmann::json(median->str()) : nlohmann::json(nullptr)}};
  }
  bust["conditions"] = conditions;
  bust["paths_with_defaults"] = a.paths_with_defaults();
  nlohmann::json by_year = nlohmann::json::object();
  for (const auto& [year, n] : busts_by_year(a)) by_year[std::to_string(year)] = n;
  bust["by_year"] = by_year;
  nlohmann::json by_month = nlohmann::json::object();
  for (std::size_t i = 0; i < a.bust_months().size(); ++i) {
    if (a.bust_months()[i] > 0) by_month[(a.start() + static_cast<int>(i)).str()] = a.bust_months()[i];
  }
  bust["by_month"] = by_month;
  const auto median = median_bust_month(a);
  bust["median_month"] = median ? nlohmann::json(median->str()) : nlohmann::json(nullptr);
  j["bust"] = bust;
  nlohmann::json drivers_json = nlohmann::json::array();
  for (const Driver& d : drivers(a)) {
    nlohmann::json bins = nlohmann::json::array();
    for (std::size_t b = 0; b < analysis::McAggregate::kDriverBins; ++b) {
      nlohmann::json by_condition = nlohmann::json::object();
      for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
        by_condition[std::string(analysis::bust_condition_name(c))] = a.driver_condition_busts(c, d.index, b);
      }
      bins.push_back({{"paths", a.driver_paths(d.index, b)},
                      {"busts", a.driver_busts(d.index, b)},
                      {"bust_probability", number(share(a.driver_busts(d.index, b), a.driver_paths(d.index, b)))},
                      {"busts_by_condition", by_condition},
                      {"mean_capital_destroyed_usd_bn", number(analysis::mean(a.driver_capital_destroyed(d.index, b)))}});
    }
    nlohmann::json condition_swings = nlohmann::json::object();
    for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
      condition_swings[std::string(analysis::bust_condition_name(c))] = {{"bust_probability_low", number(d.condition_low[c])},
                                                                          {"bust_probability_high", number(d.condition_high[c])},
                                                                          {"swing", number(d.condition_swing(c))}};
    }
    drivers_json.push_back({{"key", run.parameter_keys[d.index]},
                            {"bust_probability_low", number(d.low)},
                            {"bust_probability_high", number(d.high)},
                            {"swing", number(d.swing())},
                            {"mean_capital_destroyed_usd_bn_low", number(d.low_capital)},
                            {"mean_capital_destroyed_usd_bn_high", number(d.high_capital)},
                            {"conditions", condition_swings},
                            {"fifths", bins}});
  }
  j["drivers"] = drivers_json;

  nlohmann::json fans = nlohmann::json::object();
  for (const std::string& name : fan_columns) {
    const std::size_t c = analysis::McAggregate::column_index(name);
    nlohmann::json f;
    f["unit"] = std::string(model::kColumns[c].unit);
    f["months"] = nlohmann::json::array();
    for (const char* key : {"mean", "p05", "p25", "p50", "p75", "p95"}) f[key] = nlohmann::json::array();
    for (int t = 0; t < a.months(); ++t) {
      f["months"].push_back((a.start() + t).str());
      f["mean"].push_back(number(analysis::mean(a.fan_sum(c, t))));
      const char* keys[] = {"p05", "p25", "p50", "p75", "p95"};
      for (std::size_t q = 0; q < 5; ++q) f[keys[q]].push_back(number(a.fan(c, t).quantile(kQuantiles[q])));
    }
    fans[name] = f;
  }
  j["fan"] = fans;

  auto dist = [&](const analysis::QuantileSketch& s, const analysis::ExactSum& sum) {
    return nlohmann::json{{"mean", number(analysis::mean(sum))},
                          {"p05", number(s.quantile(0.05))},
                          {"p50", number(s.quantile(0.5))},
                          {"p95", number(s.quantile(0.95))},
                          {"p99", number(s.quantile(0.99))},
                          {"max", number(s.count() ? s.max() : std::nan(""))}};
  };
  nlohmann::json figures = nlohmann::json::object();
  for (std::size_t i = 0; i < analysis::path_figure_names().size(); ++i) {
    figures[analysis::path_figure_names()[i]] = dist(a.figure(i), a.figure_sum(i));
  }
  j["per_path"] = figures;
  nlohmann::json holders = nlohmann::json::object();
  for (std::size_t i = 0; i < a.holder_names().size(); ++i) holders[a.holder_names()[i]] = dist(a.holder_loss(i), a.holder_loss_sum(i));
  j["losses_by_holder_usd_bn"] = holders;
  return j;
}

std::vector<io::McQuantileRow> quantile_rows(const analysis::McAggregate& a) {
  std::vector<io::McQuantileRow> rows;
  rows.reserve(model::kColumns.size() * static_cast<std::size_t>(a.months()));
  for (std::size_t c = 0; c < model::kColumns.size(); ++c) {
    for (int t = 0; t < a.months(); ++t) {
      const analysis::QuantileSketch& s = a.fan(c, t);
      io::McQuantileRow r;
      r.indicator = std::string(model::kColumns[c].name);
      r.month = (a.start() + t).str();
      r.n = s.count();
      r.mean = analysis::mean(a.fan_sum(c, t));
      r.p05 = s.quantile(0.05);
      r.p25 = s.quantile(0.25);
      r.p50 = s.quantile(0.5);
      r.p75 = s.quantile(0.75);
      r.p95 = s.quantile(0.95);
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

}  // namespace bsim::jobs
