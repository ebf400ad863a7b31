#pragma once
/// Demand (DESIGN §1.3): Bass adoption, usage growth and the short-/long-run price response of
/// each segment, and training demand from a budget in USD.
///
/// Each month has two halves: `prepare` builds the month's demand curve D(p) (read by the
/// market), and `settle` records the demand at the price the market cleared.

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::demand {

/// Starting state: Q = initial demand, Q* = Q × initial gap at the initial service price.
void init(const model::Scenario& scenario, model::World& world);

/// Advances adoption and usage, and writes the curve
/// ln Q_t(p) = ln Q_{t−1} + Δln A_t − ε_SR (ln P(p) − ln P_{t−1}) + min(λ (ln Q*_{t−1} − ln Q_{t−1}), ln g_max / 12)
/// with P(p) = p · c(t) · markup + other cost and λ = 1 − exp(−1/τ); and the training
/// budget B_t · ((1 − s) + s / E_surprise), E_surprise being the jump and shock part of E.
void prepare(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Records Q_t, Q*_t = A_t · P_t^(−ε_LR), the service volume, price and revenue at the spot price.
void settle(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Service price P = p · c · markup + other cost, USD per service unit.
double service_price(const model::Segment& segment, double spot_price, double compute_per_unit);

}  // namespace bsim::demand
