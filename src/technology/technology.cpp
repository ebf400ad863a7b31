#include "technology/technology.h"

#include <cmath>

namespace bsim::technology {

double edge_share(const model::EdgeParams& edge, double efficiency) {
  return edge.max_share / (1.0 + std::exp(-edge.steepness * (std::log(efficiency) - std::log(edge.midpoint_efficiency))));
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events) {
  const model::EfficiencyParams& eff = scenario.technology.efficiency;
  if (world.step > 0) {
    world.log_efficiency_trend += std::log(eff.trend_per_year) / 12.0;
  }
  // Draw the jump count every month, even when the rate is zero, so that switching jumps on
  // or off does not shift the other draws of this stream.
  const std::uint64_t jumps = rng.poisson(eff.jump_rate_per_year / 12.0);
  for (std::uint64_t i = 0; i < jumps; ++i) {
    const double size = rng.lognormal(std::log(eff.jump_median_multiplier), eff.jump_sigma);
    world.log_efficiency_jumps += std::log(size);
    events.emit({world.month, model::EventKind::kEfficiencyJump, "random", size});
  }
  for (const model::Shock& shock : scenario.shocks) {
    if (shock.month == world.month && shock.kind == model::ShockKind::kEfficiency) {
      world.log_efficiency_shocks += std::log(shock.multiplier);
      events.emit({world.month, model::EventKind::kEfficiencyShock, shock.id, shock.multiplier});
    }
  }
  world.efficiency = std::exp(world.log_efficiency_trend + world.log_efficiency_jumps + world.log_efficiency_shocks);
  world.edge_share = edge_share(scenario.technology.edge, world.efficiency);
}

}  // namespace bsim::technology
