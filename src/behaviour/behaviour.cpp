#include "behaviour/behaviour.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "behaviour/sentiment.h"
#include "core/calendar.h"

namespace bsim::behaviour {
namespace {

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

/// What a stock growing at g a month grows by, as a share of itself, over `months` (growth
/// extrapolated at most `horizon` months).
double growth_over_months(double g, double months, double horizon) { return std::pow(g, std::min(months, horizon)) - 1.0; }

}  // namespace

double planned_monthly_growth(const model::BuildParams& build, double expected_log_growth) {
  const double planned = expected_log_growth + build.optimism * std::fabs(expected_log_growth);
  return std::exp(std::min(planned, std::log(core::monthly_multiplier(build.max_growth_per_year))));
}

double price_discipline(const model::Scenario& scenario, const model::World& world, const model::Firm& firm) {
  if (!scenario.build.price_discipline || scenario.technology.generations.empty()) return 1.0;
  const model::Generation& gen = scenario.technology.generations[world.current_generation];
  const double running = model::marginal_cost(scenario.supply, gen);
  // The owner's cost of capital: what markets charge it this month (policy rate, credit spread,
  // equity premium, weighted by its debt and equity; §9), or the scenario's discount rate.
  const bool listed = !scenario.firms.empty() && &firm >= scenario.firms.data() && &firm < scenario.firms.data() + scenario.firms.size();
  const std::size_t f = listed ? static_cast<std::size_t>(&firm - scenario.firms.data()) : scenario.firms.size();
  const std::vector<double>& market = world.valuation.cost_of_capital_per_year;
  const double per_year = scenario.build.market_cost_of_capital && f < market.size() && market[f] > 0.0
                              ? market[f]
                              : scenario.finance.discount_rate_per_year;
  const double rate = core::monthly_rate(per_year);
  // Capital recovery per H100e-hour of new capacity: the accelerator over its book life, and
  // its share of a hall and of grid power (at the newest generation's kW) over theirs.
  const model::SupplyParams& sup = scenario.supply;
  const double kw = gen.kw_per_h100e;
  auto per_kw = [](const model::PipelineParams& pp) { return pp.usd_bn_per_gw * 1e9 / 1e6; };  // USD per kW
  double capital = gen.usd_per_h100e * (rate + 1.0 / firm.book_life_months);
  if (scenario.build.buildings_in_cost) {
    capital += kw * per_kw(sup.datacenter) * (rate + 1.0 / std::max(1, sup.datacenter.life_months)) +
               kw * per_kw(sup.power) * (rate + 1.0 / std::max(1, sup.power.life_months));
  }
  capital /= core::kHoursPerMonth;
  // The price new capacity is expected to earn: this month's, or its average over the book life
  // with the spot price's expected trend extrapolated (a geometric series of L months).
  double price = world.spot_price;
  const double x = world.behaviour.expected_log_price_change;
  if (scenario.build.price_trend_in_returns && x != 0.0 && firm.book_life_months > 1) {
    const double life = firm.book_life_months;
    price *= std::expm1(x * life) / (life * std::expm1(x));
  }
  if (capital <= 0.0) return price > running ? 1.0 : 0.0;
  const double margin = (price - running) / capital;
  if (margin <= 1.0) return std::max(0.0, margin);
  // Above full cost, owners expect the demand that a price at full cost would bring out.
  return std::pow(price / (running + capital), scenario.build.price_response);
}

namespace {

/// The sum of a pipeline's entries that can still be abandoned: those less than `share` of the
/// way through a build of `lead` months (entry k, 0 = completing next month, has been paid for
/// lead − 1 − k months).
double abandonable(const std::vector<double>& pipeline, double share) {
  const auto lead = static_cast<double>(pipeline.size());
  double gw = 0.0;
  for (std::size_t k = 0; k < pipeline.size(); ++k) {
    if ((lead - 1.0 - static_cast<double>(k)) / lead < share) gw += pipeline[k];
  }
  return gw;
}

/// Abandons up to `gw` of an owner's shells or power: planned projects first, then those under
/// construction from the newest, while they are less than `share` of the way through. What was
/// spent on them is added to the owner's sunk cost to write off.
void abandon(const model::PipelineParams& pp, double share, double gw, double& planned, std::vector<double>& pipeline,
             model::OwnerState& o, double& sunk_usd_bn) {
  if (gw <= 0.0) return;
  const double from_plans = std::min(planned, gw);
  planned -= from_plans;
  o.abandoned_gw += from_plans;
  double left = gw - from_plans;
  const auto lead = static_cast<double>(pipeline.size());
  for (std::size_t k = pipeline.size(); k-- > 0 && left > 0.0;) {
    const double progress = (lead - 1.0 - static_cast<double>(k)) / lead;
    if (progress >= share) break;
    const double take = std::min(pipeline[k], left);
    pipeline[k] -= take;
    left -= take;
    o.abandoned_gw += take;
    sunk_usd_bn += take * pp.usd_bn_per_gw * progress;
  }
}

}  // namespace

double contracted_sales_h100e(const model::Scenario& scenario, std::size_t firm, core::Month month) {
  double h100e = 0.0;
  for (const model::ComputeCommitment& c : scenario.contracts) {
    if (c.seller.index() == firm && month >= c.start && month <= c.end) h100e += c.volume.value();
  }
  return h100e;
}

BuildOrders decide_builds(const model::Scenario& scenario, const model::World& world) {
  const model::SupplyParams& sup = scenario.supply;
  const model::BuildParams& bp = scenario.build;
  const std::size_t n = world.owners.size();
  BuildOrders orders;
  orders.accelerators_h100e.assign(n, 0.0);
  orders.datacenter_gw.assign(n, 0.0);
  orders.power_gw.assign(n, 0.0);
  orders.cancel_h100e.assign(n, 0.0);
  orders.abandon_datacenter_gw.assign(n, 0.0);
  orders.abandon_power_gw.assign(n, 0.0);

  const double demand = world.demand_history_h100e.empty() ? 0.0 : world.demand_history_h100e.back();
  const double g = planned_monthly_growth(bp, world.behaviour.expected_log_growth);
  const model::ProductionState& prod = world.production;
  const double queue_months = prod.cap_h100e_per_month > 0.0 ? prod.backlog_h100e / prod.cap_h100e_per_month : 0.0;
  const double horizon = bp.max_planning_months;
  const bool stock_rule = bp.rule == model::BuildParams::Rule::kStockManagement;
  // The queue rule plans over the queue's length; the stock-management rule over the makers'
  // normal lead time (the backlog they aim for), whatever the queue is.
  const double lead = stock_rule ? std::max(1.0, sup.production.target_backlog_months)
                                 : std::min(std::max(1.0, queue_months + 1.0), horizon);
  const double hazard = core::monthly_hazard(sup.failure_rate_per_year);
  const double survive = 1.0 - hazard;
  const double new_kw = scenario.technology.generations[world.current_generation].kw_per_h100e;
  const double reserve = 1.0 + bp.reserve_margin;
  const double tau = std::max(1.0, bp.stock_adjustment_months);
  const double beta = bp.supply_line_weight;

  const double usd_bn_per_h100e =
      scenario.technology.generations.empty() ? 0.0 : scenario.technology.generations[world.current_generation].usd_per_h100e / 1e9;
  for (std::size_t i = 0; i < n; ++i) {
    const model::OwnerState& o = world.owners[i];
    const std::size_t f = o.firm.index();
    // A defaulted owner's capacity keeps running for its creditors, but nothing new is built.
    if (!world.firm_status.empty() && world.firm_status[f] == model::FirmStatus::kDefaulted) continue;
    const model::Firm& firm = scenario.firms[f];
    const double share = firm.build_share;
    // Growth is built only as far as the price pays for new capacity.
    const double pays = price_discipline(scenario, world, firm);
    const double boost = std::max(1.0, pays);  // demand expected at a full-cost price
    const double build = std::min(1.0, pays);  // share of the growth the price pays for
    if (stock_rule) {
      // Desired fleet now, and what it will need to grow by over the lead (growth extrapolated
      // at most H months), with replacements; compute sold forward counts at least in full.
      double desired = share * reserve * demand * boost;
      if (bp.power_aware) {
        // No more accelerators than the power in service and completing within the power horizon
        // can run (new ones at the newest generation's kW), with the reserve margin.
        const auto soon = static_cast<std::ptrdiff_t>(std::min<std::size_t>(o.power_pipeline_gw.size(),
                                                                         static_cast<std::size_t>(std::max(0, bp.power_horizon_months))));
        const double coming = std::accumulate(o.power_pipeline_gw.begin(), o.power_pipeline_gw.begin() + soon, 0.0);
        const double power_kw = (o.power_gw + o.leased_power_gw + coming) * 1e6;
        const double old_kw = o.installed_h100e * o.fleet_kw_per_h100e;
        const double can_run = power_kw >= old_kw ? o.installed_h100e + (power_kw - old_kw) / new_kw
                                                  : (o.fleet_kw_per_h100e > 0.0 ? power_kw / o.fleet_kw_per_h100e : 0.0);
        desired = std::min(desired, reserve * can_run);
      }
      if (bp.contracts_in_target) desired = std::max(desired, contracted_sales_h100e(scenario, f, world.month + static_cast<int>(lead)));
      const double growth_over = growth_over_months(g, lead, horizon);
      const double stock = o.installed_h100e;
      const double acquisitions = stock * hazard + desired * (g - 1.0);
      const double line_wanted = std::max(0.0, desired * growth_over + stock * (1.0 - std::pow(survive, lead)));
      const double raw = acquisitions + ((desired - stock) + beta * (line_wanted - o.on_order_h100e)) / tau;
      orders.accelerators_h100e[i] = build * std::max(0.0, raw);
      if (bp.order_cancellation) orders.cancel_h100e[i] = std::min(o.on_order_h100e, std::max(0.0, -raw));

      // Shells and power: halls able to run the desired fleet, and a pipeline holding what that
      // need will grow by over the lead time; negative orders abandon planned and early projects.
      auto decide_gw = [&](const model::PipelineParams& pp, double in_service, double pipeline, double planned, double early,
                           double& order, double& abandon) {
        const double months = pp.lead_time_months;
        const double kw_new_growth = new_kw / 1e6;
        const double need = (stock * o.fleet_kw_per_h100e + std::max(0.0, desired - stock) * new_kw) / 1e6;
        const double retire = in_service / std::max(1, pp.life_months);
        const double need_growth = desired * (g - 1.0) * kw_new_growth;
        const double line_wanted_gw = std::max(0.0, desired * growth_over_months(g, months, horizon) * kw_new_growth) + retire * months;
        const double line = pipeline + planned;
        const double raw_gw = retire + need_growth + ((need - in_service) + beta * (line_wanted_gw - line)) / tau;
        order = build * std::max(0.0, raw_gw);
        abandon = std::min(planned + early, std::max(0.0, -raw_gw));
      };
      decide_gw(sup.datacenter, o.datacenter_gw + o.leased_datacenter_gw, sum(o.datacenter_pipeline_gw), o.datacenter_planned_gw,
                abandonable(o.datacenter_pipeline_gw, bp.abandon_before_share), orders.datacenter_gw[i], orders.abandon_datacenter_gw[i]);
      const int hall_horizon = sup.datacenter.lead_time_months + bp.power_horizon_months;
      if (bp.power_aware && bp.powered_shells && sup.power.lead_time_months > hall_horizon) {
        // Powered shells: where power takes longer to build than a hall (and the power horizon),
        // no more halls than the power in service and under construction that completes within
        // the power horizon after the halls would. (Where power is quicker, it can still be
        // ordered in time and does not limit halls.)
        const auto by = std::min<std::size_t>(o.power_pipeline_gw.size(), static_cast<std::size_t>(std::max(0, hall_horizon)));
        const double powered = o.power_gw + o.leased_power_gw +
                               std::accumulate(o.power_pipeline_gw.begin(), o.power_pipeline_gw.begin() + static_cast<std::ptrdiff_t>(by), 0.0);
        const double halls = o.datacenter_gw + o.leased_datacenter_gw + sum(o.datacenter_pipeline_gw) + o.datacenter_planned_gw;
        orders.datacenter_gw[i] = std::min(orders.datacenter_gw[i], std::max(0.0, powered - halls));
      }
      decide_gw(sup.power, o.power_gw + o.leased_power_gw, sum(o.power_pipeline_gw), o.power_planned_gw,
                abandonable(o.power_pipeline_gw, bp.abandon_before_share), orders.power_gw[i], orders.abandon_power_gw[i]);
    } else {
      // Accelerators: cover expected demand one queue lead time ahead.
      const double target = share * reserve * demand * boost * std::pow(g, lead);
      const double surviving = o.installed_h100e * std::pow(survive, lead);
      if (bp.order_cancellation) {
        // Open orders move to what the rule wants on order: up by new orders, down by cancelling.
        const double wanted_open = build * std::max(0.0, target - surviving);
        orders.accelerators_h100e[i] = std::max(0.0, wanted_open - o.on_order_h100e);
        orders.cancel_h100e[i] = std::max(0.0, o.on_order_h100e - wanted_open);
      } else {
        orders.accelerators_h100e[i] = build * std::max(0.0, target - surviving - o.on_order_h100e);
      }

      // Halls and power: able to run, at their lead times, the fleet then expected.
      auto gw_needed = [&](int lead_months) {
        const double fleet_then = share * reserve * demand * boost * std::pow(g, std::min<double>(lead_months, horizon));
        const double old = o.installed_h100e * std::pow(survive, lead_months);
        const double added = build * std::max(0.0, fleet_then - old);
        return (old * o.fleet_kw_per_h100e + added * new_kw) / 1e6;
      };
      orders.datacenter_gw[i] = std::max(0.0, gw_needed(sup.datacenter.lead_time_months) - o.datacenter_gw - o.leased_datacenter_gw -
                                                  sum(o.datacenter_pipeline_gw));
      orders.power_gw[i] = std::max(0.0, gw_needed(sup.power.lead_time_months) - o.power_gw - o.leased_power_gw - sum(o.power_pipeline_gw));
    }

    // Financing: no more than the owner's deposits and the new money it can raise, less what
    // it already has on order.
    if (bp.financing_limit && f < world.fin.new_money_headroom.size()) {
      const double deposits = world.ledger.sheet(f).assets[static_cast<std::size_t>(model::Asset::kDeposits)];
      const double budget =
          std::max(0.0, std::max(0.0, deposits) + world.fin.new_money_headroom[f] - o.on_order_h100e * usd_bn_per_h100e);
      const double cost = orders.accelerators_h100e[i] * usd_bn_per_h100e + orders.datacenter_gw[i] * sup.datacenter.usd_bn_per_gw +
                          orders.power_gw[i] * sup.power.usd_bn_per_gw;
      if (cost > budget) {
        const double scale = budget / cost;
        orders.accelerators_h100e[i] *= scale;
        orders.datacenter_gw[i] *= scale;
        orders.power_gw[i] *= scale;
      }
    }
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

void init(const model::Scenario& scenario, model::World& world) {
  world.behaviour = model::BehaviourState{};
  world.behaviour.expected_log_growth = std::log(scenario.build.initial_growth_per_year) / 12.0;
  world.behaviour.training_factor.assign(scenario.firms.size(), 1.0);
  init_sentiment(scenario, world);
}

double monthly_commitments_usd_bn(const model::Scenario& scenario, std::size_t firm, core::Month month) {
  double usd_bn = 0.0;
  for (const model::ComputeCommitment& c : scenario.contracts) {
    if (c.buyer.index() != firm || month < c.start || month > c.end) continue;
    usd_bn += c.volume.value() * c.price_usd_per_h100e_hour * core::kHoursPerMonth / 1e9;
  }
  return usd_bn;
}

void set_training_budgets(const model::Scenario& scenario, model::World& world) {
  const model::TrainingParams& tp = scenario.training;
  auto& factor = world.behaviour.training_factor;
  factor.assign(scenario.firms.size(), 1.0);
  if (!tp.funding_discipline) return;
  const core::Month next = world.month + 1;
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    const model::Firm& firm = scenario.firms[f];
    if (firm.training_budget_usd_bn_per_year.empty()) continue;
    const double spend = firm.training_budget_usd_bn_per_year.at(next) / 12.0 + monthly_commitments_usd_bn(scenario, f, next);
    if (spend <= 0.0) continue;
    const double deposits = world.ledger.sheet(f).assets[static_cast<std::size_t>(model::Asset::kDeposits)];
    const double headroom = f < world.fin.new_money_headroom.size() ? world.fin.new_money_headroom[f] : 0.0;
    const double revenue = world.ledger.receipts(model::Flow::kServiceRevenue, f);
    const double funds = std::max(0.0, deposits) + headroom + tp.min_runway_months * revenue;
    factor[f] = std::clamp(funds / (tp.min_runway_months * spend), tp.min_budget_share, 1.0);
  }
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink& events) {
  update_sentiment(scenario, world);
  const double demand_now = world.inference_demand.value() + world.training_demand.value();
  const double demand_before = world.demand_history_h100e.empty() ? 0.0 : world.demand_history_h100e.back();
  if (demand_before > 0.0 && demand_now > 0.0) {
    const double seen = std::log(demand_now / demand_before);
    const double weight = 1.0 - std::exp2(-1.0 / scenario.build.expectations_half_life_months);
    world.behaviour.expected_log_growth += weight * (seen - world.behaviour.expected_log_growth);
  }
  world.demand_history_h100e.push_back(demand_now);
  if (world.step > 0 && world.last_spot_price > 0.0 && world.spot_price > 0.0) {
    const double seen = std::log(world.spot_price / world.last_spot_price);
    const double weight = 1.0 - std::exp2(-1.0 / scenario.build.expectations_half_life_months);
    world.behaviour.expected_log_price_change += weight * (seen - world.behaviour.expected_log_price_change);
  }
  world.last_spot_price = world.spot_price;
  set_training_budgets(scenario, world);
  const BuildOrders orders = decide_builds(scenario, world);
  const model::ProductionParams& pp = scenario.supply.production;
  const std::vector<double> cancelled = model::cancel_accelerator_orders(
      world, orders.cancel_h100e, pp.noncancellable_months * world.production.cap_h100e_per_month);
  const double usd_per_h100e =
      scenario.technology.generations.empty() ? 0.0 : scenario.technology.generations[world.current_generation].usd_per_h100e;
  double ordered = 0.0;
  double cancelled_total = 0.0;
  for (std::size_t i = 0; i < world.owners.size(); ++i) {
    model::OwnerState& o = world.owners[i];
    o.cancelled_h100e = cancelled[i];
    o.cancellation_fee_usd_bn += pp.cancellation_fee_share * core::cost_of(core::Compute{cancelled[i]}, usd_per_h100e).value();
    cancelled_total += cancelled[i];
    model::place_accelerator_order(world, i, orders.accelerators_h100e[i]);
    ordered += orders.accelerators_h100e[i];
    if (scenario.build.rule == model::BuildParams::Rule::kStockManagement) {
      // Orders are plans; construction capacity decides when they start (start_construction).
      o.datacenter_planned_gw += orders.datacenter_gw[i];
      o.power_planned_gw += orders.power_gw[i];
      o.abandoned_gw = 0.0;
      o.abandoned_sunk_datacenter_usd_bn = 0.0;
      o.abandoned_sunk_power_usd_bn = 0.0;
      abandon(scenario.supply.datacenter, scenario.build.abandon_before_share, orders.abandon_datacenter_gw[i], o.datacenter_planned_gw,
              o.datacenter_pipeline_gw, o, o.abandoned_sunk_datacenter_usd_bn);
      abandon(scenario.supply.power, scenario.build.abandon_before_share, orders.abandon_power_gw[i], o.power_planned_gw,
              o.power_pipeline_gw, o, o.abandoned_sunk_power_usd_bn);
      o.abandoned_sunk_usd_bn = o.abandoned_sunk_datacenter_usd_bn + o.abandoned_sunk_power_usd_bn;
      if (o.abandoned_sunk_usd_bn > 0.0) {
        events.emit({world.month, model::EventKind::kProjectAbandoned, scenario.firms[o.firm.index()].id, o.abandoned_sunk_usd_bn, {}});
      }
    } else {
      if (!o.datacenter_pipeline_gw.empty()) o.datacenter_pipeline_gw.back() += orders.datacenter_gw[i];
      if (!o.power_pipeline_gw.empty()) o.power_pipeline_gw.back() += orders.power_gw[i];
    }
  }
  if (scenario.build.rule == model::BuildParams::Rule::kStockManagement) start_construction(scenario, world);
  if (!world.production.project_pipeline.empty()) {
    world.production.project_pipeline.back() += orders.production_h100e_per_month;
  }
  world.ordered = core::Compute{ordered};
  world.cancelled = core::Compute{cancelled_total};
}

void start_construction(const model::Scenario& scenario, model::World& world) {
  auto start = [&](const model::PipelineParams& pp, double& capacity_gw_per_year, double model::OwnerState::*planned,
                   std::vector<double> model::OwnerState::*pipeline) {
    double wanted = 0.0;
    for (const model::OwnerState& o : world.owners) wanted += o.*planned;
    if (wanted <= 0.0) return;
    const double room = capacity_gw_per_year > 0.0 ? capacity_gw_per_year / 12.0 : wanted;
    const double share = std::min(1.0, room / wanted);
    for (model::OwnerState& o : world.owners) {
      // A defaulted owner's plans die with it.
      if (!world.firm_status.empty() && world.firm_status[o.firm.index()] == model::FirmStatus::kDefaulted) {
        o.*planned = 0.0;
        continue;
      }
      const double started = (o.*planned) * share;
      o.*planned -= started;
      if (!(o.*pipeline).empty()) (o.*pipeline).back() += started;
    }
    // Builders add crews, turbines and transformer lines while every slot is taken.
    if (capacity_gw_per_year > 0.0 && wanted >= room) {
      capacity_gw_per_year *= core::monthly_multiplier(pp.construction_growth_per_year);
    }
  };
  start(scenario.supply.datacenter, world.datacenter_construction_gw_per_year, &model::OwnerState::datacenter_planned_gw,
        &model::OwnerState::datacenter_pipeline_gw);
  start(scenario.supply.power, world.power_construction_gw_per_year, &model::OwnerState::power_planned_gw,
        &model::OwnerState::power_pipeline_gw);
}

}  // namespace bsim::behaviour
