#include "io/history_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace bsim::io {
namespace {

std::string_view kind_name(model::ShapeKind kind) {
  switch (kind) {
    case model::ShapeKind::kPeakYear:
      return "peak_year";
    case model::ShapeKind::kFallFromPeak:
      return "fall_from_peak";
    case model::ShapeKind::kEachYear:
      return "each_year";
    case model::ShapeKind::kLowest:
      return "lowest";
    case model::ShapeKind::kDefaults:
      return "defaults";
    case model::ShapeKind::kValueLoss:
      return "value_loss";
  }
  return "unknown";
}

/// A value as printed in the table: changes as signed percentages, levels with 3–4 digits.
std::string cell_value(const model::ObservedSeries& s, double v) {
  if (s.change) return fmt::format("{:+.0f}%", 100 * v);
  const double a = std::fabs(v);
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.0f}k", v / 1e3);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 1) return fmt::format("{:.3g}", v);
  if (a == 0) return "0";
  return fmt::format("{:.2g}", v);
}

std::string observed_text(const model::ObservedSeries& s, const model::ObservedPoint& p) {
  if (p.low && p.high) return cell_value(s, *p.low) + "–" + cell_value(s, *p.high);
  if (p.value) return cell_value(s, *p.value);
  return "";
}

std::string error_text(const std::optional<double>& e) { return e ? fmt::format("{:.2f}", *e) : "—"; }

/// Display width of UTF-8 text (code points), for padding columns.
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, std::size_t w) { return s + std::string(w > width(s) ? w - width(s) : 0, ' '); }
std::string pad_left(const std::string& s, std::size_t w) { return std::string(w > width(s) ? w - width(s) : 0, ' ') + s; }

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

}  // namespace

std::string history_text(const LoadedScenario& scenario, std::uint64_t seed, std::uint64_t path_id,
                         const analysis::HistoryReport& report) {
  const model::Scenario& s = scenario.scenario;
  std::string out = fmt::format("bubblesim validate-history — scenario '{}' ({} to {}, seed {}, path {})\n", s.name,
                                s.time.start.str(), s.time.end.str(), seed, path_id);
  if (report.fitted_through > 0) {
    out += fmt::format("Parameters marked fitted were chosen to match observations up to {}; later years are out of sample.\n",
                       report.fitted_through);
  } else {
    out += "No parameter was fitted to the observations.\n";
  }
  out += "Each cell: simulated / observed (a range where sources differ).\n\n";

  // The series, one column each.
  std::set<int> years;
  for (const analysis::SeriesComparison& c : report.series) {
    for (const analysis::HistoryRow& r : c.rows) years.insert(r.year);
  }
  std::vector<std::vector<std::string>> columns;  // header lines then one cell per year
  for (const analysis::SeriesComparison& c : report.series) {
    std::vector<std::string> col = {c.series.label, c.series.unit.empty() ? std::string() : "(" + c.series.unit + ")"};
    std::map<int, const analysis::HistoryRow*> by_year;
    for (const analysis::HistoryRow& r : c.rows) by_year[r.year] = &r;
    for (const int y : years) {
      const auto it = by_year.find(y);
      std::string cell;
      if (it != by_year.end()) {
        const analysis::HistoryRow& r = *it->second;
        cell = r.simulated ? cell_value(c.series, *r.simulated) : "—";
        const std::string obs = observed_text(c.series, r.observed);
        if (!obs.empty()) cell += " / " + obs;
      }
      col.push_back(cell);
    }
    columns.push_back(std::move(col));
  }
  std::vector<std::size_t> widths;
  for (const auto& col : columns) {
    std::size_t w = 0;
    for (const std::string& cell : col) w = std::max(w, width(cell));
    widths.push_back(w);
  }
  for (std::size_t line = 0; line < 2; ++line) {
    out += pad(line == 0 ? "year" : "", 6);
    for (std::size_t i = 0; i < columns.size(); ++i) out += "  " + pad(columns[i][line], widths[i]);
    out += '\n';
  }
  std::size_t row = 2;
  for (const int y : years) {
    out += pad(std::to_string(y), 6);
    for (std::size_t i = 0; i < columns.size(); ++i) out += "  " + pad_left(columns[i][row], widths[i]);
    out += '\n';
    ++row;
  }

  out += "\nError per series: mean |ln simulated − ln observed| over the years observed (of 1 + change for a change "
         "series; 0.69 = a factor of 2)\n";
  out += fmt::format("{:<30} {:<28} {:>6} {:>10} {:>14} {:>9}\n", "series", "column", "all", "in sample", "out of sample",
                     "in range");
  for (const analysis::SeriesComparison& c : report.series) {
    out += fmt::format("{:<30} {:<28} {:>6} {:>10} {:>14} {:>9}\n", c.series.label, c.series.column, error_text(c.error_all),
                       error_text(c.error_in_sample), error_text(c.error_out_of_sample),
                       fmt::format("{}/{}", c.years_in_range, c.years_ranged));
  }
  out += "\nShape targets:\n";
  int passed = 0;
  int held_out = 0;
  int held_out_passed = 0;
  for (const analysis::TargetResult& t : report.targets) {
    passed += t.pass;
    held_out += t.out_of_sample;
    held_out_passed += t.out_of_sample && t.pass;
    out += fmt::format("  {}  {}{}: {}\n        {}\n", t.pass ? "PASS" : "FAIL", t.target.id,
                       t.out_of_sample ? " (out of sample)" : "",
                       t.target.description.empty() ? std::string(kind_name(t.target.kind)) : t.target.description,
                       t.measured);
  }
  out += fmt::format("\n{} of {} shape targets pass", passed, report.targets.size());
  if (report.fitted_through > 0) out += fmt::format("; {} of the {} out of sample", held_out_passed, held_out);
  out += ".\n";
  return out;
}

