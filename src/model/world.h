#pragma once
/// The whole state of one path in one month. Mechanisms read and write it; nothing else is
/// shared between them. Stocks are end of step; flows are for the step.

#include <array>
#include <vector>

#include "core/calendar.h"
#include "core/units.h"
#include "model/ledger.h"
#include "model/record.h"
#include "model/scenario.h"

namespace bsim::model {

/// The demand state of one segment (DESIGN §1.3). Quantities are service units per month.
struct SegmentState {
  double users = 0.0;
  double usage_per_user = 0.0;  ///< service units per user per month at the reference price
  double log_activity = 0.0;    ///< ln A_t
  double log_demand = 0.0;      ///< ln Q_t (notional demand at the month's price)
  double log_target = 0.0;      ///< ln Q*_t
  double log_service_price = 0.0;  ///< ln P_t
  double calibration = 0.0;     ///< ln of the constant in A = users × usage × constant
  // The month's demand curve, set by demand::prepare and read by the market:
  // ln Q(p) = curve_intercept − ε_SR · ln P(p), P(p) = p · c · markup + other_cost.
  double curve_intercept = 0.0;
  double compute_per_unit = 0.0;  ///< c(t) in H100e-hours per service unit
  double ceiling_usd_bn = 0.0;    ///< what end users' spending cannot exceed this month (0 = no ceiling)
  double spending_usd_bn = 0.0;   ///< end users' spending this month, Q × P
};

/// Labour (DESIGN §1.3, calibration §1.14): the labour cost AI can take over, what it has
/// taken over, and the workers displaced. Flows are per month, USD bn.
struct LabourState {
  double addressable_usd_bn = 0.0;   ///< exposed workers × wage × task share, this month
  double replaced_usd_bn = 0.0;      ///< addressable × enterprise adoption, this month
  double displaced_m = 0.0;          ///< workers displaced and not yet re-employed, millions (stock)
  double displaced_target_m = 0.0;   ///< workers whose tasks AI has taken over, millions
  double lost_wages_usd_bn = 0.0;    ///< wages of the displaced not re-employed, this month
  double inhouse_writeoffs_usd_bn = 0.0;  ///< enterprises' own AI projects written off, this month
};

/// Parameters of the month's total compute-demand curve D(p) in H100e, assembled by demand
/// and read by the market; kept as data so the market needs no call into demand.
struct DemandCurve {
  struct Piece {
    double intercept = 0.0;        ///< ln Q at P = 1
    double elasticity = 0.0;       ///< ε_SR
    double compute_per_unit = 0.0; ///< c(t)
    double markup = 1.0;
    double other_cost = 0.0;       ///< USD per service unit
    double datacenter_share = 1.0; ///< 1 − edge share
    /// Gradual pass-through: ln P(p) = (1 − w) ln P_{t−1} + w ln(p · c · markup + other cost).
    double log_previous_price = 0.0;
    double pass_weight = 1.0;      ///< w (1 = the price is its cost basis at once)
    double ceiling_usd = 0.0;      ///< spending cap Q · P ≤ this, USD per month (0 = none)
    bool served_by_labs = true;    ///< labs' inference shares apply to this segment
    /// The service price at spot price p, USD per service unit.
    [[nodiscard]] double service_price(double p) const;
    /// Service demand at spot price p, service units (capped by the ceiling).
    [[nodiscard]] double service_units(double p) const;
  };
  std::vector<Piece> inference;
  core::Money training_budget;     ///< USD bn this month, all labs, after banked savings
  /// The part of `training_budget` of each firm (indexed by FirmId; 0 for non-labs), so the
  /// market can tell how much of its committed compute a buyer uses.
  std::vector<double> training_budget_by_firm_usd_bn;
  std::vector<double> inference_share_by_firm;  ///< share of inference demand each firm serves

