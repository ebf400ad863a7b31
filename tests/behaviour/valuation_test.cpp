// Firms' valuation, AI equity value without double counting, and the policy-rate path
// (DESIGN §1.8; docs/model.md §9).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "behaviour/valuation.h"
#include "io/scenario_loader.h"
#include "model/events.h"
#include "sim/run_path.h"

namespace bsim::behaviour {
namespace {

model::Scenario scenario(const std::string& name, std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), "technology.efficiency.jump_rate_per_year=0");
  return io::load_scenario(name, sets).scenario;
}

/// Parameters under which the earnings path is a growing perpetuity: no extrapolation, the
/// fundamental growth equal to terminal growth, the margin at its long-run value.
model::ValuationParams constant_growth(double growth, int years) {
  model::ValuationParams p;
  p.extrapolation_weight = 0.0;
  p.fundamental_growth_per_year = growth;
  p.terminal_growth_per_year = growth;
  p.max_growth_per_year = 10.0;
  p.long_run_margin = 0.2;
  p.growth_years = years;
  return p;
}

TEST(ValuationFormula, ConstantGrowthIsTheGrowingPerpetuityWrittenOut) {
  // R_0 = 100 a year, m = 0.2, G = e^g = 1.04, r = 0.09, N = 8 years:
  //   PV = Σ_{y=1..8} 20 · 1.04^y / 1.09^y + (20 · 1.04^9 / (1.09 − 1.04)) / 1.09^8.
  // The terminal term is the tail Σ_{y≥9} 20 · 1.04^y / 1.09^y = 20 · q^9 / (1 − q) with
  // q = 1.04/1.09, and the whole sum is 20 · q / (1 − q) = 20 · 1.04 / 0.05 = 416.
  EarningsOutlook o;
  o.revenue_usd_bn_per_year = 100.0;
  o.margin = 0.2;
  o.recent_log_growth_per_year = std::log(1.04);
  o.discount_rate_per_year = 0.09;
  double sum = 0.0;
  for (int y = 1; y <= 8; ++y) sum += 20.0 * std::pow(1.04, y) / std::pow(1.09, y);
  sum += 20.0 * std::pow(1.04, 9) / 0.05 / std::pow(1.09, 8);
  const model::ValuationParams p = constant_growth(1.04, 8);
  EXPECT_NEAR(present_value_of_earnings(p, o), sum, 1e-9);
  EXPECT_NEAR(sum, 416.0, 1e-9);
  // The growth phase does not change a constant path: N = 0 (Gordon at once) and N = 30 agree.
  EXPECT_NEAR(present_value_of_earnings(constant_growth(1.04, 0), o), 416.0, 1e-9);
  EXPECT_NEAR(present_value_of_earnings(constant_growth(1.04, 30), o), 416.0, 1e-9);
  // Zero growth and a margin that starts at 0.5 and halves its gap to 0.2 every year (h_m = 1),
  // r = 0.1, N = 2: years 1 and 2 earn 100 · (0.2 + 0.3/2) = 35 and 100 · (0.2 + 0.3/4) = 27.5;
  // the terminal cash flow is 100 · (0.2 + 0.3/8) = 23.75 a year for ever from year 3, worth
  // 23.75 / 0.1 at the end of year 2.
  model::ValuationParams q = constant_growth(1.0, 2);
  q.margin_half_life_years = 1.0;
  o.margin = 0.5;
  o.recent_log_growth_per_year = 0.0;
  o.discount_rate_per_year = 0.1;
  EXPECT_NEAR(present_value_of_earnings(q, o), 35.0 / 1.1 + 27.5 / 1.21 + 237.5 / 1.21, 1e-9);
}

TEST(ValuationFormula, ExtrapolationLiftsValueWhenGrowthRunsAheadAndRatesLowerIt) {
  const model::ValuationParams p;  // the schema defaults
  EarningsOutlook o;
  o.revenue_usd_bn_per_year = 100.0;
  o.margin = 0.2;
  o.discount_rate_per_year = 0.09;
  o.recent_log_growth_per_year = std::log(p.fundamental_growth_per_year);
  const double fundamental = present_value_of_earnings(p, o);
  o.recent_log_growth_per_year = std::log(2.0);
  const double boom = present_value_of_earnings(p, o);
  o.recent_log_growth_per_year = std::log(0.8);
  const double bust = present_value_of_earnings(p, o);
  EXPECT_GT(boom, fundamental);
  EXPECT_LT(bust, fundamental);
  // Without the weight on recent growth, recent growth does not matter.
  model::ValuationParams no_trend = p;
  no_trend.extrapolation_weight = 0.0;
  o.recent_log_growth_per_year = std::log(2.0);
  const double a = present_value_of_earnings(no_trend, o);
  o.recent_log_growth_per_year = std::log(0.8);
  EXPECT_EQ(present_value_of_earnings(no_trend, o), a);
  // A higher discount rate lowers the value.
  o.discount_rate_per_year = 0.1325;
  EXPECT_LT(present_value_of_earnings(no_trend, o), a);
  // No revenue, no value from the AI business.
  o.revenue_usd_bn_per_year = 0.0;
  EXPECT_EQ(present_value_of_earnings(p, o), 0.0);
}

