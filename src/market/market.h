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

/// Clears the month over `world.steps`:
/// 1. compute commitments active this month are served first, from the seller's cheapest
///    operable capacity, up to what the buyer uses (its demand at last month's price);
///    committed capacity the buyer does not use stays on offer on spot;
/// 2. the spot price clears the rest of demand against the rest of capacity (`clear`), then
///    moves towards it with stickiness θ: p_t = p_{t−1}^(1−θ) · p*^θ;
/// 3. spot sales are shared cheapest step first, pro rata within a cost.
/// Emits kScarcityPricing when the price first reaches the cap.
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Share of the scarcity cap from which the price counts as at the cap (a sticky price only
/// approaches it).
inline constexpr double kAtCapShare = 0.999;

/// Fills `quantity` into capacities, cheapest first and pro rata among equal costs; returns
/// the amount taken from each (same order as given).
std::vector<double> fill_cheapest_first(const std::vector<SupplyStep>& steps, double quantity);

}  // namespace bsim::market

#include "market/clearing_impl.h"