  /// Inference compute demand in H100e at spot price p (USD per H100e-hour).
  [[nodiscard]] double inference_h100e(double p) const;
  /// The part of it in segments the labs serve (`served_by_labs`).
  [[nodiscard]] double lab_inference_h100e(double p) const;
  /// Training compute demand in H100e at spot price p.
  [[nodiscard]] double training_h100e(double p) const;
  [[nodiscard]] double total_h100e(double p) const { return inference_h100e(p) + training_h100e(p); }
  /// One firm's demand in H100e at spot price p: its training budget plus its share of the
  /// inference in segments the labs serve.
  [[nodiscard]] double firm_h100e(std::size_t firm, double p) const;
  /// The same, given lab_inference_h100e(p) already computed (it is the costly part).
  [[nodiscard]] double firm_h100e(std::size_t firm, double p, double lab_inference_at_p) const;
};

/// Accelerators of one owner, generation and delivery month (DESIGN §1.2).
struct Cohort {
  FirmId owner;
  std::size_t generation = 0;
  core::Month vintage;
  double h100e = 0.0;         ///< still in service (failures removed)
  double kw_per_h100e = 0.0;
  double usd_per_h100e = 0.0; ///< price paid
  double failed_h100e = 0.0;  ///< failed this step
};

/// GW of a long-lived asset (shells, power) in service until `retire` (exclusive).
struct GwVintage {
  core::Month retire;
  double gw = 0.0;
  bool added = true;  ///< completed after the start (false for the stock the scenario starts with)
};

/// One capacity owner's physical state.
struct OwnerState {
  FirmId firm;
  std::vector<double> datacenter_pipeline_gw;  ///< arriving in 1, 2, … months
  std::vector<double> power_pipeline_gw;
  std::vector<GwVintage> datacenter;
  std::vector<GwVintage> power;
  double datacenter_gw = 0.0;   ///< shells in service, end of step
  double power_gw = 0.0;        ///< grid power in service, end of step
  double leased_datacenter_gw = 0.0;  ///< shells leased from others (set by finance for the next month)
  double leased_power_gw = 0.0;       ///< power leased with them
  double installed_h100e = 0.0;
  double operable_h100e = 0.0;
  double idle_no_power_h100e = 0.0;
  double on_order_h100e = 0.0;  ///< in the production backlog
  double cancelled_h100e = 0.0;  ///< orders cancelled by behaviour this step
  double cancellation_fee_usd_bn = 0.0;  ///< owed for those cancellations, paid by finance next step
  double fleet_kw_per_h100e = 0.0;  ///< average over installed cohorts
  double served_h100e = 0.0;    ///< contracts + spot
  double compute_revenue_usd_bn = 0.0;
  double capex_usd_bn = 0.0;
  double delivered_cost_usd_bn = 0.0;    ///< accelerators delivered this step, at their price
  double datacenter_completed_gw = 0.0;  ///< this step
  double power_completed_gw = 0.0;       ///< this step
  double datacenter_planned_gw = 0.0;    ///< planned, waiting for construction capacity (no spending yet)
  double power_planned_gw = 0.0;
  double abandoned_gw = 0.0;             ///< shells and power abandoned this step (planned or under way)
  double abandoned_sunk_usd_bn = 0.0;    ///< spent on the projects abandoned this step (both kinds)
  double abandoned_sunk_datacenter_usd_bn = 0.0;  ///< of which shells: written off by finance next step
  double abandoned_sunk_power_usd_bn = 0.0;       ///< of which power
};

/// An accelerator order waiting in the production queue.
struct BacklogOrder {
  std::size_t owner = 0;  ///< index into World::owners
  double h100e = 0.0;
};

/// Fabs and packaging (DESIGN §1.2).
struct ProductionState {
  double cap_h100e_per_month = 0.0;      ///< in today's H100e (see supply::units_scale)
  double unscaled_cap = 0.0;             ///< in H100e of the generation on sale at the start
  std::vector<double> project_pipeline;  ///< cap arriving in 1, 2, … months, start-of-horizon H100e
  std::vector<GwVintage> projects;       ///< cap in service by retirement month (gw = H100e/month here)
  std::vector<BacklogOrder> backlog;     ///< FIFO, oldest first
  std::size_t backlog_head = 0;          ///< first unfinished order
  double backlog_h100e = 0.0;
  double delivered_h100e = 0.0;          ///< this step
  double capex_usd_bn = 0.0;             ///< this step, fab projects
  double completed = 0.0;                ///< cap completed this step, start-of-horizon H100e
};

/// Capacity offered in the month at one marginal cost: one owner's operable accelerators of
/// one generation (DESIGN §1.4).
struct CapacityStep {
  std::size_t owner = 0;
  std::size_t generation = 0;
  double marginal_cost = 0.0;  ///< USD per H100e-hour
  double operable_h100e = 0.0;
  double contract_h100e = 0.0; ///< used under compute commitments
  double spot_h100e = 0.0;     ///< sold on spot
};

/// The month's indicators of DESIGN §1.10 that are not read straight off the mechanisms, and
/// the history they need.
struct IndicatorState {
  double stranded_h100e = 0.0;
  double revenue_gap_usd_bn = 0.0;
  double required_revenue_usd_bn = 0.0;
  double commitments_to_revenue = 0.0;
  double debt_service_coverage = 0.0;
  std::vector<double> accelerators_value_usd_bn;  ///< per firm: its cohorts at economic value
  double halls_resale_factor = 1.0;               ///< finance::halls_resale_factor this month
  std::vector<std::vector<double>> owner_idle_h100e;  ///< per owner, last 3 months, newest last
  std::vector<std::vector<double>> lab_revenue_usd_bn;  ///< per firm, last 12 months, newest last
};

/// Behaviour's memory (behaviour::step): owners' expectation of demand growth and labs'
/// training budgets as a share of plan.
struct BehaviourState {
  double expected_log_growth = 0.0;   ///< adaptive expectation of notional demand growth, ln per month
  double expected_log_price_change = 0.0;  ///< adaptive expectation of the spot price's change, ln per month
  std::vector<double> training_factor;  ///< per firm: this month's training budget ÷ its planned series (1 = as planned)
};

/// Valuation, sentiment and credit (DESIGN §1.8; behaviour::update_sentiment), end of month.
struct SentimentState {
  double index = 1.0;                  ///< sentiment multiple on fundamentals
  double expected_log_growth = 0.0;    ///< expected growth of AI revenue, ln per month
  double last_revenue_usd_bn = 0.0;    ///< last month's AI revenue (0 before the first month)
  double ai_equity_value_usd_bn = 0.0;
  double credit_tightness = 0.0;       ///< C in [0, 1]
};

/// Firms' valuation and the cost of capital (DESIGN §1.8; behaviour/valuation.h), end of month.
/// Per-firm vectors are indexed by FirmId. The investment rule reads them for its next
/// decisions; finance reads the spread and the policy rate next month.
struct ValuationState {
  /// The policy rate this month, per year (`rates.policy_rate_per_year`).
  double policy_rate_per_year = 0.0;
  /// The credit spread lenders add to floating credit lines from next month, per year: credit
  /// tightness × `credit.max_spread_per_year` + drawdown of AI equity value from its peak ×
  /// `credit.collateral_spread_per_year`.
  double credit_spread_per_year = 0.0;
  /// The equity premium this month, per year: falls with sentiment, rises with credit tightness.
  double equity_premium_per_year = 0.0;
  double ai_equity_value_peak_usd_bn = 0.0;  ///< running peak of SentimentState::ai_equity_value_usd_bn
  /// Each firm's equity value, USD bn: the present value of its expected AI earnings, its net
  /// financial assets (deposits, loans and receivables held, less debt and payables), its other
  /// assets at book, the value of its core business and its stakes in other firms at their
  /// values; at least 0 (limited liability); 0 after default.
  std::vector<double> firm_value_usd_bn;
  /// The same without the business outside AI (the core business and other assets): what the
  /// firm's AI business and its net financial assets are worth; AI equity value sums it over
  /// outside holders.
  std::vector<double> ai_value_usd_bn;
  /// Cost of equity, per year: policy rate + equity premium (the valuation's discount rate).
  std::vector<double> cost_of_equity_per_year;
  /// Marginal cost of debt, per year: the rate a new draw on its credit line pays next month
  /// (`debt_rate_per_year` + the change in the policy rate since the start + the credit spread).
  std::vector<double> cost_of_debt_per_year;
  /// Weighted cost of capital, per year: cost of equity and cost of debt weighted by the firm's
  /// equity value and its debt (at book).
  std::vector<double> cost_of_capital_per_year;
  /// Trailing revenue and operating earnings per month, USD bn, smoothed with half-life
  /// `valuation.revenue_half_life_months` (operating revenue received less running costs,
  /// compute, take-or-pay, lease rent and power paid; capex, interest and core business excluded).
  std::vector<double> revenue_usd_bn;
  std::vector<double> earnings_usd_bn;
  /// Expected growth of each firm's trailing revenue, ln per year: adapts to the growth seen
  /// with half-life `sentiment.expectations_half_life_months`, from
  /// `sentiment.initial_expected_growth_per_year` (the extrapolation the valuation blends in).
  std::vector<double> expected_log_growth_per_year;
  std::vector<bool> revenue_seen;  ///< per firm: the smoothing has its first month
};

/// One holder's share of a firm's equity.
struct Shareholding {
  Holder holder;
  double share = 0.0;
};

/// The state of the financing contracts (DESIGN §1.6–1.7), indexed like the scenario's lists.
struct FinanceState {
  std::vector<double> debt_outstanding;    ///< per Scenario::debts, USD bn
  std::vector<bool> debt_in_breach;        ///< per Scenario::debts: a step-up covenant breached
  std::vector<double> credit_line;         ///< per firm: owed to the banks on the credit line
  std::vector<bool> lease_active;          ///< per Scenario::leases
  std::vector<core::Month> lease_end;      ///< per lease: last month of the current term
  std::vector<int> lease_renewals_left;
  std::vector<std::size_t> lease_lessor;   ///< ledger sector receiving the rent (households after a lessor's default)
  std::vector<double> campus_book;         ///< per lease: the campus at book on its owner's sheet
  std::vector<double> new_money_headroom;  ///< per firm, end of month: credit or equity it could still raise
  std::vector<int> campus_months_built;    ///< per lease: months of the campus's construction paid for (done at build_months)
  std::vector<double> investment_paid;     ///< per Scenario::equity_investments, USD bn so far
  std::vector<int> warrant_vested;         ///< per Scenario::warrants: tranches vested
  std::vector<bool> ppa_active;            ///< per Scenario::ppas
  std::vector<double> compute_gw;          ///< per firm: compute in use this month, GW
  std::vector<double> compute_gw_peak;     ///< per firm: the most it has used so far
  std::vector<double> compute_gw_at_start; ///< per firm: in the first month
  std::vector<std::vector<Shareholding>> owners;  ///< per issuing firm: who holds its shares
  std::vector<double> equity_value;        ///< per firm: its equity, marked (USD bn)
  std::vector<std::vector<double>> equity_raised;  ///< per firm: new outside equity, last 12 months
  std::vector<std::vector<double>> payable_to;  ///< [firm][sector]: unpaid dues carried (trade credit)
  std::vector<std::size_t> debt_lender_override;  ///< per debt: sector now holding it (kNone = the original lender)
  std::vector<bool> lease_ended;           ///< per lease: over (or never started)
  std::vector<bool> lease_terminated_this_month;
  // Losses this month and cumulative, USD bn: by investor class (index HolderClass; kFirm sums
  // the firms' losses), by firm as holder, and by debt tranche (per Scenario::debts).
  std::array<double, kHolderClassCount> losses_by_class{};
  std::array<double, kHolderClassCount> losses_by_class_total{};
  std::vector<double> losses_by_firm_total;
  std::vector<double> losses_by_debt_total;
  std::vector<double> vendor_financing_losses_total;  ///< per firm as vendor lender
  double offbalance_usd_bn = 0.0;          ///< off-balance-sheet financing outstanding, end of month
  // Circular revenue (DESIGN §1.10; finance/circularity.h), over a trailing window of months.
  std::vector<SparseFirmFlows> firm_flows_window;  ///< the firms' cash flows of the window's months, oldest first
  FirmFlows firm_flows_window_total;               ///< their sum, oldest month first
  std::vector<double> circular_revenue_share;  ///< per firm as seller, over the window
  double circular_revenue_share_all = 0.0;     ///< all firms' circular revenue ÷ their operating revenue
};

/// Lab competition (DESIGN §1.5; behaviour/competition.h). Indexed by firm; 0 for firms that
/// serve no inference or train nothing.
struct CompetitionState {
  /// Share of inference demand each firm serves, for the coming month (demand reads it into the
  /// month's curve; a defaulted firm's is 0).
  std::vector<double> inference_share;
  /// Model quality: cumulative training compute in H100e-months, including the initial stock.
  std::vector<double> quality_h100e_months;
  std::vector<double> initial_quality_h100e_months;  ///< the initial stock
};

/// ln of the largest efficiency index the model computes with, inference and training alike:
/// E saturates at 1e100 and 1e-100. Only random jumps or scripted shocks piling up over a long
/// horizon reach it (a 100-year run with 12 jumps a year would otherwise pass 1e308, the largest
/// double, and stop); every built-in scenario stays many orders of magnitude inside. The
/// logs that demand and training take from the world are held to the same range where they
/// are exponentiated. docs/model.md, "Technology".
inline constexpr double kMaxLogEfficiency = 100.0 * 2.302585092994045684;  // 100 · ln 10

struct World {
  int step = 0;        ///< 0-based step index
  core::Month month;   ///< the month being simulated

