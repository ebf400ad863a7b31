#include "behaviour/sentiment.h"

#include "behaviour/valuation.h"

#include <algorithm>
#include <cmath>

namespace bsim::behaviour {
namespace {

/// The monthly retention of a quantity that halves in `half_life` months.
double retention(double half_life_months) { return std::exp2(-1.0 / half_life_months); }

}  // namespace

void init_sentiment(const model::Scenario& scenario, model::World& world) {
  world.sentiment = model::SentimentState{};
  world.sentiment.index = scenario.sentiment.initial_index;
  world.sentiment.expected_log_growth = std::log(scenario.sentiment.initial_expected_growth_per_year) / 12.0;
  init_valuation(scenario, world);
}

void update_sentiment(const model::Scenario& scenario, model::World& world) {
  const model::SentimentParams& p = scenario.sentiment;
  model::SentimentState& st = world.sentiment;
  const double revenue = world.ai_revenue.value();

  double surprise = 0.0;
  if (st.last_revenue_usd_bn > 0.0 && revenue > 0.0) {
    const double realised = std::log(revenue / st.last_revenue_usd_bn);
    surprise = realised - st.expected_log_growth;
    st.expected_log_growth += (1.0 - retention(p.expectations_half_life_months)) * surprise;
  }
  st.last_revenue_usd_bn = revenue;

  if (p.enabled) {
    const double anchor = std::log(p.initial_index);
    const double losses = world.debt_losses + world.equity_losses;
    const double log_index = anchor + retention(p.reversion_half_life_months) * (std::log(st.index) - anchor) +
                             p.surprise_elasticity * surprise - p.loss_sensitivity * losses / p.loss_scale_usd_bn;
    st.index = std::clamp(std::exp(log_index), p.min_index, p.max_index);
  }

  const model::CreditParams& c = scenario.credit;
  if (c.enabled) {
    // What tightens credit is what credit investors lose: banks, private credit, bondholders and
    // holders of securitised tranches. A firm's unpaid claim on a defaulter (a seller's
    // termination claim, a vendor's receivable) is the firm's loss, and reaches its own lenders
    // only if it puts the firm in default.
    double lenders = 0.0;
    for (const model::HolderClass cls : {model::HolderClass::kBanks, model::HolderClass::kPrivateCredit, model::HolderClass::kBondholders,
                                         model::HolderClass::kAbsHolders}) {
      lenders += world.fin.losses_by_class[static_cast<std::size_t>(cls)];
    }
    st.credit_tightness = std::min(1.0, retention(c.recovery_half_life_months) * st.credit_tightness + lenders / c.loss_capacity_usd_bn);
  }
  // Firms' values at this month's sentiment and tightness, AI equity value and next month's
  // credit spread.
  update_valuation(scenario, world);
}

}  // namespace bsim::behaviour
