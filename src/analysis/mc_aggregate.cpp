#include "analysis/mc_aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <stdexcept>

#include <fmt/format.h>

#include "core/bytes.h"
#include "model/contracts.h"
#include "model/events.h"
#include "sim/run_path.h"

namespace bsim::analysis {
namespace {

// Version 3 added the per-condition bust counts; an aggregate of version 2 is refused.
constexpr std::string_view kMagic = "BSIMAGG3";

std::vector<std::string> holder_class_names() {
  std::vector<std::string> names;
  for (std::size_t c = 0; c < model::kHolderClassCount; ++c) {
    const auto cls = static_cast<model::HolderClass>(c);
    if (cls != model::HolderClass::kFirm) names.emplace_back(model::holder_class_name(cls));
  }
  names.emplace_back("firms");
  return names;
}

// The per-path figures of a verdict, in path_figure_names() order.
std::vector<double> figures_of(const PathVerdict& v) {
  return {v.capital_destroyed_usd_bn,
          v.accelerator_writedown_usd_bn,
          v.claims_written_off_usd_bn,
          v.equity_wiped_out_usd_bn,
          static_cast<double>(v.defaults),
          v.peak_ai_equity_value_usd_bn,
          v.max_equity_drawdown,
          v.end_spot_price_usd_per_h100e_hour,
          v.legacy_power_gw,
          v.legacy_datacenter_gw};
}

using core::get_f64;
using core::get_u64;
using core::put_f64;
using core::put_u64;

}  // namespace

const std::vector<std::string>& path_figure_names() {
  static const std::vector<std::string> names = {
      "capital_destroyed_usd_bn",  "accelerator_writedown_usd_bn", "claims_written_off_usd_bn",
      "equity_wiped_out_usd_bn",   "defaults",                     "peak_ai_equity_value_usd_bn",
      "max_equity_drawdown",       "end_spot_price_usd_per_h100e_hour", "legacy_power_gw",
      "legacy_datacenter_gw"};
  return names;
}

void PathCheckTotals::merge(const PathCheckTotals& other) {
  paths += other.paths;
  months += other.months;
  values += other.values;
  worst_residual_share = std::max(worst_residual_share, other.worst_residual_share);
}

void check_month_record(const model::MonthRecord& r, double tolerance_usd_bn, PathCheckTotals& totals) {
  ++totals.months;
  for (const model::Column& c : model::kColumns) {
    const double x = r.*c.field;
    if (!std::isfinite(x)) {
      throw std::runtime_error(fmt::format("check-paths: {} is {} in {}", c.name, x, r.month.str()));
    }
  }
  totals.values += model::kColumns.size();
  const double share = r.sfc_max_residual_usd_bn / tolerance_usd_bn;
  if (!(share <= 1.0)) {
    throw std::runtime_error(fmt::format("check-paths: stock-flow residual {:.3g} USD bn in {} exceeds the tolerance {:g}",
                                         r.sfc_max_residual_usd_bn, r.month.str(), tolerance_usd_bn));
  }
  totals.worst_residual_share = std::max(totals.worst_residual_share, share);
}

PathOutcome evaluate_path(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed, PathChecks checks) {
  PathOutcome out;
  PathVerdict& v = out.verdict;
  v.path_id = path_id;
  try {
    model::NullEventSink events;
    sim::PathRunner runner(scenario, path_id, seed);
    out.months.reserve(static_cast<std::size_t>(std::max(0, scenario.time.months())));
    while (!runner.done()) {
      runner.step(events);
      out.months.push_back(sim::record_month(scenario, runner.world()));
      if (checks == PathChecks::kOutputs) {
        check_month_record(out.months.back(), sim::stock_flow_tolerance(runner.world().ledger.largest_stock()), out.checks);
      }
    }
    if (checks == PathChecks::kOutputs) out.checks.paths = 1;
    const std::vector<model::MonthRecord>& m = out.months;
    v.bust = find_bust(m, scenario.verdict);
    const LegacyLedger legacy = legacy_ledger(m, sim::legacy_state(scenario, runner.world()), v.bust, scenario.verdict);
    v.defaults = m.empty() ? 0 : static_cast<int>(m.back().defaults_count);
    v.claims_written_off_usd_bn = legacy.debts_written_off_usd_bn;
    v.equity_wiped_out_usd_bn = legacy.equity_wiped_out_usd_bn;
    v.accelerator_writedown_usd_bn = legacy.accelerator_writedown_usd_bn;
    v.capital_destroyed_usd_bn = legacy.capital_destroyed_usd_bn();
    double peak = 0.0;
    for (const model::MonthRecord& r : m) {
      peak = std::max(peak, r.ai_equity_value_usd_bn);
      if (peak > 0.0) v.max_equity_drawdown = std::max(v.max_equity_drawdown, 1.0 - r.ai_equity_value_usd_bn / peak);
    }
    v.peak_ai_equity_value_usd_bn = peak;
    v.end_spot_price_usd_per_h100e_hour = legacy.end_price_usd_per_h100e_hour;
    v.legacy_power_gw = legacy.left.power_gw_added;
    v.legacy_datacenter_gw = legacy.left.datacenter_gw_added;
    v.losses_by_holder = sim::holder_losses(scenario, runner.world()).by_class;
  } catch (const std::exception& e) {
    out.months.clear();
    out.checks.paths = 0;
    v = PathVerdict{};
    v.path_id = path_id;
    v.error = e.what();
  }
  return out;
}

McAggregate::McAggregate(const model::Scenario& scenario, double relative_accuracy,
                         const std::vector<UncertainParameter>& parameters)
    : accuracy_(relative_accuracy), months_(std::max(0, scenario.time.months())), start_(scenario.time.start) {
  for (const UncertainParameter& p : parameters) {
    std::vector<double> edges;
    for (std::size_t b = 1; b < kDriverBins; ++b) edges.push_back(p.distribution.quantile(static_cast<double>(b) / kDriverBins));
    driver_edges_.push_back(std::move(edges));
  }
  driver_paths_.assign(driver_edges_.size() * kDriverBins, 0);
  driver_busts_.assign(driver_edges_.size() * kDriverBins, 0);
  driver_capital_.assign(driver_edges_.size() * kDriverBins, ExactSum());
  bust_months_.assign(static_cast<std::size_t>(months_), 0);
  for (auto& m : condition_bust_months_) m.assign(static_cast<std::size_t>(months_), 0);
  for (auto& d : driver_condition_busts_) d.assign(driver_edges_.size() * kDriverBins, 0);
  const std::size_t cells = model::kColumns.size() * static_cast<std::size_t>(months_);
  fans_.assign(cells, QuantileSketch(accuracy_));
  fan_sums_.assign(cells, ExactSum());
  figures_.assign(path_figure_names().size(), QuantileSketch(accuracy_));
  figure_sums_.assign(path_figure_names().size(), ExactSum());
  holder_names_ = holder_class_names();
  holder_losses_.assign(holder_names_.size(), QuantileSketch(accuracy_));
  holder_sums_.assign(holder_names_.size(), ExactSum());
}

void McAggregate::clear() {
  paths_ = failed_ = busts_ = by_equity_ = by_capex_ = by_writeoffs_ = with_defaults_ = 0;
  std::fill(bust_months_.begin(), bust_months_.end(), 0);
  condition_busts_.fill(0);
  for (auto& m : condition_bust_months_) std::fill(m.begin(), m.end(), 0);
  for (auto& d : driver_condition_busts_) std::fill(d.begin(), d.end(), 0);
  for (auto& s : fans_) s = QuantileSketch(accuracy_);
  for (auto& s : fan_sums_) s = ExactSum();
  for (auto& s : figures_) s = QuantileSketch(accuracy_);
  for (auto& s : figure_sums_) s = ExactSum();
  for (auto& s : holder_losses_) s = QuantileSketch(accuracy_);
  for (auto& s : holder_sums_) s = ExactSum();
  std::fill(driver_paths_.begin(), driver_paths_.end(), 0);
  std::fill(driver_busts_.begin(), driver_busts_.end(), 0);
  for (auto& s : driver_capital_) s = ExactSum();
}

void McAggregate::add(const PathVerdict& v, const std::vector<model::MonthRecord>& months) {
  if (v.error) {
    ++failed_;
    return;
  }
  if (static_cast<int>(months.size()) != months_) {
    throw std::invalid_argument("McAggregate::add: a path of " + std::to_string(months.size()) + " months, expected " +
                                std::to_string(months_));
  }
  ++paths_;
  if (v.bust.occurred) {
    ++busts_;
    if (v.bust.by_equity_drawdown) ++by_equity_;
    if (v.bust.by_capex_drop) ++by_capex_;
    if (v.bust.by_writeoffs) ++by_writeoffs_;
    const int index = v.bust.month - start_;
    if (index >= 0 && index < months_) ++bust_months_[static_cast<std::size_t>(index)];
  }
  for (std::size_t c = 0; c < kBustConditionCount; ++c) {
    if (!v.bust.condition_month[c]) continue;
    ++condition_busts_[c];
    const int index = *v.bust.condition_month[c] - start_;
    if (index >= 0 && index < months_) ++condition_bust_months_[c][static_cast<std::size_t>(index)];
  }
  if (v.defaults > 0) ++with_defaults_;
  for (std::size_t c = 0; c < model::kColumns.size(); ++c) {
    const auto field = model::kColumns[c].field;
    const std::size_t base = c * static_cast<std::size_t>(months_);
    for (std::size_t t = 0; t < months.size(); ++t) {
      const double x = months[t].*field;
      fans_[base + t].add(x);
      fan_sums_[base + t].add(x);
    }
  }
  const std::vector<double> figures = figures_of(v);
  for (std::size_t i = 0; i < figures.size(); ++i) {
    figures_[i].add(figures[i]);
    figure_sums_[i].add(figures[i]);
  }
  if (!driver_edges_.empty()) {
    if (v.parameters.size() != driver_edges_.size()) {
      throw std::invalid_argument("McAggregate::add: a path with " + std::to_string(v.parameters.size()) +
                                  " drawn values, expected " + std::to_string(driver_edges_.size()));
    }
    for (std::size_t p = 0; p < driver_edges_.size(); ++p) {
      // The bin: how many of the fifths' edges the value lies above (ties go down, so a
      // discrete distribution's atoms fall in one bin).
      const auto& edges = driver_edges_[p];
      const auto bin = static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), v.parameters[p]) - edges.begin());
      ++driver_paths_[p * kDriverBins + bin];
      if (v.bust.occurred) ++driver_busts_[p * kDriverBins + bin];
      for (std::size_t c = 0; c < kBustConditionCount; ++c) {
        if (v.bust.condition_month[c]) ++driver_condition_busts_[c][p * kDriverBins + bin];
      }
      driver_capital_[p * kDriverBins + bin].add(v.capital_destroyed_usd_bn);
    }
  }
  for (const auto& [name, loss] : v.losses_by_holder) {
    const auto it = std::find(holder_names_.begin(), holder_names_.end(), name);
    if (it == holder_names_.end()) throw std::invalid_argument("McAggregate::add: unknown holder type '" + name + "'");
    const auto i = static_cast<std::size_t>(it - holder_names_.begin());
    holder_losses_[i].add(loss);
    holder_sums_[i].add(loss);
  }
}

