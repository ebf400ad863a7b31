#include "demand/demand.h"

#include <algorithm>
#include <cmath>

#include "core/calendar.h"

namespace bsim::demand {

double service_price(const model::Segment& segment, double spot_price, double compute_per_unit) {
  return spot_price * compute_per_unit * segment.markup + segment.other_cost_usd_per_unit;
}

void init(const model::Scenario& scenario, model::World& world) {
  world.segments.clear();
  for (const model::Segment& seg : scenario.segments) {
    model::SegmentState st;
    st.users = seg.initial_users;
    st.usage_per_user = 1.0;
    st.compute_per_unit = seg.compute_h100e_hours_per_unit;
    st.log_service_price = std::log(service_price(seg, scenario.market.initial_spot_price, st.compute_per_unit));
    st.log_demand = std::log(std::max(seg.initial_demand.value(), 1e-300));
    st.log_target = st.log_demand + std::log(std::max(seg.initial_gap, 1e-300));
    // Calibrate A so that ln Q* = ln A − ε_LR ln P holds at the start.
    const double log_people = std::log(std::max(st.users * st.usage_per_user, 1e-300));
    st.calibration = st.log_target + seg.elasticity_long_run * st.log_service_price - log_people;
    st.log_activity = log_people + st.calibration;
    world.segments.push_back(st);
  }
  world.spot_price = scenario.market.initial_spot_price;
}

void prepare(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  world.demand_curve.inference.clear();
  for (std::size_t i = 0; i < scenario.segments.size(); ++i) {
    const model::Segment& seg = scenario.segments[i];
    model::SegmentState& st = world.segments[i];
    // Bass diffusion, monthly: N += (p + q N / m)(m − N).
    const double m = seg.market_potential_users;
    if (m > 0.0) {
      const double adopt = (seg.bass_innovation_per_year / 12.0 + seg.bass_imitation_per_year / 12.0 * st.users / m) * (m - st.users);
      st.users = std::min(m, st.users + std::max(0.0, adopt));
    }
    // Usage per user (1 at the start): grows at its rate, logistically when it has a ceiling
    // (u ← u · g^((1 − u/K)) per month, so growth fades as usage nears K).
    const double room = seg.usage_ceiling_multiple > 0.0 ? std::max(0.0, 1.0 - st.usage_per_user / seg.usage_ceiling_multiple) : 1.0;
    st.usage_per_user *= std::pow(core::monthly_multiplier(seg.usage_growth_per_year), room);
    const double log_activity = std::log(std::max(st.users * st.usage_per_user, 1e-300)) + st.calibration;
    const double d_log_activity = log_activity - st.log_activity;
    st.log_activity = log_activity;
    st.compute_per_unit = seg.compute_h100e_hours_per_unit / world.efficiency;

    const double lambda = seg.adjustment_months > 0.0 ? 1.0 - std::exp(-1.0 / seg.adjustment_months) : 1.0;
    const double catch_up = std::min(lambda * (st.log_target - st.log_demand), std::log(seg.diffusion_limit_per_year) / 12.0);
    st.curve_intercept = st.log_demand + d_log_activity + seg.elasticity_short_run * st.log_service_price + catch_up;

    model::DemandCurve::Piece piece;
    piece.intercept = st.curve_intercept;
    piece.elasticity = seg.elasticity_short_run;
    piece.compute_per_unit = st.compute_per_unit;
    piece.markup = seg.markup;
    piece.other_cost = seg.other_cost_usd_per_unit;
    piece.datacenter_share = 1.0 - world.edge_share;
    world.demand_curve.inference.push_back(piece);
  }
  // Training: each lab's budget series plus the rest of the world's budget. Labs plan for the
  // efficiency trend; a surprise gain lets them train the same models for less, and they bank
  // that share of the saving (the rest buys bigger runs).
  const double surprise = world.training_efficiency / std::exp(world.log_training_trend);
  const double banked = scenario.training.savings_banked_share;
  const double keep = (1.0 - banked) + banked / surprise;
  auto& by_firm = world.demand_curve.training_budget_by_firm_usd_bn;
  auto& shares = world.demand_curve.inference_share_by_firm;
  by_firm.assign(scenario.firms.size(), 0.0);
  shares.assign(scenario.firms.size(), 0.0);
  double labs = 0.0;
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    const model::Firm& firm = scenario.firms[f];
    const bool defaulted = f < world.firm_status.size() && world.firm_status[f] == model::FirmStatus::kDefaulted;
    const auto& competed = world.competition.inference_share;  // lab competition (DESIGN §1.5)
    shares[f] = defaulted ? 0.0 : f < competed.size() ? competed[f] : firm.inference_share;
    if (defaulted || firm.training_budget_usd_bn_per_year.empty()) continue;
    // Behaviour cuts the plan to what the lab's funding covers (1 = as planned).
    const double funded = f < world.behaviour.training_factor.size() ? world.behaviour.training_factor[f] : 1.0;
    const double monthly = firm.training_budget_usd_bn_per_year.at(world.month) / 12.0 * funded;
    labs += monthly;
    by_firm[f] = monthly * keep;
  }
  const double others = scenario.training.initial_budget_per_month.value() *
                        std::pow(scenario.training.budget_growth_per_year, world.step / 12.0);
  world.training_budget = core::Money{labs + others};
  world.demand_curve.training_budget = world.training_budget * keep;
}

void settle(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  const double demand = world.inference_demand.value() + world.training_demand.value();
  // Rationing at the scarcity cap is pro rata, so every segment gets the same served share.
  const double served_share = demand > 0.0 ? std::min(1.0, world.served.value() / demand) : 1.0;
  double units = 0.0;
  double spend_usd = 0.0;
  double price_weighted = 0.0;
  for (std::size_t i = 0; i < scenario.segments.size(); ++i) {
    const model::Segment& seg = scenario.segments[i];
    model::SegmentState& st = world.segments[i];
    st.log_service_price = std::log(service_price(seg, world.spot_price, st.compute_per_unit));
    st.log_demand = st.curve_intercept - seg.elasticity_short_run * st.log_service_price;
    st.log_target = st.log_activity - seg.elasticity_long_run * st.log_service_price;
    const double q = std::exp(st.log_demand);
    units += q;
    price_weighted += q * std::exp(st.log_service_price);
    // Revenue of the AI infrastructure economy: service served from data centres.
    spend_usd += q * (1.0 - world.edge_share) * served_share * std::exp(st.log_service_price);
  }
  world.service_demand_units = units;
  world.service_price = units > 0.0 ? price_weighted / units : 0.0;
  world.ai_revenue = core::Money{spend_usd / 1e9};
}

}  // namespace bsim::demand
