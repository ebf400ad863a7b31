#include "io/schema.h"

#include "model/record.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

namespace bsim::io {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

KeySpec number(std::string path, Dimension dim, double min, double max, std::optional<double> def,
               std::string doc, bool min_exclusive = false) {
  KeySpec k;
  k.path = std::move(path);
  k.type = ValueType::kNumber;
  k.dimension = dim;
  k.min = min;
  k.max = max;
  k.min_exclusive = min_exclusive;
  k.default_number = def;
  k.required = !def.has_value();
  k.doc = std::move(doc);
  return k;
}

KeySpec integer(std::string path, Dimension dim, double min, double max, std::optional<double> def,
                std::string doc) {
  KeySpec k = number(std::move(path), dim, min, max, def, std::move(doc));
  k.type = ValueType::kInteger;
  return k;
}

KeySpec text(std::string path, ValueType type, std::optional<std::string> def, std::string doc) {
  KeySpec k;
  k.path = std::move(path);
  k.type = type;
  k.default_text = std::move(def);
  k.required = !k.default_text.has_value();
  k.doc = std::move(doc);
  return k;
}

KeySpec choice(std::string path, std::vector<std::string> choices, std::optional<std::string> def,
               std::string doc) {
  KeySpec k = text(std::move(path), ValueType::kEnum, std::move(def), std::move(doc));
  k.choices = std::move(choices);
  return k;
}

KeySpec bool_key(std::string path, bool def, std::string doc) {
  KeySpec k = text(std::move(path), ValueType::kBool, std::string(def ? "true" : "false"), std::move(doc));
  return k;
}

KeySpec series(std::string path, Dimension dim, double min, double max, std::string doc) {
  KeySpec k = number(std::move(path), dim, min, max, std::nullopt, std::move(doc));
  k.type = ValueType::kSeries;
  k.required = false;
  return k;
}

KeySpec ref(std::string path, std::string table, std::string doc, std::optional<std::string> def = std::nullopt) {
  KeySpec k = text(std::move(path), ValueType::kRef, std::move(def), std::move(doc));
  k.ref_table = std::move(table);
  return k;
}

const std::vector<std::string> kContractTypes = {
    "compute_commitment", "loan", "bond", "vendor_financing", "abs_tranche", "lease",
    "equity_investment", "equity_stake", "warrant", "ppa", "securitisation"};
const std::vector<std::string> kDebtTypes = {"loan", "bond", "vendor_financing", "abs_tranche"};
/// The classes of outside investors a party may be instead of a firm (model::HolderClass).
const std::vector<std::string> kInvestorClasses = {"public-equity", "venture",    "banks",
                                                   "private-credit", "bondholders", "abs-holders", "suppliers"};

KeySpec typed(KeySpec k, std::vector<std::string> types) {
  k.for_types = std::move(types);
  return k;
}

KeySpec required_for(KeySpec k, std::vector<std::string> types) {
  k.required_for = std::move(types);
  return k;
}

KeySpec with_type_default(KeySpec k, std::string type, double value) {
  k.type_defaults.push_back({std::move(type), value, std::nullopt});
  return k;
}

KeySpec with_type_default(KeySpec k, std::string type, const char* text) {
  k.type_defaults.push_back({std::move(type), std::nullopt, std::string(text)});
  return k;
}

/// A party that may be a firm or a class of outside investors.
KeySpec with_classes(KeySpec k) {
  k.choices = kInvestorClasses;
  return k;
}

std::vector<KeySpec> make_keys() {
  using D = Dimension;
  using V = ValueType;
  return {
      integer("schema_version", D::kNone, 1, 1, std::nullopt, "Version of the scenario format; must be 1."),
      text("name", V::kString, std::nullopt, "Short name of the scenario, shown in outputs."),
      text("description", V::kString, std::string(""), "What the scenario assumes, in a sentence or two."),
      text("extends", V::kString, std::string(""),
           "Name of a built-in scenario this one starts from: its tables are merged key by key, arrays of tables by `id`."),

      text("units.service", V::kString, std::string("million tokens"),
           "Name of the service unit, for display (e.g. \"million tokens\", \"Gbps-month\")."),
      text("units.capacity", V::kString, std::string("H100e"),
           "Name of the capacity unit, for display in the printed summary and story (e.g. \"H100e\", \"Gbps of lit fibre\"); output column names keep `h100e`."),

      text("time.start", V::kMonth, std::nullopt, "First simulated month, `YYYY-MM`."),
      text("time.end", V::kMonth, std::nullopt, "Last simulated month (inclusive), `YYYY-MM`; at most 100 years after the start."),

      number("technology.efficiency.trend_per_year", D::kMultiplierPerYear, 0.001, 1000, 2.8,
             "Deterministic trend of algorithmic efficiency E(t), × per year (1 = no progress; below 1 efficiency falls, at most ÷1000 a year)."),
      number("technology.efficiency.jump_rate_per_year", D::kRatePerYear, 0, 12, 0.1,
             "Arrival rate of random efficiency jumps (Poisson), per year; 0 switches jumps off."),
      number("technology.efficiency.jump_median_multiplier", D::kNone, 1, 1e6, 5.0,
             "Median size of a random jump, × (lognormal)."),
      number("technology.efficiency.jump_sigma", D::kNone, 0, 5, 1.0,
             "Standard deviation of the log of a jump's size."),

      number("technology.efficiency.jump_rate_spending_elasticity", D::kNone, 0, 5, 0.0,
             "Endogenous innovation η: the jump rate is λ_t = λ_0 · (spend_{t−1} / spend_0)^η, spend being all training budgets (labs' and the rest of the world's) in the previous month and spend_0 the first month's, capped at 12 jumps a year; 0 switches it off."),

      number("technology.edge.max_share", D::kShare, 0, 1, 0.5,
             "Largest share of inference that can move to devices (edge migration)."),
      number("technology.edge.midpoint_efficiency", D::kNone, 1, 1e12, 100,
             "Efficiency index E at which the edge share is half of its maximum.", false),
      number("technology.edge.steepness", D::kNone, 0, 100, 1.0,
             "Steepness k of the logistic edge share in ln E; 0 keeps the share at max/2 — set max_share = 0 to switch edge migration off."),

      text("generation.*.id", V::kString, std::nullopt, "Identifier of the hardware generation."),
      text("generation.*.available", V::kMonth, std::nullopt,
           "First month the generation is delivered (may be before the start)."),
      number("generation.*.h100e_per_unit", D::kNone, 0, 1e6, 1.0, "H100-equivalents per accelerator unit.", true),
      number("generation.*.kw_per_h100e", D::kPowerIntensity, 0, 100, std::nullopt,
             "Facility power per H100e at full load, all-in at the facility's PUE, kW.", true),
      number("generation.*.usd_per_h100e", D::kUsdPerH100e, 0, 1e7, std::nullopt,
             "Price per H100e of accelerators with their networking, USD.", true),
      integer("technology.hardware.months_between_generations", D::kDuration, 0, 240, 24,
              "After the last listed generation, a new one every this many months (0 = none)."),
      number("technology.hardware.h100e_per_unit_multiplier", D::kNone, 0, 100, 2.0,
             "Each extrapolated generation's H100e per unit, × the previous one's.", true),
      number("technology.hardware.kw_per_h100e_multiplier", D::kNone, 0, 10, 0.75,
             "Each extrapolated generation's kW per H100e, × the previous one's.", true),
      number("technology.hardware.usd_per_h100e_multiplier", D::kNone, 0, 10, 0.75,
             "Each extrapolated generation's USD per H100e, × the previous one's.", true),
      bool_key("technology.training_efficiency.follows_inference", true,
               "Training efficiency is the same process as inference efficiency (trend, jumps and `efficiency` shocks)."),
      number("technology.training_efficiency.trend_per_year", D::kMultiplierPerYear, 0.001, 1000, 2.8,
             "Trend of training efficiency when it does not follow inference, × per year (at most ÷1000 a year)."),

      text("shock.*.id", V::kString, std::nullopt, "Identifier of the shock (used in paths and outputs)."),
      choice("shock.*.kind", {"efficiency", "training_efficiency"}, std::string("efficiency"),
             "What the shock hits: `efficiency` multiplies inference efficiency E(t) (and training efficiency when it follows inference); `training_efficiency` multiplies training efficiency only."),
      text("shock.*.month", V::kMonth, std::nullopt, "Month in which the shock happens; must lie in the horizon."),
      number("shock.*.multiplier", D::kNone, 1e-9, 1e9, std::nullopt,
             "Factor applied from that month on (100 = the same service for 1% of the compute; 0.01 = 100 times the compute)."),

      number("supply.failure_rate_per_year", D::kRatePerYear, 0, 1, 0.05,
             "Share of installed accelerators failing per year.", false),
      number("supply.production.initial_cap_h100e_per_month", D::kCompute, 0, 1e12, std::nullopt,
             "Fab and packaging output at the start, H100e per month.", true),
      number("supply.production.initial_backlog_h100e", D::kCompute, 0, 1e13, 0.0,
             "Accelerators ordered before the start and not yet delivered; shared among owners by build share."),
      integer("supply.production.project_lead_time_months", D::kDuration, 1, 240, 42,
              "Months from deciding a fab or packaging expansion to its output."),
      integer("supply.production.project_life_months", D::kDuration, 1, 1200, 240,
              "Months an expansion produces before it retires; the initial cap retires in ten equal parts over one life."),
      number("supply.production.target_backlog_months", D::kDuration, 0, 120, 6,
             "Chipmakers expand when the backlog exceeds this many months of output."),
      number("supply.production.expansion_share", D::kShare, 0, 1, 0.05,
             "Largest expansion started in one month, as a share of the current cap."),
      number("supply.production.usd_per_h100e_per_month", D::kUsdPerH100e, 0, 1e9, 200000,
             "Capital cost of one H100e per month of production capacity, USD (spread over the project)."),
      number("supply.production.cancellation_fee_share", D::kShare, 0, 1, 0.1,
             "With `build.order_cancellation`: share of a cancelled order's value, at the current generation's price, that the buyer pays the chipmaker (assumption)."),
      number("supply.production.noncancellable_months", D::kDuration, 0, 120, 3,
             "With `build.order_cancellation`: orders the queue will deliver within this many months of output at the current cap are committed and cannot be cancelled (assumption)."),
      integer("supply.datacenter.lead_time_months", D::kDuration, 1, 240, 21,
              "Months to build a data-centre shell (hall, cooling, electrical fit-out)."),
      integer("supply.datacenter.life_months", D::kDuration, 1, 1200, 360, "Life of a shell, months."),
      number("supply.datacenter.usd_bn_per_gw", D::kMoney, 0, 1000, 16,
             "Capital cost of a GW of shells, USD bn (spread over the build)."),
      integer("supply.power.lead_time_months", D::kDuration, 1, 240, 48,
              "Months to connect a GW of power to the grid or build generation for it."),
      integer("supply.power.life_months", D::kDuration, 1, 1200, 360, "Life of grid power and generation, months."),
      number("supply.power.usd_bn_per_gw", D::kMoney, 0, 1000, 2,
             "Capital cost of a GW of grid connection and generation, USD bn (spread over the build)."),
      number("supply.datacenter.construction_gw_per_year", D::kNone, 0, 1e6, 0,
             "GW of shells the builders can start a year at the start; planned shells beyond it wait (0 = no limit)."),
      number("supply.datacenter.construction_growth_per_year", D::kMultiplierPerYear, 1, 100, 1.0,
             "How fast shell construction capacity grows while fully used, × per year."),
      number("supply.power.construction_gw_per_year", D::kNone, 0, 1e6, 0,
             "GW of grid power and generation the builders (turbines, transformers, crews) can start a year at the start; planned power beyond it waits (0 = no limit)."),
      number("supply.power.slip_share", D::kShare, 0, 1, 0,
             "Share of the power projects due to complete each month that slip `supply.power.slip_months`, unannounced: owners bought accelerators counting on them, which wait idle. A slipping project keeps paying its monthly instalment (a cost overrun)."),
      integer("supply.power.slip_months", D::kDuration, 0, 240, 12, "How many months a slipping power project slips."),
      number("supply.power.construction_growth_per_year", D::kMultiplierPerYear, 1, 100, 1.0,
             "How fast power construction capacity grows while fully used, × per year."),
      number("supply.power_price_usd_per_mwh", D::kEnergyPrice, 0, 10000, 80, "Price of electricity, USD per MWh."),
      number("supply.opex_usd_per_h100e_hour", D::kComputePrice, 0, 100, 0.15,
             "Operating cost other than power (staff, maintenance, spares, networking, insurance), USD per H100e-hour of a device of one H100e; with `supply.opex_per_device` a generation of k H100e per unit costs this per device-hour, opex ÷ k per H100e-hour."),
      bool_key("supply.opex_per_device", true,
               "Switch: operating cost other than power is per device (a device of k H100e costs `supply.opex_usd_per_h100e_hour` per hour, ÷ k per H100e-hour), so it falls per H100e as each generation packs more H100e into a device, as the hardware's price does; `false` = the same per H100e-hour for every generation."),

      number("build.reserve_margin", D::kShare, 0, 5, 0.1,
             "Capacity ordered above expected demand, as a share of it."),
      number("build.initial_growth_per_year", D::kMultiplierPerYear, 0.01, 1000, 2.0,
             "Demand growth owners expect at the start (the initial value of their adaptive expectation), × per year."),
      integer("build.max_planning_months", D::kDuration, 0, 240, 24,
              "Owners extrapolate growth at most this many months ahead, even for longer lead times (power)."),
      number("build.expectations_half_life_months", D::kDuration, 0.1, 240, 6,
             "Half-life of owners' adaptive expectation of demand growth (DESIGN §6 prior 6 months)."),
      number("build.optimism", D::kNone, 0, 5, 0.0,
             "Optimism θ: owners plan for expected log growth ĝ + θ·|ĝ| (faster growth than seen, slower declines); 0 = unbiased (DESIGN §6 prior 0.5, range 0–1)."),
      bool_key("build.price_discipline", true,
               "Switch: orders shrink linearly as the spot price falls from the full cost of new capacity (running cost + capital recovery at the discount rate over the book life) to its running cost, and stop below it."),
      number("build.price_response", D::kNone, 0, 5, 0.2,
             "ε_b: when the spot price p is above the full cost c of new capacity (and `build.price_discipline` is on), owners target the demand a full-cost price would bring out, D · (p / c)^ε_b (assumption: the segments' short-run elasticity)."),
      bool_key("build.financing_limit", true,
               "Switch: an owner orders accelerators worth no more than its deposits plus the new money it can raise (credit or equity, after sentiment and credit conditions), less what it has on order."),
      bool_key("build.order_cancellation", false,
               "Switch: an owner whose open accelerator orders exceed what the build rule now wants on order (price discipline included) cancels the excess, newest orders first and outside `supply.production.noncancellable_months`, paying `supply.production.cancellation_fee_share` of their value to the chipmaker; `false` = orders are firm until delivered."),
      number("build.max_growth_per_year", D::kMultiplierPerYear, 1, 1000, 4.0,
             "Cap on the demand growth owners extrapolate, × per year."),
      choice("build.rule", {"stock_management", "queue"}, std::string("stock_management"),
             "How owners order: `stock_management` orders expected acquisitions plus 1/τ of the gap between desired and actual stock and β/τ of the gap between desired and actual supply line, over the makers' normal lead time (`supply.production.target_backlog_months`) for accelerators and over the build lead times for shells and power, which wait as plans for construction capacity and are abandoned early when no longer wanted (Sterman 1989; docs/model.md §7); `queue` is the earlier rule that plans over the queue's length and orders the whole gap at once."),
      number("build.stock_adjustment_months", D::kDuration, 1, 120, 6,
             "τ: months over which an owner closes the gap between desired and actual stock (assumption; Sterman's experiments fit 1–8 periods)."),
      number("build.supply_line_weight", D::kShare, 0, 1, 0.3,
             "β: weight owners give the gap in their supply line (orders and projects under way) relative to the gap in their stock; below 1 they keep ordering while past orders are still coming (Sterman 1989: ≈0.3 in experiments)."),
      number("build.abandon_before_share", D::kShare, 0, 1, 0.5,
             "Shells and power less than this share of the way through construction are abandoned, newest first, when the rule's order turns negative; what was spent is written off (assumption)."),
      bool_key("build.power_aware", true,
               "Switch: with `build.rule = \"stock_management\"`, an owner's desired fleet is at most (1 + reserve margin) × what the power it has in service, and under construction completing within `build.power_horizon_months`, can run; `false` = owners buy accelerators whether or not they can be powered."),
      bool_key("build.powered_shells", true,
               "Switch: with `build.power_aware`, where power takes longer to build than a hall plus `build.power_horizon_months`, an owner builds no more halls than its power in service and under construction completing within that time (halls run ahead of power by at most the horizon); where power is quicker it can be ordered in time and does not limit halls. `false` = halls follow the desired fleet whether or not power can reach them."),
      integer("build.power_horizon_months", D::kDuration, 0, 240, 12,
              "With `build.power_aware`: power completing within this many months counts towards the fleet an owner can run (assumption: accelerators are bought up to a year before their halls are energised)."),
      bool_key("build.buildings_in_cost", true,
               "Switch: the full cost of new capacity in `build.price_discipline` includes the capital recovery, at the discount rate over their lives, of the hall and grid power a new H100e needs (at the newest generation's kW); `false` = the accelerator alone."),
      bool_key("build.price_trend_in_returns", true,
               "Switch: `build.price_discipline` values new capacity at the spot price an owner expects on average over its book life, extrapolating the spot price's recent trend (an adaptive expectation of its monthly change, at `build.expectations_half_life_months`), instead of at this month's price; a price falling as fast as hardware gets cheaper makes new capacity pay less than its first month's rent suggests. `false` = this month's spot price."),
      bool_key("build.market_cost_of_capital", true,
               "Switch: the price discipline recovers capital at the owner's cost of capital as markets set it each month (policy rate, credit spread and equity premium weighted by its debt and equity, docs/model.md §9), so easy credit and high valuations make new capacity cheaper and a rate rise or losses dearer; `false` = at `finance.discount_rate_per_year`."),
      bool_key("build.contracts_in_target", true,
               "Switch: compute a capacity owner has sold forward on signed commitments, due one lead time ahead, sets a floor under its desired fleet."),
      bool_key("training.funding_discipline", true,
               "Switch: each lab's training budget is its planned series × clamp((cash + new money it can raise + T · monthly service revenue) ÷ (T · planned monthly spending on training and compute commitments), min_budget_share, 1), T = `training.min_runway_months`; `false` = the series as planned."),
      number("training.min_runway_months", D::kDuration, 1, 120, 12,
             "Months of planned spending a lab wants covered before it cuts training (T)."),
      number("training.min_budget_share", D::kShare, 0, 1, 0.1, "Floor of a lab's training cut, as a share of its planned budget."),

      text("segment.*.id", V::kString, std::nullopt, "Identifier of the demand segment."),
      number("segment.*.initial_users", D::kUsers, 1, 1e11, std::nullopt,
             "Users in the month before the start (Bass N0); at least one, since demand is calibrated per user."),
      number("segment.*.market_potential_users", D::kUsers, 0, 1e11, std::nullopt,
             "Bass market potential m; must be at least the initial users.", true),
      number("segment.*.bass_innovation_per_year", D::kRatePerYear, 0, 10, 0.01, "Bass innovation coefficient p, per year."),
      number("segment.*.bass_imitation_per_year", D::kRatePerYear, 0, 10, 0.5, "Bass imitation coefficient q, per year."),
      number("segment.*.usage_growth_per_year", D::kMultiplierPerYear, 0, 1000, 1.0,
             "Growth of usage per user at a constant service price, × per year.", true),
      number("segment.*.usage_ceiling_multiple", D::kNone, 0, 1e9, 0.0,
             "Ceiling of usage per user as a multiple of the start; usage then grows logistically towards it (0 = no ceiling)."),
      number("segment.*.initial_service_units_per_month", D::kServiceUnits, 0, 1e20, std::nullopt,
             "Service consumed in the month before the start (the first month adds one month of adoption and price response), service units.", true),
      number("segment.*.initial_gap", D::kNone, 0, 1e6, 1.0,
             "Long-run demand over current demand at the start, Q*/Q (above 1: demand still catching up).", true),
      number("segment.*.compute_h100e_hours_per_unit", D::kComputeHoursPerUnit, 0, 1e9, std::nullopt,
             "Compute needed per service unit at the start, c0 (H100e-hours).", true),
      number("segment.*.markup", D::kNone, 0, 100, 2.0,
             "Service price ÷ compute cost per unit (covers the lab's other costs and margin).", true),
      number("segment.*.other_cost_usd_per_unit", D::kUsdPerServiceUnit, 0, 1e9, 0.0,
             "Cost per service unit that does not scale with compute, USD."),
      number("segment.*.elasticity_short_run", D::kNone, 0, 10, 0.2, "Short-run price elasticity ε_SR."),
      number("segment.*.elasticity_long_run", D::kNone, 0, 10, 1.2,
             "Long-run price elasticity ε_LR (above 1: Jevons — cheaper service raises compute demand)."),
      number("segment.*.adjustment_months", D::kDuration, 0, 600, 18,
             "Adjustment time τ towards long-run demand, months.", true),
      number("segment.*.diffusion_limit_per_year", D::kMultiplierPerYear, 1, 1000, 3.0,
             "Diffusion speed limit g_max: the fastest the catch-up towards long-run demand can go, × per year."),

      number("segment.*.quality_share", D::kShare, 0, 1, 0.0,
             "Share φ of the planned efficiency trend providers spend on a better service (bigger models, more reasoning per unit) rather than on less compute: compute per unit is c0 / (E_trend^(1 − φ) · (E_jumps · E_shocks)^(1 − φ_s)); surprises are split by `surprise_quality_share` (0 = every trend gain cuts compute per unit)."),
      number("segment.*.surprise_quality_share", D::kShare, 0, 1, 0.0,
             "Share φ_s of a surprise efficiency gain (random jump or scripted shock) providers spend on a better service rather than on less compute: compute per unit is c0 / (E_trend^(1 − φ) · (E_jumps · E_shocks)^(1 − φ_s)) (0 = surprises cut compute per unit in full)."),
      number("segment.*.price_half_life_months", D::kDuration, 0, 600, 0.0,
             "Half-life with which providers move the service price towards its cost basis p · c · markup + other cost: ln P_t = (1 − w) ln P_{t−1} + w ln(basis), w = 1 − 2^(−1/h) (0 = at once)."),
      bool_key("segment.*.served_by_labs", true,
               "Labs' `inference_share`s apply to this segment; `false` = the capacity owners serve it all (their own ads and recommendation)."),
      choice("segment.*.ceiling", {"none", "labour", "consumption", "owner_revenue"}, std::string("none"),
             "What end users' spending on the segment cannot exceed: `labour` = the labour cost AI takes over ([labour] × this segment's adoption, users ÷ market potential); `consumption` = a share of household consumption; `owner_revenue` = a share of the capacity owners' own revenue; `none` = no ceiling."),
      number("segment.*.ceiling_base_usd_bn_per_year", D::kMoney, 0, 1e7, 0.0,
             "Base of a `consumption` or `owner_revenue` ceiling at the start: household consumption or the owners' revenue, USD bn per year."),
      number("segment.*.ceiling_base_growth_per_year", D::kMultiplierPerYear, 0, 100, 1.0,
             "Growth of that base, × per year."),
      number("segment.*.ceiling_share", D::kShare, 0, 1, 1.0,
             "Share of the base (or of the labour cost taken over) that spending on the segment can reach."),
      number("segment.*.inhouse_share", D::kShare, 0, 1, 0.0,
             "Share of the segment's spending that goes into enterprises' own AI projects rather than finished services."),
      number("segment.*.inhouse_success_share", D::kShare, 0, 1, 1.0,
             "Share of those projects that reach production; the spending on the rest is written off by the enterprises (`enterprise_ai_writeoffs_usd_bn`)."),

      number("labour.exposed_workers_m", D::kNone, 0, 1e5, 0.0,
             "Workers in occupations exposed to AI, millions (the labour ceiling and displacement)."),
      number("labour.wage_usd_per_year", D::kNone, 0, 1e7, 0.0, "Their average labour cost, USD per worker per year."),
      number("labour.wage_growth_per_year", D::kMultiplierPerYear, 0, 100, 1.0, "Growth of that labour cost, × per year."),
      number("labour.task_share", D::kShare, 0, 1, 0.0, "Share of their tasks AI can do."),
      choice("labour.displaced_wages", {"reemployed", "lost"}, std::string("reemployed"),
             "What becomes of the wages AI replaces: `reemployed` = the displaced find new work after `reemployment_months` on average; `lost` = they do not, and the lost wages they would have spent lower household consumption and with it every `consumption` ceiling."),
      number("labour.reemployment_months", D::kDuration, 0, 600, 12.0,
             "Mean time a displaced worker takes to find new work (`reemployed`), months."),
      number("labour.consumption_share_of_wages", D::kShare, 0, 1, 0.9,
             "Share of lost wages households would have spent (`lost`)."),

      number("training.initial_budget_usd_bn_per_month", D::kMoney, 0, 1e6, 0.0,
             "Labs' training spending in the first month, USD bn."),
      number("training.budget_growth_fade_years", D::kNone, 0, 1000, 0.0,
             "Years T over which the growth of that budget fades: its log growth rate is ln(growth) · exp(−t/T), so the budget reaches at most growth^T times its start (0 = it grows at its rate for ever)."),
      number("training.budget_growth_per_year", D::kMultiplierPerYear, 0, 1000, 1.0,
             "Growth of the training budget, × per year.", true),
      number("training.savings_banked_share", D::kShare, 0, 1, 0.8,
             "Share of surprise training-efficiency gains (random jumps and scripted shocks beyond the trend) that labs bank as lower compute spending; 0 = they spend all savings on bigger runs."),

      number("market.initial_spot_price_usd_per_h100e_hour", D::kComputePrice, 0, 1000, 2.0,
             "Spot price in the month before the start (for the first month's demand response).", true),
      number("market.scarcity_price_cap_usd_per_h100e_hour", D::kComputePrice, 0, 1e4, 8.0,
             "Highest spot price; demand beyond capacity at this price is rationed pro rata.", true),
      number("market.stickiness", D::kShare, 0, 1, 1.0,
             "Price adjustment θ in p_t = p_{t−1}^(1−θ) · p*^θ; 1 = the price clears every month.", true),

      number("competition.kappa", D::kNone, 0, 10, 0.0,
             "Lab competition κ: a lab's target share of inference ∝ its initial `inference_share` × (quality / initial quality)^κ, quality being its cumulative training compute; 0 freezes every share at `inference_share`."),
      number("competition.adjustment_months", D::kDuration, 0, 600, 12.0,
             "Adjustment time τ of lab shares: each month a share moves 1 − exp(−1/τ) of the way to its target (0 = at once)."),
      number("competition.leave_on_failure_share", D::kShare, 0, 1, 0.0,
             "Share of a failed lab's users who leave AI instead of moving to the other providers: each segment the labs serve loses this share × the lab's share of its users, who return through adoption over time."),
      number("competition.initial_stock_months", D::kDuration, 0, 600, 12.0,
             "A lab's quality at the start: this many months of the training compute its first month's budget buys at the initial spot price, H100e-months.", true),

      text("firm.*.id", V::kString, std::nullopt, "Identifier of the firm."),
      text("firm.*.name", V::kString, std::string(""), "Display name (defaults to the id)."),
      choice("firm.*.type", {"lab", "hyperscaler", "neocloud", "chipmaker", "developer", "utility", "investor", "households"},
             std::nullopt, "Kind of firm (DESIGN §1.5)."),
      number("firm.*.initial_h100e", D::kCompute, 0, 1e12, 0.0, "Accelerators the firm owns at the start."),
      ref("firm.*.initial_generation", "generation",
          "Generation of the initial accelerators (default: the newest available a year before the start).",
          std::string("")),
      number("firm.*.initial_datacenter_gw", D::kPower, 0, 1e4, 0.0, "Data-centre shells in service at the start, GW."),
      number("firm.*.initial_power_gw", D::kPower, 0, 1e4, 0.0, "Grid power connected to those shells at the start, GW."),
      number("firm.*.datacenter_gw_under_construction", D::kPower, 0, 1e4, 0.0,
             "Shells under construction at the start, completing evenly over the shell lead time, GW."),
      number("firm.*.power_gw_under_construction", D::kPower, 0, 1e4, 0.0,
             "Power under construction at the start, completing evenly over the power lead time, GW."),
      series("firm.*.datacenter_gw_completions", D::kPower, 0, 1e4,
             "Schedule of the shells under construction at the start: GW completed in each calendar year within the shell lead time, spread over its months (replaces `datacenter_gw_under_construction`): `{ 2026 = 3, 2027 = 2 }`."),
      series("firm.*.power_gw_completions", D::kPower, 0, 1e4,
             "Schedule of the power under construction at the start, GW completed in each calendar year within the power lead time (replaces `power_gw_under_construction`)."),
      number("firm.*.build_share", D::kShare, 0, 1, 0.0,
             "Share of new capacity this firm builds; when no firm sets one, shares follow initial H100e."),
      number("firm.*.inference_share", D::kShare, 0, 1, 0.0,
             "Share of inference demand this lab serves (decides how much of its committed compute it uses)."),
      series("firm.*.training_budget_usd_bn_per_year", D::kMoney, 0, 1e5,
             "The lab's training spending by calendar year, USD bn per year: `{ 2026 = 17, 2027 = 35 }`."),
      series("firm.*.core_cash_flow_usd_bn_per_year", D::kMoney, -1e5, 1e5,
             "Operating cash flow of the firm's business outside the model (a hyperscaler's cloud and ads, a carrier's telephone business) before that business's capex, by calendar year, USD bn per year: `{ 1995 = 60 }`. Paid by households; counts in the debt-service covenant."),
      series("firm.*.core_capex_usd_bn_per_year", D::kMoney, 0, 1e5,
             "Capital spending of the firm's business outside the model, by calendar year, USD bn per year; it adds to the firm's other assets and to `core_capex_usd_bn`, not to `capex_usd_bn`."),
      number("firm.*.core_growth_after_per_year", D::kMultiplierPerYear, 0, 100, 1.0,
             "Growth of the core cash flow and core capex after the last year given, × per year."),
      number("firm.*.cash_usd_bn", D::kMoney, -1e6, 1e6, 0.0, "Cash (bank deposits) at the start, USD bn."),
      number("firm.*.debt_usd_bn", D::kMoney, 0, 1e6, 0.0, "Debt outstanding at the start, USD bn."),
      number("firm.*.debt_rate_per_year", D::kRatePerYear, 0, 1, 0.06,
             "Interest rate on the firm's debt, per year (compounded monthly); paid to the banks."),
      text("firm.*.forced_default_month", V::kMonth, std::string(""),
           "Scenario switch: the firm defaults in this month whatever its finances (empty = never)."),
      choice("firm.*.financing", {"debt", "equity"}, std::string("debt"),
             "How the firm meets cash shortfalls: `debt` draws bank credit (interest, covenant); `equity` sells new shares to investors."),
      number("firm.*.min_dscr", D::kNone, 0, 100, 0.0,
             "Debt-service covenant: operating cash flow over the covenant window must stay at least this multiple of interest, else the firm defaults (0 = no covenant)."),
      number("firm.*.other_assets_usd_bn", D::kMoney, 0, 1e6, 0.0,
             "Assets outside the AI build-out at the start (a chipmaker's or utility's other business), at book, USD bn; sold at (1 − α) of book in a default."),
      number("firm.*.credit_limit_usd_bn", D::kMoney, 0, 1e6, 1e6,
             "Most the firm may owe the banks on its credit line (firm-level debt), USD bn; a shortfall beyond it goes unpaid and is cleared jointly (DESIGN §1.7)."),
      number("firm.*.equity_limit_usd_bn_per_year", D::kMoney, 0, 1e6, 1e6,
             "Most new equity outside investors buy from an equity-financed firm over any 12 months, USD bn."),
      choice("firm.*.shareholders", {"public-equity", "venture"}, std::string("public-equity"),
             "Class of outside investors holding the shares that no `equity_stake` names: listed shareholders or venture capital."),
      text("firm.*.equity_closed_from", V::kMonth, std::string(""),
           "Scenario switch: from this month outside investors buy no new shares of an equity-financed firm for its shortfalls (its equity headroom is zero); contracted `equity_investment` tranches still pay (empty = open throughout)."),
      number("finance.default_cost_external", D::kShare, 0, 1, 0.3,
             "Rogers–Veraart α: share of a defaulter's non-cash assets lost when they are liquidated for its lenders."),
      number("finance.discount_rate_per_year", D::kRatePerYear, 0, 1, 0.12,
             "Discount rate for the economic value of accelerators (DESIGN §6 prior 12%)."),
      number("finance.fire_sale_impact", D::kNone, 0, 10, 0.3,
             "Fall in the secondary price of accelerators per 10% of the installed base a defaulter dumps (DESIGN §6: −30% per 10%)."),
      number("finance.default_cost_interfirm", D::kShare, 0, 1, 0.1,
             "Rogers–Veraart β: share of a defaulter's receivables from other firms lost in clearing and liquidation (DESIGN §6: 0.1)."),
      bool_key("finance.new_money_available", true,
               "Whether credit lines and equity markets provide new money for shortfalls; `false` = firms pay only from cash and inflows."),
      choice("finance.campus_resale", {"market", "book"}, std::string("market"),
             "What a defaulter's own data-centre halls fetch in liquidation, before α: `market` = book × the market-to-book ratio of the installed accelerator fleet (economic ÷ book value, at most 1), so halls in a glut sell for what capacity earns; `book` = book value."),
      bool_key("sentiment.enabled", true,
               "Switch of the sentiment feedback (DESIGN §1.8): `false` holds the sentiment index at its initial value, so valuations follow revenue alone."),
      number("sentiment.initial_index", D::kNone, 0.01, 100, 1.0, "Sentiment index at the start (the multiple on fundamentals)."),
      number("sentiment.revenue_multiple", D::kNone, 0, 1000, 15.0,
             "With `valuation.enabled = false` only: AI equity value per USD of annual AI revenue run-rate at sentiment 1 (the flow multiple of earlier versions). Assumption."),
      number("sentiment.expectations_half_life_months", D::kDuration, 0.1, 240, 6,
             "Half-life of the adaptive expectation of AI revenue growth (DESIGN §6 prior 6 months)."),
      number("sentiment.initial_expected_growth_per_year", D::kMultiplierPerYear, 0.01, 1000, 2.0,
             "AI revenue growth investors expect at the start, × per year."),
      number("sentiment.surprise_elasticity", D::kNone, 0, 10, 0.5,
             "Change of ln(sentiment) per unit of the month's log revenue surprise (realised minus expected log growth)."),
      number("sentiment.loss_sensitivity", D::kNone, 0, 100, 0.5,
             "Fall of ln(sentiment) per `sentiment.loss_scale_usd_bn` of losses from defaults in a month (claims written off plus equity wiped out)."),
      number("sentiment.loss_scale_usd_bn", D::kMoney, 0.001, 1e6, 100.0, "Losses from defaults that move ln(sentiment) by `sentiment.loss_sensitivity`."),
      number("sentiment.reversion_half_life_months", D::kDuration, 0.1, 1200, 24,
             "Half-life over which ln(sentiment) returns to ln(initial index) without news."),
      number("sentiment.min_index", D::kNone, 0.001, 100, 0.2, "Floor of the sentiment index."),
      number("sentiment.max_index", D::kNone, 0.001, 1000, 3.0, "Ceiling of the sentiment index."),
      bool_key("sentiment.equity_access", true,
               "Switch: equity-financed firms can sell new shares for up to their yearly limit × (sentiment ÷ initial sentiment); `false` = the limit as written."),
      bool_key("credit.enabled", true,
               "Switch of the credit feedback (DESIGN §1.8): `false` holds credit tightness at 0 and credit lines without a spread (neither from tightness nor from falling collateral values; limits as written). The policy rate (`rates.`) still passes through."),
      number("credit.loss_capacity_usd_bn", D::kMoney, 0.001, 1e6, 150.0,
             "Credit investors' losses in a month (banks, private credit, bondholders, ABS holders: their claims written off) that take credit tightness from 0 to 1."),
      number("credit.recovery_half_life_months", D::kDuration, 0.1, 1200, 12, "Half-life over which credit tightness eases."),
      number("credit.max_spread_per_year", D::kRatePerYear, 0, 1, 0.04, "Spread added to credit-line rates at tightness 1 (in proportion below)."),
      number("credit.limit_cut", D::kShare, 0, 1, 0.8, "Share of credit limits withdrawn at tightness 1 (in proportion below)."),
      number("credit.closed_above", D::kShare, 0, 1, 0.9, "Tightness at or above which no new credit is available at all."),
      series("rates.policy_rate_per_year", D::kRatePerYear, -0.1, 1,
             "World fact: the central bank's policy rate by calendar year, each value taken as the rate in January of its year and joined by straight lines (flat before the first year and after the last): `{ 2026 = 0.04, 2027 = 0.04, 2028 = 0.085 }` raises it over 2027. Without points, 0.04 throughout (assumption: the US federal funds target range at the end of 2025, 3.50–4.00%; calibration.md lists no policy rate). Floating credit lines and the valuation's discount rate follow it."),
      bool_key("rates.pass_through", true,
               "Switch: floating credit lines pay `debt_rate_per_year` plus the change in the policy rate since the start (fixed-coupon debt contracts keep their coupons); `false` = credit lines ignore the policy rate."),
      number("credit.collateral_spread_per_year", D::kRatePerYear, 0, 1, 0.02,
             "Behaviour: spread added to credit-line rates when AI equity value is 100% below its running peak, in proportion to the drawdown (lenders price falling collateral values; 0 switches it off). Assumption."),
      bool_key("valuation.enabled", true,
               "Switch of the firms' valuation (DESIGN §1.8, docs/model.md §9): each firm's equity is the present value of its expected earnings plus its net financial assets, other assets, core business and stakes; AI equity value sums what outside shareholders hold. `false` = AI equity value is sentiment × `sentiment.revenue_multiple` × 12 × AI revenue and firms are not valued."),
      number("valuation.equity_premium_per_year", D::kRatePerYear, 0, 1, 0.05,
             "Behaviour: equity premium over the policy rate at initial sentiment and no credit tightness (assumption: the US equity premium is commonly put at 4–6%)."),
      number("valuation.premium_sentiment_sensitivity", D::kRatePerYear, 0, 1, 0.02,
             "Behaviour: fall of the equity premium per unit of ln(sentiment ÷ initial sentiment). Assumption."),
      number("valuation.premium_credit_sensitivity", D::kRatePerYear, 0, 1, 0.04,
             "Behaviour: rise of the equity premium at credit tightness 1 (in proportion below). Assumption."),
      number("valuation.min_equity_premium_per_year", D::kRatePerYear, 0, 1, 0.01, "Behaviour: floor of the equity premium. Assumption."),
      number("valuation.fundamental_growth_per_year", D::kMultiplierPerYear, 0.01, 100, 1.2,
             "Behaviour: revenue growth investors are pulled towards at the start of the growth phase, × per year, fading linearly to `valuation.terminal_growth_per_year` over `valuation.growth_years`. Assumption."),
      number("valuation.extrapolation_weight", D::kNone, 0, 10, 0.3,
             "Behaviour: weight on the excess of the AI economy's recent revenue growth (sentiment's adaptive expectation) over fundamental growth in expected growth (trend-chasing; 0 = fundamentals only). Assumption."),
      number("valuation.extrapolation_half_life_years", D::kNone, 0.01, 100, 2.0,
             "Behaviour: half-life in years over which the extrapolated excess growth fades. Assumption."),
      integer("valuation.growth_years", D::kNone, 0, 100, 8, "Behaviour: years of the growth phase before terminal growth. Assumption."),
      number("valuation.terminal_growth_per_year", D::kMultiplierPerYear, 0.5, 2, 1.04,
             "Behaviour: the economy's nominal growth after the growth phase, × per year (assumption: ≈2% real + ≈2% inflation)."),
      number("valuation.max_growth_per_year", D::kMultiplierPerYear, 1, 1000, 3.0,
             "Behaviour: cap on any year's expected revenue growth, × per year (and on its fall, ÷). Assumption."),
      number("valuation.long_run_margin", D::kShare, -1, 1, 0.2,
             "Behaviour: earnings (after the spending that sustains them) ÷ revenue that every firm's margin converges to. Assumption."),
      number("valuation.margin_half_life_years", D::kNone, 0.01, 100, 2.0,
             "Behaviour: half-life in years of the gap between a firm's trailing margin and the long-run margin. Assumption."),
      number("valuation.revenue_half_life_months", D::kDuration, 0.1, 120, 3.0,
             "Behaviour: half-life of the smoothing of each firm's trailing revenue and earnings. Assumption."),
      bool_key("valuation.mark_stakes", true,
               "Switch: a firm's stakes in other firms (equity stakes, investments, warrants vested) count in its value at its share of their values; `false` = at book (their ledger marks, §6.6)."),
      number("verdict.bust_equity_drawdown", D::kShare, 0, 1, 0.5,
             "Bust rule (DESIGN §1.10): AI equity value at least this far below its peak (0 disables this condition)."),
      number("verdict.bust_capex_drop", D::kShare, 0, 1, 0.4,
             "Bust rule: trailing-12-month capex at least this far below its peak (0 disables)."),
      number("verdict.bust_writeoffs_usd_bn", D::kMoney, 0, 1e9, 100.0,
             "Bust rule: claims written off in defaults (including ABS pool losses), cumulative, at least this much (0 disables)."),
      integer("verdict.post_bust_months", D::kDuration, 1, 120, 12,
              "Months after the bust whose mean spot price is the legacy ledger's post-bust compute price."),
      integer("verdict.persist_months", D::kDuration, 1, 120, 1,
              "Persistence: a bust condition counts only once it has held this many consecutive months, and the bust month is the month it has (1 = as soon as it holds; `--persist-months` overrides it)."),
      integer("finance.covenant_window_months", D::kDuration, 1, 24, 3,
              "Months of operating cash flow and interest summed for the debt-service covenant test."),
      integer("firm.*.book_life_months", D::kDuration, 1, 600, 72,
              "Accounting life of accelerators: straight-line depreciation over this many months (hyperscalers 5–6 years)."),
      number("firm.*.training_budget_growth_after_per_year", D::kMultiplierPerYear, 0, 100, 1.0,
             "Growth of the training budget after its last year, × per year."),

      text("contract.*.id", V::kString, std::nullopt, "Identifier of the contract."),
      choice("contract.*.type", kContractTypes, std::nullopt,
             "Kind of contract (DESIGN §1.6); it decides which keys apply (column *for types*) and cannot be changed with `--set`."),

      // Compute commitments and power purchase agreements.
      typed(ref("contract.*.buyer", "firm", "Firm id of the buyer: of compute (`compute_commitment`) or of power (`ppa`)."),
            {"compute_commitment", "ppa"}),
      typed(ref("contract.*.seller", "firm",
                "Firm id of the seller: the compute owner, or the power producer of a `ppa`; not the buyer."),
            {"compute_commitment", "ppa"}),
      typed(text("contract.*.start", V::kMonth, std::nullopt,
                 "First month: of service (`compute_commitment`, `ppa`), of the investment or of the warrant (`equity_investment`, `warrant`) — these must lie in the horizon; the month a debt is drawn, or a lease's first month of rent — these may be before `time.start` (outstanding at the start) but not after `time.end`."),
            {"compute_commitment", "loan", "bond", "vendor_financing", "abs_tranche", "lease", "equity_investment",
             "warrant", "ppa"}),
      typed(text("contract.*.end", V::kMonth, std::nullopt, "Last month of service (inclusive); not before the start."),
            {"compute_commitment", "ppa"}),
      typed(number("contract.*.volume_h100e", D::kCompute, 0, 1e12, std::nullopt, "Compute committed per month, H100e."),
            {"compute_commitment"}),
      typed(number("contract.*.price_usd_per_h100e_hour", D::kComputePrice, 0, 1e4, std::nullopt, "Contract price."),
            {"compute_commitment"}),
      with_type_default(
          typed(number("contract.*.take_or_pay_share", D::kShare, 0, 1, 1.0,
                       "Share of the committed volume (compute, or power for a `ppa`) paid for even if unused."),
                {"compute_commitment", "ppa"}),
          "ppa", 0.8),
      typed(number("contract.*.termination_penalty_months", D::kDuration, 0, 1200, 0.0,
                   "Months of payments (the commitment's, or the lease's rent) the buyer or lessee owes the seller or lessor if the contract ends early because it defaults or terminates."),
            {"compute_commitment", "lease"}),
      typed(number("contract.*.termination_claim_share", D::kShare, 0, 1, 0.0,
                   "Share of the payments left after the `termination_penalty_months` (to the commitment's end, or the end of the lease's current term) that the seller or lessor claims when the buyer or lessee defaults: accelerated dues less what re-selling the capacity is expected to recover. The claim ranks with trade dues in the defaulter's seniority waterfall (0 = the penalty months only; 1 = every remaining payment)."),
            {"compute_commitment", "lease"}),

      // Debt: loans, bonds, vendor financing and tranches of securitisations.
      typed(ref("contract.*.borrower", "firm", "Firm id of the borrower."), kDebtTypes),
      required_for(
          typed(with_classes(ref("contract.*.lender", "firm",
                                 "Who lends: a firm id, or a class of outside investors. `vendor_financing` needs a firm (the vendor), not the borrower.",
                                 std::string("banks"))),
                kDebtTypes),
          {"vendor_financing"}),
      typed(number("contract.*.principal_usd_bn", D::kMoney, 0, 1e6, std::nullopt, "Amount borrowed, USD bn (0 switches the contract off, e.g. in a variant that finances the borrower otherwise)."),
            kDebtTypes),
      typed(number("contract.*.rate_per_year", D::kRatePerYear, 0, 1, 0.06,
                   "Interest rate (coupon), per year, compounded monthly."),
            kDebtTypes),
      typed(text("contract.*.maturity", V::kMonth, std::nullopt,
                 "Month of the last payment; not before the start, nor before `time.start` (debt repaid before the horizon is left out)."),
            kDebtTypes),
      typed(choice("contract.*.amortisation", {"bullet", "linear"}, std::string("bullet"),
                   "`bullet`: the principal is repaid at maturity; `linear`: in equal monthly parts up to maturity."),
            kDebtTypes),
      typed(integer("contract.*.seniority", D::kNone, 1, 10, 1,
                    "Tier of the claim in clearing and liquidation: 1 is paid first; pro rata within a tier."),
            kDebtTypes),
      typed(bool_key("contract.*.secured", false,
                     "Secured: paid first from the liquidation of the borrower's assets."),
            kDebtTypes),
      with_type_default(
          typed(bool_key("contract.*.off_balance_sheet", false,
                         "Kept off the balance sheet of the borrower (lessee): reported apart from its debt."),
                {"loan", "bond", "vendor_financing", "abs_tranche", "lease"}),
          "lease", "true"),
      typed(text("contract.*.tranche", V::kString, std::string(""),
                 "Label under which losses are reported by tranche (empty = the contract's id)."),
            kDebtTypes),
      typed(number("contract.*.covenant_min_dscr", D::kNone, 0, 100, 0.0,
                   "Covenant: the borrower's operating cash flow over the covenant window must stay at least this multiple of its debt service (0 = none)."),
            kDebtTypes),
      typed(number("contract.*.covenant_max_ltv", D::kShare, 0, 10, 0.0,
                   "Covenant: the borrower's debt ÷ assets at book must stay at most this (0 = none)."),
            kDebtTypes),
      typed(choice("contract.*.breach", {"default", "step_up"}, std::string("default"),
                   "What breaching a covenant triggers: `default` (an event of default: the debt is accelerated) or `step_up` (the rate rises by `step_up_per_year` while the breach lasts)."),
            kDebtTypes),
      typed(number("contract.*.step_up_per_year", D::kRatePerYear, 0, 1, 0.02,
                   "Added to the rate while a covenant is breached (with `breach = \"step_up\"`), per year."),
            kDebtTypes),
      required_for(
          typed(ref("contract.*.securitisation", "contract",
                    "Id of a contract of type `securitisation`: the pool whose lease rents pay an `abs_tranche` (required; the tranche's borrower is the pool's issuer), or the pool a lease's rent is sold into (optional; the lessor is the pool's issuer).",
                    std::string("")),
                {"abs_tranche", "lease"}),
          {"abs_tranche"}),

      // Data-centre leases.
      typed(ref("contract.*.lessor", "firm", "Firm id of the lessor, who builds the campus and receives the rent."),
            {"lease"}),
      typed(ref("contract.*.lessee", "firm", "Firm id of the lessee, who pays the rent; not the lessor."), {"lease"}),
      typed(integer("contract.*.term_months", D::kDuration, 1, 1200, std::nullopt, "Term of the lease, months."),
            {"lease"}),
      typed(integer("contract.*.renewals", D::kNone, 0, 100, 0,
                    "Further terms the lessee takes while it is active (the lease ends after (1 + renewals) terms, which must reach `time.start`)."),
            {"lease"}),
      typed(number("contract.*.rent_usd_bn_per_year", D::kMoney, 0, 1e5, std::nullopt, "Rent, USD bn per year (paid monthly)."),
            {"lease"}),
      typed(number("contract.*.datacenter_gw", D::kPower, 0, 1e4, 0.0, "Data-centre shells leased, GW."), {"lease"}),
      typed(number("contract.*.power_gw", D::kPower, 0, 1e4, 0.0, "Grid power leased with them, GW."), {"lease"}),
      typed(integer("contract.*.build_months", D::kDuration, 0, 240, 24,
                    "Months the lessor builds the campus before the start."),
            {"lease"}),
      typed(number("contract.*.residual_value_guarantee_usd_bn", D::kMoney, 0, 1e5, 0.0,
                   "When the lease ends or the lessee defaults, the lessee pays the lessor the amount by which the campus's value falls short of this, USD bn."),
            {"lease"}),

      // Equity: investments paid in tranches, opening stakes, warrants.
      typed(with_classes(ref("contract.*.investor", "firm", "Who invests: a firm id, or a class of outside investors.")),
            {"equity_investment"}),
      typed(ref("contract.*.investee", "firm", "Firm id of the firm whose new shares are bought; not the investor."),
            {"equity_investment"}),
      typed(number("contract.*.usd_bn", D::kMoney, 0, 1e5, 0.0, "Paid at the start, USD bn."), {"equity_investment"}),
      typed(number("contract.*.usd_bn_per_gw", D::kMoney, 0, 1e5, 0.0,
                   "Paid each time the milestone firm's compute in use has grown by another GW since the start, USD bn."),
            {"equity_investment"}),
      typed(number("contract.*.max_usd_bn", D::kMoney, 0, 1e6, 0.0,
                   "Most paid in all, `usd_bn` included, USD bn; 0 = `usd_bn` only (no milestone tranches). Not below `usd_bn`."),
            {"equity_investment"}),
      typed(series("contract.*.calls_usd_bn_per_year", D::kMoney, 0, 1e5,
                   "Committed funding called on a schedule, USD bn by calendar year: `{ 2026 = 12, 2027 = 24 }`, each year's amount called in equal monthly parts over its months from `start` on. A firm investor that has defaulted, or whose deposits plus new-money headroom are below a call, misses it (event `missed_call`): the call lapses and the investee goes without it."),
            {"equity_investment"}),
      typed(ref("contract.*.milestone_firm", "firm",
                "Firm whose compute in use counts for the milestones (default: the investee of an `equity_investment`, the holder of a `warrant`).",
                std::string("")),
            {"equity_investment", "warrant"}),
      typed(with_classes(ref("contract.*.holder", "firm",
                             "Who holds the shares: a firm id or, for an `equity_stake`, a class of outside investors; a warrant's holder is a firm. Not the issuer.")),
            {"equity_stake", "warrant"}),
      typed(ref("contract.*.issuer", "firm",
                "Firm id of the firm whose shares are held (`equity_stake`, `warrant`), or of the lessor whose lease rents a `securitisation` pools."),
            {"equity_stake", "warrant", "securitisation"}),
      typed(number("contract.*.share", D::kShare, 0, 1, std::nullopt,
                   "Share of the issuer's shares: held at the start (`equity_stake`, above 0; the stakes in one issuer add up to at most 1), or acquired in all by a `warrant` (after dilution; 0 switches the warrant off, e.g. in a variant without it)."),
            {"equity_stake", "warrant"}),
      typed(integer("contract.*.tranches", D::kNone, 1, 1000, 1, "Equal parts in which the warrant vests."), {"warrant"}),
      typed(number("contract.*.gw_per_tranche", D::kPower, 0, 1e4, 1.0,
                   "Growth of the milestone firm's compute in use since the start, GW, at which each further tranche vests.",
                   true),
            {"warrant"}),
      typed(number("contract.*.strike_usd_bn", D::kMoney, 0, 1e6, 0.0,
                   "Exercise price of the whole warrant, paid to the issuer as the tranches vest, USD bn."),
            {"warrant"}),

      // Power purchase agreements.
      typed(number("contract.*.gw", D::kPower, 0, 1e4, std::nullopt, "Power the buyer may take, GW.", true), {"ppa"}),
      typed(number("contract.*.price_usd_per_mwh", D::kEnergyPrice, 0, 10000, std::nullopt, "Price of the power, USD per MWh."),
            {"ppa"}),
  };
}


/// The `timeseries.csv` column names, the simulated side of an `[[observed]]` series.
std::vector<std::string> column_names() {
  std::vector<std::string> names;
  for (const model::Column& c : model::kColumns) names.emplace_back(c.name);
  for (const model::FirmColumn& c : model::kFirmColumns) {
    if (std::find(names.begin(), names.end(), c.name) == names.end()) names.emplace_back(c.name);
  }
  return names;
}

const std::vector<std::string> kShapeTypes = {"peak_year", "fall_from_peak", "each_year", "lowest", "defaults", "value_loss"};

/// Keys of validation against history (`[validation]`, `[[observed]]`, `[[shape_target]]`).
std::vector<KeySpec> make_validation_keys() {
  using D = Dimension;
  const std::vector<std::string> on_series = {"peak_year", "fall_from_peak", "each_year", "lowest"};
  const std::vector<std::string> on_firms = {"defaults", "value_loss"};
  return {
      integer("validation.fitted_through", D::kNone, 0, 9999, 0.0,
              "Last year whose observations the scenario's fitted parameters were chosen to match; `validate-history` reports the error of later years apart, as out of sample (0 = nothing fitted)."),

      text("observed.*.id", ValueType::kString, std::nullopt, "Identifier of the observed series."),
      text("observed.*.label", ValueType::kString, std::string(""), "What the series is, for display (default: the id)."),
      text("observed.*.unit", ValueType::kString, std::string(""), "Unit of the observed values, for display."),
      choice("observed.*.column", column_names(), std::nullopt,
             "The `timeseries.csv` column compared with the observations, or with `firm` a `firms.csv` column (cash_usd_bn, debt_usd_bn, equity_usd_bn, revenue_usd_bn, installed_h100e, capex_usd_bn, compute_revenue_usd_bn, equity_issued_usd_bn, compute_gw)."),
      ref("observed.*.firm", "firm", "Compare with this firm's row of `firms.csv` instead of `timeseries.csv`.", std::string("")),
      choice("observed.*.aggregate", {"sum", "mean", "end", "min", "max"}, std::string("mean"),
             "How a calendar year is made from the column's months: `sum` (flows), `mean`, `end` (December), `min`, `max`."),
      bool_key("observed.*.change", false,
               "Compare year-on-year changes, value(y) ÷ value(y−1) − 1, instead of levels."),
      number("observed.*.scale", D::kNone, 0, 1e15, 1.0,
             "Simulated yearly value × scale = the observed unit (e.g. 12 to turn a monthly flow into a yearly rate).", true),
      series("observed.*.values", D::kNone, -1e15, 1e15, "Observed values by year: `{ 2000 = 110, 2003 = 48.2 }`."),
      series("observed.*.low", D::kNone, -1e15, 1e15, "Low end of the observed range by year, where sources differ."),
      series("observed.*.high", D::kNone, -1e15, 1e15, "High end of the observed range by year."),

      text("shape_target.*.id", ValueType::kString, std::nullopt, "Identifier of the shape target."),
      choice("shape_target.*.type", kShapeTypes, std::nullopt,
             "What the target checks: `peak_year` (the series peaks in [from, to]), `fall_from_peak` (in `year` the series is between min and max below its peak so far, as a share), `each_year` (every year from–to lies in [min, max]), `lowest` (the lowest year from–to lies in [min, max]), `defaults` (every selected firm defaults from–to; creditors recover at most `max_recovery`), `value_loss` (no selected firm defaults and each one's equity at economic value falls at least `min` below its peak)."),
      text("shape_target.*.description", ValueType::kString, std::string(""), "The target in words, for display."),
      required_for(typed(ref("shape_target.*.series", "observed", "Id of the `[[observed]]` series the target is about.",
                             std::string("")),
                         on_series),
                   on_series),
      required_for(typed(integer("shape_target.*.from", D::kNone, 1000, 9999, 0.0, "First year of the target's window."),
                         {"peak_year", "each_year", "lowest", "defaults"}),
                   {"peak_year", "each_year", "lowest", "defaults"}),
      required_for(typed(integer("shape_target.*.to", D::kNone, 1000, 9999, 0.0, "Last year of the target's window."),
                         {"peak_year", "each_year", "lowest", "defaults"}),
                   {"peak_year", "each_year", "lowest", "defaults"}),
      required_for(typed(integer("shape_target.*.year", D::kNone, 1000, 9999, 0.0, "The year of a `fall_from_peak` target."),
                         {"fall_from_peak"}),
                   {"fall_from_peak"}),
      typed(number("shape_target.*.min", D::kNone, -1e15, 1e15, -1e15,
                   "Lowest value allowed (in the series' observed unit; for `fall_from_peak` and `value_loss` a share of the peak)."),
            {"fall_from_peak", "each_year", "lowest", "value_loss"}),
      typed(number("shape_target.*.max", D::kNone, -1e15, 1e15, 1e15, "Highest value allowed."),
            {"fall_from_peak", "each_year", "lowest"}),
      typed(choice("shape_target.*.financing", {"debt", "equity"}, std::string("debt"),
                   "Selects the firms with this `financing`."),
            on_firms),
      typed(choice("shape_target.*.firm_type",
                   {"", "lab", "hyperscaler", "neocloud", "chipmaker", "developer", "utility", "investor", "households"},
                   std::string(""), "Selects, in addition, only firms of this `type` (empty = any type)."),
            on_firms),
      typed(number("shape_target.*.max_recovery", D::kShare, 0, 1, 1.0,
                   "Largest share of their claims the selected defaulters' creditors may recover: 1 − written off ÷ (debt and payables the month before default)."),
            {"defaults"}),
  };
}

std::vector<TableSpec> make_tables() {
  return {
      {"units", false, false, "Display names of the scenario's units."},
      {"time", false, true, "The simulated horizon (monthly steps)."},
      {"technology", false, false, "Technology (DESIGN §1.1)."},
      {"technology.efficiency", false, false, "Algorithmic efficiency E(t) = trend × random jumps × scripted shocks."},
      {"technology.edge", false, false, "Edge migration: edge_share = max / (1 + exp(−k (ln E − ln E_mid)))."},
      {"shock", true, false, "Scripted shocks (`[[shock]]`), each with an `id`."},
      {"technology.hardware", false, false, "Hardware generations after the last one listed in `[[generation]]`."},
      {"technology.training_efficiency", false, false, "The training-efficiency index (DESIGN §1.1)."},
      {"generation", true, true, "Hardware generations (`[[generation]]`, DESIGN §1.1): delivered accelerators are of the newest generation available."},
      {"supply", false, true, "Physical supply (DESIGN §1.2): accelerators, fabs, shells and power."},
      {"supply.production", false, true, "Fab and packaging capacity with a first-in first-out order backlog."},
      {"supply.datacenter", false, false, "Data-centre shells (halls), built through a pipeline."},
      {"supply.power", false, false, "Grid connection and generation, built through a pipeline."},
      {"build", false, false, "Capacity owners' build rule: order to cover extrapolated demand one lead time ahead plus a reserve."},
      {"segment", true, true, "Demand segments (`[[segment]]`, DESIGN §1.3), at least one."},
      {"labour", false, false, "Labour (DESIGN §1.3; calibration §1.14): the labour cost AI can take over bounds enterprise spending (`ceiling = \"labour\"`), and displacement follows enterprise adoption."},
      {"training", false, false, "Training compute demand: D_train = budget · ((1 − s) + s / E_surprise) / (p · 730)."},
      {"market", false, false, "The compute market (DESIGN §1.4)."},
      {"competition", false, false, "Lab competition (DESIGN §1.5): labs' shares of inference demand follow their cumulative training compute, with a lag."},
      {"finance", false, false, "Default and resolution (DESIGN §1.7): covenants, liquidation and clearing costs, new money."},
      {"sentiment", false, false, "Sentiment (DESIGN §1.8): an index that moves with AI revenue surprises and losses from defaults; it sets the valuation's equity premium and equity-financed firms' access to new shares."},
      {"credit", false, false, "Credit (DESIGN §1.8): the policy-rate path; tightness rises with lenders' losses; spreads widen with tightness and falling collateral values, limits shrink, the market closes."},
      {"rates", false, false, "Interest rates (a world fact, docs/model.md §9): the central bank's policy-rate path, which floating credit lines and the valuation's discount rate follow."},
      {"valuation", false, false, "Firms' equity valuation (DESIGN §1.8, docs/model.md §9): present value of expected earnings (growth extrapolated and pulled to fundamentals, margins converging) at the policy rate plus an equity premium, plus net financial assets, other assets, core business and stakes at their values."},
      {"verdict", false, false, "The bust rule and the legacy ledger (DESIGN §1.10)."},
      {"firm", true, false, "Firms (`[[firm]]`, DESIGN §1.5)."},
      {"contract", true, false, "Contracts between firms and with outside investors (`[[contract]]`, DESIGN §1.6). `type` decides the keys that apply (column *for types*): a key written for a contract of another type is an error, and a *required* key is required for the types it applies to."},
      {"validation", false, false, "Validation against history: how the observed series below were used in fitting (`bubblesim validate-history`)."},
      {"observed", true, false, "Observed yearly series (`[[observed]]`) set beside a simulated column by `bubblesim validate-history`."},
      {"shape_target", true, false, "Shape targets (`[[shape_target]]`) that `bubblesim validate-history` checks on the run; `type` decides the keys that apply."},
  };
}

/// A key's role: a pattern ending in '.' covers every key under it (a table that is one role as
/// a whole); any other pattern is one key. A key's own rule wins over its table's. Tables whose
/// keys differ in role list every key, so that a key added to them later has no role until
/// someone gives it one — which SchemaRoles.EveryKeyHasOneOfTheFourRoles then demands.
struct RoleRule {
  std::string_view pattern;
  Role role;
};

constexpr Role kW = Role::kWorld;
constexpr Role kB = Role::kBehaviour;

constexpr RoleRule kRoleRules[] = {
    // Whole tables.
    {"units.", kW}, {"time.", kW}, {"technology.", kW}, {"generation.", kW}, {"shock.", kW}, {"labour.", kW},
    {"contract.", kW}, {"validation.", kW}, {"observed.", kW}, {"shape_target.", kW},
    {"build.", kB}, {"sentiment.", kB}, {"credit.", kB}, {"valuation.", kB},
    // In the build table, the owners' expectation at the start is a state of the world, and
    // whether the makers' order books allow cancellation is a term of its contracts.
    {"build.initial_growth_per_year", kW}, {"build.order_cancellation", kW},
    // The policy-rate path is a world fact, and whether credit lines float is a term of the
    // world's contracts.
    {"rates.", kW},
    {"verdict.", Role::kVerdict},
    // The top level: what the file is (its format version is numerics).
    {"schema_version", Role::kNumerics}, {"name", kW}, {"description", kW}, {"extends", kW},
    // Supply: stocks, lead times, costs and the industry's physical limits describe the world:
    // the makers' normal lead (the backlog they aim for) and how fast their industry can add
    // capacity are facts about it.
    {"supply.failure_rate_per_year", kW},
    {"supply.opex_per_device", kW},
    {"supply.production.initial_cap_h100e_per_month", kW},
    {"supply.production.initial_backlog_h100e", kW},
    {"supply.production.project_lead_time_months", kW},
    {"supply.production.project_life_months", kW},
    {"supply.production.target_backlog_months", kW},
    {"supply.production.expansion_share", kW},
    {"supply.production.usd_per_h100e_per_month", kW},
    {"supply.production.cancellation_fee_share", kW},
    {"supply.production.noncancellable_months", kW},
    {"supply.datacenter.lead_time_months", kW},
    {"supply.datacenter.life_months", kW},
    {"supply.datacenter.usd_bn_per_gw", kW},
    {"supply.datacenter.construction_gw_per_year", kW},
    {"supply.datacenter.construction_growth_per_year", kW},
    {"supply.power.lead_time_months", kW},
    {"supply.power.life_months", kW},
    {"supply.power.usd_bn_per_gw", kW},
    {"supply.power.construction_gw_per_year", kW},
    {"supply.power.construction_growth_per_year", kW},
    {"supply.power.slip_share", kW},
    {"supply.power.slip_months", kW},
    {"supply.power_price_usd_per_mwh", kW},
    {"supply.opex_usd_per_h100e_hour", kW},
    // Training: the planned budgets are facts and projections; how labs cut them when money
    // runs short and what they do with surprise savings are decisions.
    {"training.initial_budget_usd_bn_per_month", kW},
    {"training.budget_growth_fade_years", kW},
    {"training.budget_growth_per_year", kW},
    {"training.savings_banked_share", kB},
    {"training.funding_discipline", kB},
    {"training.min_runway_months", kB},
    {"training.min_budget_share", kB},
    // Demand segments: adoption, usage, prices, margins and ceilings describe the world.
    {"segment.*.id", kW},
    {"segment.*.initial_users", kW},
    {"segment.*.market_potential_users", kW},
    {"segment.*.bass_innovation_per_year", kW},
    {"segment.*.bass_imitation_per_year", kW},
    {"segment.*.usage_growth_per_year", kW},
    {"segment.*.usage_ceiling_multiple", kW},
    {"segment.*.initial_service_units_per_month", kW},
    {"segment.*.initial_gap", kW},
    {"segment.*.compute_h100e_hours_per_unit", kW},
    {"segment.*.markup", kW},
    {"segment.*.other_cost_usd_per_unit", kW},
    {"segment.*.elasticity_short_run", kW},
    {"segment.*.elasticity_long_run", kW},
    {"segment.*.adjustment_months", kW},
    {"segment.*.diffusion_limit_per_year", kW},
    {"segment.*.quality_share", kW},
    {"segment.*.surprise_quality_share", kW},
    {"segment.*.price_half_life_months", kW},
    {"segment.*.served_by_labs", kW},
    {"segment.*.ceiling", kW},
    {"segment.*.ceiling_base_usd_bn_per_year", kW},
    {"segment.*.ceiling_base_growth_per_year", kW},
    {"segment.*.ceiling_share", kW},
    {"segment.*.inhouse_share", kW},
    {"segment.*.inhouse_success_share", kW},
    // The compute market's price formation.
    {"market.initial_spot_price_usd_per_h100e_hour", kW},
    {"market.scarcity_price_cap_usd_per_h100e_hour", kW},
    {"market.stickiness", kW},
    // Competition between labs is behaviour; their quality at the start is a stock.
    {"competition.kappa", kB},
    {"competition.adjustment_months", kB},
    {"competition.leave_on_failure_share", kB},
    {"competition.initial_stock_months", kW},
    // Firms: stocks, histories, terms and capital structure (debt- or equity-financed, a fact
    // of the firm as it stands) describe the world.
    {"firm.*.id", kW},
    {"firm.*.name", kW},
    {"firm.*.type", kW},
    {"firm.*.initial_h100e", kW},
    {"firm.*.initial_generation", kW},
    {"firm.*.initial_datacenter_gw", kW},
    {"firm.*.initial_power_gw", kW},
    {"firm.*.datacenter_gw_under_construction", kW},
    {"firm.*.power_gw_under_construction", kW},
    {"firm.*.datacenter_gw_completions", kW},
    {"firm.*.power_gw_completions", kW},
    {"firm.*.build_share", kW},
    {"firm.*.inference_share", kW},
    {"firm.*.training_budget_usd_bn_per_year", kW},
    {"firm.*.training_budget_growth_after_per_year", kW},
    {"firm.*.core_cash_flow_usd_bn_per_year", kW},
    {"firm.*.core_capex_usd_bn_per_year", kW},
    {"firm.*.core_growth_after_per_year", kW},
    {"firm.*.cash_usd_bn", kW},
    {"firm.*.debt_usd_bn", kW},
    {"firm.*.debt_rate_per_year", kW},
    {"firm.*.forced_default_month", kW},
    {"firm.*.financing", kW},
    {"firm.*.min_dscr", kW},
    {"firm.*.other_assets_usd_bn", kW},
    {"firm.*.credit_limit_usd_bn", kW},
    {"firm.*.equity_limit_usd_bn_per_year", kW},
    {"firm.*.shareholders", kW},
    {"firm.*.equity_closed_from", kW},
    {"firm.*.book_life_months", kW},
    // Default and resolution: legal costs, market depth, the cost of capital, contract terms.
    {"finance.default_cost_external", kW},
    {"finance.default_cost_interfirm", kW},
    {"finance.discount_rate_per_year", kW},
    {"finance.fire_sale_impact", kW},
    {"finance.new_money_available", kW},
    {"finance.campus_resale", kW},
    {"finance.covenant_window_months", kW},
};

Role role_of(std::string_view path) {
  Role role = Role::kUnassigned;
  std::size_t matched = 0;  // the length of the prefix that gave `role`
  for (const RoleRule& rule : kRoleRules) {
    if (rule.pattern == path) return rule.role;
    if (rule.pattern.back() == '.' && path.substr(0, rule.pattern.size()) == rule.pattern && rule.pattern.size() > matched) {
      role = rule.role;
      matched = rule.pattern.size();
    }
  }
  return role;
}

std::string format_number(double x) {
  if (std::isinf(x)) return x > 0 ? "∞" : "−∞";
  return fmt::format("{}", x);
}

std::string join_names(const std::vector<std::string>& names, const char* quote) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + (quote + names[i] + quote);
  return out;
}

}  // namespace

