#include "supply/supply.h"

#include <algorithm>
#include <numeric>

#include "core/calendar.h"

namespace bsim::supply {
namespace {

std::size_t technology_index_at(const std::vector<model::Generation>& gens, core::Month month) {
  std::size_t newest = 0;
  for (std::size_t g = 0; g < gens.size(); ++g) {
    if (gens[g].available <= month) newest = g;
  }
  return newest;
}

/// Moves the front of a pipeline into service; returns what arrived.
double advance_pipeline(std::vector<double>& pipeline) {
  if (pipeline.empty()) return 0.0;
  const double arrived = pipeline.front();
  pipeline.erase(pipeline.begin());
  pipeline.push_back(0.0);
  return arrived;
}

/// Drops vintages whose life has ended by `month`; returns what stays in service.
double retire(std::vector<model::GwVintage>& stock, core::Month month) {
  stock.erase(std::remove_if(stock.begin(), stock.end(), [&](const model::GwVintage& v) { return v.retire <= month; }),
              stock.end());
  double total = 0.0;
  for (const model::GwVintage& v : stock) total += v.gw;
  return total;
}

/// Splits an initial stock into ten equal vintages retiring evenly over the next `life`
/// months, since what exists at the start was built over the years before it.
std::vector<model::GwVintage> initial_vintages(core::Month start, int life_months, double amount) {
  std::vector<model::GwVintage> out;
  constexpr int kPieces = 10;
  for (int k = 1; k <= kPieces; ++k) out.push_back({start + std::max(1, life_months * k / kPieces), amount / kPieces, false});
  return out;
}

/// The pipeline of projects under way at the start: evenly over the lead time, or on a yearly
/// completion schedule (GW in each calendar year, spread over its months; years beyond the
/// lead time are not in the pipeline).
std::vector<double> initial_pipeline(core::Month start, int lead_time_months, double under_construction,
                                     const model::YearSeries& schedule) {
  const auto lead = static_cast<std::size_t>(std::max(0, lead_time_months));
  if (schedule.empty()) return std::vector<double>(lead, lead > 0 ? under_construction / lead_time_months : 0.0);
  std::vector<double> pipeline(lead, 0.0);
  for (std::size_t k = 0; k < lead; ++k) {
    const int year = (start + static_cast<int>(k)).year();
    for (const auto& [y, gw] : schedule.points) {
      if (y == year) pipeline[k] = gw / 12.0;
    }
  }
  return pipeline;
}

}  // namespace

double units_scale(const model::Scenario& scenario, const model::World& world) {
  const auto& gens = scenario.technology.generations;
  if (gens.empty()) return 1.0;
  const std::size_t at_start = technology_index_at(gens, scenario.time.start);
  return gens[world.current_generation].h100e_per_unit / gens[at_start].h100e_per_unit;
}

std::vector<std::pair<std::size_t, double>> serve_backlog(model::ProductionState& production, double cap) {
  std::vector<std::pair<std::size_t, double>> delivered;
  double room = cap;
  auto& queue = production.backlog;
  while (room > 0.0 && production.backlog_head < queue.size()) {
    model::BacklogOrder& order = queue[production.backlog_head];
    const double take = std::min(room, order.h100e);
    if (take > 0.0) delivered.emplace_back(order.owner, take);  // cancelled orders are empty
    order.h100e -= take;
    room -= take;
    production.backlog_h100e -= take;
    if (order.h100e <= 0.0) ++production.backlog_head;
  }
  // Compact the served front now and then, so the queue does not grow without bound.
  if (production.backlog_head > 64 && production.backlog_head * 2 > queue.size()) {
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(production.backlog_head));
    production.backlog_head = 0;
  }
  if (production.backlog_head >= queue.size()) production.backlog_h100e = 0.0;  // no rounding residue
  return delivered;
}

