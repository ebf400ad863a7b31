#include "behaviour/competition.h"

#include <algorithm>
#include <cmath>

#include "core/units.h"

namespace bsim::behaviour {
namespace {

bool defaulted(const model::World& world, std::size_t firm) {
  return firm < world.firm_status.size() && world.firm_status[firm] == model::FirmStatus::kDefaulted;
}

}  // namespace

void init_competition(const model::Scenario& scenario, model::World& world) {
  const std::size_t n = scenario.firms.size();
  model::CompetitionState& c = world.competition;
  c.inference_share.assign(n, 0.0);
  c.quality_h100e_months.assign(n, 0.0);
  c.initial_quality_h100e_months.assign(n, 0.0);
  const double price = scenario.market.initial_spot_price;
  for (std::size_t f = 0; f < n; ++f) {
    const model::Firm& firm = scenario.firms[f];
    c.inference_share[f] = firm.inference_share;
    if (firm.training_budget_usd_bn_per_year.empty() || price <= 0.0) continue;
    const double monthly_usd_bn = firm.training_budget_usd_bn_per_year.at(scenario.time.start) / 12.0;
    c.initial_quality_h100e_months[f] =
        scenario.competition.initial_stock_months * monthly_usd_bn * 1e9 / (price * core::kHoursPerMonth);
    c.quality_h100e_months[f] = c.initial_quality_h100e_months[f];
  }
}

std::vector<double> target_shares(double kappa, const std::vector<double>& shares,
                                  const std::vector<double>& initial_shares, const std::vector<double>& quality,
                                  const std::vector<double>& initial_quality, const std::vector<bool>& competing) {
  std::vector<double> target = shares;
  if (kappa == 0.0) return target;
  const std::size_t n = shares.size();
  // Weights s_0 · (Q / Q_0)^κ, formed in logs relative to the largest quality gain so that a
  // large κ cannot overflow.
  std::vector<double> log_gain(n, 0.0);
  double top = -HUGE_VAL;
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!competing[i]) continue;
    log_gain[i] = std::log(quality[i] / initial_quality[i]);
    top = std::max(top, log_gain[i]);
    total += shares[i];
  }
  std::vector<double> weight(n, 0.0);
  double weights = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!competing[i]) continue;
    weight[i] = initial_shares[i] * std::exp(kappa * (log_gain[i] - top));
    weights += weight[i];
  }
  if (weights <= 0.0) return target;
  for (std::size_t i = 0; i < n; ++i) {
    if (competing[i]) target[i] = total * weight[i] / weights;
  }
  return target;
}

void compete(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  model::CompetitionState& c = world.competition;
  const std::size_t n = scenario.firms.size();
  if (c.inference_share.size() != n) init_competition(scenario, world);
  // The training compute each lab's budget bought this month, rationed pro rata like all demand.
  const double demand = world.inference_demand.value() + world.training_demand.value();
  const double served_share = demand > 0.0 ? std::min(1.0, world.served.value() / demand) : 1.0;
  const std::vector<double>& budgets = world.demand_curve.training_budget_by_firm_usd_bn;
  if (world.spot_price > 0.0) {
    for (std::size_t f = 0; f < n && f < budgets.size(); ++f) {
      c.quality_h100e_months[f] += budgets[f] * 1e9 / (world.spot_price * core::kHoursPerMonth) * served_share;
    }
  }
  for (std::size_t f = 0; f < n; ++f) {
    if (defaulted(world, f)) c.inference_share[f] = 0.0;  // a defaulted lab serves no one
  }
  const model::CompetitionParams& params = scenario.competition;
  if (params.kappa == 0.0) return;  // shares frozen: exactly the scenario's

  std::vector<double> initial_shares(n, 0.0);
  std::vector<bool> competing(n, false);
  for (std::size_t f = 0; f < n; ++f) {
    initial_shares[f] = scenario.firms[f].inference_share;
    competing[f] = !defaulted(world, f) && initial_shares[f] > 0.0 && c.initial_quality_h100e_months[f] > 0.0;
  }
  const std::vector<double> target = target_shares(params.kappa, c.inference_share, initial_shares,
                                                   c.quality_h100e_months, c.initial_quality_h100e_months, competing);
  const double lambda = params.adjustment_months > 0.0 ? 1.0 - std::exp(-1.0 / params.adjustment_months) : 1.0;
  for (std::size_t f = 0; f < n; ++f) {
    if (competing[f]) c.inference_share[f] += lambda * (target[f] - c.inference_share[f]);
  }
}

}  // namespace bsim::behaviour
