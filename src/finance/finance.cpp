#include "finance/finance.h"

namespace bsim::finance {

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  world.capex = core::cost_of(world.delivered, scenario.supply.usd_per_h100e);
}

}  // namespace bsim::finance
