#include "demand/demand.h"

#include <algorithm>
#include <cmath>

#include "core/calendar.h"

namespace bsim::demand {
namespace {

/// The weight w of gradual pass-through: the share of the gap to the cost basis closed in a month.
double pass_weight(double half_life_months) { return half_life_months > 0.0 ? 1.0 - std::exp2(-1.0 / half_life_months) : 1.0; }

/// Years since the start, for yearly growth rates.
double years(const model::World& world) { return world.step / 12.0; }

/// Adoption of the segment whose ceiling is the labour cost (its users ÷ market potential); 0
/// when no segment has one.
double labour_adoption(const model::Scenario& scenario, const model::World& world) {
  for (std::size_t i = 0; i < scenario.segments.size(); ++i) {
    const model::Segment& seg = scenario.segments[i];
    if (seg.ceiling == model::Segment::Ceiling::kLabour && seg.market_potential_users > 0.0) {
      return std::clamp(world.segments[i].users / seg.market_potential_users, 0.0, 1.0);
    }
  }
  return 0.0;
}

/// Labour (calibration §1.14): the labour cost AI can take over, what adoption has taken over,
/// and the workers displaced, re-employed after a lag or not.
void update_labour(const model::Scenario& scenario, model::World& world) {
  const model::LabourParams& lp = scenario.labour;
  model::LabourState& st = world.labour;
  const double wage = lp.wage_usd_per_year * std::pow(lp.wage_growth_per_year, years(world));
  st.addressable_usd_bn = lp.exposed_workers_m * 1e6 * wage * lp.task_share / 12.0 / 1e9;
  const double adoption = labour_adoption(scenario, world);
  st.replaced_usd_bn = st.addressable_usd_bn * adoption;
  const double target = lp.exposed_workers_m * lp.task_share * adoption;
  if (lp.displaced_wages == model::LabourParams::Displaced::kLost) {
    st.displaced_m = target;
  } else {
    const double newly = std::max(0.0, target - st.displaced_target_m);
    const double rehired = lp.reemployment_months > 0.0 ? st.displaced_m / lp.reemployment_months : st.displaced_m;
    st.displaced_m = std::max(0.0, st.displaced_m + newly - rehired);
  }
  st.displaced_target_m = target;
  st.lost_wages_usd_bn = st.displaced_m * 1e6 * wage / 12.0 / 1e9;
}

/// The segment's spending ceiling this month, USD bn (0 = none).
double ceiling_usd_bn(const model::Scenario& scenario, const model::World& world, const model::Segment& seg) {
  using C = model::Segment::Ceiling;
  const double base = seg.ceiling_base_usd_bn_per_year * std::pow(seg.ceiling_base_growth_per_year, years(world)) / 12.0;
  switch (seg.ceiling) {
    case C::kNone:
      return 0.0;
    case C::kLabour:
      return seg.ceiling_share * world.labour.replaced_usd_bn;
    case C::kConsumption: {
      double consumption = base;
      if (scenario.labour.displaced_wages == model::LabourParams::Displaced::kLost) {
        consumption -= scenario.labour.consumption_share_of_wages * world.labour.lost_wages_usd_bn;
      }
      return seg.ceiling_share * std::max(consumption, 0.0);
    }
    case C::kOwnerRevenue:
      return seg.ceiling_share * base;
  }
  return 0.0;
}

/// A failed lab's users leave AI, a share of them for good until adoption brings them back:
/// each segment the labs serve loses `leave_on_failure_share` × the lab's share of its users.
void remove_leaving_users(const model::Scenario& scenario, model::World& world) {
  const double leave = scenario.competition.leave_on_failure_share;
  if (world.firm_status.empty()) return;
  world.lab_exit_counted.resize(scenario.firms.size(), false);
  const std::vector<double>& shares = world.demand_curve.inference_share_by_firm;  // last month's
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    if (world.lab_exit_counted[f] || world.firm_status[f] != model::FirmStatus::kDefaulted) continue;
    world.lab_exit_counted[f] = true;
    const double share = f < shares.size() ? shares[f] : scenario.firms[f].inference_share;
    if (leave <= 0.0 || share <= 0.0) continue;
    for (std::size_t i = 0; i < scenario.segments.size(); ++i) {
      if (scenario.segments[i].served_by_labs) world.segments[i].users *= 1.0 - leave * share;
    }
  }
}

}  // namespace

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
  world.labour = model::LabourState{};
  world.lab_exit_counted.assign(scenario.firms.size(), false);
  world.spot_price = scenario.market.initial_spot_price;
}