void McAggregate::merge(const McAggregate& o) {
  if (o.months_ != months_ || o.start_ != start_ || o.accuracy_ != accuracy_ || o.holder_names_ != holder_names_ ||
      o.driver_edges_ != driver_edges_) {
    throw std::invalid_argument("McAggregate::merge: aggregates of different shape");
  }
  paths_ += o.paths_;
  failed_ += o.failed_;
  busts_ += o.busts_;
  by_equity_ += o.by_equity_;
  by_capex_ += o.by_capex_;
  by_writeoffs_ += o.by_writeoffs_;
  with_defaults_ += o.with_defaults_;
  for (std::size_t i = 0; i < bust_months_.size(); ++i) bust_months_[i] += o.bust_months_[i];
  for (std::size_t c = 0; c < kBustConditionCount; ++c) {
    condition_busts_[c] += o.condition_busts_[c];
    for (std::size_t i = 0; i < condition_bust_months_[c].size(); ++i) {
      condition_bust_months_[c][i] += o.condition_bust_months_[c][i];
    }
    for (std::size_t i = 0; i < driver_condition_busts_[c].size(); ++i) {
      driver_condition_busts_[c][i] += o.driver_condition_busts_[c][i];
    }
  }
  for (std::size_t i = 0; i < fans_.size(); ++i) {
    fans_[i].merge(o.fans_[i]);
    fan_sums_[i].merge(o.fan_sums_[i]);
  }
  for (std::size_t i = 0; i < figures_.size(); ++i) {
    figures_[i].merge(o.figures_[i]);
    figure_sums_[i].merge(o.figure_sums_[i]);
  }
  for (std::size_t i = 0; i < holder_losses_.size(); ++i) {
    holder_losses_[i].merge(o.holder_losses_[i]);
    holder_sums_[i].merge(o.holder_sums_[i]);
  }
  for (std::size_t i = 0; i < driver_paths_.size(); ++i) {
    driver_paths_[i] += o.driver_paths_[i];
    driver_busts_[i] += o.driver_busts_[i];
    driver_capital_[i].merge(o.driver_capital_[i]);
  }
}