nlohmann::json history_json(const LoadedScenario& scenario, std::uint64_t seed, std::uint64_t path_id,
                            const analysis::HistoryReport& report) {
  using json = nlohmann::json;
  const model::Scenario& s = scenario.scenario;
  json series = json::array();
  for (const analysis::SeriesComparison& c : report.series) {
    json rows = json::array();
    for (const analysis::HistoryRow& r : c.rows) {
      json observed = json::object();
      observed["value"] = optional_json(r.observed.value);
      observed["low"] = optional_json(r.observed.low);
      observed["high"] = optional_json(r.observed.high);
      const auto in_range = r.within_range();
      rows.push_back({{"year", r.year},
                      {"simulated", optional_json(r.simulated)},
                      {"observed", observed},
                      {"in_range", in_range ? json(*in_range) : json()}});
    }
    series.push_back({{"id", c.series.id},
                      {"label", c.series.label},
                      {"unit", c.series.unit},
                      {"column", c.series.column},
                      {"change", c.series.change},
                      {"rows", rows},
                      {"error", {{"all", optional_json(c.error_all)},
                                 {"in_sample", optional_json(c.error_in_sample)},
                                 {"out_of_sample", optional_json(c.error_out_of_sample)}}},
                      {"years_compared", c.years_compared},
                      {"years_ranged", c.years_ranged},
                      {"years_in_range", c.years_in_range}});
  }
  json targets = json::array();
  for (const analysis::TargetResult& t : report.targets) {
    targets.push_back({{"id", t.target.id},
                       {"type", kind_name(t.target.kind)},
                       {"description", t.target.description},
                       {"pass", t.pass},
                       {"out_of_sample", t.out_of_sample},
                       {"measured", t.measured}});
  }
  return json{{"scenario", {{"name", s.name}, {"source", scenario.source_name}, {"start", s.time.start.str()},
                            {"end", s.time.end.str()}}},
              {"seed", seed},
              {"path", path_id},
              {"fitted_through", report.fitted_through == 0 ? json() : json(report.fitted_through)},
              {"series", series},
              {"targets", targets},
              {"all_targets_pass", report.all_targets_pass()}};
}

}  // namespace bsim::io
