#include "analysis/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace bsim::analysis {
namespace {

const model::Column& column_named(std::string_view name) {
  for (const model::Column& c : model::kColumns) {
    if (c.name == name) return c;
  }
  return model::kColumns.front();
}

std::string compact(double x) {
  const double a = std::fabs(x);
  if (a >= 1e12) return fmt::format("{:.3g}T", x / 1e12);
  if (a >= 1e9) return fmt::format("{:.3g}bn", x / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", x / 1e6);
  if (a >= 1e3) return fmt::format("{:.3g}k", x / 1e3);
  return fmt::format("{:.3g}", x);
}

}  // namespace

const std::vector<std::string>& key_figure_columns() {
  static const std::vector<std::string> columns = {
      "efficiency_index", "demand_h100e", "installed_h100e", "operable_h100e", "idle_no_power_h100e", "utilization",
      "spot_price_usd_per_h100e_hour", "service_price_usd_per_unit", "ai_revenue_usd_bn", "capex_usd_bn", "power_gw",
      "production_cap_h100e_per_month", "accelerators_value_usd_bn", "stranded_h100e", "revenue_gap_usd_bn",
      "sentiment_index", "ai_equity_value_usd_bn", "credit_tightness"};
  return columns;
}

Trajectory trajectory(const std::vector<model::MonthRecord>& months, const model::Column& column) {
  Trajectory t;
  t.column = std::string(column.name);
  t.start = months.front().*column.field;
  t.end = months.back().*column.field;
  std::size_t peak = 0;
  for (std::size_t i = 1; i < months.size(); ++i) {
    if (months[i].*column.field > months[peak].*column.field) peak = i;
  }
  std::size_t trough = peak;
  for (std::size_t i = peak; i < months.size(); ++i) {
    if (months[i].*column.field < months[trough].*column.field) trough = i;
  }
  t.peak = months[peak].*column.field;
  t.peak_month = months[peak].month;
  t.trough = months[trough].*column.field;
  t.trough_month = months[trough].month;
  return t;
}

std::string_view bust_condition_name(std::size_t condition) {
  static constexpr std::array<std::string_view, kBustConditionCount> kNames = {"equity_drawdown", "capex_drop", "writeoffs"};
  return kNames.at(condition);
}

std::string bust_rule_text(const model::VerdictParams& v) {
  std::vector<std::string> parts;
  if (v.equity_drawdown > 0.0) parts.push_back(fmt::format("AI equity value ≥ {:g}% below its peak", 100 * v.equity_drawdown));
  if (v.capex_drop > 0.0) parts.push_back(fmt::format("trailing-12-month capex ≥ {:g}% below its peak", 100 * v.capex_drop));
  if (v.writeoffs_usd_bn > 0.0) parts.push_back(fmt::format("claims written off in defaults ≥ USD {:g}bn", v.writeoffs_usd_bn));
  if (parts.empty()) return "none (every condition disabled)";
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : ", or ") + parts[i];
  if (v.persist_months > 1) out += fmt::format(", each held for {} consecutive months", v.persist_months);
  return out;
}

