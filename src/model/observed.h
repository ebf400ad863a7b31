#pragma once
/// Observed history a scenario declares for validation (`[[observed]]`, `[[shape_target]]`):
/// yearly series to set beside the simulated ones and the shape targets a run must meet. Plain
/// data; `analysis::validate_history` does the comparison.

#include <optional>
#include <string>
#include <vector>

namespace bsim::model {

enum class FirmType;

/// One observed year: a central value and, where the source gives one, a range.
struct ObservedPoint {
  int year = 0;
  std::optional<double> value;  ///< observed.<id>.values.<year>
  std::optional<double> low;    ///< observed.<id>.low.<year>
  std::optional<double> high;   ///< observed.<id>.high.<year>
};

/// How a year is made from a simulated column's months.
enum class YearAggregate { kSum, kMean, kEnd, kMin, kMax };

/// An observed series (`[[observed]]`) and the simulated column it is compared with.
struct ObservedSeries {
  std::string id;
  std::string label;        ///< observed.<id>.label (display; the id when empty)
  std::string unit;         ///< observed.<id>.unit (display)
  std::string column;       ///< observed.<id>.column: a `timeseries.csv` column, or a `firms.csv` one with `firm`
  /// observed.<id>.firm: compare with this firm's `firms.csv` column (index into Scenario::firms).
  std::optional<std::size_t> firm;
  YearAggregate aggregate = YearAggregate::kMean;  ///< observed.<id>.aggregate
  /// observed.<id>.change: compare year-on-year changes, value(y) ÷ value(y−1) − 1.
  bool change = false;
  double scale = 1.0;       ///< observed.<id>.scale: simulated yearly value × scale = the observed unit
  std::vector<ObservedPoint> points;  ///< by year, ascending
};

enum class ShapeKind { kPeakYear, kFallFromPeak, kEachYear, kLowest, kDefaults, kValueLoss };

/// A shape target (`[[shape_target]]`): a condition on the simulated yearly series or on the
/// firms that the run must meet.
struct ShapeTarget {
  std::string id;
  ShapeKind kind = ShapeKind::kEachYear;
  std::string description;    ///< shape_target.<id>.description
  std::size_t series = 0;     ///< index into HistoryValidation::series (series kinds)
  int from_year = 0;          ///< shape_target.<id>.from
  int to_year = 0;            ///< shape_target.<id>.to
  int year = 0;               ///< shape_target.<id>.year (kFallFromPeak)
  double min = -1e15;         ///< shape_target.<id>.min
  double max = 1e15;          ///< shape_target.<id>.max
  /// Firm selection of kDefaults and kValueLoss: firms with this financing ("debt"/"equity")
  /// and, when given, this type.
  bool select_equity_financed = false;
  std::optional<FirmType> firm_type;
  double max_recovery = 1.0;  ///< shape_target.<id>.max_recovery (kDefaults)
};

/// Everything a scenario declares for validation against history.
struct HistoryValidation {
  std::vector<ObservedSeries> series;
  std::vector<ShapeTarget> targets;
  /// validation.fitted_through: the last year whose observations parameters were fitted to;
  /// later years are out of sample (0 = none fitted).
  int fitted_through = 0;
  [[nodiscard]] bool empty() const { return series.empty() && targets.empty(); }
};

}  // namespace bsim::model