const QuantileSketch& McAggregate::fan(std::size_t column, int month) const {
  if (column >= model::kColumns.size() || month < 0 || month >= months_) throw std::out_of_range("McAggregate::fan");
  return fans_[column * static_cast<std::size_t>(months_) + static_cast<std::size_t>(month)];
}

const ExactSum& McAggregate::fan_sum(std::size_t column, int month) const {
  if (column >= model::kColumns.size() || month < 0 || month >= months_) throw std::out_of_range("McAggregate::fan_sum");
  return fan_sums_[column * static_cast<std::size_t>(months_) + static_cast<std::size_t>(month)];
}

std::size_t McAggregate::column_index(std::string_view name) {
  for (std::size_t c = 0; c < model::kColumns.size(); ++c) {
    if (model::kColumns[c].name == name) return c;
  }
  throw std::invalid_argument("no timeseries column '" + std::string(name) + "'");
}

std::string McAggregate::serialize() const {
  std::string out(kMagic);
  put_f64(out, accuracy_);
  put_u64(out, static_cast<std::uint64_t>(months_));
  put_u64(out, static_cast<std::uint64_t>(start_.index()));
  put_u64(out, model::kColumns.size());
  put_u64(out, figures_.size());
  put_u64(out, holder_names_.size());
  put_u64(out, driver_edges_.size());
  for (const auto& edges : driver_edges_) {
    for (const double e : edges) put_f64(out, e);
  }
  for (const std::uint64_t x : {paths_, failed_, busts_, by_equity_, by_capex_, by_writeoffs_, with_defaults_}) put_u64(out, x);
  for (const std::uint64_t x : bust_months_) put_u64(out, x);
  for (std::size_t i = 0; i < fans_.size(); ++i) {
    fans_[i].serialize(out);
    fan_sums_[i].serialize(out);
  }
  for (std::size_t i = 0; i < figures_.size(); ++i) {
    figures_[i].serialize(out);
    figure_sums_[i].serialize(out);
  }
  for (std::size_t i = 0; i < holder_losses_.size(); ++i) {
    holder_losses_[i].serialize(out);
    holder_sums_[i].serialize(out);
  }
  for (std::size_t i = 0; i < driver_paths_.size(); ++i) {
    put_u64(out, driver_paths_[i]);
    put_u64(out, driver_busts_[i]);
    driver_capital_[i].serialize(out);
  }
  for (std::size_t c = 0; c < kBustConditionCount; ++c) {
    put_u64(out, condition_busts_[c]);
    for (const std::uint64_t x : condition_bust_months_[c]) put_u64(out, x);
    for (const std::uint64_t x : driver_condition_busts_[c]) put_u64(out, x);
  }
  return out;
}

