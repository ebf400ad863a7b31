#pragma once
/// The validated, plain form of a scenario: every number in canonical units, every reference
/// resolved to an id. Built by `io::load_scenario`; read-only during a run.
///
/// Field comments give the scenario path that sets each value (DESIGN §0); `docs/scenario.md`
/// documents every path with its unit and range.

#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/ids.h"
#include "core/units.h"

namespace bsim::model {

struct FirmTag {};
struct ContractTag {};
struct SegmentTag {};
using FirmId = core::Id<FirmTag>;
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
};

/// Edge migration: share of inference served on devices (DESIGN §1.1).
struct EdgeParams {
  double max_share = 0.5;           ///< technology.edge.max_share
  double midpoint_efficiency = 100;  ///< technology.edge.midpoint_efficiency (E at half of max)
  double steepness = 1.0;           ///< technology.edge.steepness (k per unit of ln E)
};

struct TechnologyParams {
  EfficiencyParams efficiency;
  EdgeParams edge;
};

enum class ShockKind { kEfficiency };

/// A scripted shock at a given month (`[[shock]]`).
struct Shock {
  std::string id;
  ShockKind kind = ShockKind::kEfficiency;
  core::Month month;        ///< shock.<id>.month
  double multiplier = 1.0;  ///< shock.<id>.multiplier (× applied to E from that month on)
};

/// One aggregate stock of accelerators with a build lead time (the first model; DESIGN §1.2).
struct SupplyParams {
  core::Compute initial_installed;          ///< supply.initial_installed_h100e
  core::Compute initial_deliveries_per_month;  ///< supply.initial_deliveries_h100e_per_month
  int build_lead_time_months = 12;          ///< supply.build_lead_time_months
  double failure_rate_per_year = 0.05;      ///< supply.failure_rate_per_year
  double usd_per_h100e = 20000;             ///< supply.usd_per_h100e (all-in capex per H100e)
  double kw_per_h100e = 1.0;                ///< supply.kw_per_h100e (facility power, all-in)
  double power_price_usd_per_mwh = 80;      ///< supply.power_price_usd_per_mwh
  double opex_usd_per_h100e_hour = 0.15;    ///< supply.opex_usd_per_h100e_hour
};

/// The capacity owners' build rule (DESIGN §1.5 simplified): order so that capacity one lead
/// time ahead covers demand extrapolated at its trailing growth, plus a reserve.
struct BuildParams {
  double reserve_margin = 0.1;        ///< build.reserve_margin
  int growth_window_months = 12;      ///< build.growth_window_months
  double max_growth_per_year = 4.0;   ///< build.max_growth_per_year (cap on extrapolated ×/yr)
};

/// A demand segment (DESIGN §1.3).
struct Segment {
  std::string id;
  double initial_users = 1e9;               ///< segment.<id>.initial_users
  double market_potential_users = 5e9;      ///< segment.<id>.market_potential_users (Bass m)
  double bass_innovation_per_year = 0.01;   ///< segment.<id>.bass_innovation_per_year (p)
  double bass_imitation_per_year = 0.5;     ///< segment.<id>.bass_imitation_per_year (q)
  double usage_growth_per_year = 1.0;       ///< segment.<id>.usage_growth_per_year (× per year)
  core::Service initial_demand;             ///< segment.<id>.initial_service_units_per_month
  double initial_gap = 1.0;                 ///< segment.<id>.initial_gap (Q*/Q at the start)
  double compute_h100e_hours_per_unit = 0.5;  ///< segment.<id>.compute_h100e_hours_per_unit (c0)
  double markup = 2.0;                      ///< segment.<id>.markup
  double other_cost_usd_per_unit = 0.0;     ///< segment.<id>.other_cost_usd_per_unit
  double elasticity_short_run = 0.2;        ///< segment.<id>.elasticity_short_run (ε_SR)
  double elasticity_long_run = 1.2;         ///< segment.<id>.elasticity_long_run (ε_LR)
  double adjustment_months = 18;            ///< segment.<id>.adjustment_months (τ)
  double diffusion_limit_per_year = 3.0;    ///< segment.<id>.diffusion_limit_per_year (g_max)
};

/// Training demand in the first model: one budget growing at a rate (DESIGN §1.3).
struct TrainingParams {
  core::Money initial_budget_per_month;  ///< training.initial_budget_usd_bn_per_month
  double budget_growth_per_year = 1.0;   ///< training.budget_growth_per_year (× per year)
  /// training.savings_banked_share: share of surprise training-efficiency gains (jumps and
  /// shocks, beyond the trend labs plan for) banked as lower compute spending; the rest buys
  /// bigger runs (Jevons through training).
  double savings_banked_share = 0.8;
};

struct MarketParams {
  double initial_spot_price = 2.0;   ///< market.initial_spot_price_usd_per_h100e_hour
  double scarcity_price_cap = 8.0;   ///< market.scarcity_price_cap_usd_per_h100e_hour
  double stickiness = 1.0;           ///< market.stickiness (θ; 1 = no stickiness)
};

struct Firm {
  std::string id;
  std::string name;
  FirmType type = FirmType::kLab;
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
};

struct Scenario {
  std::string name;
  std::string description;
  std::string service_unit_name = "million tokens";  ///< units.service
  TimeParams time;
  TechnologyParams technology;
  std::vector<Shock> shocks;
  SupplyParams supply;
  BuildParams build;
  std::vector<Segment> segments;
  TrainingParams training;
  MarketParams market;
  std::vector<Firm> firms;
  std::vector<ComputeCommitment> contracts;
};

}  // namespace bsim::model