Bust find_bust(const std::vector<model::MonthRecord>& m, const model::VerdictParams& v) {
  Bust bust;
  const int persist = std::max(1, v.persist_months);
  double value_peak = 0.0;
  double capex_window = 0.0;
  double capex_peak = 0.0;
  double written_off = 0.0;
  // Consecutive months each condition has held, up to the current one.
  std::array<int, kBustConditionCount> held_for{};
  constexpr std::size_t kWindow = 12;
  constexpr auto kEquity = static_cast<std::size_t>(BustCondition::kEquityDrawdown);
  constexpr auto kCapex = static_cast<std::size_t>(BustCondition::kCapexDrop);
  constexpr auto kWriteoffs = static_cast<std::size_t>(BustCondition::kWriteoffs);
  // The whole path is read, not just up to the bust: each condition's own first month is wanted.
  for (std::size_t i = 0; i < m.size(); ++i) {
    const model::MonthRecord& r = m[i];
    value_peak = std::max(value_peak, r.ai_equity_value_usd_bn);
    capex_window += r.capex_usd_bn - (i >= kWindow ? m[i - kWindow].capex_usd_bn : 0.0);
    const bool full_window = i + 1 >= kWindow;
    if (full_window) capex_peak = std::max(capex_peak, capex_window);
    written_off += r.debt_losses_usd_bn;

    std::array<bool, kBustConditionCount> holds{};
    holds[kEquity] = v.equity_drawdown > 0.0 && value_peak > 0.0 &&
                     r.ai_equity_value_usd_bn <= (1.0 - v.equity_drawdown) * value_peak;
    holds[kCapex] = v.capex_drop > 0.0 && full_window && capex_peak > 0.0 && capex_window <= (1.0 - v.capex_drop) * capex_peak;
    holds[kWriteoffs] = v.writeoffs_usd_bn > 0.0 && written_off >= v.writeoffs_usd_bn;
    std::array<bool, kBustConditionCount> counts{};
    for (std::size_t c = 0; c < kBustConditionCount; ++c) {
      held_for[c] = holds[c] ? held_for[c] + 1 : 0;
      counts[c] = held_for[c] >= persist;
      if (counts[c] && !bust.condition_month[c]) bust.condition_month[c] = r.month;
    }
    if (bust.occurred || !(counts[kEquity] || counts[kCapex] || counts[kWriteoffs])) continue;

    // The first month any condition counts: the overall verdict. A condition counting now
    // started its run of `persist` months exactly `persist` − 1 months ago (had it held longer,
    // it would have counted a month earlier), so its own first month is this one too.
    const std::string running = persist > 1 ? fmt::format(", {} months running", persist) : std::string();
    std::vector<std::string> held;
    if (counts[kEquity]) {
      held.push_back(fmt::format("AI equity value {:.0f}% below its peak{}", 100 * (1.0 - r.ai_equity_value_usd_bn / value_peak),
                                 running));
      bust.by_equity_drawdown = true;
    }
    if (counts[kCapex]) {
      held.push_back(fmt::format("trailing-12-month capex {:.0f}% below its peak{}", 100 * (1.0 - capex_window / capex_peak),
                                 running));
      bust.by_capex_drop = true;
    }
    if (counts[kWriteoffs]) {
      held.push_back(fmt::format("USD {:.1f}bn of claims written off in defaults{}", written_off, running));
      bust.by_writeoffs = true;
    }
    bust.occurred = true;
    bust.month = r.month;
    for (std::size_t k = 0; k < held.size(); ++k) bust.trigger += (k == 0 ? "" : "; ") + held[k];
  }
  return bust;
}

LegacyLedger legacy_ledger(const std::vector<model::MonthRecord>& m, const sim::LegacyState& left, const Bust& bust,
                           const model::VerdictParams& verdict) {
  LegacyLedger legacy;
  legacy.left = left;
  if (m.empty()) return legacy;
  legacy.end_price_usd_per_h100e_hour = m.back().spot_price_usd_per_h100e_hour;
  if (bust.occurred) {
    double sum = 0.0;
    int n = 0;
    for (const model::MonthRecord& r : m) {
      if (r.month >= bust.month && r.month - bust.month < verdict.post_bust_months) {
        sum += r.spot_price_usd_per_h100e_hour;
        ++n;
      }
    }
    legacy.post_bust_price_usd_per_h100e_hour = sum / n;
  }
  legacy.accelerator_writedown_month = m.front().month;
  for (const model::MonthRecord& r : m) {
    const double gap = r.accelerators_book_usd_bn - r.accelerators_value_usd_bn;
    if (gap > legacy.accelerator_writedown_usd_bn) {
      legacy.accelerator_writedown_usd_bn = gap;
      legacy.accelerator_writedown_month = r.month;
    }
    legacy.debts_written_off_usd_bn += r.debt_losses_usd_bn;
    legacy.equity_wiped_out_usd_bn += r.equity_losses_usd_bn;
  }
  return legacy;
}