TEST(ValuationFormula, PerpetuityAndEquityPremiumByHand) {
  // F · G / ((1 + r) − G): 90 · 1.05 / (1.09 − 1.05) = 2362.5.
  EXPECT_NEAR(growing_perpetuity(90.0, 1.05, 0.09), 2362.5, 1e-9);
  // The denominator is kept at 0.01: 10 · 1.2 / 0.01.
  EXPECT_NEAR(growing_perpetuity(10.0, 1.2, 0.09), 1200.0, 1e-9);
  model::Scenario s;  // premium 0.05, −0.02 per unit of ln(S/S0), +0.04 at C = 1, floor 0.01
  EXPECT_NEAR(equity_premium(s, s.sentiment.initial_index, 0.0), 0.05, 1e-15);
  EXPECT_NEAR(equity_premium(s, s.sentiment.initial_index * std::exp(1.0), 0.0), 0.03, 1e-15);
  EXPECT_NEAR(equity_premium(s, s.sentiment.initial_index, 1.0), 0.09, 1e-15);
  EXPECT_NEAR(equity_premium(s, s.sentiment.initial_index * std::exp(3.0), 0.0), 0.01, 1e-15);
}

TEST(PolicyRate, FollowsTheStraightLineThroughJanuaryOfEachYear) {
  model::CreditParams c;
  EXPECT_EQ(c.policy_rate(core::Month(2030, 6)), model::kDefaultPolicyRate);  // no path given
  c.policy_rate_per_year.points = {{2026, 0.04}, {2027, 0.04}, {2028, 0.0825}};
  EXPECT_EQ(c.policy_rate(core::Month(2025, 3)), 0.04);
  EXPECT_EQ(c.policy_rate(core::Month(2026, 12)), 0.04);
  EXPECT_NEAR(c.policy_rate(core::Month(2027, 7)), 0.04 + 0.0425 * 6.0 / 12.0, 1e-15);
  EXPECT_EQ(c.policy_rate(core::Month(2028, 1)), 0.0825);
  EXPECT_EQ(c.policy_rate(core::Month(2036, 12)), 0.0825);
}

/// The world after `months` steps of `s` (seed 1, path 0).
model::World after(const model::Scenario& s, int months) {
  sim::PathRunner runner(s, 0, 1);
  model::EventLog log;
  for (int i = 0; i < months; ++i) runner.step(log);
  return runner.world();
}

TEST(AiEquityValue, CountsStakesBetweenFirmsOnceWhetherMarkedOrAtBook) {
  // In the first month the two runs have the same ledger (the valuation feeds back only
  // through next month's spread). With stakes marked, a holder's value carries share × the
  // issuer's value; at book, the ledger's mark. Summing over outside holders counts every
  // firm's own business once either way, so AI equity value is the same.
  const model::Scenario marked = scenario("default");
  const model::Scenario book = scenario("default", {"valuation.mark_stakes=false"});
  const model::World a = after(marked, 1);
  const model::World b = after(book, 1);
  const std::size_t n = marked.firms.size();
  ASSERT_EQ(a.valuation.firm_value_usd_bn.size(), n);
  double held_by_firms = 0.0;
  for (std::size_t f = 0; f < n; ++f) {
    double marked_stakes = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      for (const model::Shareholding& h : a.fin.owners[j]) {
        if (h.holder.is_firm() && h.holder.firm.index() == f) marked_stakes += h.share * a.valuation.firm_value_usd_bn[j];
      }
    }
    const double book_stakes = a.ledger.sheet(f).assets[static_cast<std::size_t>(model::Asset::kEquityHoldings)];
    held_by_firms += book_stakes;
    if (a.valuation.firm_value_usd_bn[f] > 0.0 && b.valuation.firm_value_usd_bn[f] > 0.0) {
      EXPECT_NEAR(a.valuation.firm_value_usd_bn[f] - b.valuation.firm_value_usd_bn[f], marked_stakes - book_stakes, 1e-6)
          << marked.firms[f].id;
    }
  }
  EXPECT_GT(held_by_firms, 1.0);  // default has stakes between firms (Microsoft in OpenAI, …)
  EXPECT_NEAR(a.sentiment.ai_equity_value_usd_bn, b.sentiment.ai_equity_value_usd_bn, 1e-9 * a.sentiment.ai_equity_value_usd_bn);
  // AI equity value is below the plain sum of the firms' AI values: the stakes are not added twice.
  double plain = 0.0;
  for (double v : a.valuation.ai_value_usd_bn) plain += v;
  EXPECT_LT(a.sentiment.ai_equity_value_usd_bn, plain);
  // The core business is in the firm's value, not in its AI value.
  for (std::size_t f = 0; f < n; ++f) {
    if (marked.firms[f].core_cash_flow_usd_bn_per_year.empty()) continue;
    EXPECT_GT(a.valuation.firm_value_usd_bn[f], a.valuation.ai_value_usd_bn[f]) << marked.firms[f].id;
  }
}