void McAggregate::deserialize(std::string_view in) {
  if (in.substr(0, kMagic.size()) != kMagic) throw std::invalid_argument("Monte Carlo aggregate: not an aggregate (bad magic)");
  in.remove_prefix(kMagic.size());
  const double accuracy = get_f64(in);
  const auto months = get_u64(in);
  const auto start = get_u64(in);
  const auto columns = get_u64(in);
  const auto figures = get_u64(in);
  const auto holders = get_u64(in);
  const auto drivers = get_u64(in);
  bool same_edges = drivers == driver_edges_.size();
  for (std::size_t p = 0; same_edges && p < driver_edges_.size(); ++p) {
    for (const double e : driver_edges_[p]) same_edges = same_edges && get_f64(in) == e;
  }
  if (!same_edges || accuracy != accuracy_ || months != static_cast<std::uint64_t>(months_) ||
      start != static_cast<std::uint64_t>(start_.index()) || columns != model::kColumns.size() ||
      figures != figures_.size() || holders != holder_names_.size()) {
    throw std::invalid_argument("Monte Carlo aggregate: saved for a different horizon, version or accuracy");
  }
  McAggregate copy = *this;
  for (std::uint64_t* x : {&copy.paths_, &copy.failed_, &copy.busts_, &copy.by_equity_, &copy.by_capex_, &copy.by_writeoffs_,
                           &copy.with_defaults_}) {
    *x = get_u64(in);
  }
  for (auto& x : copy.bust_months_) x = get_u64(in);
  for (std::size_t i = 0; i < copy.fans_.size(); ++i) {
    copy.fans_[i] = QuantileSketch::deserialize(in);
    copy.fan_sums_[i] = ExactSum::deserialize(in);
  }
  for (std::size_t i = 0; i < copy.figures_.size(); ++i) {
    copy.figures_[i] = QuantileSketch::deserialize(in);
    copy.figure_sums_[i] = ExactSum::deserialize(in);
  }
  for (std::size_t i = 0; i < copy.holder_losses_.size(); ++i) {
    copy.holder_losses_[i] = QuantileSketch::deserialize(in);
    copy.holder_sums_[i] = ExactSum::deserialize(in);
  }
  for (std::size_t i = 0; i < copy.driver_paths_.size(); ++i) {
    copy.driver_paths_[i] = get_u64(in);
    copy.driver_busts_[i] = get_u64(in);
    copy.driver_capital_[i] = ExactSum::deserialize(in);
  }
  for (std::size_t c = 0; c < kBustConditionCount; ++c) {
    copy.condition_busts_[c] = get_u64(in);
    for (auto& x : copy.condition_bust_months_[c]) x = get_u64(in);
    for (auto& x : copy.driver_condition_busts_[c]) x = get_u64(in);
  }
  if (!in.empty()) throw std::invalid_argument("Monte Carlo aggregate: trailing bytes");
  *this = std::move(copy);
}

bool operator==(const McAggregate& a, const McAggregate& b) { return a.serialize() == b.serialize(); }

}  // namespace bsim::analysis