bool KeySpec::applies_to(std::string_view type) const {
  return for_types.empty() || std::find(for_types.begin(), for_types.end(), type) != for_types.end();
}

bool KeySpec::required_for_type(std::string_view type) const {
  if (!applies_to(type)) return false;
  return required || std::find(required_for.begin(), required_for.end(), type) != required_for.end();
}

std::optional<double> KeySpec::default_number_for(std::string_view type) const {
  for (const TypeDefault& d : type_defaults) {
    if (d.type == type && d.number) return d.number;
  }
  return default_number;
}

std::optional<std::string> KeySpec::default_text_for(std::string_view type) const {
  for (const TypeDefault& d : type_defaults) {
    if (d.type == type && d.text) return d.text;
  }
  return default_text;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kWorld: return "world";
    case Role::kBehaviour: return "behaviour";
    case Role::kVerdict: return "verdict";
    case Role::kNumerics: return "numerics";
    case Role::kUnassigned: break;
  }
  return "unassigned";
}

const std::vector<KeySpec>& scenario_keys() {
  static const std::vector<KeySpec> keys = [] {
    std::vector<KeySpec> all = make_keys();
    for (KeySpec& k : make_validation_keys()) all.push_back(std::move(k));
    for (KeySpec& k : all) k.role = role_of(k.path);
    return all;
  }();
  return keys;
}