TEST(CreditCrunch, RaisesCreditLineRatesAndLowersValuations) {
  // The same seed and world; only the policy-rate path differs (scenarios/credit-crunch.toml).
  const model::Scenario base = scenario("default");
  const model::Scenario crunch = scenario("credit-crunch");
  sim::PathRunner a(base, 0, 1);
  sim::PathRunner b(crunch, 0, 1);
  model::EventLog log;
  double interest_base = 0.0;
  double interest_crunch = 0.0;
  int months_lower = 0;
  int months_compared = 0;
  for (int step = 0; step < base.time.months(); ++step) {
    a.step(log);
    b.step(log);
    const model::World& wa = a.world();
    const model::World& wb = b.world();
    const core::Month m = wa.month;
    if (m < core::Month(2027, 1)) {
      // Before the rise the paths are the same.
      EXPECT_EQ(wa.sentiment.ai_equity_value_usd_bn, wb.sentiment.ai_equity_value_usd_bn) << m.str();
      continue;
    }
    if (m > core::Month(2028, 12)) break;
    EXPECT_GT(wb.valuation.policy_rate_per_year, wa.valuation.policy_rate_per_year - 1e-15) << m.str();
    // Interest the firms paid on debt (credit lines float with the policy rate; bonds keep
    // their coupons).
    for (std::size_t f = 0; f < base.firms.size(); ++f) {
      interest_base -= std::min(0.0, wa.ledger.flow(model::Flow::kInterest, f));
      interest_crunch -= std::min(0.0, wb.ledger.flow(model::Flow::kInterest, f));
    }
    if (m >= core::Month(2027, 4)) {
      ++months_compared;
      if (wb.sentiment.ai_equity_value_usd_bn < wa.sentiment.ai_equity_value_usd_bn) ++months_lower;
    }
    if (m == core::Month(2028, 1)) {
      // A year into the rise the discount rate is 4.25 points higher: every active firm with
      // AI earnings is worth less, and its marginal credit-line rate is higher.
      for (std::size_t f = 0; f < base.firms.size(); ++f) {
        if (wa.firm_status[f] != model::FirmStatus::kActive || wb.firm_status[f] != model::FirmStatus::kActive) continue;
        EXPECT_GT(wb.valuation.cost_of_debt_per_year[f], wa.valuation.cost_of_debt_per_year[f]) << base.firms[f].id;
        EXPECT_GT(wb.valuation.cost_of_equity_per_year[f], wa.valuation.cost_of_equity_per_year[f]) << base.firms[f].id;
      }
      EXPECT_LT(wb.sentiment.ai_equity_value_usd_bn, 0.8 * wa.sentiment.ai_equity_value_usd_bn);
    }
  }
  EXPECT_GT(interest_crunch, interest_base);
  EXPECT_EQ(months_lower, months_compared);
}

TEST(CreditCrunch, CreditLinesFollowThePolicyRateOnlyWithPassThrough) {
  // Credit feedbacks off, so no spread: a credit line's marginal rate is the firm's
  // debt_rate_per_year plus the change in the policy rate since the start with pass-through
  // (0.04 → 0.0825 in a straight line over 2027), and debt_rate_per_year without it.
  const model::Scenario on = scenario("credit-crunch", {"credit.enabled=false"});
  const model::Scenario off = scenario("credit-crunch", {"credit.enabled=false", "rates.pass_through=false"});
  sim::PathRunner a(on, 0, 1);
  sim::PathRunner b(off, 0, 1);
  model::EventLog log;
  const std::size_t f = 0;
  for (int step = 0; step < 30; ++step) {
    a.step(log);
    b.step(log);
    const core::Month m = a.world().month;
    const double rise = on.credit.policy_rate(m) - 0.04;
    EXPECT_NEAR(a.world().valuation.cost_of_debt_per_year[f], on.firms[f].debt_rate_per_year + rise, 1e-15) << m.str();
    EXPECT_EQ(b.world().valuation.cost_of_debt_per_year[f], off.firms[f].debt_rate_per_year) << m.str();
    EXPECT_EQ(a.world().valuation.policy_rate_per_year, b.world().valuation.policy_rate_per_year) << m.str();
  }
  EXPECT_NEAR(a.world().valuation.policy_rate_per_year, 0.0825, 1e-15);  // 2028-06
}

}  // namespace
}  // namespace bsim::behaviour
