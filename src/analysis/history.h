#pragma once
/// Validation against history: a path's yearly series set beside the observed series a scenario
/// declares (`[[observed]]`), an error measure per series, and the scenario's shape targets
/// (`[[shape_target]]`) checked on the path. Nothing here knows which history it is.
///
///   const sim::PathResult path = sim::run_path(scenario, 0, 1);
///   const analysis::HistoryReport report = analysis::validate_history(scenario, path);
///   report.all_targets_pass();

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/observed.h"
#include "model/record.h"
#include "model/scenario.h"
#include "sim/run_path.h"

namespace bsim::analysis {

/// A column's months made into calendar years by `aggregate` (years with at least one month in
/// `months`), then, with `change`, into year-on-year changes value(y) ÷ value(y−1) − 1 (from the
/// second year, and only where value(y−1) is not 0), then multiplied by `scale`.
std::vector<std::pair<int, double>> yearly_series(const std::vector<model::MonthRecord>& months, const model::Column& column,
                                                  model::YearAggregate aggregate, bool change, double scale);

/// The same for one firm's `firms.csv` column (model::kFirmColumns); empty for an unknown column.
std::vector<std::pair<int, double>> firm_yearly_series(const std::vector<model::FirmMonth>& firms, std::size_t firm,
                                                       std::string_view column, model::YearAggregate aggregate, bool change,
                                                       double scale);

/// The error measure of a series: the mean absolute log error over the years given,
/// mean |ln s − ln o| of levels, or of growth factors 1 + change for a change series. Years
/// where either side is not positive are skipped; nothing when none is left. exp(error) − 1 is
/// the typical relative miss (0.1 ≈ 10%).
std::optional<double> mean_abs_log_error(const std::vector<std::pair<double, double>>& simulated_observed, bool change);

/// One year of a series: what the path gives and what was observed.
struct HistoryRow {
  int year = 0;
  std::optional<double> simulated;
  model::ObservedPoint observed;
  /// The simulated value lies within the observed range low–high (nothing without a range).
  [[nodiscard]] std::optional<bool> within_range() const;
};

struct SeriesComparison {
  model::ObservedSeries series;  ///< as declared (without its points; see rows)
  std::vector<HistoryRow> rows;  ///< every year of the horizon, then observed years outside it
  std::optional<double> error_all;            ///< mean absolute log error, all observed years
  std::optional<double> error_in_sample;      ///< years up to validation.fitted_through
  std::optional<double> error_out_of_sample;  ///< later years
  int years_compared = 0;  ///< observed years with a value and a simulated value
  int years_ranged = 0;    ///< observed years with a range (low and high) and a simulated value
  int years_in_range = 0;  ///< of those, the years whose range holds the simulated value
};

struct TargetResult {
  model::ShapeTarget target;
  bool pass = false;
  std::string measured;  ///< what the path gave, in words ("peak in 2000", "fall 52%")
  /// Every year the target looks at is after validation.fitted_through: the target was not
  /// used to choose the scenario's numbers (false when nothing was fitted or it has no years).
  bool out_of_sample = false;
};

struct HistoryReport {
  std::vector<SeriesComparison> series;
  std::vector<TargetResult> targets;
  int fitted_through = 0;
  [[nodiscard]] bool all_targets_pass() const;
};

/// Compares a finished path (with its firms' months and events) with what the scenario declares.
HistoryReport validate_history(const model::Scenario& scenario, const sim::PathResult& path);

}  // namespace bsim::analysis
