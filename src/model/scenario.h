#pragma once
/// The validated, plain form of a scenario: every number in canonical units, every reference
/// resolved to an id. Built by `io::load_scenario`; read-only during a run.
///
/// Field comments give the scenario path that sets each value (DESIGN §0); `docs/scenario.md`
/// documents every path with its unit and range.

#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/ids.h"
#include "core/units.h"
#include "model/contracts.h"
#include "model/observed.h"

namespace bsim::model {

struct ContractTag {};
struct SegmentTag {};
using ContractId = core::Id<ContractTag>;
using SegmentId = core::Id<SegmentTag>;

enum class FirmType { kLab, kHyperscaler, kNeocloud, kChipmaker, kDeveloper, kUtility, kInvestor, kHouseholds };

struct TimeParams {
  core::Month start;  ///< time.start
  core::Month end;    ///< time.end (inclusive)
  [[nodiscard]] int months() const { return end - start + 1; }
};

/// Algorithmic efficiency E(t) = trend × random jumps × scripted shocks (DESIGN §1.1).
struct EfficiencyParams {
  double trend_per_year = 2.8;          ///< technology.efficiency.trend_per_year (× per year)
  double jump_rate_per_year = 0.1;      ///< technology.efficiency.jump_rate_per_year (Poisson)
  double jump_median_multiplier = 5.0;  ///< technology.efficiency.jump_median_multiplier
  double jump_sigma = 1.0;              ///< technology.efficiency.jump_sigma (of ln size)
  /// technology.efficiency.jump_rate_spending_elasticity (η): endogenous innovation, the jump
  /// rate is λ_t = λ_0 · (training spend_{t−1} / spend_0)^η; 0 switches it off.
  double jump_rate_spending_elasticity = 0.0;
};

/// Edge migration: share of inference served on devices (DESIGN §1.1).
struct EdgeParams {
  double max_share = 0.5;           ///< technology.edge.max_share
  double midpoint_efficiency = 100;  ///< technology.edge.midpoint_efficiency (E at half of max)
  double steepness = 1.0;           ///< technology.edge.steepness (k per unit of ln E)
};

/// A hardware generation (DESIGN §1.1): what a unit of compute costs and draws when bought.
struct Generation {
  std::string id;
  core::Month available;          ///< generation.<id>.available: first month it is delivered
  double h100e_per_unit = 1.0;    ///< generation.<id>.h100e_per_unit (display and unit counts)
  double kw_per_h100e = 1.4;      ///< generation.<id>.kw_per_h100e: facility power all-in
  double usd_per_h100e = 25000;   ///< generation.<id>.usd_per_h100e: accelerator + networking
};

/// How generations continue after the last one listed (technology.hardware.*).
struct HardwareParams {
  int months_between_generations = 24;   ///< technology.hardware.months_between_generations (0 = none)
  double h100e_per_unit_multiplier = 2.0;  ///< technology.hardware.h100e_per_unit_multiplier
  double kw_per_h100e_multiplier = 0.75;   ///< technology.hardware.kw_per_h100e_multiplier
  double usd_per_h100e_multiplier = 0.75;  ///< technology.hardware.usd_per_h100e_multiplier
};

/// Training efficiency (DESIGN §1.1): by default the same process as inference efficiency.
struct TrainingEfficiencyParams {
  bool follows_inference = true;  ///< technology.training_efficiency.follows_inference
  double trend_per_year = 2.8;    ///< technology.training_efficiency.trend_per_year (when not following)
};

struct TechnologyParams {
  EfficiencyParams efficiency;
  TrainingEfficiencyParams training_efficiency;
  EdgeParams edge;
  HardwareParams hardware;
  /// Every generation through the horizon: those listed, then extrapolated (sorted by date).
  std::vector<Generation> generations;
};

/// kEfficiency hits inference efficiency (and training efficiency when it follows);
/// kTrainingEfficiency hits training efficiency only.
enum class ShockKind { kEfficiency, kTrainingEfficiency };

/// A scripted shock at a given month (`[[shock]]`).
struct Shock {
  std::string id;
  ShockKind kind = ShockKind::kEfficiency;
  core::Month month;        ///< shock.<id>.month
  double multiplier = 1.0;  ///< shock.<id>.multiplier (× applied to E from that month on)
};

/// Fabs and advanced packaging (DESIGN §1.2): a production cap in H100e per month that grows
/// only as projects complete; orders beyond it queue first-in first-out.
struct ProductionParams {
  core::Compute initial_cap_per_month;     ///< supply.production.initial_cap_h100e_per_month
  core::Compute initial_backlog;           ///< supply.production.initial_backlog_h100e
  int project_lead_time_months = 42;       ///< supply.production.project_lead_time_months
  int project_life_months = 240;           ///< supply.production.project_life_months
  double target_backlog_months = 6;        ///< supply.production.target_backlog_months
  double expansion_share = 0.05;           ///< supply.production.expansion_share (of cap, per month at most)
  double usd_bn_per_h100e_per_month = 0.0; ///< supply.production.usd_per_h100e_per_month ÷ 1e9 (capex per unit of cap)
  /// supply.production.cancellation_fee_share: share of a cancelled order's value (at the
  /// current generation's price) the buyer pays the chipmaker (with `build.order_cancellation`).
  double cancellation_fee_share = 0.1;
  /// supply.production.noncancellable_months: orders the queue will deliver within this many
  /// months of output at the current cap cannot be cancelled (slots already committed).
  double noncancellable_months = 3.0;
};

/// A long-lived capacity built through a pipeline (data-centre shells, grid power).
struct PipelineParams {
  int lead_time_months = 24;   ///< supply.<datacenter|power>.lead_time_months
  int life_months = 360;       ///< supply.<datacenter|power>.life_months
  double usd_bn_per_gw = 10;   ///< supply.<datacenter|power>.usd_bn_per_gw (capex, spread over the build)
  /// supply.<datacenter|power>.construction_gw_per_year: projects the builders (crews,
  /// turbines, transformers) can start a year at the start; planned projects beyond it wait.
  /// 0 = no limit.
  double construction_gw_per_year = 0.0;
  /// supply.<datacenter|power>.construction_growth_per_year: how fast that capacity grows, × per
  /// year, while it is fully used (it grows with the investment in it, and not otherwise).
  double construction_growth_per_year = 1.0;
  /// supply.<power>.slip_share / slip_months: a share of the projects due to complete each
  /// month slips this many months, unannounced (a project slipped again can slip again). A
  /// slipping project keeps paying its monthly instalment: the delay is a cost overrun.
  double slip_share = 0.0;
  int slip_months = 0;
};

/// Physical supply (DESIGN §1.2).
struct SupplyParams {
  ProductionParams production;
  PipelineParams datacenter;
  PipelineParams power;
  double failure_rate_per_year = 0.05;      ///< supply.failure_rate_per_year
  double power_price_usd_per_mwh = 80;      ///< supply.power_price_usd_per_mwh
  double opex_usd_per_h100e_hour = 0.15;    ///< supply.opex_usd_per_h100e_hour
  /// supply.opex_per_device: the opex above is per device-hour of a one-H100e device, so a
  /// generation with k H100e per unit costs opex / k per H100e-hour; false = per H100e-hour for
  /// every generation.
  bool opex_per_device = true;
};

/// The capacity owners' build rule (behaviour::BuildRule; DESIGN §1.5 simplified): order so
/// that capacity one lead time ahead covers demand extrapolated at its trailing growth, plus a
/// reserve, with halls and power to run it.
struct BuildParams {
  double reserve_margin = 0.1;        ///< build.reserve_margin
  double expectations_half_life_months = 6;  ///< build.expectations_half_life_months (adaptive expectations of demand growth)
  /// build.optimism (θ): owners plan for expected log growth ĝ + θ·|ĝ| — faster growth than
  /// they have seen, slower declines (0 = unbiased adaptive expectations).
  double optimism = 0.0;
  /// build.price_discipline: orders shrink as the spot price falls from the full cost of new
  /// capacity (running cost + capital recovery) to its running cost, and stop below it.
  bool price_discipline = true;
  /// build.price_response (ε_b): when the spot price p exceeds the full cost c of new
  /// capacity, owners target the demand they expect at a full-cost price, D · (p / c)^ε_b.
  double price_response = 0.2;
  /// build.financing_limit: an owner orders no more than its deposits plus the new money it can
  /// raise (credit or equity), less what it has on order.
  bool financing_limit = true;
  /// build.order_cancellation: an owner whose open accelerator orders exceed what the build
  /// rule now wants on order cancels the excess, newest orders first, outside the
  /// non-cancellable window, paying the cancellation fee (false = orders are firm).
  bool order_cancellation = false;
  double initial_growth_per_year = 2.0;  ///< build.initial_growth_per_year (before a window of history exists)
  double max_growth_per_year = 4.0;   ///< build.max_growth_per_year (cap on extrapolated ×/yr)
  int max_planning_months = 24;       ///< build.max_planning_months: growth is extrapolated at most this far
  /// build.rule: kStockManagement orders from the gap between the desired and the actual stock
  /// and supply line over the production lead time (docs/model.md §7); kQueue is the earlier rule
  /// that plans over the queue's length and orders the whole gap at once.
  enum class Rule { kStockManagement, kQueue };
  Rule rule = Rule::kStockManagement;
  double stock_adjustment_months = 6;  ///< build.stock_adjustment_months (τ): a gap is closed at 1/τ a month
  double supply_line_weight = 0.3;     ///< build.supply_line_weight (β): weight of the supply-line gap relative to the stock gap
  /// build.abandon_before_share: projects less than this share of the way through their
  /// construction are abandoned when the owner no longer wants them (planned ones always can be).
  double abandon_before_share = 0.5;
  /// build.contracts_in_target: compute sold forward on signed commitments adds to the seller's
  /// desired fleet.
  bool contracts_in_target = true;
  /// build.power_aware: an owner wants no more accelerators than the power it has in service
  /// and under construction can run (with the reserve margin).
  bool power_aware = true;
  /// build.powered_shells: with power_aware, where power takes longer to build than a hall plus
  /// the power horizon, an owner builds no more halls than its power in service and under
  /// construction completing within that time.
  bool powered_shells = true;
  int power_horizon_months = 12;  ///< build.power_horizon_months: power completing within this many months counts
  /// build.buildings_in_cost: the full cost of new capacity in the price discipline includes
  /// the capital recovery of its share of a hall and of grid power, not only the accelerator.
  bool buildings_in_cost = true;
  /// build.market_cost_of_capital: the price discipline discounts at the owner's cost of capital
  /// as markets set it each month (policy rate, credit spread, equity premium) instead of
  /// `finance.discount_rate_per_year`.
  bool market_cost_of_capital = true;
  /// build.price_trend_in_returns: the price discipline values new capacity at the spot price
  /// owners expect over its book life, extrapolating the spot price's recent trend (adaptive,
  /// at `expectations_half_life_months`), instead of at this month's spot price.
  bool price_trend_in_returns = true;
};

/// A demand segment (DESIGN §1.3).
struct Segment {
  std::string id;
  double initial_users = 1e9;               ///< segment.<id>.initial_users
  double market_potential_users = 5e9;      ///< segment.<id>.market_potential_users (Bass m)
  double bass_innovation_per_year = 0.01;   ///< segment.<id>.bass_innovation_per_year (p)
  double bass_imitation_per_year = 0.5;     ///< segment.<id>.bass_imitation_per_year (q)
  double usage_growth_per_year = 1.0;       ///< segment.<id>.usage_growth_per_year (× per year)
  double usage_ceiling_multiple = 0.0;      ///< segment.<id>.usage_ceiling_multiple (0 = none)
  core::Service initial_demand;             ///< segment.<id>.initial_service_units_per_month
  double initial_gap = 1.0;                 ///< segment.<id>.initial_gap (Q*/Q at the start)
  double compute_h100e_hours_per_unit = 0.5;  ///< segment.<id>.compute_h100e_hours_per_unit (c0)
  double markup = 2.0;                      ///< segment.<id>.markup
  double other_cost_usd_per_unit = 0.0;     ///< segment.<id>.other_cost_usd_per_unit
  double elasticity_short_run = 0.2;        ///< segment.<id>.elasticity_short_run (ε_SR)
  double elasticity_long_run = 1.2;         ///< segment.<id>.elasticity_long_run (ε_LR)
  double adjustment_months = 18;            ///< segment.<id>.adjustment_months (τ)
  double diffusion_limit_per_year = 3.0;    ///< segment.<id>.diffusion_limit_per_year (g_max)
  /// segment.<id>.quality_share (φ): the share of the planned efficiency trend providers spend
  /// on a better service (bigger models, more reasoning per unit) rather than on less compute:
  /// compute per unit is c0 / (E_trend^(1 − φ) · E_jumps · E_shocks).
  double quality_share = 0.0;
  /// segment.<id>.surprise_quality_share (φ_s): the share of a surprise gain (random jump or
  /// scripted shock) providers spend on quality; compute per unit is
  /// c0 / (E_trend^(1 − φ) · (E_jumps · E_shocks)^(1 − φ_s)).
  double surprise_quality_share = 0.0;
  /// segment.<id>.price_half_life_months: providers move the service price towards its cost
  /// basis p · c · markup + other cost with this half-life (0 = at once).
  double price_half_life_months = 0.0;
  /// segment.<id>.served_by_labs: labs' `inference_share`s apply to this segment (false: the
  /// capacity owners serve it all, as for their own ads and recommendation).
  bool served_by_labs = true;
  /// What end users' spending on the segment cannot exceed (DESIGN §1.3, "what spending is
  /// worth"): kNone, the labour cost AI takes over ([labour], enterprise), a share of household
  /// consumption (consumers) or a share of the owners' own revenue (internal use).
  enum class Ceiling { kNone, kLabour, kConsumption, kOwnerRevenue };
  Ceiling ceiling = Ceiling::kNone;                 ///< segment.<id>.ceiling
  double ceiling_base_usd_bn_per_year = 0.0;        ///< segment.<id>.ceiling_base_usd_bn_per_year (consumption or owners' revenue)
  double ceiling_base_growth_per_year = 1.0;        ///< segment.<id>.ceiling_base_growth_per_year (× per year)
  double ceiling_share = 1.0;                       ///< segment.<id>.ceiling_share (of the base)
  /// segment.<id>.inhouse_share: share of the segment's spending that goes into enterprises'
  /// own AI projects (the rest buys finished services).
  double inhouse_share = 0.0;
  /// segment.<id>.inhouse_success_share: share of those projects that reach production; the
  /// spending on the rest is written off by the enterprises.
  double inhouse_success_share = 1.0;
};

/// Labour (DESIGN §1.3; calibration §1.14): the labour cost that AI can take over bounds what
/// enterprises spend on it, and displacement follows enterprise adoption.
struct LabourParams {
  double exposed_workers_m = 0.0;        ///< labour.exposed_workers_m: workers in exposed occupations, millions
  double wage_usd_per_year = 0.0;        ///< labour.wage_usd_per_year: their average labour cost
  double wage_growth_per_year = 1.0;     ///< labour.wage_growth_per_year (× per year)
  double task_share = 0.0;               ///< labour.task_share: share of their tasks AI can do
  /// labour.displaced_wages: what becomes of the wages replaced — the workers are re-employed
  /// after `reemployment_months` (kReemployed), or the lost wages lower consumer spending and
  /// with it the consumer ceiling (kLost).
  enum class Displaced { kReemployed, kLost };
  Displaced displaced_wages = Displaced::kReemployed;
  double reemployment_months = 12.0;     ///< labour.reemployment_months: mean time to a new job (kReemployed)
  double consumption_share_of_wages = 0.9;  ///< labour.consumption_share_of_wages: lost wages that were spent (kLost)
};

/// Running cost of one H100e-hour of a generation, USD: power price × kW + other opex (per
/// device, shared by its H100e, with `supply.opex_per_device`).
/// Inline: it is evaluated for every cohort several times a month.
inline double marginal_cost(const SupplyParams& supply, const Generation& generation) {
  const double opex = supply.opex_per_device && generation.h100e_per_unit > 0.0
                          ? supply.opex_usd_per_h100e_hour / generation.h100e_per_unit
                          : supply.opex_usd_per_h100e_hour;
  return supply.power_price_usd_per_mwh * generation.kw_per_h100e / 1000.0 + opex;
}

/// Training demand (DESIGN §1.3): labs' budgets in USD (per lab as series, see Firm) plus the
/// rest of the world's as one budget growing at a rate.
struct TrainingParams {
  core::Money initial_budget_per_month;  ///< training.initial_budget_usd_bn_per_month
  double budget_growth_per_year = 1.0;   ///< training.budget_growth_per_year (× per year)
  /// training.budget_growth_fade_years (T): the growth rate fades as exp(−t/T), so the budget
  /// grows at most ×(growth^T) in all (0 = it never fades).
  double budget_growth_fade_years = 0.0;
  /// training.savings_banked_share: share of surprise training-efficiency gains (jumps and
  /// shocks, beyond the trend labs plan for) banked as lower compute spending; the rest buys
  /// bigger runs (Jevons through training).
  double savings_banked_share = 0.8;
  /// training.funding_discipline: a lab trains at most what its funding covers: its budget is
  /// the planned series × clamp((cash + new money it can raise + T · monthly revenue) ÷ (T ·
  /// planned monthly spending on training and commitments), min_budget_share, 1), with T =
  /// `min_runway_months`.
  bool funding_discipline = true;
  double min_runway_months = 12;   ///< training.min_runway_months (T)
  double min_budget_share = 0.1;   ///< training.min_budget_share: the cut never goes below this share of plan
};

/// Lab competition (DESIGN §1.5): labs' shares of inference demand follow model quality, their
/// cumulative training compute, with a lag.
struct CompetitionParams {
  /// competition.kappa (κ): target share ∝ initial share × (quality / initial quality)^κ;
  /// 0 freezes the shares at the firms' inference_share.
  double kappa = 0.0;
  double adjustment_months = 12.0;  ///< competition.adjustment_months (τ; 0 = shares jump to target)
  /// competition.initial_stock_months: a lab's quality at the start, in months of the training
  /// compute its first month's budget buys at the initial spot price.
  double initial_stock_months = 12.0;
  /// competition.leave_on_failure_share: share of a failed lab's users who leave AI instead of
  /// moving to the other providers; they return through adoption (Bass) over time.
  double leave_on_failure_share = 0.0;
};

struct MarketParams {
  double initial_spot_price = 2.0;   ///< market.initial_spot_price_usd_per_h100e_hour
  double scarcity_price_cap = 8.0;   ///< market.scarcity_price_cap_usd_per_h100e_hour
  double stickiness = 1.0;           ///< market.stickiness (θ; 1 = no stickiness)
};

/// A yearly series (e.g. a budget): value per calendar year, held within the year; after the
/// last year it grows at `growth_after_per_year`.
struct YearSeries {
  std::vector<std::pair<int, double>> points;  ///< (year, value), sorted by year
  double growth_after_per_year = 1.0;
  [[nodiscard]] bool empty() const { return points.empty(); }
  /// The value for a month (the year's value; before the first year, the first value).
  [[nodiscard]] double at(core::Month m) const;
  /// The value for a month on the straight line through the points, each taken as the value
  /// in January of its year (a rate path): flat at the first value before the first year,
  /// and after the last year growing by `growth_after_per_year` a year, compounded monthly.
  [[nodiscard]] double interpolated(core::Month m) const;
};

struct Firm {
  std::string id;
  std::string name;
  FirmType type = FirmType::kLab;
  // Capacity owned at the start (firm.<id>.*); zero for firms that own none.
  core::Compute initial_h100e;         ///< initial_h100e
  std::size_t initial_generation = 0;  ///< index into technology.generations (initial_generation)
  core::Power initial_datacenter_gw;   ///< initial_datacenter_gw: shells (halls) in service
  core::Power initial_power_gw;        ///< initial_power_gw: grid power connected to them
  core::Power datacenter_gw_under_construction;  ///< arriving evenly over the shell lead time
  core::Power power_gw_under_construction;       ///< arriving evenly over the power lead time
  /// datacenter_gw_completions / power_gw_completions: when given, the projects under way at
  /// the start complete on this yearly schedule (GW in each calendar year, spread evenly over
  /// its months) instead of evenly over the lead time.
  YearSeries datacenter_gw_completions;
  YearSeries power_gw_completions;
  double build_share = 0.0;            ///< share of new capacity this owner builds (normalised)
  // Demand side (labs).
  double inference_share = 0.0;        ///< share of inference demand this lab serves
  YearSeries training_budget_usd_bn_per_year;  ///< training_budget_usd_bn_per_year
  // Business outside the model (DESIGN §1.5: a hyperscaler's "large core cash flow").
  YearSeries core_cash_flow_usd_bn_per_year;  ///< core_cash_flow_usd_bn_per_year: operating cash flow before its capex
  YearSeries core_capex_usd_bn_per_year;      ///< core_capex_usd_bn_per_year: capex of that business (into other assets)
  // Opening balance sheet and accounting.
  core::Money cash;                    ///< cash_usd_bn: deposits at the start
  core::Money debt;                    ///< debt_usd_bn: owed to the banks on its credit line at the start
  core::Money other_assets;            ///< other_assets_usd_bn: assets outside the AI build-out, at book
  double debt_rate_per_year = 0.06;    ///< debt_rate_per_year: interest, paid monthly to banks
  int book_life_months = 72;           ///< book_life_months: straight-line depreciation of accelerators
  /// forced_default_month: the firm defaults in this month whatever its finances (a scenario
  /// switch for stress tests); none when not given.
  std::optional<core::Month> forced_default_month;
  /// min_dscr: debt-service covenant; the firm defaults when its operating cash flow over the
  /// covenant window falls below this multiple of its interest (0 = no covenant).
  double min_dscr = 0.0;
  /// financing: how cash shortfalls are met — bank credit (debt) or new shares sold to
  /// investors (equity).
  enum class Financing { kDebt, kEquity } financing = Financing::kDebt;
  /// credit_limit_usd_bn: most the firm may owe the banks on its credit line (firm-level debt);
  /// beyond it a shortfall goes unpaid and is cleared jointly (DESIGN §1.7).
  double credit_limit_usd_bn = 1e6;
  /// equity_limit_usd_bn_per_year: most new equity outside investors buy from an
  /// equity-financed firm over any 12 months.
  double equity_limit_usd_bn_per_year = 1e6;
  /// shareholders: the class of outside investors holding the shares no stake names.
  HolderClass shareholders = HolderClass::kPublicEquity;
  /// equity_closed_from: from this month outside investors buy no new shares of the firm for
  /// its shortfalls (its equity headroom is zero); contracted equity investments still pay.
  /// Open throughout when not given.
  std::optional<core::Month> equity_closed_from;
  [[nodiscard]] bool owns_capacity() const { return build_share > 0.0 || initial_h100e.value() > 0.0; }
};

/// A take-or-pay compute commitment (DESIGN §1.6), minimal: finance adds its cash flows.
struct ComputeCommitment {
  std::string id;
  FirmId buyer;
  FirmId seller;
  core::Month start;
  core::Month end;
  core::Compute volume;          ///< contract.<id>.volume_h100e (per month)
  double price_usd_per_h100e_hour = 2.0;
  double take_or_pay_share = 1.0;
  /// contract.<id>.termination_penalty_months (m) and termination_claim_share (a): when the
  /// commitment ends because the buyer defaults, the seller claims the next m months of
  /// committed payments in full and the share a of the committed payments left after them:
  /// claim = m·P + a·max(0, R − m·P), P = s·V·price a month, R = P × months left.
  double termination_penalty_months = 0.0;
  double termination_claim_share = 0.0;
};

/// Default and resolution (DESIGN §1.7), first part.
struct FinanceParams {
  double default_cost_external = 0.3;  ///< finance.default_cost_external (α): share of a defaulter's non-cash assets lost in liquidation
  int covenant_window_months = 3;      ///< finance.covenant_window_months: months summed for the DSCR test
  double discount_rate_per_year = 0.12;  ///< finance.discount_rate_per_year: for economic values
  /// finance.fire_sale_impact: fall in the secondary price of accelerators per 10% of the
  /// installed base dumped at once (DESIGN §6: 0.3).
  double fire_sale_impact = 0.3;
  /// finance.default_cost_interfirm (β): share of a defaulter's receivables from other firms
  /// lost in clearing and liquidation (Rogers–Veraart; DESIGN §6: 0.1).
  double default_cost_interfirm = 0.1;
  /// finance.new_money_available: whether credit lines and equity markets provide new money
  /// for shortfalls (a switch; false = firms pay only from cash and inflows).
  bool new_money_available = true;
  /// finance.campus_resale: what a defaulter's own halls fetch in liquidation. kMarket: book
  /// × the market-to-book ratio of the installed accelerator fleet (capped at 1), so an empty
  /// shell in a glut sells for what capacity earns; kBook: book. Both less α.
  enum class CampusResale { kMarket, kBook };
  CampusResale campus_resale = CampusResale::kMarket;
};

/// Sentiment (DESIGN §1.8): an index that moves with revenue surprises (realised against
/// expected growth) and with losses from defaults. It sets the equity premium of the firms'
/// valuation (ValuationParams) and what equity-financed firms can raise.
struct SentimentParams {
  bool enabled = true;                      ///< sentiment.enabled: off = the index stays at its initial value
  double initial_index = 1.0;               ///< sentiment.initial_index
  /// sentiment.revenue_multiple: with `valuation.enabled` off, AI equity value is index ×
  /// this × the annual AI revenue run-rate (the flow multiple of earlier versions).
  double revenue_multiple = 15.0;
  double expectations_half_life_months = 6; ///< sentiment.expectations_half_life_months (adaptive expectations)
  double initial_expected_growth_per_year = 2.0;  ///< sentiment.initial_expected_growth_per_year (× per year)
  double surprise_elasticity = 0.5;         ///< sentiment.surprise_elasticity: Δln S per unit of log revenue surprise
  double loss_sensitivity = 0.5;            ///< sentiment.loss_sensitivity: Δln S per `loss_scale_usd_bn` of default losses
  double loss_scale_usd_bn = 100.0;         ///< sentiment.loss_scale_usd_bn
  double reversion_half_life_months = 24;   ///< sentiment.reversion_half_life_months: ln S decays towards ln(initial)
  double min_index = 0.2;                   ///< sentiment.min_index
  double max_index = 3.0;                   ///< sentiment.max_index
  /// sentiment.equity_access: equity-financed firms can sell new shares for up to their
  /// limit × (index ÷ initial index) a year — the same dilution buys less at lower valuations.
  bool equity_access = true;
};

/// Credit appetite (DESIGN §1.8): a tightness index C in [0, 1] that rises with lenders'
/// losses and eases with a half-life; it widens credit-line spreads, cuts credit limits and,
/// above a threshold, closes the market for new money.
struct CreditParams {
  bool enabled = true;                      ///< credit.enabled: off = C stays 0
  double loss_capacity_usd_bn = 150.0;      ///< credit.loss_capacity_usd_bn: lenders' losses that take C from 0 to 1
  double recovery_half_life_months = 12;    ///< credit.recovery_half_life_months
  double max_spread_per_year = 0.04;        ///< credit.max_spread_per_year: added to credit-line rates at C = 1
  double limit_cut = 0.8;                   ///< credit.limit_cut: share of credit limits withdrawn at C = 1
  double closed_above = 0.9;                ///< credit.closed_above: no new credit at or above this C
  /// rates.policy_rate_per_year: the central bank's policy rate by calendar year (a world
  /// fact), read as a path through January of each year listed (YearSeries::interpolated).
  /// Empty: flat at kDefaultPolicyRate.
  YearSeries policy_rate_per_year;
  /// rates.pass_through: floating credit lines follow the policy rate, at the firm's
  /// `debt_rate_per_year` plus the change in the policy rate since the start (fixed-coupon
  /// debt contracts keep their coupons); off = credit lines ignore the policy rate.
  bool rate_pass_through = true;
  /// credit.collateral_spread_per_year: added to credit-line rates when AI equity value is
  /// 100% below its running peak (in proportion to the drawdown): lenders price falling
  /// collateral values. 0 = no such spread.
  double collateral_spread_per_year = 0.02;
  /// The policy rate in a month (the path, or kDefaultPolicyRate when none is given).
  [[nodiscard]] double policy_rate(core::Month m) const;
};

/// The policy rate when a scenario gives no path: ≈4%, the US federal funds target range's
/// midpoint at the end of 2025 (an assumption; calibration.md lists no policy rate).
inline constexpr double kDefaultPolicyRate = 0.04;

/// Firms' equity valuation (DESIGN §1.8; docs/model.md §9; behaviour/valuation.h): each firm is
/// worth the present value of its expected earnings plus its net financial assets, its other
/// assets and the value of its core business, with stakes in other firms at their values.
/// Behaviour parameters: the same for every world.
struct ValuationParams {
  /// valuation.enabled: off = AI equity value is the flow multiple (sentiment index ×
  /// `sentiment.revenue_multiple` × 12 × AI revenue) and firms are not valued.
  bool enabled = true;
  double equity_premium_per_year = 0.05;      ///< valuation.equity_premium_per_year: at initial sentiment, no tightness
  double premium_sentiment_sensitivity = 0.02;  ///< valuation.premium_sentiment_sensitivity: fall of the premium per unit of ln(S/S0)
  double premium_credit_sensitivity = 0.04;   ///< valuation.premium_credit_sensitivity: rise of the premium at credit tightness 1
  double min_equity_premium_per_year = 0.01;  ///< valuation.min_equity_premium_per_year: floor of the premium
  double fundamental_growth_per_year = 1.2;   ///< valuation.fundamental_growth_per_year (× per year): the growth investors are pulled towards
  double extrapolation_weight = 0.3;          ///< valuation.extrapolation_weight: weight on the AI economy's recent growth (excess over fundamental)
  double extrapolation_half_life_years = 2.0; ///< valuation.extrapolation_half_life_years: the extrapolated excess fades with this half-life
  int growth_years = 8;                       ///< valuation.growth_years: the growth phase, fading linearly to terminal growth
  double terminal_growth_per_year = 1.04;     ///< valuation.terminal_growth_per_year (× per year): the economy's nominal growth after the phase
  double max_growth_per_year = 3.0;           ///< valuation.max_growth_per_year (× per year): cap on any year's expected growth
  double long_run_margin = 0.2;               ///< valuation.long_run_margin: earnings ÷ revenue firms converge to
  double margin_half_life_years = 2.0;        ///< valuation.margin_half_life_years: the gap to the long-run margin halves in this time
  double revenue_half_life_months = 3.0;      ///< valuation.revenue_half_life_months: smoothing of the trailing revenue and earnings
  /// valuation.mark_stakes: a firm's stakes in other firms are worth its share of their
  /// values; off = at book (their ledger marks).
  bool mark_stakes = true;
};

/// The bust rule of DESIGN §1.10: a path busts in the first month any enabled condition holds
/// (a threshold of 0 disables its condition).
struct VerdictParams {
  double equity_drawdown = 0.5;     ///< verdict.bust_equity_drawdown: AI equity value this far below its peak
  double capex_drop = 0.4;          ///< verdict.bust_capex_drop: trailing-12-month capex this far below its peak
  double writeoffs_usd_bn = 100.0;  ///< verdict.bust_writeoffs_usd_bn: claims written off in defaults, cumulative
  int post_bust_months = 12;        ///< verdict.post_bust_months: window of the post-bust compute price
  /// verdict.persist_months: a condition counts once it has held this many consecutive months
  /// (1 = as soon as it holds).
  int persist_months = 1;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string service_unit_name = "million tokens";  ///< units.service
  /// units.capacity: display name of the capacity unit (the H100e of outputs' column names).
  std::string capacity_unit_name = "H100e";
  TimeParams time;
  TechnologyParams technology;
  std::vector<Shock> shocks;
  SupplyParams supply;
  BuildParams build;
  std::vector<Segment> segments;
  LabourParams labour;
  TrainingParams training;
  MarketParams market;
  CompetitionParams competition;
  FinanceParams finance;
  SentimentParams sentiment;
  CreditParams credit;
  ValuationParams valuation;
  VerdictParams verdict;
  std::vector<Firm> firms;
  std::vector<ComputeCommitment> contracts;  ///< compute commitments
  std::vector<DebtContract> debts;
  std::vector<Lease> leases;
  std::vector<EquityInvestment> equity_investments;
  std::vector<EquityStake> stakes;
  std::vector<Warrant> warrants;
  std::vector<PowerPurchase> ppas;
  std::vector<Securitisation> securitisations;
  HistoryValidation validation;  ///< `[validation]`, `[[observed]]`, `[[shape_target]]`
};

}  // namespace bsim::model
