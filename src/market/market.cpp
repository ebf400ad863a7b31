#include "market/market.h"

#include <cmath>

namespace bsim::market {

double marginal_cost(const model::SupplyParams& supply) {
  return supply.power_price_usd_per_mwh * supply.kw_per_h100e / 1000.0 + supply.opex_usd_per_h100e_hour;
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink& events) {
  const double cap = scenario.market.scarcity_price_cap;
  world.marginal_cost = marginal_cost(scenario.supply);
  const model::DemandCurve& curve = world.demand_curve;
  auto demand = [&curve](double p) { return curve.total_h100e(p); };

  const double operable = world.installed.value();
  const Clearing cleared = clear(demand, {SupplyStep{world.marginal_cost, operable}}, cap);

  const bool was_at_cap = world.step > 0 && world.spot_price >= cap;
  const double theta = scenario.market.stickiness;
  double price = cleared.price;
  if (theta < 1.0 && world.step > 0) {
    price = std::pow(world.spot_price, 1.0 - theta) * std::pow(cleared.price, theta);
  }
  world.spot_price = price;
  const double demanded = curve.total_h100e(price);
  const double offered = price >= world.marginal_cost ? operable : 0.0;
  world.served = core::Compute{std::min(demanded, offered)};
  world.unmet = core::Compute{std::max(0.0, demanded - offered)};
  world.inference_demand = core::Compute{curve.inference_h100e(price)};
  world.training_demand = core::Compute{curve.training_h100e(price)};
  if (price >= cap && !was_at_cap) {
    events.emit({world.month, model::EventKind::kScarcityPricing, "spot", world.unmet.value()});
  }

  // Compute commitments active this month are served first from the same capacity, at their
  // contract prices; in the first model all capacity is one pool, so they change who is paid,
  // not the spot price.
  double committed = 0.0;
  double committed_value = 0.0;
  for (const model::ComputeCommitment& c : scenario.contracts) {
    if (world.month < c.start || world.month > c.end) continue;
    committed += c.volume.value();
    committed_value += c.volume.value() * c.price_usd_per_h100e_hour;
  }
  const double contracted = std::min(committed, world.served.value());
  const double contract_price = committed > 0.0 ? committed_value / committed : 0.0;
  world.contracted_served = core::Compute{contracted};
  world.compute_revenue = core::rent_for_month(core::Compute{contracted}, contract_price) +
                          core::rent_for_month(world.served - world.contracted_served, price);
}

}  // namespace bsim::market
