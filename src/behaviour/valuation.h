#pragma once
/// Firms' equity valuation and the cost of capital (DESIGN §1.8; docs/model.md §9): each firm
/// is worth the present value of the earnings investors expect from its AI business, plus its
/// net financial assets, its other assets at book, the value of its core business and its
/// stakes in other firms at their own values, never less than zero.
///
/// Expected revenue grows, in year y = 1 … N of the growth phase, at (ln per year)
///
///   g_y = g_∞ + (g_F − g_∞) · (1 − (y − 1)/N) + w · (g_x − g_F) · φ^(y−1),   |g_y| ≤ ln G_max
///
/// from the firm's trailing revenue R_0: a fundamental growth g_F fading linearly to the
/// economy's g_∞, plus a weight w on the excess of the AI economy's recent growth g_x over g_F,
/// fading with annual retention φ = 2^(−1/h_x). Margins converge to the long run:
/// m_y = m_LR + (m_0 − m_LR) · ψ^y, ψ = 2^(−1/h_m). With the discount rate r = policy rate +
/// equity premium,
///
///   PV = Σ_{y=1..N} R_y m_y / (1 + r)^y + R_N e^{g_∞} m_{N+1} / ((1 + r) − e^{g_∞}) / (1 + r)^N.
///
/// Example: with w = 0, g_F = g_∞ = g and m_0 = m_LR = m the sum is the growing perpetuity
/// R_0 m e^g / ((1 + r) − e^g): revenue of 100 a year at a margin of 0.2, growing 4% a year
/// (g = ln 1.04) and discounted at 9%, is worth 20 · 1.04 / 0.05 = 416.

#include "model/scenario.h"
#include "model/world.h"

namespace bsim::behaviour {

/// The inputs of one firm's earnings path.
struct EarningsOutlook {
  double revenue_usd_bn_per_year = 0.0;   ///< R_0: trailing revenue, annualised
  double margin = 0.0;                    ///< m_0: trailing earnings ÷ revenue
  double recent_log_growth_per_year = 0.0;  ///< g_x: the AI economy's recent growth, ln per year
  double discount_rate_per_year = 0.0;    ///< r
};

/// The present value of expected earnings above, USD bn. O(growth_years), no allocation.
/// The terminal denominator (1 + r) − e^{g_∞} is kept at least 0.01.
double present_value_of_earnings(const model::ValuationParams& params, const EarningsOutlook& outlook);

/// A business whose free cash flow `cash_flow_usd_bn_per_year` grows by `growth_per_year` (×)
/// for ever, discounted at `rate_per_year`: F · G / ((1 + r) − G), the denominator at least 0.01.
double growing_perpetuity(double cash_flow_usd_bn_per_year, double growth_per_year, double rate_per_year);

/// The equity premium: equity_premium − sensitivity_S · ln(S / S0) + sensitivity_C · C, at
/// least the floor; S held at S0 when `sentiment.enabled` is off (through the index itself).
double equity_premium(const model::Scenario& scenario, double sentiment_index, double credit_tightness);

/// Sizes the valuation state and sets the policy rate of the first month.
void init_valuation(const model::Scenario& scenario, model::World& world);

/// After the month has settled and sentiment and credit tightness are updated: the policy rate,
/// the equity premium, every firm's value and cost of capital (world.valuation), and AI equity
/// value (world.sentiment.ai_equity_value_usd_bn: the AI values held by outside shareholders,
/// so stakes between firms are not counted twice), its running peak and next month's credit
/// spread.
void update_valuation(const model::Scenario& scenario, model::World& world);

}  // namespace bsim::behaviour
