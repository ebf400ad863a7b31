#include "behaviour/behaviour.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "behaviour/sentiment.h"
#include "core/calendar.h"

namespace bsim::behaviour {
namespace {

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

double expected_monthly_growth(const model::BuildParams& build, const std::vector<double>& history) {
  const double prior = core::monthly_multiplier(build.initial_growth_per_year);
  const int window = build.growth_window_months;
  const int have = std::min<int>(window, static_cast<int>(history.size()) - 1);
  double growth = prior;
  if (have > 0) {
    const double then = history[history.size() - 1 - static_cast<std::size_t>(have)];
    const double seen = then > 0.0 ? std::pow(history.back() / then, 1.0 / have) : prior;
    // Until a full window exists, trust the data in proportion to how much of it there is.
    const double weight = static_cast<double>(have) / window;
    growth = std::exp(weight * std::log(seen) + (1.0 - weight) * std::log(prior));
  }
  return std::min(growth, core::monthly_multiplier(build.max_growth_per_year));
}

BuildOrders decide_builds(const model::Scenario& scenario, const model::World& world) {
  const model::SupplyParams& sup = scenario.supply;
  const std::size_t n = world.owners.size();
  BuildOrders orders;
  orders.accelerators_h100e.assign(n, 0.0);
  orders.datacenter_gw.assign(n, 0.0);
  orders.power_gw.assign(n, 0.0);

  const double demand = world.demand_history_h100e.empty() ? 0.0 : world.demand_history_h100e.back();
  const double g = expected_monthly_growth(scenario.build, world.demand_history_h100e);
  const model::ProductionState& prod = world.production;
  const double queue_months = prod.cap_h100e_per_month > 0.0 ? prod.backlog_h100e / prod.cap_h100e_per_month : 0.0;
  const double horizon = scenario.build.max_planning_months;
  const double lead = std::min(std::max(1.0, queue_months + 1.0), horizon);
  const double survive = 1.0 - core::monthly_hazard(sup.failure_rate_per_year);
  const double new_kw = scenario.technology.generations[world.current_generation].kw_per_h100e;
  const double reserve = 1.0 + scenario.build.reserve_margin;

  for (std::size_t i = 0; i < n; ++i) {
    const model::OwnerState& o = world.owners[i];
    // A defaulted owner's capacity keeps running for its creditors, but nothing new is built.
    if (!world.firm_status.empty() && world.firm_status[o.firm.index()] == model::FirmStatus::kDefaulted) continue;
    const double share = scenario.firms[o.firm.index()].build_share;
    // Accelerators: cover expected demand one queue lead time ahead.
    const double target = share * reserve * demand * std::pow(g, lead);
    const double surviving = o.installed_h100e * std::pow(survive, lead);
    orders.accelerators_h100e[i] = std::max(0.0, target - surviving - o.on_order_h100e);

    // Halls and power: able to run, at their lead times, the fleet then expected.
    auto gw_needed = [&](int lead_months) {
      const double fleet_then = share * reserve * demand * std::pow(g, std::min<double>(lead_months, horizon));
      const double old = o.installed_h100e * std::pow(survive, lead_months);
      const double added = std::max(0.0, fleet_then - old);
      return (old * o.fleet_kw_per_h100e + added * new_kw) / 1e6;
    };
    orders.datacenter_gw[i] = std::max(0.0, gw_needed(sup.datacenter.lead_time_months) - o.datacenter_gw - o.leased_datacenter_gw -
                                                sum(o.datacenter_pipeline_gw));
    orders.power_gw[i] = std::max(0.0, gw_needed(sup.power.lead_time_months) - o.power_gw - o.leased_power_gw - sum(o.power_pipeline_gw));
  }

  // Fabs: expand while the queue is longer than the target, counting projects under way.
  // Projects are in start-of-horizon H100e; today's cap is in today's (bigger) units.
  const double scale = prod.cap_h100e_per_month > 0.0 && prod.unscaled_cap > 0.0 ? prod.cap_h100e_per_month / prod.unscaled_cap : 1.0;
  const double cap_coming = prod.cap_h100e_per_month + sum(prod.project_pipeline) * scale;
  const double backlog = prod.backlog_h100e + sum(orders.accelerators_h100e);
  if (cap_coming > 0.0 && backlog / cap_coming > sup.production.target_backlog_months) {
    const double wanted = backlog / sup.production.target_backlog_months - cap_coming;
    orders.production_h100e_per_month = std::min(wanted, sup.production.expansion_share * prod.cap_h100e_per_month) / scale;
  }
  return orders;
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  update_sentiment(scenario, world);
  world.demand_history_h100e.push_back(world.inference_demand.value() + world.training_demand.value());
  const BuildOrders orders = decide_builds(scenario, world);
  double ordered = 0.0;
  for (std::size_t i = 0; i < world.owners.size(); ++i) {
    model::OwnerState& o = world.owners[i];
    model::place_accelerator_order(world, i, orders.accelerators_h100e[i]);
    ordered += orders.accelerators_h100e[i];
    if (!o.datacenter_pipeline_gw.empty()) o.datacenter_pipeline_gw.back() += orders.datacenter_gw[i];
    if (!o.power_pipeline_gw.empty()) o.power_pipeline_gw.back() += orders.power_gw[i];
  }
  if (!world.production.project_pipeline.empty()) {
    world.production.project_pipeline.back() += orders.production_h100e_per_month;
  }
  world.ordered = core::Compute{ordered};
}

}  // namespace bsim::behaviour
