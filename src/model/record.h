#pragma once
/// One row of a path's time series, and the table of its output columns (the single list that
/// the CSV writer, the summary and the docs check all use); and one firm's month (firms.csv).

#include <array>
#include <cstddef>
#include <string_view>

#include "core/calendar.h"

namespace bsim::model {

/// Indicators of one month, in output units (see docs/outputs.md). Stocks are end of month;
/// `_usd_bn` flows are for the month.
struct MonthRecord {
  core::Month month;
  double efficiency_index = 0;
  double installed_h100e = 0;
  double operable_h100e = 0;
  double delivered_h100e = 0;
  double ordered_h100e = 0;
  double cancelled_h100e = 0;
  double idle_no_power_h100e = 0;
  double backlog_h100e = 0;
  double production_cap_h100e_per_month = 0;
  double accelerator_lead_time_months = 0;
  double datacenter_gw = 0;
  double power_needed_gw = 0;
  double training_efficiency_index = 0;
  double inference_demand_h100e = 0;
  double training_demand_h100e = 0;
  double demand_h100e = 0;
  double served_h100e = 0;
  double unmet_demand_h100e = 0;
  double contracted_h100e = 0;
  double utilization = 0;
  double datacenter_utilization = 0;
  double spot_price_usd_per_h100e_hour = 0;
  double marginal_cost_usd_per_h100e_hour = 0;
  double service_demand_units = 0;
  double service_price_usd_per_unit = 0;
  double edge_share = 0;
  double power_gw = 0;
  double capex_usd_bn = 0;
  double core_capex_usd_bn = 0;
  double total_capex_usd_bn = 0;
  double ai_revenue_usd_bn = 0;
  double compute_revenue_usd_bn = 0;
  double ai_services_sold_usd_bn = 0;
  double ai_spending_ceiling_usd_bn = 0;
  double labour_cost_addressable_usd_bn = 0;
  double labour_cost_replaced_usd_bn = 0;
  double workers_displaced_m = 0;
  double enterprise_ai_writeoffs_usd_bn = 0;
  double sfc_max_residual_usd_bn = 0;
  double defaults_count = 0;
  double default_losses_usd_bn = 0;
  double equity_losses_usd_bn = 0;
  double debt_losses_usd_bn = 0;
  double offbalance_financing_usd_bn = 0;
  double stranded_h100e = 0;
  double revenue_gap_usd_bn = 0;
  double commitments_to_revenue = 0;
  double debt_service_coverage = 0;
  double circular_revenue_share = 0;
  double accelerators_book_usd_bn = 0;
  double accelerators_value_usd_bn = 0;
  double sentiment_index = 0;
  double ai_equity_value_usd_bn = 0;
  double credit_tightness = 0;
  double policy_rate_per_year = 0;
  double credit_spread_per_year = 0;
  double efficiency_jump_rate_per_year = 0;
  double datacenter_planned_gw = 0;
  double power_planned_gw = 0;
  double power_construction_gw_per_year = 0;
  double abandoned_gw = 0;
  double abandoned_sunk_usd_bn = 0;
};

struct Column {
  std::string_view name;
  std::string_view unit;
  std::string_view description;
  double MonthRecord::*field;
};

/// Every numeric column of `timeseries.csv`, in output order (after `month`).
inline constexpr std::array kColumns = {
    Column{"efficiency_index", "×", "algorithmic efficiency E(t), service units per H100e-hour relative to the start", &MonthRecord::efficiency_index},
    Column{"installed_h100e", "H100e", "accelerators in service at the end of the month", &MonthRecord::installed_h100e},
    Column{"operable_h100e", "H100e", "installed accelerators that powered halls can run (each owner fills min(shells, power) with its most power-efficient accelerators first)", &MonthRecord::operable_h100e},
    Column{"idle_no_power_h100e", "H100e", "installed accelerators idle for lack of powered halls (installed − operable)", &MonthRecord::idle_no_power_h100e},
    Column{"delivered_h100e", "H100e", "accelerators delivered in the month", &MonthRecord::delivered_h100e},
    Column{"ordered_h100e", "H100e", "accelerators ordered in the month", &MonthRecord::ordered_h100e},
    Column{"cancelled_h100e", "H100e", "accelerator orders cancelled in the month (`build.order_cancellation`)", &MonthRecord::cancelled_h100e},
    Column{"backlog_h100e", "H100e", "accelerators ordered and not yet delivered (the production queue), end of month", &MonthRecord::backlog_h100e},
    Column{"production_cap_h100e_per_month", "H100e/month", "fab and packaging output cap", &MonthRecord::production_cap_h100e_per_month},
    Column{"accelerator_lead_time_months", "months", "queue lead time, backlog ÷ cap", &MonthRecord::accelerator_lead_time_months},
    Column{"inference_demand_h100e", "H100e", "notional inference compute demand at the clearing price", &MonthRecord::inference_demand_h100e},
    Column{"training_demand_h100e", "H100e", "notional training compute demand at the clearing price", &MonthRecord::training_demand_h100e},
    Column{"demand_h100e", "H100e", "inference + training demand", &MonthRecord::demand_h100e},
    Column{"served_h100e", "H100e", "compute actually used", &MonthRecord::served_h100e},
    Column{"unmet_demand_h100e", "H100e", "demand left unserved: rationed at the scarcity cap, or above supply while a sticky price lags the clearing price", &MonthRecord::unmet_demand_h100e},
    Column{"contracted_h100e", "H100e", "compute served under compute commitments", &MonthRecord::contracted_h100e},
    Column{"utilization", "share", "served ÷ operable", &MonthRecord::utilization},
    Column{"datacenter_utilization", "share", "compute in use, at the installed fleet's average power per H100e, as a share of what the data-centre shells in service (owned and leased) could hold: the built capacity in use, lit or not", &MonthRecord::datacenter_utilization},
    Column{"spot_price_usd_per_h100e_hour", "USD/H100e-hour", "spot compute price", &MonthRecord::spot_price_usd_per_h100e_hour},
    Column{"marginal_cost_usd_per_h100e_hour", "USD/H100e-hour", "running cost (power + opex) of the cheapest operable capacity", &MonthRecord::marginal_cost_usd_per_h100e_hour},
    Column{"service_demand_units", "service units", "AI service consumed in the month, all segments", &MonthRecord::service_demand_units},
    Column{"service_price_usd_per_unit", "USD/service unit", "demand-weighted service price", &MonthRecord::service_price_usd_per_unit},
    Column{"edge_share", "share", "share of inference served on devices, outside data centres", &MonthRecord::edge_share},
    Column{"training_efficiency_index", "×", "training efficiency relative to the start", &MonthRecord::training_efficiency_index},
    Column{"power_gw", "GW", "grid power connected to data-centre shells, in service", &MonthRecord::power_gw},
    Column{"datacenter_gw", "GW", "data-centre shells in service", &MonthRecord::datacenter_gw},
    Column{"power_needed_gw", "GW", "power the installed accelerators would draw at full load", &MonthRecord::power_needed_gw},
    Column{"capex_usd_bn", "USD bn (flow)", "capital spending in the month: accelerators delivered at their generation's price, plus shells, power and fab projects under construction", &MonthRecord::capex_usd_bn},
    Column{"core_capex_usd_bn", "USD bn (flow)", "capital spending of firms' business outside the model in the month (`firm.<id>.core_capex_usd_bn_per_year`)", &MonthRecord::core_capex_usd_bn},
    Column{"total_capex_usd_bn", "USD bn (flow)", "capex_usd_bn + core_capex_usd_bn", &MonthRecord::total_capex_usd_bn},
    Column{"ai_revenue_usd_bn", "USD bn (flow)", "end users' spending on AI services served from data centres in the month", &MonthRecord::ai_revenue_usd_bn},
    Column{"compute_revenue_usd_bn", "USD bn (flow)", "compute owners' rental income (spot and contracts) in the month", &MonthRecord::compute_revenue_usd_bn},
    Column{"ai_services_sold_usd_bn", "USD bn (flow)", "the part of ai_revenue_usd_bn in the segments labs serve (services sold to consumers and enterprises, not the capacity owners' own use), in the month", &MonthRecord::ai_services_sold_usd_bn},
    Column{"ai_spending_ceiling_usd_bn", "USD bn (flow)", "what end users' spending on AI services cannot exceed in the month: the sum of the segments' ceilings (a segment without one counts its own spending)", &MonthRecord::ai_spending_ceiling_usd_bn},
    Column{"labour_cost_addressable_usd_bn", "USD bn (flow)", "labour cost AI could take over at full adoption in the month: exposed workers × wage × task share", &MonthRecord::labour_cost_addressable_usd_bn},
    Column{"labour_cost_replaced_usd_bn", "USD bn (flow)", "labour cost AI has taken over in the month: the addressable cost × enterprise adoption", &MonthRecord::labour_cost_replaced_usd_bn},
    Column{"workers_displaced_m", "millions (stock)", "workers whose tasks AI has taken over and who have not found new work, end of month", &MonthRecord::workers_displaced_m},
    Column{"enterprise_ai_writeoffs_usd_bn", "USD bn (flow)", "enterprises' spending on their own AI projects that never reach production, written off in the month", &MonthRecord::enterprise_ai_writeoffs_usd_bn},
    Column{"defaults_count", "firms", "firms in default by the end of the month (cumulative)", &MonthRecord::defaults_count},
    Column{"default_losses_usd_bn", "USD bn (flow)", "losses from defaults in the month: claims written off plus equity wiped out", &MonthRecord::default_losses_usd_bn},
    Column{"equity_losses_usd_bn", "USD bn (flow)", "marked equity of firms that defaulted in the month, lost by their shareholders (outside investors and firms holding stakes)", &MonthRecord::equity_losses_usd_bn},
    Column{"debt_losses_usd_bn", "USD bn (flow)", "claims on defaulters written off in the month: loans, bonds, ABS tranches, credit lines and unpaid dues not recovered in the seniority waterfall", &MonthRecord::debt_losses_usd_bn},
    Column{"offbalance_financing_usd_bn", "USD bn (stock)", "financing kept off the sponsors' balance sheets, end of month: debt flagged off balance sheet (SPV bonds) plus the rent still owed on the current term of leases flagged so", &MonthRecord::offbalance_financing_usd_bn},
    Column{"stranded_h100e", "H100e", "installed accelerators idle in each of the last 3 months or worth less than a tenth of their book value (per owner, the larger of the two)", &MonthRecord::stranded_h100e},
    Column{"revenue_gap_usd_bn", "USD bn (flow)", "revenue the infrastructure in service needs (running costs, depreciation of accelerators, shells and power, cost of capital on their book value) less end users' spending on AI services, in the month", &MonthRecord::revenue_gap_usd_bn},
    Column{"commitments_to_revenue", "×", "labs' remaining compute commitments (USD) over their service revenue in the last 12 months", &MonthRecord::commitments_to_revenue},
    Column{"debt_service_coverage", "×", "operating cash flow over interest paid across the active firms that pay interest, over the covenant window", &MonthRecord::debt_service_coverage},
    Column{"circular_revenue_share", "share", "all firms' operating revenue over the last 12 months whose origin is the seller's own investment outflows (equity, loans, guarantees), through any chain of firms, ÷ all firms' operating revenue", &MonthRecord::circular_revenue_share},
    Column{"accelerators_book_usd_bn", "USD bn (stock)", "installed accelerators at book value (straight-line over each owner's book life), all firms", &MonthRecord::accelerators_book_usd_bn},
    Column{"accelerators_value_usd_bn", "USD bn (stock)", "the same accelerators at economic value: the discounted margin each cohort is expected to earn over its remaining life (DESIGN §1.7)", &MonthRecord::accelerators_value_usd_bn},
    Column{"sentiment_index", "×", "the sentiment multiple on AI equity fundamentals (DESIGN §1.8): moves with revenue surprises against adaptive expectations and with losses from defaults", &MonthRecord::sentiment_index},
    Column{"ai_equity_value_usd_bn", "USD bn (stock)", "AI equity value: the firms' values without their core business, held by outside shareholders (stakes between firms counted once in their holders' values)", &MonthRecord::ai_equity_value_usd_bn},
    Column{"credit_tightness", "0–1", "credit tightness: rises with lenders' losses, eases with a half-life; widens credit-line spreads, cuts credit limits, closes the market near 1", &MonthRecord::credit_tightness},
    Column{"policy_rate_per_year", "per year", "the policy rate in the month (rates.policy_rate_per_year)", &MonthRecord::policy_rate_per_year},
    Column{"credit_spread_per_year", "per year", "spread lenders add to floating credit lines from next month: credit tightness and the drawdown of AI equity value from its peak", &MonthRecord::credit_spread_per_year},
    Column{"efficiency_jump_rate_per_year", "per year", "arrival rate λ_t of random efficiency jumps in the month (λ_0, or with endogenous innovation λ_0 · (last month's training spending ÷ the first month's)^η)", &MonthRecord::efficiency_jump_rate_per_year},
    Column{"datacenter_planned_gw", "GW", "shells planned (ordered) but not yet started, waiting for construction capacity, end of month", &MonthRecord::datacenter_planned_gw},
    Column{"power_planned_gw", "GW", "grid power planned but not yet started, waiting for construction capacity, end of month", &MonthRecord::power_planned_gw},
    Column{"power_construction_gw_per_year", "GW/year", "power projects the builders can start a year (0 = no limit); grows while fully used", &MonthRecord::power_construction_gw_per_year},
    Column{"abandoned_gw", "GW (flow)", "shells and power abandoned in the month, planned or under construction", &MonthRecord::abandoned_gw},
    Column{"abandoned_sunk_usd_bn", "USD bn (flow)", "what had been spent on the projects abandoned in the month, written off", &MonthRecord::abandoned_sunk_usd_bn},
    Column{"sfc_max_residual_usd_bn", "USD bn", "largest stock-flow residual of the month (DESIGN §1.9); a run stops above 1e-6", &MonthRecord::sfc_max_residual_usd_bn},
};

/// A firm's standing: active, or defaulted from the month it defaults (finance::step).
enum class FirmStatus { kActive, kDefaulted };

/// The name written to outputs ("active").
constexpr std::string_view firm_status_name(FirmStatus status) {
  switch (status) {
    case FirmStatus::kActive:
      return "active";
    case FirmStatus::kDefaulted:
      return "defaulted";
  }
  return "unknown";
}

/// One firm in one month, from its balance sheet in the ledger (end of month) and, for a
/// capacity owner, its physical state. Money in USD bn; `_usd_bn` flows are for the month.
struct FirmMonth {
  core::Month month;
  std::size_t firm = 0;          ///< index into Scenario::firms (its ledger sector)
  double cash_usd_bn = 0;        ///< deposits (Asset::kDeposits)
  double debt_usd_bn = 0;        ///< Liability::kDebt
  double equity_usd_bn = 0;      ///< net worth: all assets − all liabilities
  double revenue_usd_bn = 0;     ///< receipts of service revenue and compute rent (gross)
  FirmStatus status = FirmStatus::kActive;
  // Capacity owners only (0 for other firms):
  double installed_h100e = 0;
  double operable_h100e = 0;
  double capex_usd_bn = 0;
  double compute_revenue_usd_bn = 0;  ///< rent earned in the market (spot and contracts)
  double debtrank = 0;  ///< systemic importance on the month's exposure network (0–1)
  double equity_issued_usd_bn = 0;       ///< new shares sold this month (to anyone)
  double accelerators_book_usd_bn = 0;   ///< accelerators at book (Asset::kAccelerators)
  double accelerators_value_usd_bn = 0;  ///< the same cohorts at economic value (DESIGN §1.7)
  /// Shareholders' equity with accelerators at economic value and the owner's halls at book ×
  /// the fleet's market-to-book ratio (as a liquidation would price them); other items at book.
  double equity_economic_usd_bn = 0;
  /// Compute the firm used this month (under its commitments plus bought on spot), in GW at
  /// the fleet's average power per H100e: the measure of equity-investment and warrant milestones.
  double compute_gw = 0;
  /// The part of the firm's operating revenue over the last 12 months whose origin is its own
  /// investment outflows, through any chain of firms (DESIGN §1.10; finance/circularity.h).
  double circular_revenue_share = 0;
  /// Share of inference demand the firm served this month (lab competition, DESIGN §1.5);
  /// 0 for a defaulted firm.
  double inference_share = 0;
  /// Model quality: cumulative training compute in H100e-months, with the initial stock.
  double training_compute_h100e_months = 0;
  /// The lab's training budget this month, USD bn, after banked savings and the funding cut
  /// (`training.funding_discipline`); 0 for firms without a training budget and after default.
  double training_budget_usd_bn = 0;
  /// The firm's equity value (docs/model.md §9): present value of expected AI earnings, net
  /// financial and other assets, core business and stakes at their values; 0 after default.
  double equity_value_usd_bn = 0;
};

/// The `firms.csv` columns an `[[observed]]` series with a `firm` can be compared with.
struct FirmColumn {
  std::string_view name;
  double FirmMonth::*field;
};

inline constexpr std::array kFirmColumns = {
    FirmColumn{"cash_usd_bn", &FirmMonth::cash_usd_bn},
    FirmColumn{"debt_usd_bn", &FirmMonth::debt_usd_bn},
    FirmColumn{"equity_usd_bn", &FirmMonth::equity_usd_bn},
    FirmColumn{"revenue_usd_bn", &FirmMonth::revenue_usd_bn},
    FirmColumn{"installed_h100e", &FirmMonth::installed_h100e},
    FirmColumn{"capex_usd_bn", &FirmMonth::capex_usd_bn},
    FirmColumn{"compute_revenue_usd_bn", &FirmMonth::compute_revenue_usd_bn},
    FirmColumn{"equity_issued_usd_bn", &FirmMonth::equity_issued_usd_bn},
    FirmColumn{"compute_gw", &FirmMonth::compute_gw},
    FirmColumn{"equity_value_usd_bn", &FirmMonth::equity_value_usd_bn},
};

}  // namespace bsim::model
