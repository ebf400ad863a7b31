#pragma once
/// The compute market (DESIGN §1.4): compute commitments served first, then a spot market
/// cleared over marginal-cost supply steps against the month's demand curve.

#include <vector>

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::market {

/// Capacity offered at one marginal cost.
struct SupplyStep {
  double marginal_cost = 0.0;  ///< USD per H100e-hour
  double capacity_h100e = 0.0;
};

struct Clearing {
  double price = 0.0;         ///< USD per H100e-hour
  double demand_h100e = 0.0;  ///< notional demand at `price`
  double served_h100e = 0.0;
  double unmet_h100e = 0.0;   ///< rationed away (only at the cap)
  bool at_cap = false;
  std::vector<double> used_h100e;  ///< per step, in the order given
};

/// Clears D(p) against the steps: the lowest price at which demand no longer exceeds the
/// capacity offered at or below it. Between steps the price solves D(p) = S by bisection on
/// the monotone gap; at a step the marginal capacity is shared pro rata; beyond all capacity
/// the price rises until demand fits or reaches `price_cap`, where demand is rationed.
/// `demand` must be non-increasing in p and finite for p > 0.
template <class DemandFn>
Clearing clear(const DemandFn& demand, std::vector<SupplyStep> steps, double price_cap);

/// Clears the month: contracts first, the spot price (with optional stickiness), the served
/// and unmet compute, and emits kScarcityPricing when the price first reaches the cap.
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Marginal cost of running one H100e-hour: power price × kW per H100e + other opex.
double marginal_cost(const model::SupplyParams& supply);

}  // namespace bsim::market

#include "market/clearing_impl.h"
