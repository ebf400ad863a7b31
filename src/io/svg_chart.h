#pragma once
/// Static charts as hand-written SVG for `bubblesim report`: a line chart over months with
/// shaded quantile bands (a fan chart), a vertical or horizontal bar chart, a tornado, a
/// waterfall, and a network of nodes and arrows.
///
/// Every chart carries a visible title, an SVG `<title>` and a `<desc>` caption, and a legend
/// where there is more than one series; charts with axes (all but the network) carry axis
/// labels with units and ticks. Text is XML-escaped and numbers
/// are printed with a fixed number of decimals, so the same chart gives the same bytes on every
/// run. Output has no script and no external reference: it can be inlined into an HTML page or
/// saved as its own `.svg` file.
///
/// Example:
///
///     svg::LineChart c;
///     c.title = "Spot price";
///     c.y_label = "USD per H100e-hour";
///     c.months = {"2026-01", "2026-02", "2026-03"};
///     c.series.push_back({"median", {2.1, 2.0, 1.7}});
///     c.series.back().outer_band = svg::Band{{1.9, 1.8, 1.2}, {2.3, 2.2, 2.0}};
///     std::string text = svg::line_chart(c);

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bsim::io::svg {

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by XML entities.
std::string xml_escape(std::string_view text);

/// Magnitudes below this print as 0: in the report's units (USD bn, H100e, USD per H100e-hour,
/// shares) they are the rounding residue of a quantity that is zero (5.983e-15, 2.99e-08).
inline constexpr double kZeroUpToRounding = 1e-6;

/// A number for a label, in the style of the command line and the web page: at most four
/// significant figures, thousands as `k`, millions as `M`, billions as `bn` and trillions as
/// `tn` (`1.25M`, `830k`, `7bn`, `0.042`, `-3.5`); never exponent notation (`0.0000299`); 0 for
/// a magnitude below kZeroUpToRounding; "n/a" for a value that is not finite.
std::string format_number(double value);

/// A shaded area between two curves, one value per month each (NaN leaves a gap).
struct Band {
  std::vector<double> low;
  std::vector<double> high;
};

/// One curve: a value per month (NaN leaves a gap), with optional bands around it
/// (e.g. p05–p95 outer, p25–p75 inner).
struct Series {
  std::string name;  ///< shown in the legend
  std::vector<double> values;
  std::optional<Band> outer_band;
  std::optional<Band> inner_band;
};

/// A dated event drawn across a line chart as a labelled vertical line.
struct Marker {
  std::string month;  ///< "YYYY-MM"; a month outside the chart's months is not drawn
  std::string label;  ///< e.g. "shock algorithmic-100x"
  enum class Kind { kShock, kDefault } kind = Kind::kShock;
};

/// A chart of one or more series over months.
struct LineChart {
  std::string title;
  std::string caption;                ///< what the chart shows, in a sentence or two (the `<desc>`)
  std::string x_label = "month";
  std::string y_label;                ///< with its unit, e.g. "USD bn per month"
  std::vector<std::string> months;    ///< "YYYY-MM", one per point
  std::vector<Series> series;         ///< each with months.size() values
  bool y_from_zero = true;            ///< include 0 in the y range (linear axis only)
  /// A logarithmic y axis, ticks at powers of ten; the y label then ends "(log scale)". Values
  /// that are not positive leave gaps. See log_axis_suits.
  bool log_y = false;
  /// Dated events: a vertical line each, labelled at its top (events of one month and kind
  /// share a line and their labels are joined); a legend entry for each kind present.
  std::vector<Marker> markers;
};

/// Whether `chart`'s values (series and bands) call for a log axis: every finite value is
/// positive and the largest is more than 100 times the smallest (more than two decades), so on
/// a linear axis the tails would flatten everything else.
bool log_axis_suits(const LineChart& chart);

/// One bar: its category label and its value.
struct Bar {
  std::string label;
  double value = 0;
};

/// Bars, one per category, in the order given.
struct BarChart {
  std::string title;
  std::string caption;
  std::string category_label;  ///< the axis the categories sit on, e.g. "year"
  std::string value_label;     ///< the value axis with its unit, e.g. "paths"
  std::vector<Bar> bars;
  bool horizontal = false;     ///< bars grow to the right, categories listed top to bottom
};

/// One row of a tornado: a result with a key at its low and at its high setting.
struct TornadoRow {
  std::string label;
  double low = 0;   ///< result with the key at its low setting
  double high = 0;  ///< result with the key at its high setting
};

/// A tornado: for each row a bar from `low` to `high` around the base result, rows in the
/// order given (largest swing first is the usual order). The left margin grows with the
/// longest row label; a label too long even for the widest margin is wrapped after a `.` or `_`.
struct TornadoChart {
  std::string title;
  std::string caption;
  std::string value_label;  ///< the result with its unit
  std::string key_label = "scenario key";  ///< the axis the rows sit on
  double base = 0;          ///< the result with every key at its base value
  std::string base_suffix;  ///< written after the base's value on the chart, e.g. "%"
  std::string low_name = "low setting";
  std::string high_name = "high setting";
  std::vector<TornadoRow> rows;
  /// The value axis stays within these (a probability's 0 and 1), however the data pad it.
  double value_min = -INFINITY;
  double value_max = INFINITY;
};

/// A waterfall: one bar per step, each starting where the one before ended, then a bar for the
/// total from zero; rows top to bottom in the order given, bars growing to the right. Each bar
/// carries `data-label` and `data-value` (the value as the shortest text that reads back to the
/// same double); steps have class `step`, the total class `total`.
struct WaterfallChart {
  std::string title;
  std::string caption;
  std::string category_label;         ///< the axis the steps sit on, e.g. "holder type"
  std::string value_label;            ///< the value axis with its unit
  std::vector<Bar> steps;
  std::string total_label = "total";  ///< the total's row: the sum of the steps
};

/// A node of a network chart.
struct NetworkNode {
  std::string id;            ///< written as `data-id`
  std::string label;         ///< shown beside the node
  std::size_t group = 0;     ///< index into NetworkChart::groups: its colour and place on the circle
  bool marked = false;       ///< drawn with a ring and its label in the mark colour
  std::string mark_note;     ///< appended to a marked node's label, e.g. "2028-09"
};

/// A directed edge of a network chart between two nodes (indices into NetworkChart::nodes).
struct NetworkEdge {
  std::string id;            ///< written as `data-id`
  std::size_t from = 0;
  std::size_t to = 0;
  double value = 0;          ///< sets the line width (∝ √value); written as `data-value`
  bool highlight = false;    ///< drawn in the highlight colour, with class `edge highlight`
};

/// Nodes on a circle, group after group (a gap between groups), each edge a curved arrow from
/// its `from` node to its `to` node bent towards the centre; arrows between the same two nodes
/// are fanned apart. Line widths run from 1 to 7 px as the square root of the value over the
/// largest. Highlighted edges are drawn over the others; a legend gives the groups, the two edge
/// kinds, the mark and two line widths.
struct NetworkChart {
  std::string title;
  std::string caption;
  std::vector<std::string> groups;  ///< legend names, in the order they go round the circle
  std::vector<NetworkNode> nodes;
  std::vector<NetworkEdge> edges;
  std::string value_unit = "USD bn";           ///< for the line-width legend
  std::string highlight_name = "highlighted";  ///< legend entry of highlighted edges
  std::string plain_name = "other";            ///< legend entry of the other edges
  std::string mark_name = "marked";            ///< legend entry of marked nodes (none when empty)
};

/// The chart as a complete `<svg>` element. Throws std::invalid_argument when a series or band
/// does not have one value per month, or a network edge or node names a node or group that
/// does not exist.
std::string line_chart(const LineChart& chart);
std::string bar_chart(const BarChart& chart);
std::string tornado_chart(const TornadoChart& chart);
std::string waterfall_chart(const WaterfallChart& chart);
std::string network_chart(const NetworkChart& chart);

/// A chart made by the functions above as a file of its own: an XML declaration and the SVG
/// namespace added (inline SVG in HTML needs neither). Throws std::invalid_argument when `chart`
/// does not start with `<svg `.
std::string standalone(const std::string& chart);

/// Round tick values covering [low, high]: about `target` of them at a step of 1, 2 or 5 × 10^k.
/// Empty when low > high or either is not finite; one tick when low == high.
std::vector<double> nice_ticks(double low, double high, int target = 5);

}  // namespace bsim::io::svg