const std::vector<TableSpec>& scenario_tables() {
  static const std::vector<TableSpec> tables = make_tables();
  return tables;
}

const KeySpec* find_key(const std::string& pattern) {
  // Indexed once: building a scenario looks keys up by the thousand, once per Monte Carlo path.
  static const std::unordered_map<std::string_view, const KeySpec*> index = [] {
    std::unordered_map<std::string_view, const KeySpec*> map;
    for (const KeySpec& k : scenario_keys()) map.emplace(k.path, &k);  // the first of a path wins
    return map;
  }();
  const auto it = index.find(pattern);
  return it == index.end() ? nullptr : it->second;
}

const TableSpec* find_table(const std::string& pattern) {
  for (const TableSpec& t : scenario_tables()) {
    if (t.path == pattern) return &t;
  }
  return nullptr;
}

std::string describe_type(const KeySpec& spec) {
  switch (spec.type) {
    case ValueType::kNumber:
      return spec.dimension == Dimension::kNone ? "a number" : "a number in " + std::string(canonical_unit(spec.dimension));
    case ValueType::kInteger:
      return spec.dimension == Dimension::kNone ? "an integer" : "a whole number of " + std::string(canonical_unit(spec.dimension));
    case ValueType::kString:
      return "a string";
    case ValueType::kMonth:
      return "a month \"YYYY-MM\"";
    case ValueType::kBool:
      return "true or false";
    case ValueType::kEnum: {
      std::string s = "one of";
      for (std::size_t i = 0; i < spec.choices.size(); ++i) s += (i ? ", \"" : " \"") + spec.choices[i] + "\"";
      return s;
    }
    case ValueType::kRef:
      return "the id of a [[" + spec.ref_table + "]]" +
             (spec.choices.empty() ? std::string() : " or one of " + join_names(spec.choices, "\""));
    case ValueType::kSeries:
      return "a table of numbers by year, e.g. { 2026 = 17, 2027 = 35 }";
  }
  return "a value";
}