  // technology
  double efficiency = 1.0;            ///< E(t): service units per H100e-hour relative to start
  double log_efficiency_trend = 0.0;  ///< ln of the trend part
  double log_efficiency_jumps = 0.0;  ///< ln of the random-jump part
  double log_efficiency_shocks = 0.0; ///< ln of the scripted-shock part
  double training_efficiency = 1.0;   ///< training-efficiency index
  double log_training_trend = 0.0;    ///< ln of its planned (trend) part
  double log_training_shocks = 0.0;   ///< ln of the training-only shocks so far
  double edge_share = 0.0;
  std::size_t current_generation = 0; ///< newest generation available this month
  double jump_rate_per_year = 0.0;    ///< λ_t: this month's arrival rate of random jumps
  /// spend_0 of endogenous innovation: all training budgets in the first month, USD bn (set
  /// by technology in the second month; 0 before).
  double innovation_spend_at_start_usd_bn = 0.0;

  // supply
  std::vector<Cohort> cohorts;
  std::vector<OwnerState> owners;
  ProductionState production;
  std::vector<CapacityStep> steps;    ///< rebuilt every month by supply
  core::Compute installed;            ///< all owners, end of step
  core::Compute operable;
  core::Compute delivered;            ///< arrived this step
  core::Money delivered_cost;         ///< what the delivered accelerators cost
  core::Compute failed;               ///< failed this step
  core::Compute ordered;              ///< ordered this step
  core::Compute cancelled;            ///< orders cancelled this step
  /// Construction capacity (GW a year of projects the builders can start) for shells and power;
  /// 0 = no limit (supply.<datacenter|power>.construction_gw_per_year).
  double datacenter_construction_gw_per_year = 0.0;
  double power_construction_gw_per_year = 0.0;

