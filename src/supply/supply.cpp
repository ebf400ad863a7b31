#include "supply/supply.h"

#include "core/calendar.h"

namespace bsim::supply {

void init(const model::Scenario& scenario, model::World& world) {
  world.installed = scenario.supply.initial_installed;
  world.pipeline_h100e.assign(static_cast<std::size_t>(scenario.supply.build_lead_time_months),
                              scenario.supply.initial_deliveries_per_month.value());
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  auto& pipeline = world.pipeline_h100e;
  world.delivered = core::Compute{pipeline.empty() ? 0.0 : pipeline.front()};
  if (!pipeline.empty()) {
    pipeline.erase(pipeline.begin());
    pipeline.push_back(0.0);
  }
  world.failed = world.installed * core::monthly_hazard(scenario.supply.failure_rate_per_year);
  world.installed += world.delivered - world.failed;
}

}  // namespace bsim::supply