std::string schema_markdown() {
  std::string out;
  out += "<!-- Generated by `bubblesim schema --markdown`; a test fails when this differs. -->\n";
  for (const TableSpec& t : scenario_tables()) {
    out += fmt::format("\n### `{}{}{}`{}\n\n{}\n\n", t.array ? "[[" : "[", t.path, t.array ? "]]" : "]",
                       t.required ? " (required)" : "", t.doc);
    const std::string prefix = t.path + (t.array ? ".*." : ".");
    std::vector<const KeySpec*> keys;
    for (const KeySpec& k : scenario_keys()) {
      if (k.path.rfind(prefix, 0) != 0) continue;
      if (k.path.substr(prefix.size()).find('.') != std::string::npos) continue;  // belongs to a nested table
      keys.push_back(&k);
    }
    // Tables whose elements have a type show which types each key applies to.
    const bool typed = std::any_of(keys.begin(), keys.end(), [](const KeySpec* k) { return !k->for_types.empty(); });
    out += typed ? "| key | for types | type | role | unit | range | default | meaning |\n|---|---|---|---|---|---|---|---|\n"
                 : "| key | type | role | unit | range | default | meaning |\n|---|---|---|---|---|---|---|\n";
    for (const KeySpec* kp : keys) {
      const KeySpec& k = *kp;
      const std::string name = k.path.substr(prefix.size());
      std::string type;
      switch (k.type) {
        case ValueType::kNumber: type = "number"; break;
        case ValueType::kInteger: type = "integer"; break;
        case ValueType::kString: type = "string"; break;
        case ValueType::kMonth: type = "month"; break;
        case ValueType::kBool: type = "bool"; break;
        case ValueType::kEnum: type = describe_type(k); break;
        case ValueType::kRef:
          type = "id of a `" + k.ref_table + "`" + (k.choices.empty() ? "" : " or one of " + join_names(k.choices, "\""));
          break;
        case ValueType::kSeries: type = "numbers by year"; break;
      }
      std::string unit;
      std::string range;
      if (k.type == ValueType::kNumber || k.type == ValueType::kInteger || k.type == ValueType::kSeries) {
        unit = std::string(canonical_unit(k.dimension));
        const auto words = accepted_units(k.dimension);
        if (!words.empty()) {
          unit += " (";
          for (std::size_t i = 0; i < words.size(); ++i) unit += (i ? ", " : "") + ("`" + words[i] + "`");
          unit += ")";
        }
        range = (k.min_exclusive ? "(" : "[") + format_number(k.min) + ", " + format_number(k.max) + "]";
      }
      auto text_default = [&](const std::optional<std::string>& text) {
        return k.type == ValueType::kBool                          ? text.value_or("")
               : k.type == ValueType::kRef && text.value_or("").empty() ? std::string("see meaning")
                                                                   : "\"" + text.value_or("") + "\"";
      };
      std::string def = k.required                   ? "required"
                        : k.type == ValueType::kSeries ? "none"
                        : k.default_number             ? format_number(*k.default_number)
                                                       : text_default(k.default_text);
      for (const TypeDefault& d : k.type_defaults) {
        def += "; `" + d.type + "`: " + (d.number ? format_number(*d.number) : text_default(d.text));
      }
      if (!k.required_for.empty()) def += "; required for " + join_names(k.required_for, "`");
      const std::string_view role = role_name(k.role);
      if (typed) {
        const std::string types = k.for_types.empty() ? "all" : join_names(k.for_types, "`");
        out += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} |\n", name, types, type, role, unit, range, def, k.doc);
      } else {
        out += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", name, type, role, unit, range, def, k.doc);
      }
    }
  }
  out += "\nTop-level keys: ";
  bool first = true;
  for (const KeySpec& k : scenario_keys()) {
    if (k.path.find('.') != std::string::npos) continue;
    out += fmt::format("{}`{}` ({}{})", first ? "" : ", ", k.path, k.required ? "required, " : "", role_name(k.role));
    first = false;
  }
  out += ".\n";
  return out;
}