  // demand
  std::vector<SegmentState> segments;
  DemandCurve demand_curve;
  LabourState labour;
  std::vector<bool> lab_exit_counted;  ///< per firm: a failed lab's leaving users already taken out of demand
  core::Money ai_spending_ceiling;    ///< Σ segments' ceilings this month (segments without one count their spending)
  core::Money training_budget;        ///< all labs, this month, before banking savings
  CompetitionState competition;

  // market
  double spot_price = 0.0;          ///< USD per H100e-hour
  double last_spot_price = 0.0;     ///< USD per H100e-hour: the spot price when behaviour last ran (for its expected trend)
  double marginal_cost = 0.0;       ///< USD per H100e-hour of the cheapest step
  core::Compute contracted_served;  ///< served under compute commitments
  std::vector<double> contract_used_h100e;  ///< per contract (index of scenario.contracts), this month
  core::Compute inference_demand;   ///< notional, at the clearing price
  core::Compute training_demand;
  core::Compute served;             ///< compute actually used
  core::Compute unmet;              ///< demand unserved (at the cap, or while a sticky price lags)
  double service_demand_units = 0.0;   ///< Σ segments Q, service units this month
  double service_price = 0.0;          ///< demand-weighted service price, USD per unit

  // flows for the month
  core::Money capex;
  core::Money core_capex;      ///< capex of firms' business outside the model (firm.<id>.core_capex_usd_bn_per_year)
  core::Money ai_revenue;      ///< end users' spending on data-centre AI services
  core::Money ai_revenue_lab_segments;  ///< the part of it in segments the labs serve
  core::Money compute_revenue; ///< what compute owners earn (spot and contracts)

