#include "behaviour/behaviour.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/calendar.h"

namespace bsim::behaviour {

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  const double demand = world.inference_demand.value() + world.training_demand.value();
  auto& history = world.demand_history_h100e;
  history.push_back(demand);

  const int window = std::min<int>(scenario.build.growth_window_months, static_cast<int>(history.size()) - 1);
  double monthly_growth = 1.0;
  if (window > 0) {
    const double then = history[history.size() - 1 - static_cast<std::size_t>(window)];
    if (then > 0.0) monthly_growth = std::pow(demand / then, 1.0 / window);
  }
  monthly_growth = std::min(monthly_growth, core::monthly_multiplier(scenario.build.max_growth_per_year));

  const int lead = scenario.supply.build_lead_time_months;
  const double expected = demand * std::pow(monthly_growth, lead);
  const double surviving = world.installed.value() * std::pow(1.0 - core::monthly_hazard(scenario.supply.failure_rate_per_year), lead);
  const double on_order = std::accumulate(world.pipeline_h100e.begin(), world.pipeline_h100e.end(), 0.0);
  const double order = std::max(0.0, (1.0 + scenario.build.reserve_margin) * expected - (surviving + on_order));
  world.ordered = core::Compute{order};
  if (!world.pipeline_h100e.empty()) world.pipeline_h100e.back() += order;
}

}  // namespace bsim::behaviour
