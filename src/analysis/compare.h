#pragma once
/// Two paths side by side (`bubblesim compare A B`): the key verdicts and indicators of each,
/// the difference B − A and, where it means something, the ratio B ÷ A.
///
/// Every row is one entry of comparison_rows(): a label, a unit and a function that reads the
/// value off a finished path and its summary. Adding a row is adding one entry there:
///
///   {"months at the scarcity cap", "months",
///    [](const sim::PathResult&, const PathSummary& s) -> RowValue { return s.months_at_scarcity_cap; }},
///
///   const auto rows = compare(a_path, summarise(a_path, cap_a), b_path, summarise(b_path, cap_b));
///   rows[0].difference;  // B − A of the first row
///
/// A value may be absent (std::nullopt: a month that never came, such as a bust that did not
/// happen); its difference and ratio are then absent too.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/summary.h"
#include "sim/run_path.h"

namespace bsim::analysis {

/// A row's value on one path; std::nullopt when it does not apply to that path.
using RowValue = std::optional<double>;

/// The unit of rows whose value is a month, carried as core::Month::index(); their difference
/// is in months and they have no ratio.
inline constexpr std::string_view kMonthUnit = "month";
/// The unit of rows whose value is a share (0–1); printed as a percentage.
inline constexpr std::string_view kShareUnit = "share";

/// One row of a comparison: what it is, its unit, and how to read it off a path.
struct ComparisonRow {
  std::string label;  ///< e.g. "claims written off", "stranded_h100e, peak"
  std::string unit;   ///< e.g. "USD bn", "H100e", kShareUnit, kMonthUnit
  std::function<RowValue(const sim::PathResult&, const PathSummary&)> value;
  /// Whether B ÷ A means something: false for signed values (a gap that can change sign) and
  /// months. Even when true, no ratio is given where A is 0.
  bool ratio = true;
};

/// The rows of `bubblesim compare`, in print order: defaults and losses (in total and by holder
/// class), cumulative capex and AI revenue, spot price, utilization, installed H100e, then the
/// peak, lowest and last value of each indicator column of DESIGN §1.10.
const std::vector<ComparisonRow>& comparison_rows();

/// One row evaluated on both paths.
struct ComparedRow {
  std::string label;
  std::string unit;
  RowValue a;
  RowValue b;
  RowValue difference;  ///< b − a, when both are present
  RowValue ratio;       ///< b ÷ a, when the row has a ratio, both are present and a ≠ 0
};

/// Evaluates `rows` on path A and path B (both with their summaries).
std::vector<ComparedRow> compare(const sim::PathResult& a, const PathSummary& summary_a, const sim::PathResult& b,
                                 const PathSummary& summary_b,
                                 const std::vector<ComparisonRow>& rows = comparison_rows());

}  // namespace bsim::analysis
