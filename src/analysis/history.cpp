#include "analysis/history.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace bsim::analysis {
namespace {

const model::Column* find_column(std::string_view name) {
  for (const model::Column& c : model::kColumns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::optional<double> value_in(const std::vector<std::pair<int, double>>& series, int year) {
  for (const auto& [y, v] : series) {
    if (y == year) return v;
  }
  return std::nullopt;
}

std::string percent(double share) { return fmt::format("{:.0f}%", 100 * share); }

/// A value in the series' observed unit, for messages: a share-like change as a percentage.
std::string shown(const model::ObservedSeries& s, double v) {
  if (s.change) return fmt::format("{:+.0f}%", 100 * v);
  return fmt::format("{:.4g}", v);
}

bool selected(const model::ShapeTarget& t, const model::Firm& f) {
  const bool equity = f.financing == model::Firm::Financing::kEquity;
  if (equity != t.select_equity_financed) return false;
  return !t.firm_type || *t.firm_type == f.type;
}

TargetResult check_series_target(const model::ShapeTarget& t, const model::ObservedSeries& s,
                                 const std::vector<std::pair<int, double>>& sim) {
  TargetResult out{t, false, ""};
  if (sim.empty()) {
    out.measured = "no simulated years";
    return out;
  }
  switch (t.kind) {
    case model::ShapeKind::kPeakYear: {
      const auto peak = std::max_element(sim.begin(), sim.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
      out.pass = peak->first >= t.from_year && peak->first <= t.to_year;
      out.measured = fmt::format("peak {} in {}", shown(s, peak->second), peak->first);
      break;
    }
    case model::ShapeKind::kFallFromPeak: {
      const auto at = value_in(sim, t.year);
      double peak = 0.0;
      int peak_year = 0;
      for (const auto& [y, v] : sim) {
        if (y <= t.year && (peak_year == 0 || v > peak)) {
          peak = v;
          peak_year = y;
        }
      }
      if (!at || peak <= 0.0) {
        out.measured = fmt::format("no value for {}", t.year);
        break;
      }
      const double fall = 1.0 - *at / peak;
      out.pass = fall >= t.min && fall <= t.max;
      out.measured = fmt::format("{} in {} is {} below the {} peak of {}", shown(s, *at), t.year, percent(fall), peak_year,
                                 shown(s, peak));
      break;
    }
    case model::ShapeKind::kEachYear:
    case model::ShapeKind::kLowest: {
      std::vector<std::pair<int, double>> window;
      for (const auto& p : sim) {
        if (p.first >= t.from_year && p.first <= t.to_year) window.push_back(p);
      }
      if (window.empty()) {
        out.measured = fmt::format("no simulated year in {}–{}", t.from_year, t.to_year);
        break;
      }
      const auto low = std::min_element(window.begin(), window.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
      const auto high = std::max_element(window.begin(), window.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
      if (t.kind == model::ShapeKind::kLowest) {
        out.pass = low->second >= t.min && low->second <= t.max;
        out.measured = fmt::format("lowest {} in {}", shown(s, low->second), low->first);
      } else {
        out.pass = low->second >= t.min && high->second <= t.max;
        out.measured = fmt::format("{} ({}) to {} ({})", shown(s, low->second), low->first, shown(s, high->second),
                                   high->first);
      }
      break;
    }
    default:
      break;
  }
  return out;
}

TargetResult check_firm_target(const model::ShapeTarget& t, const model::Scenario& scenario, const sim::PathResult& path) {
  TargetResult out{t, false, ""};
  const std::size_t n = scenario.firms.size();
  // Each firm's first month in default, its debt the month before, and its peak and lowest
  // later economic equity.
  std::vector<std::optional<core::Month>> default_month(n);
  std::vector<double> debt_before(n, 0.0);
  std::vector<double> last_debt(n, 0.0);
  std::vector<double> peak(n, -1e300);
  std::vector<double> worst_fall(n, 0.0);
  for (const model::FirmMonth& r : path.firms) {
    const std::size_t f = r.firm;
    if (f >= n) continue;
    if (r.status == model::FirmStatus::kDefaulted) {
      if (!default_month[f]) {
        default_month[f] = r.month;
        debt_before[f] = last_debt[f];
      }
      continue;
    }
    last_debt[f] = r.debt_usd_bn;
    peak[f] = std::max(peak[f], r.equity_economic_usd_bn);
    if (peak[f] > 0.0) worst_fall[f] = std::max(worst_fall[f], 1.0 - r.equity_economic_usd_bn / peak[f]);
  }
  std::vector<std::size_t> firms;
  for (std::size_t f = 0; f < n; ++f) {
    if (selected(t, scenario.firms[f])) firms.push_back(f);
  }
  if (firms.empty()) {
    out.measured = "no firm matches the selection";
    return out;
  }
  if (t.kind == model::ShapeKind::kDefaults) {
    int in_window = 0;
    double claims = 0.0;
    double written_off = 0.0;
    std::string who;
    for (const std::size_t f : firms) {
      const auto& m = default_month[f];
      if (m && m->year() >= t.from_year && m->year() <= t.to_year) ++in_window;
      who += fmt::format("{}{} {}", who.empty() ? "" : ", ", scenario.firms[f].id, m ? m->str() : "none");
      if (!m) continue;
      claims += debt_before[f];
      for (const model::Event& e : path.events) {
        if (e.kind == model::EventKind::kCreditorLoss && e.counterparty == scenario.firms[f].id) written_off += e.value;
      }
    }
    const bool all_default = in_window == static_cast<int>(firms.size());
    const double recovery = claims > 0.0 ? std::clamp(1.0 - written_off / claims, 0.0, 1.0) : 1.0;
    out.pass = all_default && recovery <= t.max_recovery;
    out.measured = fmt::format("{} of {} default in {}–{} ({}); creditors recover {}", in_window, firms.size(), t.from_year,
                               t.to_year, who, percent(recovery));
  } else {
    bool any_default = false;
    double smallest_fall = 1.0;
    std::string who;
    for (const std::size_t f : firms) {
      any_default = any_default || default_month[f].has_value();
      smallest_fall = std::min(smallest_fall, worst_fall[f]);
      who += fmt::format("{}{} −{}{}", who.empty() ? "" : ", ", scenario.firms[f].id, percent(worst_fall[f]),
                         default_month[f] ? " (defaulted " + default_month[f]->str() + ")" : "");
    }
    out.pass = !any_default && smallest_fall >= t.min;
    out.measured = fmt::format("equity at economic value from its peak: {}", who);
  }
  return out;
}

}  // namespace

namespace {

/// Calendar years of (month, value) pairs in month order, by `aggregate`, then as changes
/// and scaled (see yearly_series).
std::vector<std::pair<int, double>> yearly_of(const std::map<int, std::vector<double>>& by_year, model::YearAggregate aggregate,
                                              bool change, double scale);

}  // namespace

std::vector<std::pair<int, double>> yearly_series(const std::vector<model::MonthRecord>& months, const model::Column& column,
                                                  model::YearAggregate aggregate, bool change, double scale) {
  std::map<int, std::vector<double>> by_year;
  for (const model::MonthRecord& r : months) by_year[r.month.year()].push_back(r.*column.field);
  return yearly_of(by_year, aggregate, change, scale);
}

std::vector<std::pair<int, double>> firm_yearly_series(const std::vector<model::FirmMonth>& firms, std::size_t firm,
                                                       std::string_view column, model::YearAggregate aggregate, bool change,
                                                       double scale) {
  const model::FirmColumn* col = nullptr;
  for (const model::FirmColumn& c : model::kFirmColumns) {
    if (c.name == column) col = &c;
  }
  std::map<int, std::vector<double>> by_year;
  if (col == nullptr) return {};
  for (const model::FirmMonth& r : firms) {
    if (r.firm == firm) by_year[r.month.year()].push_back(r.*(col->field));
  }
  return yearly_of(by_year, aggregate, change, scale);
}

namespace {

std::vector<std::pair<int, double>> yearly_of(const std::map<int, std::vector<double>>& by_year, model::YearAggregate aggregate,
                                              bool change, double scale) {
  std::vector<std::pair<int, double>> levels;
  for (const auto& [year, values] : by_year) {
    double v = 0.0;
    switch (aggregate) {
      case model::YearAggregate::kSum:
        for (const double x : values) v += x;
        break;
      case model::YearAggregate::kMean:
        for (const double x : values) v += x;
        v /= static_cast<double>(values.size());
        break;
      case model::YearAggregate::kEnd:
        v = values.back();
        break;
      case model::YearAggregate::kMin:
        v = *std::min_element(values.begin(), values.end());
        break;
      case model::YearAggregate::kMax:
        v = *std::max_element(values.begin(), values.end());
        break;
    }
    levels.emplace_back(year, v);
  }
  std::vector<std::pair<int, double>> out;
  if (!change) {
    for (const auto& [year, v] : levels) out.emplace_back(year, v * scale);
    return out;
  }
  for (std::size_t i = 1; i < levels.size(); ++i) {
    if (levels[i - 1].first == levels[i].first - 1 && levels[i - 1].second != 0.0) {
      out.emplace_back(levels[i].first, (levels[i].second / levels[i - 1].second - 1.0) * scale);
    }
  }
  return out;
}

}  // namespace

std::optional<double> mean_abs_log_error(const std::vector<std::pair<double, double>>& simulated_observed, bool change) {
  double sum = 0.0;
  int count = 0;
  for (const auto& [s, o] : simulated_observed) {
    const double a = change ? 1.0 + s : s;
    const double b = change ? 1.0 + o : o;
    if (!(a > 0.0) || !(b > 0.0)) continue;
    sum += std::fabs(std::log(a) - std::log(b));
    ++count;
  }
  if (count == 0) return std::nullopt;
  return sum / count;
}

std::optional<bool> HistoryRow::within_range() const {
  if (!simulated || !observed.low || !observed.high) return std::nullopt;
  return *simulated >= *observed.low && *simulated <= *observed.high;
}

bool HistoryReport::all_targets_pass() const {
  return std::all_of(targets.begin(), targets.end(), [](const TargetResult& t) { return t.pass; });
}

HistoryReport validate_history(const model::Scenario& scenario, const sim::PathResult& path) {
  HistoryReport report;
  const model::HistoryValidation& v = scenario.validation;
  report.fitted_through = v.fitted_through;
  std::vector<std::vector<std::pair<int, double>>> simulated;
  for (const model::ObservedSeries& s : v.series) {
    if (s.firm) {
      simulated.push_back(firm_yearly_series(path.firms, *s.firm, s.column, s.aggregate, s.change, s.scale));
    } else {
      const model::Column* column = find_column(s.column);
      simulated.push_back(column ? yearly_series(path.months, *column, s.aggregate, s.change, s.scale)
                                 : std::vector<std::pair<int, double>>{});
    }
    SeriesComparison c;
    c.series = s;
    c.series.points.clear();
    std::map<int, HistoryRow> rows;
    if (!path.months.empty()) {
      for (int y = path.months.front().month.year(); y <= path.months.back().month.year(); ++y) rows[y].year = y;
    }
    for (const auto& [year, value] : simulated.back()) rows[year].simulated = value;
    for (const model::ObservedPoint& p : s.points) {
      rows[p.year].year = p.year;
      rows[p.year].observed = p;
    }
    std::vector<std::pair<double, double>> all;
    std::vector<std::pair<double, double>> in_sample;
    std::vector<std::pair<double, double>> out_of_sample;
    for (auto& [year, row] : rows) {
      if (row.simulated && row.observed.value) {
        ++c.years_compared;
        all.emplace_back(*row.simulated, *row.observed.value);
        (v.fitted_through > 0 && year <= v.fitted_through ? in_sample : out_of_sample)
            .emplace_back(*row.simulated, *row.observed.value);
      }
      if (const auto in_range = row.within_range()) {
        ++c.years_ranged;
        c.years_in_range += *in_range;
      }
      c.rows.push_back(row);
    }
    c.error_all = mean_abs_log_error(all, s.change);
    c.error_in_sample = mean_abs_log_error(in_sample, s.change);
    c.error_out_of_sample = mean_abs_log_error(out_of_sample, s.change);
    report.series.push_back(std::move(c));
  }
  for (const model::ShapeTarget& t : v.targets) {
    if (t.kind == model::ShapeKind::kDefaults || t.kind == model::ShapeKind::kValueLoss) {
      report.targets.push_back(check_firm_target(t, scenario, path));
    } else if (t.series < v.series.size()) {
      report.targets.push_back(check_series_target(t, v.series[t.series], simulated[t.series]));
    } else {
      continue;
    }
    // The first year a target looks at: `year` for a fall from the peak (which also looks at
    // the years before it), else `from`; a value loss spans the whole run.
    const int first = t.kind == model::ShapeKind::kFallFromPeak ? t.year : t.kind == model::ShapeKind::kValueLoss ? 0 : t.from_year;
    report.targets.back().out_of_sample = v.fitted_through > 0 && first > v.fitted_through;
  }
  return report;
}

}  // namespace bsim::analysis
