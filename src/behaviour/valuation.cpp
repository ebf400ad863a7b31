#include "behaviour/valuation.h"

#include <algorithm>
#include <cmath>

namespace bsim::behaviour {
namespace {

constexpr double kMinSpread = 0.01;  ///< floor of (1 + r) − G in the perpetuities

/// The monthly retention of a quantity that halves in `half_life` months.
double retention(double half_life) { return std::exp2(-1.0 / half_life); }

double at(const model::Ledger& l, std::size_t s, model::Asset a) { return l.sheet(s).assets[static_cast<std::size_t>(a)]; }
double owed(const model::Ledger& l, std::size_t s, model::Liability a) { return l.sheet(s).liabilities[static_cast<std::size_t>(a)]; }

/// Operating revenue a firm received this month: AI services, compute, take-or-pay, leases,
/// power, accelerators and construction sold (model::is_operating_revenue).
double revenue_this_month(const model::Ledger& l, std::size_t f) {
  using model::Flow;
  double r = 0.0;
  for (Flow k : {Flow::kServiceRevenue, Flow::kComputeRent, Flow::kTakeOrPay, Flow::kLeaseRent, Flow::kPowerPurchase,
                 Flow::kCapexAccelerators, Flow::kCapexConstruction}) {
    r += l.receipts(k, f);
  }
  return r;
}

/// Running costs a firm paid this month: compute, take-or-pay, lease rent, power and opex.
/// Capex, interest and the core business are not running costs of the AI business.
double running_costs_this_month(const model::Ledger& l, std::size_t f) {
  using model::Flow;
  double c = 0.0;
  for (Flow k : {Flow::kComputeRent, Flow::kTakeOrPay, Flow::kLeaseRent, Flow::kPowerPurchase, Flow::kOperatingCost}) {
    c += l.receipts(k, f) - l.flow(k, f);
  }
  return c;
}

/// V_f = max(0, base_f + Σ share × V_issuer over f's stakes) (0 for a defaulted firm), solved
/// by iteration from `value` (ownership can be circular; shares below 1 make it contract).
/// `value` is the starting point and the result; `held` is scratch of the same size.
void solve_values(const std::vector<double>& base, const std::vector<std::vector<model::Shareholding>>& owners,
                  const std::vector<model::FirmStatus>& status, std::vector<double>& value, std::vector<double>& held) {
  const std::size_t n = base.size();
  for (int sweep = 0; sweep < 200; ++sweep) {
    std::fill(held.begin(), held.end(), 0.0);
    for (std::size_t issuer = 0; issuer < n && issuer < owners.size(); ++issuer) {
      for (const model::Shareholding& h : owners[issuer]) {
        if (h.holder.is_firm()) held[h.holder.firm.index()] += h.share * value[issuer];
      }
    }
    double change = 0.0;
    for (std::size_t f = 0; f < n; ++f) {
      const bool alive = f >= status.size() || status[f] == model::FirmStatus::kActive;
      const double v = alive ? std::max(0.0, base[f] + held[f]) : 0.0;
      change = std::max(change, std::fabs(v - value[f]));
      value[f] = v;
    }
    if (change < 1e-9) break;
  }
}

}  // namespace

double present_value_of_earnings(const model::ValuationParams& p, const EarningsOutlook& o) {
  if (o.revenue_usd_bn_per_year <= 0.0) return 0.0;
  const double g_f = std::log(p.fundamental_growth_per_year);
  const double g_inf = std::log(p.terminal_growth_per_year);
  const double g_max = std::log(p.max_growth_per_year);
  const double fade = std::exp2(-1.0 / p.extrapolation_half_life_years);
  const double converge = std::exp2(-1.0 / p.margin_half_life_years);
  const double growth = 1.0 + o.discount_rate_per_year;
  const int n = std::max(0, p.growth_years);
  double revenue = o.revenue_usd_bn_per_year;
  double margin_gap = o.margin - p.long_run_margin;
  double excess = p.extrapolation_weight * (o.recent_log_growth_per_year - g_f);
  double discount = 1.0;
  double pv = 0.0;
  for (int y = 1; y <= n; ++y) {
    const double base = g_inf + (g_f - g_inf) * (1.0 - static_cast<double>(y - 1) / n);
    revenue *= std::exp(std::clamp(base + excess, -g_max, g_max));
    excess *= fade;
    margin_gap *= converge;
    discount /= growth;
    pv += revenue * (p.long_run_margin + margin_gap) * discount;
  }
  margin_gap *= converge;
  const double terminal_growth = std::exp(g_inf);
  const double terminal = revenue * terminal_growth * (p.long_run_margin + margin_gap) / std::max(kMinSpread, growth - terminal_growth);
  return pv + terminal * discount;
}

double growing_perpetuity(double cash_flow_usd_bn_per_year, double growth_per_year, double rate_per_year) {
  return cash_flow_usd_bn_per_year * growth_per_year / std::max(kMinSpread, 1.0 + rate_per_year - growth_per_year);
}

double equity_premium(const model::Scenario& scenario, double sentiment_index, double credit_tightness) {
  const model::ValuationParams& p = scenario.valuation;
  const double mood = std::log(sentiment_index / scenario.sentiment.initial_index);
  return std::max(p.min_equity_premium_per_year,
                  p.equity_premium_per_year - p.premium_sentiment_sensitivity * mood + p.premium_credit_sensitivity * credit_tightness);
}

void init_valuation(const model::Scenario& scenario, model::World& world) {
  const std::size_t n = scenario.firms.size();
  model::ValuationState& v = world.valuation;
  v = model::ValuationState{};
  v.policy_rate_per_year = scenario.credit.policy_rate(scenario.time.start);
  v.equity_premium_per_year = equity_premium(scenario, world.sentiment.index, world.sentiment.credit_tightness);
  v.firm_value_usd_bn.assign(n, 0.0);
  v.ai_value_usd_bn.assign(n, 0.0);
  v.cost_of_equity_per_year.assign(n, v.policy_rate_per_year + v.equity_premium_per_year);
  v.cost_of_debt_per_year.assign(n, 0.0);
  for (std::size_t f = 0; f < n; ++f) v.cost_of_debt_per_year[f] = scenario.firms[f].debt_rate_per_year;
  v.cost_of_capital_per_year = v.cost_of_equity_per_year;
  v.revenue_usd_bn.assign(n, 0.0);
  v.earnings_usd_bn.assign(n, 0.0);
  v.expected_log_growth_per_year.assign(n, std::log(scenario.sentiment.initial_expected_growth_per_year));
  v.revenue_seen.assign(n, false);
}

void update_valuation(const model::Scenario& scenario, model::World& world) {
  const model::ValuationParams& p = scenario.valuation;
  const model::CreditParams& c = scenario.credit;
  model::ValuationState& v = world.valuation;
  const model::Ledger& ledger = world.ledger;
  const std::size_t n = scenario.firms.size();
  if (v.firm_value_usd_bn.size() != n) init_valuation(scenario, world);

  v.policy_rate_per_year = c.policy_rate(world.month);
  v.equity_premium_per_year = equity_premium(scenario, world.sentiment.index, world.sentiment.credit_tightness);
  const double cost_of_equity = v.policy_rate_per_year + v.equity_premium_per_year;

  if (p.enabled) {
    // Trailing revenue and earnings, smoothed; then the firm's value on its own (AI business,
    // net financial and other assets, core business) and with its stakes at their values.
    const double keep = retention(p.revenue_half_life_months);
    const double adapt = retention(scenario.sentiment.expectations_half_life_months);
    std::vector<double> base_ai(n, 0.0);
    std::vector<double> base_all(n, 0.0);
    for (std::size_t f = 0; f < n; ++f) {
      const double revenue = revenue_this_month(ledger, f);
      // Earnings after the capital the business consumes: depreciation of accelerators, shells,
      // power and fabs (the core business's, equal to its capex, is in its own cash flow).
      const model::Firm& firm = scenario.firms[f];
      const double core_upkeep = firm.core_capex_usd_bn_per_year.empty() ? 0.0 : firm.core_capex_usd_bn_per_year.at(world.month) / 12.0;
      const double depreciation = std::max(0.0, -ledger.current_flow(model::Flow::kDepreciation, f) - core_upkeep);
      // A lab's training compute is spending on its next models, an investment as capex is
      // (the long-run margin is after such spending), not a running cost of today's revenue.
      const auto& training = world.demand_curve.training_budget_by_firm_usd_bn;
      const double costs = running_costs_this_month(ledger, f);
      const double investment = f < training.size() ? std::clamp(training[f], 0.0, costs) : 0.0;
      const double earnings = revenue - (costs - investment) - depreciation;
      if (!v.revenue_seen[f]) {
        v.revenue_usd_bn[f] = revenue;
        v.earnings_usd_bn[f] = earnings;
        v.revenue_seen[f] = true;
      } else {
        const double before = v.revenue_usd_bn[f];
        v.revenue_usd_bn[f] = keep * before + (1.0 - keep) * revenue;
        v.earnings_usd_bn[f] = keep * v.earnings_usd_bn[f] + (1.0 - keep) * earnings;
        if (before > 0.0 && v.revenue_usd_bn[f] > 0.0) {
          const double seen = 12.0 * std::log(v.revenue_usd_bn[f] / before);
          v.expected_log_growth_per_year[f] += (1.0 - adapt) * (seen - v.expected_log_growth_per_year[f]);
        }
      }
      EarningsOutlook o;
      o.revenue_usd_bn_per_year = 12.0 * v.revenue_usd_bn[f];
      o.margin = v.revenue_usd_bn[f] > 0.0 ? std::clamp(v.earnings_usd_bn[f] / v.revenue_usd_bn[f], -3.0, 1.0) : 0.0;
      o.recent_log_growth_per_year = v.expected_log_growth_per_year[f];
      o.discount_rate_per_year = cost_of_equity;
      const double ai_business = present_value_of_earnings(p, o);
      const double financial = at(ledger, f, model::Asset::kDeposits) + at(ledger, f, model::Asset::kLoans) +
                               at(ledger, f, model::Asset::kReceivables) - owed(ledger, f, model::Liability::kDebt) -
                               owed(ledger, f, model::Liability::kPayables);
      const double other = at(ledger, f, model::Asset::kOtherAssets);
      double core = 0.0;
      if (!firm.core_cash_flow_usd_bn_per_year.empty()) {
        const double free_cash = firm.core_cash_flow_usd_bn_per_year.at(world.month) - firm.core_capex_usd_bn_per_year.at(world.month);
        // The core business is outside AI: discounted at the policy rate plus the premium
        // investors ask at initial sentiment, not at the AI economy's mood.
        core = growing_perpetuity(free_cash, firm.core_cash_flow_usd_bn_per_year.growth_after_per_year,
                                  v.policy_rate_per_year + p.equity_premium_per_year);
      }
      // Other assets are, by their key, outside the AI build-out: like the core business they
      // are in the firm's value, not in its AI value. A firm with a core business keeps one
      // balance sheet for both, filled by the core cash flow: its deposits and debts are counted
      // with the core business, and its AI value is that of its AI business alone.
      const bool has_core = !firm.core_cash_flow_usd_bn_per_year.empty();
      base_ai[f] = ai_business + (has_core ? 0.0 : financial);
      base_all[f] = ai_business + financial + other + core;
      if (!p.mark_stakes) {
        const double stakes = at(ledger, f, model::Asset::kEquityHoldings);
        base_ai[f] += stakes;
        base_all[f] += stakes;
      }
    }
    static const std::vector<std::vector<model::Shareholding>> kNoStakes;
    const auto& owners = p.mark_stakes ? world.fin.owners : kNoStakes;
    std::vector<double> held(n, 0.0);
    solve_values(base_all, owners, world.firm_status, v.firm_value_usd_bn, held);
    solve_values(base_ai, owners, world.firm_status, v.ai_value_usd_bn, held);
    // What outside shareholders hold: every stake held by a firm is already in its holder's value.
    double outside_value = 0.0;
    for (std::size_t f = 0; f < n; ++f) {
      double outside = 1.0;
      if (f < world.fin.owners.size() && !world.fin.owners[f].empty()) {
        double total = 0.0;
        double firms = 0.0;
        for (const model::Shareholding& h : world.fin.owners[f]) {
          total += h.share;
          if (h.holder.is_firm()) firms += h.share;
        }
        outside = total > 0.0 ? 1.0 - firms / total : 1.0;
      }
      outside_value += (p.mark_stakes ? outside : 1.0) * v.ai_value_usd_bn[f];
    }
    if (!p.mark_stakes) {
      // Stakes at book are in their holders' values; the issuers' own values count in full, so
      // the book value of stakes is taken out once.
      for (std::size_t f = 0; f < n; ++f) outside_value -= at(ledger, f, model::Asset::kEquityHoldings);
    }
    world.sentiment.ai_equity_value_usd_bn = std::max(0.0, outside_value);
  } else {
    world.sentiment.ai_equity_value_usd_bn =
        world.sentiment.index * scenario.sentiment.revenue_multiple * 12.0 * world.ai_revenue.value();
  }

  // Lenders' spread: credit tightness from losses, and collateral (AI equity value) falling
  // from its peak. Floating credit lines pay it from next month.
  const double value_now = world.sentiment.ai_equity_value_usd_bn;
  v.ai_equity_value_peak_usd_bn = std::max(v.ai_equity_value_peak_usd_bn, value_now);
  const double drawdown = v.ai_equity_value_peak_usd_bn > 0.0 ? 1.0 - value_now / v.ai_equity_value_peak_usd_bn : 0.0;
  // Both are credit feedbacks: `credit.enabled` off leaves credit lines without a spread.
  v.credit_spread_per_year =
      c.enabled ? c.max_spread_per_year * world.sentiment.credit_tightness + c.collateral_spread_per_year * drawdown : 0.0;
  const double policy_change = c.rate_pass_through ? v.policy_rate_per_year - c.policy_rate(scenario.time.start) : 0.0;
  for (std::size_t f = 0; f < n; ++f) {
    v.cost_of_equity_per_year[f] = cost_of_equity;
    v.cost_of_debt_per_year[f] = scenario.firms[f].debt_rate_per_year + policy_change + v.credit_spread_per_year;
    const double equity = v.firm_value_usd_bn[f];
    const double debt = std::max(0.0, owed(ledger, f, model::Liability::kDebt));
    v.cost_of_capital_per_year[f] =
        equity + debt > 0.0 ? (equity * cost_of_equity + debt * v.cost_of_debt_per_year[f]) / (equity + debt) : cost_of_equity;
  }
}

}  // namespace bsim::behaviour
