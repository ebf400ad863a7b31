#pragma once
/// Finance (DESIGN §1.5–1.9). For now only the month's capital spending is booked here;
/// balance sheets, contracts' cash flows, settlement and default come with the finance issue.

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::finance {

/// Books capex: delivered accelerators at their generation's price, plus shells, power and fab
/// projects under construction, each paying 1/lead-time of its cost every month it is in the
/// pipeline (so spending leads completion, as it does in company accounts).
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

}  // namespace bsim::finance