nlohmann::json schema_json() {
  using nlohmann::json;
  auto type_word = [](ValueType t) {
    switch (t) {
      case ValueType::kNumber: return "number";
      case ValueType::kInteger: return "integer";
      case ValueType::kString: return "string";
      case ValueType::kMonth: return "month";
      case ValueType::kBool: return "bool";
      case ValueType::kEnum: return "enum";
      case ValueType::kRef: return "ref";
      case ValueType::kSeries: return "series";
    }
    return "string";
  };
  // {"kW": 1e-06, "MW": 0.001, …}: a value written with the word, times this, is in `unit`.
  auto unit_factors_json = [](Dimension d) {
    json factors = json::object();
    for (const UnitFactor& u : unit_factors(d)) factors[u.word] = u.factor;
    return factors;
  };
  // JSON has no infinity: an open end of a range is null.
  auto finite_or_null = [](double x) { return std::isfinite(x) ? json(x) : json(nullptr); };
  json tables = json::array();
  for (const TableSpec& t : scenario_tables()) {
    tables.push_back({{"path", t.path}, {"array", t.array}, {"required", t.required}, {"doc", t.doc}});
  }
  json keys = json::array();
  for (const KeySpec& k : scenario_keys()) {
    json key = {{"path", k.path},
                {"role", role_name(k.role)},
                {"type", type_word(k.type)},
                {"unit", std::string(canonical_unit(k.dimension))},
                {"accepted_units", accepted_units(k.dimension)},
                {"unit_factors", unit_factors_json(k.dimension)},
                {"min", finite_or_null(k.min)},
                {"max", finite_or_null(k.max)},
                {"min_exclusive", k.min_exclusive},
                {"required", k.required},
                {"doc", k.doc},
                {"choices", k.choices}};
    if (k.default_number) {
      key["default"] = *k.default_number;
    } else if (k.default_text) {
      key["default"] = *k.default_text;
    } else {
      key["default"] = nullptr;
    }
    if (!k.for_types.empty()) key["for_types"] = k.for_types;
    keys.push_back(key);
  }
  return {{"tables", tables}, {"keys", keys}};
}

}  // namespace bsim::io
