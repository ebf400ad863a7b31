#include "market/market.h"

#include <cmath>
#include <numeric>

namespace bsim::market {

std::vector<double> fill_cheapest_first(const std::vector<SupplyStep>& steps, double quantity) {
  std::vector<double> used(steps.size(), 0.0);
  std::vector<std::size_t> order(steps.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return steps[a].marginal_cost < steps[b].marginal_cost; });
  double left = quantity;
  for (std::size_t k = 0; k < order.size() && left > 0.0;) {
    std::size_t end = k;
    double group = 0.0;
    while (end < order.size() && steps[order[end]].marginal_cost == steps[order[k]].marginal_cost) {
      group += steps[order[end]].capacity_h100e;
      ++end;
    }
    const double share = group > 0.0 ? std::min(1.0, left / group) : 0.0;
    for (std::size_t j = k; j < end; ++j) used[order[j]] = steps[order[j]].capacity_h100e * share;
    left -= std::min(left, group);
    k = end;
  }
  return used;
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink& events) {
  const double cap = scenario.market.scarcity_price_cap;
  const model::DemandCurve& curve = world.demand_curve;
  const double previous_price = world.spot_price;
  auto& steps = world.steps;
  for (model::CapacityStep& s : steps) {
    s.contract_h100e = 0.0;
    s.spot_h100e = 0.0;
  }
  for (model::OwnerState& o : world.owners) {
    o.served_h100e = 0.0;
    o.compute_revenue_usd_bn = 0.0;
  }

  // 1. Compute commitments, served first. A buyer uses its commitments up to its own demand
  //    (at last month's price, since this month's is not known yet).
  std::vector<double> buyer_left(scenario.firms.size(), 0.0);
  const double inference_before = curve.lab_inference_h100e(previous_price);
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) buyer_left[f] = curve.firm_h100e(f, previous_price, inference_before);
  double contracted = 0.0;
  double contract_revenue_usd = 0.0;
  world.contract_used_h100e.assign(scenario.contracts.size(), 0.0);
  for (std::size_t c = 0; c < scenario.contracts.size(); ++c) {
    const model::ComputeCommitment& k = scenario.contracts[c];
    if (world.month < k.start || world.month > k.end || !model::contract_alive(world, k)) continue;
    double want = std::min(k.volume.value(), buyer_left[k.buyer.index()]);
    std::vector<SupplyStep> seller;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (world.owners[steps[i].owner].firm != k.seller) continue;
      seller.push_back({steps[i].marginal_cost, steps[i].operable_h100e - steps[i].contract_h100e});
      index.push_back(i);
    }
    const std::vector<double> take = fill_cheapest_first(seller, want);
    double used = 0.0;
    for (std::size_t j = 0; j < take.size(); ++j) {
      steps[index[j]].contract_h100e += take[j];
      world.owners[steps[index[j]].owner].served_h100e += take[j];
      world.owners[steps[index[j]].owner].compute_revenue_usd_bn +=
          core::rent_for_month(core::Compute{take[j]}, k.price_usd_per_h100e_hour).value();
      used += take[j];
    }
    buyer_left[k.buyer.index()] -= used;
    world.contract_used_h100e[c] = used;
    contracted += used;
    contract_revenue_usd += used * k.price_usd_per_h100e_hour * core::kHoursPerMonth;
  }

  // 2. Spot: the rest of demand against the rest of capacity.
  std::vector<SupplyStep> offer;
  offer.reserve(steps.size());
  for (const model::CapacityStep& s : steps) offer.push_back({s.marginal_cost, s.operable_h100e - s.contract_h100e});
  auto residual = [&curve, contracted](double p) { return std::max(0.0, curve.total_h100e(p) - contracted); };
  const Clearing cleared = clear(residual, offer, cap);
  double price = cleared.price;
  if (scenario.market.stickiness < 1.0 && world.step > 0) {
    price = std::pow(previous_price, 1.0 - scenario.market.stickiness) * std::pow(cleared.price, scenario.market.stickiness);
  }
  double offered = 0.0;
  world.marginal_cost = cap;
  for (const SupplyStep& s : offer) {
    if (s.marginal_cost <= price) offered += s.capacity_h100e;
  }
  for (const model::CapacityStep& s : steps) world.marginal_cost = std::min(world.marginal_cost, s.marginal_cost);
  const double spot_demand = residual(price);
  const double spot_sold = std::min(spot_demand, offered);
  std::vector<SupplyStep> eligible = offer;
  for (SupplyStep& s : eligible) {
    if (s.marginal_cost > price) s.capacity_h100e = 0.0;
  }
  const std::vector<double> spot = fill_cheapest_first(eligible, spot_sold);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    steps[i].spot_h100e = spot[i];
    world.owners[steps[i].owner].served_h100e += spot[i];
    world.owners[steps[i].owner].compute_revenue_usd_bn += core::rent_for_month(core::Compute{spot[i]}, price).value();
  }

  const bool was_at_cap = world.step > 0 && previous_price >= kAtCapShare * cap;
  world.spot_price = price;
  world.contracted_served = core::Compute{contracted};
  world.served = core::Compute{contracted + spot_sold};
  world.unmet = core::Compute{std::max(0.0, spot_demand - offered)};
  world.inference_demand = core::Compute{curve.inference_h100e(price)};
  world.training_demand = core::Compute{curve.training_h100e(price)};
  world.compute_revenue = core::Money{(contract_revenue_usd + spot_sold * price * core::kHoursPerMonth) / 1e9};
  // A sticky price approaches the cap without reaching it exactly; within 0.1% counts as there.
  if (price >= kAtCapShare * cap && !was_at_cap) {
    events.emit({world.month, model::EventKind::kScarcityPricing, "spot", world.unmet.value()});
  }
}

}  // namespace bsim::market
