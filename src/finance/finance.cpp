#include "finance/finance.h"

#include <numeric>

namespace bsim::finance {
namespace {

double under_construction(const std::vector<double>& pipeline) {
  return std::accumulate(pipeline.begin(), pipeline.end(), 0.0);
}

}  // namespace

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  const model::SupplyParams& sup = scenario.supply;
  double halls_and_power = 0.0;
  for (model::OwnerState& o : world.owners) {
    // Supply has just moved this month's completions out of the pipelines: they pay their last
    // instalment now, so each project pays exactly its cost over its lead time.
    o.capex_usd_bn = (under_construction(o.datacenter_pipeline_gw) + o.datacenter_completed_gw) *
                         sup.datacenter.usd_bn_per_gw / sup.datacenter.lead_time_months +
                     (under_construction(o.power_pipeline_gw) + o.power_completed_gw) * sup.power.usd_bn_per_gw /
                         sup.power.lead_time_months;
    halls_and_power += o.capex_usd_bn;
  }
  world.production.capex_usd_bn = (under_construction(world.production.project_pipeline) + world.production.completed) *
                                  sup.production.usd_bn_per_h100e_per_month / sup.production.project_lead_time_months;
  world.capex = world.delivered_cost + core::Money{halls_and_power + world.production.capex_usd_bn};
}

}  // namespace bsim::finance