void prepare(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  remove_leaving_users(scenario, world);
  std::vector<double> d_log_activity(scenario.segments.size(), 0.0);
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
    d_log_activity[i] = log_activity - st.log_activity;
    st.log_activity = log_activity;
  }
  update_labour(scenario, world);

  world.demand_curve.inference.clear();
  for (std::size_t i = 0; i < scenario.segments.size(); ++i) {
    const model::Segment& seg = scenario.segments[i];
    model::SegmentState& st = world.segments[i];
    // Providers spend the share φ of the efficiency trend they plan for on quality (bigger
    // models, more reasoning per unit), the rest on less compute; surprises (random jumps,
    // scripted shocks) are split by their own share φ_s (0 = in full, as labs' training below).
    const double log_surprise = world.log_efficiency_jumps + world.log_efficiency_shocks;
    const double log_gain = (1.0 - seg.quality_share) * world.log_efficiency_trend + (1.0 - seg.surprise_quality_share) * log_surprise;
    const bool in_full = seg.quality_share == 0.0 && seg.surprise_quality_share == 0.0;
    // The gain saturates where E does (model::kMaxLogEfficiency): its parts may each lie outside.
    const double saturated_gain = std::clamp(log_gain, -model::kMaxLogEfficiency, model::kMaxLogEfficiency);
    st.compute_per_unit = in_full ? seg.compute_h100e_hours_per_unit / world.efficiency
                                  : seg.compute_h100e_hours_per_unit / std::exp(saturated_gain);
    st.ceiling_usd_bn = ceiling_usd_bn(scenario, world, seg);

    const double lambda = seg.adjustment_months > 0.0 ? 1.0 - std::exp(-1.0 / seg.adjustment_months) : 1.0;
    const double catch_up = std::min(lambda * (st.log_target - st.log_demand), std::log(seg.diffusion_limit_per_year) / 12.0);
    st.curve_intercept = st.log_demand + d_log_activity[i] + seg.elasticity_short_run * st.log_service_price + catch_up;

    model::DemandCurve::Piece piece;
    piece.intercept = st.curve_intercept;
    piece.elasticity = seg.elasticity_short_run;
    piece.compute_per_unit = st.compute_per_unit;
    piece.markup = seg.markup;
    piece.other_cost = seg.other_cost_usd_per_unit;
    piece.datacenter_share = 1.0 - world.edge_share;
    piece.log_previous_price = st.log_service_price;
    piece.pass_weight = pass_weight(seg.price_half_life_months);
    piece.ceiling_usd = seg.ceiling == model::Segment::Ceiling::kNone ? 0.0 : std::max(st.ceiling_usd_bn, 1e-12) * 1e9;
    piece.served_by_labs = seg.served_by_labs;
    world.demand_curve.inference.push_back(piece);
  }
  // Training: each lab's budget series plus the rest of the world's budget. Labs plan for the
  // efficiency trend; a surprise gain lets them train the same models for less, and they bank
  // that share of the saving (the rest buys bigger runs).
  const double surprise =
      world.training_efficiency / std::exp(std::clamp(world.log_training_trend, -model::kMaxLogEfficiency, model::kMaxLogEfficiency));
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
  // The rest of the world's budget: B0 · g^t, or with a fade T, B0 · exp(ln g · T · (1 − e^(−t/T))).
  const model::TrainingParams& tp = scenario.training;
  const double t = world.step / 12.0;
  const double others = tp.budget_growth_fade_years > 0.0
                            ? tp.initial_budget_per_month.value() *
                                  std::exp(std::log(tp.budget_growth_per_year) * tp.budget_growth_fade_years *
                                           (1.0 - std::exp(-t / tp.budget_growth_fade_years)))
                            : tp.initial_budget_per_month.value() * std::pow(tp.budget_growth_per_year, t);
  world.training_budget = core::Money{labs + others};
  world.demand_curve.training_budget = world.training_budget * keep;
}

void settle(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink&) {
  const double demand = world.inference_demand.value() + world.training_demand.value();
  // Rationing at the scarcity cap is pro rata, so every segment gets the same served share.
  const double served_share = demand > 0.0 ? std::min(1.0, world.served.value() / demand) : 1.0;
  double units = 0.0;
  double spend_usd = 0.0;
  double lab_spend_usd = 0.0;
  double price_weighted = 0.0;
  double ceiling = 0.0;
  double writeoffs = 0.0;
  for (std::size_t i = 0; i < scenario.segments.size(); ++i) {
    const model::Segment& seg = scenario.segments[i];
    model::SegmentState& st = world.segments[i];
    const model::DemandCurve::Piece& piece = world.demand_curve.inference[i];
    const double price = piece.service_price(world.spot_price);
    st.log_service_price = std::log(price);
    // ln Q = intercept − ε_SR ln P, capped where spending would exceed the ceiling.
    st.log_demand = st.curve_intercept - seg.elasticity_short_run * st.log_service_price;
    if (piece.ceiling_usd > 0.0) st.log_demand = std::min(st.log_demand, std::log(piece.ceiling_usd / price));
    const double q = std::exp(st.log_demand);
    st.log_target = st.log_activity - seg.elasticity_long_run * st.log_service_price;
    if (piece.ceiling_usd > 0.0) st.log_target = std::min(st.log_target, std::log(piece.ceiling_usd / price));
    units += q;
    price_weighted += q * price;
    st.spending_usd_bn = q * price / 1e9;
    ceiling += seg.ceiling == model::Segment::Ceiling::kNone ? st.spending_usd_bn : st.ceiling_usd_bn;
    // Revenue of the AI infrastructure economy: service served from data centres.
    const double revenue = q * (1.0 - world.edge_share) * served_share * price;
    spend_usd += revenue;
    if (seg.served_by_labs) lab_spend_usd += revenue;
    writeoffs += revenue / 1e9 * seg.inhouse_share * (1.0 - seg.inhouse_success_share);
  }
  world.service_demand_units = units;
  world.service_price = units > 0.0 ? price_weighted / units : 0.0;
  world.ai_revenue = core::Money{spend_usd / 1e9};
  world.ai_revenue_lab_segments = core::Money{lab_spend_usd / 1e9};
  world.ai_spending_ceiling = core::Money{ceiling};
  world.labour.inhouse_writeoffs_usd_bn = writeoffs;
}

}  // namespace bsim::demand
