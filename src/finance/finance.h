#pragma once
/// Finance (DESIGN §1.5–1.9). In the first model only the month's capital spending is booked
/// here; balance sheets, contracts' cash flows, settlement and default come with the finance
/// issue.

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::finance {

/// Books capex: delivered accelerators × all-in price per H100e.
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

}  // namespace bsim::finance