void init(const model::Scenario& scenario, model::World& world) {
  const model::SupplyParams& sup = scenario.supply;
  const core::Month start = scenario.time.start;
  world.owners.clear();
  world.cohorts.clear();
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    const model::Firm& firm = scenario.firms[f];
    if (!firm.owns_capacity()) continue;
    model::OwnerState o;
    o.firm = model::FirmId{static_cast<std::uint32_t>(f)};
    o.datacenter = initial_vintages(start, sup.datacenter.life_months, firm.initial_datacenter_gw.value());
    o.power = initial_vintages(start, sup.power.life_months, firm.initial_power_gw.value());
    o.datacenter_pipeline_gw = initial_pipeline(start, sup.datacenter.lead_time_months, firm.datacenter_gw_under_construction.value(),
                                                firm.datacenter_gw_completions);
    o.power_pipeline_gw = initial_pipeline(start, sup.power.lead_time_months, firm.power_gw_under_construction.value(),
                                           firm.power_gw_completions);
    o.datacenter_gw = firm.initial_datacenter_gw.value();
    o.power_gw = firm.initial_power_gw.value();
    if (firm.initial_h100e.value() > 0.0 && !scenario.technology.generations.empty()) {
      const model::Generation& g = scenario.technology.generations[firm.initial_generation];
      world.cohorts.push_back({o.firm, firm.initial_generation, start - 12, firm.initial_h100e.value(), g.kw_per_h100e,
                               g.usd_per_h100e});
    }
    world.owners.push_back(o);
  }
  world.datacenter_construction_gw_per_year = sup.datacenter.construction_gw_per_year;
  world.power_construction_gw_per_year = sup.power.construction_gw_per_year;
  world.production = {};
  world.production.cap_h100e_per_month = sup.production.initial_cap_per_month.value();
  world.production.projects = initial_vintages(start, sup.production.project_life_months, world.production.cap_h100e_per_month);
  world.production.project_pipeline.assign(static_cast<std::size_t>(sup.production.project_lead_time_months), 0.0);
  for (std::size_t i = 0; i < world.owners.size(); ++i) {
    const model::Firm& firm = scenario.firms[world.owners[i].firm.index()];
    model::place_accelerator_order(world, i, sup.production.initial_backlog.value() * firm.build_share);
  }
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  const model::SupplyParams& sup = scenario.supply;
  const auto& gens = scenario.technology.generations;
  model::ProductionState& prod = world.production;

  // Fabs and packaging.
  const double new_cap = advance_pipeline(prod.project_pipeline);
  prod.completed = new_cap;
  if (new_cap > 0.0) prod.projects.push_back({world.month + sup.production.project_life_months, new_cap});
  // Fabs make accelerator units; each generation packs more H100e into a unit, so the cap in
  // H100e scales with the newest generation's H100e per unit relative to the start's.
  prod.unscaled_cap = retire(prod.projects, world.month);
  prod.cap_h100e_per_month = prod.unscaled_cap * units_scale(scenario, world);

  // Deliveries, first in first out, as cohorts of the newest generation.
  double delivered = 0.0;
  world.delivered_cost = core::Money{0.0};
  const model::Generation& newest = gens[world.current_generation];
  for (model::OwnerState& o : world.owners) o.delivered_cost_usd_bn = 0.0;
  for (auto [owner, h100e] : serve_backlog(prod, prod.cap_h100e_per_month)) {  // cap already in today's H100e
    world.owners[owner].delivered_cost_usd_bn += core::cost_of(core::Compute{h100e}, newest.usd_per_h100e).value();
    delivered += h100e;
    world.owners[owner].on_order_h100e = std::max(0.0, world.owners[owner].on_order_h100e - h100e);
    const model::FirmId firm = world.owners[owner].firm;
    // This month's cohorts are at the back: search only them.
    auto it = world.cohorts.end();
    for (auto c = world.cohorts.rbegin(); c != world.cohorts.rend() && c->vintage == world.month; ++c) {
      if (c->owner == firm && c->generation == world.current_generation) it = std::prev(c.base());
    }
    if (it == world.cohorts.end()) {
      world.cohorts.push_back({firm, world.current_generation, world.month, h100e, newest.kw_per_h100e, newest.usd_per_h100e});
    } else {
      it->h100e += h100e;
    }
    world.delivered_cost += core::cost_of(core::Compute{h100e}, newest.usd_per_h100e);
  }
  prod.delivered_h100e = delivered;
  world.delivered = core::Compute{delivered};

  // Failures.
  const double survive = 1.0 - core::monthly_hazard(sup.failure_rate_per_year);
  double failed = 0.0;
  for (model::Cohort& c : world.cohorts) {
    c.failed_h100e = c.h100e * (1.0 - survive);
    failed += c.failed_h100e;
    c.h100e -= c.failed_h100e;
  }
  world.failed = core::Compute{failed};

  // Halls and power, then what each owner can run. One pass sums each owner's fleet by
  // generation (owners are few; cohorts are many).
  std::vector<std::size_t> owner_of_firm(scenario.firms.size(), world.owners.size());
  for (std::size_t i = 0; i < world.owners.size(); ++i) owner_of_firm[world.owners[i].firm.index()] = i;
  std::vector<double> fleet(world.owners.size() * gens.size(), 0.0);
  for (const model::Cohort& c : world.cohorts) fleet[owner_of_firm[c.owner.index()] * gens.size() + c.generation] += c.h100e;
  std::vector<double> by_generation(gens.size());
  world.steps.clear();
  double installed = 0.0;
  double operable = 0.0;
  for (std::size_t i = 0; i < world.owners.size(); ++i) {
    model::OwnerState& o = world.owners[i];
    const double dc_new = advance_pipeline(o.datacenter_pipeline_gw);
    o.datacenter_completed_gw = dc_new;
    if (dc_new > 0.0) o.datacenter.push_back({world.month + sup.datacenter.life_months, dc_new});
    o.datacenter_gw = retire(o.datacenter, world.month);
    double power_new = advance_pipeline(o.power_pipeline_gw);
    // Projects that slip (grid studies, turbines, transformers late): a share of what was due
    // moves back, unannounced — owners counted on it when they bought accelerators.
    if (sup.power.slip_share > 0.0 && sup.power.slip_months > 0 && !o.power_pipeline_gw.empty()) {
      const double slipped = sup.power.slip_share * power_new;
      const auto at = std::min<std::size_t>(o.power_pipeline_gw.size(), static_cast<std::size_t>(sup.power.slip_months)) - 1;
      o.power_pipeline_gw[at] += slipped;
      power_new -= slipped;
    }
    o.power_completed_gw = power_new;
    if (power_new > 0.0) o.power.push_back({world.month + sup.power.life_months, power_new});
    o.power_gw = retire(o.power, world.month);

    std::copy(fleet.begin() + static_cast<std::ptrdiff_t>(i * gens.size()),
              fleet.begin() + static_cast<std::ptrdiff_t>((i + 1) * gens.size()), by_generation.begin());
    // Powered halls hold the most power-efficient accelerators first.
    std::vector<std::size_t> order(gens.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return gens[a].kw_per_h100e < gens[b].kw_per_h100e; });
    double power_left_kw = std::min(o.datacenter_gw + o.leased_datacenter_gw, o.power_gw + o.leased_power_gw) * 1e6;
    o.installed_h100e = 0.0;
    o.operable_h100e = 0.0;
    double fleet_kw = 0.0;
    for (std::size_t g : order) {
      const double have = by_generation[g];
      if (have <= 0.0) continue;
      const double runs = std::min(have, power_left_kw / gens[g].kw_per_h100e);
      power_left_kw -= runs * gens[g].kw_per_h100e;
      o.installed_h100e += have;
      o.operable_h100e += runs;
      fleet_kw += have * gens[g].kw_per_h100e;
      if (runs > 0.0) world.steps.push_back({i, g, model::marginal_cost(sup, gens[g]), runs, 0.0, 0.0});
    }
    o.fleet_kw_per_h100e = o.installed_h100e > 0.0 ? fleet_kw / o.installed_h100e : newest.kw_per_h100e;
    o.idle_no_power_h100e = o.installed_h100e - o.operable_h100e;
    installed += o.installed_h100e;
    operable += o.operable_h100e;
  }
  world.installed = core::Compute{installed};
  world.operable = core::Compute{operable};
}

}  // namespace bsim::supply