PathSummary summarise(const sim::PathResult& path, const model::Scenario& scenario) {
  PathSummary s;
  const auto& m = path.months;
  const double scarcity_price_cap = scenario.market.scarcity_price_cap;
  const std::string& unit = scenario.capacity_unit_name;
  s.bust_rule = bust_rule_text(scenario.verdict);
  if (m.empty()) return s;
  s.bust = find_bust(m, scenario.verdict);
  s.legacy = legacy_ledger(m, path.legacy, s.bust, scenario.verdict);
  for (const std::string& name : key_figure_columns()) s.key_figures.push_back(trajectory(m, column_named(name)));

  s.defaults = static_cast<int>(m.back().defaults_count);
  for (const model::MonthRecord& r : m) {
    s.cumulative_capex_usd_bn += r.capex_usd_bn;
    s.cumulative_ai_revenue_usd_bn += r.ai_revenue_usd_bn;
    s.cumulative_unmet_h100e_months += r.unmet_demand_h100e;
    if (r.spot_price_usd_per_h100e_hour >= 0.999 * scarcity_price_cap) ++s.months_at_scarcity_cap;
    if (r.utilization < 0.5) ++s.months_utilization_below_half;
    s.lender_losses_usd_bn += r.debt_losses_usd_bn;
    s.shareholder_losses_usd_bn += r.equity_losses_usd_bn;
  }
  s.losses = path.losses;

  for (const model::Event& e : path.events) {
    switch (e.kind) {
      case model::EventKind::kEfficiencyShock:
        s.story.push_back({e.month, fmt::format("scripted shock '{}': the same service now needs 1/{} of the compute "
                                                "(efficiency ×{})", e.subject, compact(e.value), compact(e.value))});
        break;
      case model::EventKind::kTrainingEfficiencyShock:
        s.story.push_back({e.month, fmt::format("scripted shock '{}': training the same model now needs 1/{} of the "
                                                "compute (training efficiency ×{})", e.subject, compact(e.value), compact(e.value))});
        break;
      case model::EventKind::kEfficiencyJump:
        s.story.push_back({e.month, fmt::format("a random algorithmic breakthrough raises efficiency ×{:.2f}", e.value)});
        break;
      case model::EventKind::kForcedDefault:
        s.story.push_back({e.month, fmt::format("{} defaults (scenario switch): its commitments terminate and its lenders "
                                                "write off ${:.1f}bn", e.subject, e.value)});
        break;
      case model::EventKind::kCovenantDefault:
        s.story.push_back({e.month, fmt::format("{} breaches its debt-service covenant and defaults: its lenders write off "
                                                "${:.1f}bn", e.subject, e.value)});
        break;
      case model::EventKind::kMissedPayment:
        s.story.push_back({e.month, fmt::format("{} misses a ${:.1f}bn payment to {}", e.subject, e.value, e.counterparty)});
        break;
      case model::EventKind::kPaymentDefault:
        s.story.push_back({e.month, fmt::format("{} defaults on dues it cannot pay: its creditors write off ${:.1f}bn",
                                                e.subject, e.value)});
        break;
      case model::EventKind::kCovenantBreach:
        s.story.push_back({e.month, fmt::format("{} breaches a covenant of '{}': its interest rate steps up", e.subject,
                                                e.counterparty)});
        break;
      case model::EventKind::kContractTerminated:
        if (e.value > 0.0) {
          s.story.push_back({e.month, fmt::format("'{}' terminates with {}'s default, leaving a ${:.1f}bn claim", e.subject,
                                                  e.counterparty, e.value)});
        } else {
          s.story.push_back({e.month, fmt::format("'{}' terminates with {}'s default", e.subject, e.counterparty)});
        }
        break;
      case model::EventKind::kFireSale:
        s.story.push_back({e.month, fmt::format("{}'s accelerators are sold in a fire sale for ${:.1f}bn", e.subject, e.value)});
        break;
      case model::EventKind::kCreditorLoss:
        if (e.value >= 0.05) {
          s.story.push_back({e.month, fmt::format("{} writes off ${:.1f}bn owed by {}", e.subject, e.value, e.counterparty)});
        }
        break;
      case model::EventKind::kEquityTranche:
        s.story.push_back({e.month, fmt::format("{} invests ${:.1f}bn of equity in {}", e.counterparty, e.value, e.subject)});
        break;
      case model::EventKind::kProjectAbandoned:
        if (e.value >= 1.0) {
          s.story.push_back({e.month, fmt::format("{} abandons shells and power under construction, writing off ${:.1f}bn spent",
                                                  e.subject, e.value)});
        }
        break;
      case model::EventKind::kMissedCall:
        s.story.push_back({e.month, fmt::format("{} misses the ${:.1f}bn call due under '{}'; it lapses",
                                                e.counterparty, e.value, e.subject)});
        break;
      case model::EventKind::kWarrantVested:
        s.story.push_back({e.month, fmt::format("{}'s warrants on {} vest: {:.1f}% of its shares", e.counterparty, e.subject,
                                                100 * e.value)});
        break;
      case model::EventKind::kLeaseEnded:
        if (e.value > 0.0) {
          s.story.push_back({e.month, fmt::format("lease '{}' ends: {} pays ${:.1f}bn under its residual-value guarantee",
                                                  e.subject, e.counterparty, e.value)});
        } else {
          s.story.push_back({e.month, fmt::format("lease '{}' ends", e.subject)});
        }
        break;
      case model::EventKind::kScarcityPricing:
        s.story.push_back({e.month, fmt::format("compute runs short: the spot price hits the ${:.2f} cap and {} {} "
                                                "of demand go unserved", scarcity_price_cap, compact(e.value), unit)});
        break;
    }
  }

  // Regime changes read off the series.
  bool low_utilization = false;
  for (std::size_t i = 1; i < m.size(); ++i) {
    if (!low_utilization && m[i].utilization < 0.5 && m[i - 1].utilization >= 0.5) {
      s.story.push_back({m[i].month, fmt::format("utilization falls below half ({:.0f}%): capacity is idle and the spot "
                                                 "price falls to ${:.2f}", 100 * m[i].utilization,
                                                 m[i].spot_price_usd_per_h100e_hour)});
      low_utilization = true;
    } else if (low_utilization && m[i].utilization >= 0.5) {
      s.story.push_back({m[i].month, fmt::format("utilization recovers above half ({:.0f}%)", 100 * m[i].utilization)});
      low_utilization = false;
    }
  }
  // Power: accelerators delivered that halls cannot run; and demand left unserved.
  bool power_short = false;
  bool unserved = false;
  for (const model::MonthRecord& r : m) {
    const bool short_now = r.installed_h100e > 0.0 && r.idle_no_power_h100e > 0.05 * r.installed_h100e;
    if (short_now && !power_short) {
      s.story.push_back({r.month, fmt::format("power runs short: {} {} ({:.0f}% of the fleet) sit idle without powered "
                                              "halls", compact(r.idle_no_power_h100e), unit,
                                              100 * r.idle_no_power_h100e / r.installed_h100e)});
    } else if (!short_now && power_short) {
      s.story.push_back({r.month, "power catches up: idle accelerators fall below 5% of the fleet"});
    }
    power_short = short_now;
    const bool unserved_now = r.demand_h100e > 0.0 && r.unmet_demand_h100e > 0.02 * r.demand_h100e;
    if (unserved_now && !unserved) {
      s.story.push_back({r.month, fmt::format("demand outruns supply: {} {} go unserved at ${:.2f} an hour",
                                              compact(r.unmet_demand_h100e), unit, r.spot_price_usd_per_h100e_hour)});
    }
    unserved = unserved_now;
  }

  std::size_t worst = 0;
  double worst_fall = 0.0;
  for (std::size_t i = 1; i < m.size(); ++i) {
    if (m[i - 1].demand_h100e <= 0.0) continue;
    const double fall = 1.0 - m[i].demand_h100e / m[i - 1].demand_h100e;
    if (fall > worst_fall) {
      worst_fall = fall;
      worst = i;
    }
  }
  if (worst_fall >= 0.2) {
    s.story.push_back({m[worst].month, fmt::format("compute demand falls {:.0f}% in one month, from {} to {} {}",
                                                   100 * worst_fall, compact(m[worst - 1].demand_h100e),
                                                   compact(m[worst].demand_h100e), unit)});
  }
  const Trajectory capex = trajectory(m, column_named("capex_usd_bn"));
  if (capex.peak > 0.0 && capex.peak_month != m.front().month && capex.peak_month != m.back().month) {
    s.story.push_back({capex.peak_month, fmt::format("capex peaks at ${:.1f}bn a month", capex.peak)});
  }
  std::stable_sort(s.story.begin(), s.story.end(), [](const StoryLine& a, const StoryLine& b) { return a.month < b.month; });
  return s;
}

}  // namespace bsim::analysis