  // finance: every sector's balance sheet and the month's transaction-flow matrix
  Ledger ledger;
  double sfc_max_residual = 0.0;  ///< largest stock-flow residual found this month, USD bn
  std::vector<FirmStatus> firm_status;             ///< per firm
  std::vector<std::vector<double>> operating_cash; ///< per firm, last covenant-window months, USD bn
  std::vector<std::vector<double>> interest_paid;  ///< per firm, same months, USD bn
  int defaults_count = 0;                          ///< firms in default so far
  double debt_losses = 0.0;                        ///< this month, USD bn
  double equity_losses = 0.0;                      ///< this month, USD bn
  FinanceState fin;

  // history the build rule needs (notional demand by month, newest last)
  std::vector<double> demand_history_h100e;

  // indicators (sim::update_indicators, DESIGN §1.10): this month's values and their history
  IndicatorState indicators;
  SentimentState sentiment;
  ValuationState valuation;
  BehaviourState behaviour;
};

/// Whether a commitment is still in force: it terminates when its buyer or seller defaults.
bool contract_alive(const World& world, const ComputeCommitment& contract);

/// Adds an accelerator order of `owner` (index into world.owners) to the back of the
/// production queue (first in, first out).
void place_accelerator_order(World& world, std::size_t owner, double h100e);

/// Cancels up to `wanted[i]` H100e of owner i's open orders (i indexes world.owners), newest
/// first. The front of the queue up to `committed_h100e` (what the fabs will deliver in the
/// non-cancellable window) cannot be cancelled. Updates the queue, its total and each owner's
/// `on_order_h100e`; returns what each owner cancelled.
std::vector<double> cancel_accelerator_orders(World& world, const std::vector<double>& wanted, double committed_h100e);

}  // namespace bsim::model
