#pragma once
/// What a path comes to: key figures at the start, peak, trough and end, and a dated story of
/// what happened when, built from the time series and the path's events.

#include <string>
#include <vector>

#include "model/events.h"
#include "model/record.h"
#include "sim/run_path.h"

namespace bsim::analysis {

/// One indicator's shape over the path.
struct Trajectory {
  std::string column;       ///< output column name
  double start = 0.0;
  double peak = 0.0;
  core::Month peak_month;
  double trough = 0.0;      ///< lowest value at or after the peak
  core::Month trough_month;
  double end = 0.0;
  /// (peak − trough) / peak, 0 when the peak is not positive.
  [[nodiscard]] double drawdown() const { return peak > 0.0 ? (peak - trough) / peak : 0.0; }
};

/// A dated sentence of the path's story.
struct StoryLine {
  core::Month month;
  std::string text;
};

struct PathSummary {
  std::vector<Trajectory> key_figures;
  std::vector<StoryLine> story;
  double cumulative_capex_usd_bn = 0.0;
  double cumulative_ai_revenue_usd_bn = 0.0;
  double cumulative_unmet_h100e_months = 0.0;
  int months_at_scarcity_cap = 0;
  int months_utilization_below_half = 0;
  /// Losses by holder type over the path, USD bn: lenders (the banks, debt written off at
  /// defaults) and shareholders (book equity of firms when they defaulted).
  double lender_losses_usd_bn = 0.0;
  double shareholder_losses_usd_bn = 0.0;
  /// Losses by holder type, by holding firm and by debt tranche (from the path's end state).
  sim::HolderLosses losses;
  int defaults = 0;
};

/// The columns summarised as key figures, in print order.
const std::vector<std::string>& key_figure_columns();

/// The trajectory of one column over the path (months must not be empty).
Trajectory trajectory(const std::vector<model::MonthRecord>& months, const model::Column& column);

/// Summarises a finished path.
PathSummary summarise(const sim::PathResult& path, double scarcity_price_cap);

}  // namespace bsim::analysis
