#pragma once
/// The whole state of one path in one month. Mechanisms read and write it; nothing else is
/// shared between them. Stocks are end of step; flows are for the step.

#include <vector>

#include "core/calendar.h"
#include "core/units.h"
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
  };
  std::vector<Piece> inference;
  core::Money training_budget;     ///< USD bn this month; D_train = budget / (p · 730)

  /// Inference compute demand in H100e at spot price p (USD per H100e-hour).
  [[nodiscard]] double inference_h100e(double p) const;
  /// Training compute demand in H100e at spot price p.
  [[nodiscard]] double training_h100e(double p) const;
  [[nodiscard]] double total_h100e(double p) const { return inference_h100e(p) + training_h100e(p); }
};

struct World {
  int step = 0;        ///< 0-based step index
  core::Month month;   ///< the month being simulated

  // technology
  double efficiency = 1.0;           ///< E(t): service units per H100e-hour relative to start
  double log_efficiency_trend = 0.0; ///< ln of the trend part
  double log_efficiency_jumps = 0.0; ///< ln of the random-jump part
  double log_efficiency_shocks = 0.0;///< ln of the scripted-shock part
  double edge_share = 0.0;

  // supply
  core::Compute installed;                   ///< accelerators in service, end of step
  core::Compute delivered;                   ///< arrived this step
  core::Compute failed;                      ///< failed this step
  std::vector<double> pipeline_h100e;        ///< ordered, arriving in 1, 2, … months
  core::Compute ordered;                     ///< ordered this step

  // demand
  std::vector<SegmentState> segments;
  DemandCurve demand_curve;
  core::Money training_budget;

  // market
  double spot_price = 0.0;          ///< USD per H100e-hour
  double marginal_cost = 0.0;       ///< USD per H100e-hour
  core::Compute contracted_served;  ///< served under compute commitments
  core::Compute inference_demand;   ///< notional, at the clearing price
  core::Compute training_demand;
  core::Compute served;             ///< compute actually used
  core::Compute unmet;              ///< demand rationed away at the scarcity cap
  double service_demand_units = 0.0;   ///< Σ segments Q, service units this month
  double service_price = 0.0;          ///< demand-weighted service price, USD per unit

  // flows for the month
  core::Money capex;
  core::Money ai_revenue;      ///< end users' spending on AI services
  core::Money compute_revenue; ///< what compute owners earn (spot and contracts)

  // history the build rule needs (demand by month, newest last)
  std::vector<double> demand_history_h100e;
};

}  // namespace bsim::model
