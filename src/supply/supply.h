#pragma once
/// Physical supply (DESIGN §1.2), first model: one aggregate stock of accelerators fed by a
/// pipeline of orders with a fixed lead time, losing a share to failures each month.

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::supply {

/// Sets the starting stock and the pipeline of deliveries ordered before the start.
void init(const model::Scenario& scenario, model::World& world);

/// Delivers what the pipeline holds for this month, then removes failures
/// (installed × (1 − (1 − rate)^(1/12))).
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

}  // namespace bsim::supply
