// `bubblesim report`: the SVG charts (escaping, numbers, ticks, one point per month) and the HTML
// page of a real run folder and of a real Monte Carlo database: one <svg> per chart with its
// title and axis labels, nothing that reaches outside the file, the plotted data matching the
// CSV, summary.json (the loss waterfall) and network.json (the contract network), and the same
// bytes from the same input.
#include "io/report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>

#include "analysis/summary.h"
#include "io/network.h"
#include "io/output.h"
#include "io/results_db.h"
#include "io/scenario_loader.h"
#include "io/svg_chart.h"
#include "jobs/mc_report.h"
#include "jobs/monte_carlo.h"
#include "jobs/sensitivity.h"
#include "model/record.h"
#include "sim/run_path.h"

namespace bsim::io {
namespace {

namespace fs = std::filesystem;

// A short horizon keeps the sanitizer build fast: 42 months (2026-01 … 2029-06).
// A short path with frequent jumps; the other clouds are forced into default in 2028-06 so that
// the loss waterfall and the network's defaulter marks always have something to draw, whatever
// the model's own defaults on this path.
const std::vector<std::string> kShort = {"time.end=2029-06", "technology.efficiency.jump_rate_per_year=1.5",
                                         "firm.other-clouds.forced_default_month=2028-06"};
constexpr std::size_t kShortMonths = 42;

fs::path temp_path(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("bsim_report_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

/// The `<svg>…</svg>` elements of a page.
std::vector<std::string> svgs(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    out.push_back(html.substr(at, html.find("</svg>", at) + 6 - at));
  }
  return out;
}

/// The number of points of the line of `series` in `svg`: its M and L commands.
std::size_t points_of(const std::string& svg, const std::string& series) {
  const std::string key = "data-series=\"" + series + "\" d=\"";
  const std::size_t at = svg.find(key);
  if (at == std::string::npos) return 0;
  const std::string d = svg.substr(at + key.size(), svg.find('"', at + key.size()) - at - key.size());
  return static_cast<std::size_t>(std::count(d.begin(), d.end(), 'M') + std::count(d.begin(), d.end(), 'L'));
}

void expect_self_contained(const std::string& html) {
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
}

void expect_labelled(const std::vector<std::string>& charts) {
  for (const std::string& svg : charts) {
    EXPECT_EQ(count(svg, "<title>"), 1u) << svg.substr(0, 300);
    EXPECT_EQ(count(svg, "<desc>"), 1u);
    EXPECT_EQ(count(svg, "class=\"chart-title\""), 1u);
    if (svg.find("class=\"edges\"") != std::string::npos) {
      EXPECT_GE(count(svg, "legend-entry"), 2u);  // a network has a legend, not axes
      continue;
    }
    EXPECT_GE(count(svg, "axis-label"), 2u) << svg.substr(0, 300);
    EXPECT_GE(count(svg, "class=\"tick\""), 2u);
  }
}

/// The values of the attribute `name` on the elements of `svg` that open with `element`, in order.
std::vector<std::string> attributes(const std::string& svg, const std::string& element, const std::string& name) {
  std::vector<std::string> out;
  for (std::size_t at = svg.find(element); at != std::string::npos; at = svg.find(element, at + 1)) {
    const std::size_t end = svg.find('>', at);
    const std::size_t key = svg.find(" " + name + "=\"", at);
    if (key == std::string::npos || key > end) continue;
    const std::size_t from = key + name.size() + 3;
    out.push_back(svg.substr(from, svg.find('"', from) - from));
  }
  return out;
}

const ReportChart& chart_named(const Report& report, const std::string& name) {
  const auto it = std::find_if(report.charts.begin(), report.charts.end(),
                               [&](const ReportChart& c) { return c.name == name; });
  if (it == report.charts.end()) throw std::runtime_error("no chart " + name);
  return *it;
}

// ---------------------------------------------------------------- the charts

TEST(SvgChart, EscapesTextAndFormatsNumbers) {
  EXPECT_EQ(svg::xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(svg::format_number(0), "0");
  EXPECT_EQ(svg::format_number(0.25), "0.25");
  EXPECT_EQ(svg::format_number(1500), "1500");
  EXPECT_EQ(svg::format_number(62150000), "62.15M");
  EXPECT_EQ(svg::format_number(-830000), "-830k");
  EXPECT_EQ(svg::format_number(2.5e9), "2.5bn");  // "bn" as on the command line, never "G"
  EXPECT_EQ(svg::format_number(3e12), "3tn");
  EXPECT_EQ(svg::format_number(999999), "999.9k");  // not "1000k"
  EXPECT_EQ(svg::format_number(NAN), "n/a");
}

TEST(SvgChart, ZeroUpToRoundingPrintsZeroAndSmallNumbersNeedNoExponent) {
  EXPECT_EQ(svg::format_number(5.983e-15), "0");  // float residue of a zero
  EXPECT_EQ(svg::format_number(2.99e-08), "0");
  EXPECT_EQ(svg::format_number(-1e-12), "0");
  EXPECT_EQ(svg::format_number(-0.0), "0");
  EXPECT_EQ(svg::format_number(2.99e-5), "0.0000299");
  EXPECT_EQ(svg::format_number(0.00042), "0.00042");
  EXPECT_EQ(svg::format_number(0.0042), "0.0042");
  for (const double v : {1e-6, 3.3e-5, 7.7e-4, 0.5, 12.0, 5e15, 1e20}) {
    EXPECT_EQ(svg::format_number(v).find('e'), std::string::npos) << v << " " << svg::format_number(v);
  }
}

/// The y pixel of each labelled horizontal grid line of a line chart: label → y.
std::map<std::string, double> grid_ys(const std::string& svg) {
  std::map<std::string, double> out;
  for (std::size_t at = svg.find("<line class=\"grid\""); at != std::string::npos;
       at = svg.find("<line class=\"grid\"", at + 1)) {
    const double y = std::stod(attributes(svg.substr(at), "<line class=\"grid\"", "y1").front());
    const std::size_t label = svg.find("class=\"tick\"", at);
    const std::size_t open = svg.find('>', label) + 1;
    out[svg.substr(open, svg.find('<', open) - open)] = y;
  }
  return out;
}

TEST(SvgChart, APositiveSeriesSpanningMoreThanTwoDecadesGetsALogAxis) {
  svg::LineChart c;
  c.title = "Demand";
  c.y_label = "H100e";
  c.months = {"2026-01", "2026-02", "2026-03", "2026-04"};
  c.series.push_back({"demand", {2e6, 3e7, 7e9, 5e8}, std::nullopt, std::nullopt});
  EXPECT_TRUE(svg::log_axis_suits(c));  // 7e9 / 2e6 = 3500: over three decades
  c.log_y = true;
  const std::string s = svg::line_chart(c);
  EXPECT_NE(s.find("H100e (log scale)</text>"), std::string::npos);
  // Ticks at powers of ten, equally spaced: each decade the same height.
  const std::map<std::string, double> y = grid_ys(s);
  ASSERT_TRUE(y.count("1M") && y.count("10M") && y.count("100M") && y.count("1bn") && y.count("10bn")) << s;
  EXPECT_NEAR(y.at("1M") - y.at("10M"), y.at("100M") - y.at("1bn"), 0.11);
  EXPECT_GT(y.at("1M"), y.at("10bn"));  // larger values higher up

  // Two decades or less, a zero, or a negative value: linear.
  svg::LineChart narrow = c;
  narrow.series[0].values = {1, 50, 100, 20};
  EXPECT_FALSE(svg::log_axis_suits(narrow));
  svg::LineChart with_zero = c;
  with_zero.series[0].values = {0, 3e7, 7e9, 5e8};
  EXPECT_FALSE(svg::log_axis_suits(with_zero));
  svg::LineChart banded = c;  // a band reaching below zero counts too
  banded.series[0].outer_band = svg::Band{{-1, 1e7, 1e9, 1e8}, {3e6, 4e7, 8e9, 6e8}};
  EXPECT_FALSE(svg::log_axis_suits(banded));
  narrow.log_y = false;
  EXPECT_EQ(svg::line_chart(narrow).find("log scale"), std::string::npos);
}

TEST(SvgChart, MarkersAreLabelledLinesAtTheirMonthsAndJoinWithinAMonth) {
  svg::LineChart c;
  c.title = "Price";
  c.y_label = "USD per H100e-hour";
  c.months = {"2027-05", "2027-06", "2027-07", "2027-08"};
  c.series.push_back({"spot price", {2, 1.5, 1, 0.8}, std::nullopt, std::nullopt});
  c.markers = {{"2027-06", "shock a", svg::Marker::Kind::kShock},
               {"2027-08", "x defaults", svg::Marker::Kind::kDefault},
               {"2027-08", "y defaults", svg::Marker::Kind::kDefault},
               {"2031-01", "outside the horizon", svg::Marker::Kind::kShock}};
  const std::string s = svg::line_chart(c);
  EXPECT_EQ(attributes(s, "<line class=\"marker marker-shock\"", "data-month"), std::vector<std::string>{"2027-06"});
  EXPECT_EQ(attributes(s, "<line class=\"marker marker-default\"", "data-month"), std::vector<std::string>{"2027-08"});
  EXPECT_NE(s.find(">shock a 2027-06</text>"), std::string::npos);
  EXPECT_NE(s.find(">x defaults, y defaults 2027-08</text>"), std::string::npos);
  EXPECT_EQ(s.find("outside the horizon"), std::string::npos);
  // The shock's line sits on its month's point: the x of the second month of the series.
  const std::string d = attributes(s, "<path class=\"line\"", "d").front();
  const std::size_t second = d.find('L') + 1;
  EXPECT_EQ(attributes(s, "<line class=\"marker marker-shock\"", "x1").front(), d.substr(second, d.find(',', second) - second));
  EXPECT_NE(s.find(">scripted shock</text>"), std::string::npos);  // legend entries
  EXPECT_NE(s.find(">default</text>"), std::string::npos);
}

TEST(SvgChart, TornadoGivesLongKeyNamesRoomAndStaysWithinItsLimits) {
  svg::TornadoChart c;
  c.title = "P(bust)";
  c.value_label = "P(bust) (% of paths)";
  c.base = 96;
  c.value_max = 100;
  const std::string long_key = "segment.consumer.diffusion_limit_per_year";  // 41 characters
  const std::string longer = "firm.a-very-long-firm-identifier-for-a-test.core_capex_usd_bn_per_year";  // 70
  c.rows = {{long_key, 94, 100}, {longer, 95, 99}};
  const std::string s = svg::tornado_chart(c);
  // Every label's text fits left of the bars at 6.5 px a character: none is cut off at x = 0.
  const double bars_left = std::stod(attributes(s, "<rect class=\"bar-low\"", "x").front());
  EXPECT_GE(bars_left - 8 - 6.5 * static_cast<double>(long_key.size()), 0.0);
  // The longer key wraps after a "." or "_", each line within the margin.
  EXPECT_EQ(s.find(">" + longer + "<"), std::string::npos);
  const std::vector<std::string> tspans = [&] {
    std::vector<std::string> lines;
    for (std::size_t at = s.find("<tspan"); at != std::string::npos; at = s.find("<tspan", at + 1)) {
      const std::size_t open = s.find('>', at) + 1;
      lines.push_back(s.substr(open, s.find('<', open) - open));
    }
    return lines;
  }();
  ASSERT_GE(tspans.size(), 2u);
  std::string joined;
  for (const std::string& line : tspans) {
    joined += line;
    EXPECT_LE(line.size(), 52u);
    EXPECT_GE(bars_left - 8 - 6.5 * static_cast<double>(line.size()), 0.0) << line;
  }
  EXPECT_EQ(joined, longer);
  EXPECT_TRUE(tspans.front().back() == '.' || tspans.front().back() == '_') << tspans.front();
  // A probability's axis ends at 100%, though the data would pad it past.
  std::size_t ticks = 0;
  for (std::size_t at = s.find("<line class=\"grid\""); at != std::string::npos; at = s.find("<line class=\"grid\"", at + 1)) {
    const std::size_t open = s.find('>', s.find("class=\"tick\"", at)) + 1;
    EXPECT_LE(std::stod(s.substr(open, s.find('<', open) - open)), 100.0);
    ++ticks;
  }
  EXPECT_GE(ticks, 2u);
}

TEST(SvgChart, NiceTicksCoverTheRangeAtRoundSteps) {
  EXPECT_EQ(svg::nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  const std::vector<double> t = svg::nice_ticks(-3.2, 47, 5);
  ASSERT_FALSE(t.empty());
  EXPECT_LE(t.front(), -3.2);
  EXPECT_GE(t.back(), 47);
  EXPECT_DOUBLE_EQ(t[1] - t[0], 10);
  EXPECT_TRUE(svg::nice_ticks(2, 1).empty());
  EXPECT_EQ(svg::nice_ticks(3, 3), std::vector<double>{3});
}

TEST(SvgChart, LineChartHasOnePointPerMonthBandsAndEscapedText) {
  svg::LineChart c;
  c.title = "Price <test>";
  c.caption = "A & B";
  c.y_label = "USD per H100e-hour";
  c.months = {"2026-11", "2026-12", "2027-01", "2027-02"};
  c.series.push_back({"median", {1, 2, NAN, 4}, svg::Band{{0.5, 1, 2, 3}, {1.5, 3, 4, 5}}, std::nullopt});
  const std::string s = svg::line_chart(c);
  EXPECT_NE(s.find("<title>Price &lt;test&gt;</title>"), std::string::npos);
  EXPECT_NE(s.find("<desc>A &amp; B</desc>"), std::string::npos);
  EXPECT_EQ(points_of(s, "median"), 3u);  // the NaN month is a gap
  EXPECT_EQ(count(s, "band-outer"), 1u);
  EXPECT_NE(s.find(">2027</text>"), std::string::npos);  // January labelled with its year
  EXPECT_EQ(s, svg::line_chart(c));
  c.series[0].values.pop_back();
  EXPECT_THROW(svg::line_chart(c), std::invalid_argument);
}

TEST(SvgChart, StandaloneAddsTheNamespaceOnlyThere) {
  svg::BarChart c;
  c.title = "Bars";
  c.bars = {{"a", 1}, {"b", 3}};
  const std::string inline_svg = svg::bar_chart(c);
  EXPECT_EQ(inline_svg.find("xmlns"), std::string::npos);
  EXPECT_NE(svg::standalone(inline_svg).find("xmlns="), std::string::npos);
  EXPECT_EQ(count(inline_svg, "class=\"bar\""), 2u);
}

TEST(SvgChart, WaterfallBarsStartWhereTheOneAboveEndedAndTheTotalFromZero) {
  svg::WaterfallChart c;
  c.title = "Losses";
  c.value_label = "USD bn";
  c.steps = {{"a", 10}, {"b", 30}, {"c", 0}, {"d", 60}};
  const std::string s = svg::waterfall_chart(c);
  const std::vector<std::string> x = attributes(s, "<rect class=", "x");
  const std::vector<std::string> width = attributes(s, "<rect class=", "width");
  ASSERT_EQ(x.size(), 5u);
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_NEAR(std::stod(x[i]), std::stod(x[i - 1]) + std::stod(width[i - 1]), 0.11) << i;
  }
  EXPECT_EQ(x[4], x[0]);  // the total starts at zero, as the first step does
  EXPECT_NEAR(std::stod(width[4]), std::stod(width[0]) * 10, 0.5);  // 100 against 10
  EXPECT_EQ(attributes(s, "<rect class=\"total\"", "data-value"), std::vector<std::string>{"100"});
  EXPECT_EQ(count(s, "class=\"connector\""), 4u);
}

TEST(SvgChart, NetworkDrawsAnArrowPerEdgeAndRejectsAMissingNode) {
  svg::NetworkChart c;
  c.title = "Net";
  c.groups = {"one", "two"};
  c.nodes = {{"a", "A", 0, false, ""}, {"b", "B", 1, true, "2028-09"}, {"c", "C", 1, false, ""}};
  c.edges = {{"ab", 0, 1, 5, true}, {"ba", 1, 0, 1, true}, {"bc", 1, 2, 0, false}};
  const std::string s = svg::network_chart(c);
  EXPECT_EQ(count(s, "<path class=\"edge"), 3u);
  EXPECT_EQ(count(s, "<polygon class=\"arrow\""), 3u);
  EXPECT_EQ(count(s, "<path class=\"edge highlight\""), 2u);
  EXPECT_EQ(count(s, "class=\"mark\""), 1u);
  EXPECT_NE(s.find(">B 2028-09</text>"), std::string::npos);
  EXPECT_EQ(attributes(s, "<path class=", "stroke-width"), (std::vector<std::string>{"1.0", "7.0", "3.7"}));
  // Two directions between the same pair bend to opposite sides: different control points.
  const std::vector<std::string> d = attributes(s, "<path class=\"edge highlight\"", "d");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_NE(d[0].substr(d[0].find('Q')), d[1].substr(d[1].find('Q')));
  c.edges.push_back({"bad", 0, 3, 1, false});
  EXPECT_THROW(svg::network_chart(c), std::invalid_argument);
}

// ---------------------------------------------------------------- a run folder

class RunFolderReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = temp_path("run");
    fs::create_directories(dir_);
    const LoadedScenario loaded = load_scenario("default", kShort);
    const sim::PathResult path = sim::run_path(loaded.scenario, 0, 1);
    const analysis::PathSummary summary = analysis::summarise(path, loaded.scenario);
    timeseries_ = timeseries_csv(path.months);
    write_file_atomic(dir_ / "timeseries.csv", timeseries_);
    summary_ = summary_json(loaded, path, summary);
    network_ = network_json(loaded.scenario, path);
    write_file_atomic(dir_ / "summary.json", summary_.dump(2) + "\n");
    write_file_atomic(dir_ / "network.json", network_.dump(2) + "\n");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static inline fs::path dir_;
  static inline std::string timeseries_;
  static inline nlohmann::json summary_;
  static inline nlohmann::json network_;
};

TEST_F(RunFolderReport, OneLabelledSvgPerChartAndNothingOutside) {
  const Report report = make_report(dir_);
  const std::vector<std::string> charts = svgs(report.html);
  ASSERT_EQ(charts.size(), report.charts.size());
  EXPECT_EQ(report.charts.size(), 7u);  // five indicator charts, the loss waterfall and the network
  expect_labelled(charts);
  expect_self_contained(report.html);
  EXPECT_NE(report.html.find("Legacy ledger"), std::string::npos);
  EXPECT_NE(report.html.find("Verdict"), std::string::npos);
}

TEST_F(RunFolderReport, PlottedSpotPriceMatchesTheCsv) {
  const CsvTable table = parse_csv(timeseries_, "timeseries.csv");
  ASSERT_EQ(table.rows.size(), kShortMonths);
  const std::size_t col = table.column("spot_price_usd_per_h100e_hour", "timeseries.csv");
  std::size_t peak = 0;
  for (std::size_t r = 1; r < table.rows.size(); ++r) {
    if (std::stod(table.rows[r][col]) > std::stod(table.rows[peak][col])) peak = r;
  }
  const Report report = make_report(dir_);
  const auto chart = std::find_if(report.charts.begin(), report.charts.end(),
                                  [](const ReportChart& c) { return c.name == "spot_price"; });
  ASSERT_NE(chart, report.charts.end());
  EXPECT_EQ(points_of(chart->svg, "spot price"), kShortMonths);
  const std::string peak_text = "Spot price peaks at " + svg::format_number(std::stod(table.rows[peak][col])) +
                                " USD per H100e-hour in " + table.rows[peak][table.column("month", "timeseries.csv")] + ".";
  EXPECT_NE(chart->svg.find(peak_text), std::string::npos) << peak_text;
  // Two series on one chart: each has a point per month.
  EXPECT_EQ(points_of(report.charts[0].svg, "operable capacity"), kShortMonths);
  EXPECT_EQ(points_of(report.charts[0].svg, "demand"), kShortMonths);
}

TEST_F(RunFolderReport, WaterfallStepsAreTheLossesByHolderAndEndAtTheirSum) {
  const Report report = make_report(dir_);
  const ReportChart& chart = chart_named(report, "losses_waterfall");
  const nlohmann::json& by_holder = summary_["losses"]["by_holder_usd_bn"];
  const std::vector<std::string> labels = attributes(chart.svg, "<rect class=\"step\"", "data-label");
  const std::vector<std::string> values = attributes(chart.svg, "<rect class=\"step\"", "data-value");
  ASSERT_EQ(labels.size(), by_holder.size());
  ASSERT_EQ(values.size(), by_holder.size());
  EXPECT_EQ(labels.front(), "public-equity");  // in the order docs/outputs.md lists them
  EXPECT_EQ(labels.back(), "firms");
  double sum = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    EXPECT_EQ(std::stod(values[i]), by_holder[labels[i]].get<double>()) << labels[i];
    sum += by_holder[labels[i]].get<double>();
  }
  const std::vector<std::string> total = attributes(chart.svg, "<rect class=\"total\"", "data-value");
  ASSERT_EQ(total.size(), 1u);
  EXPECT_DOUBLE_EQ(std::stod(total[0]), sum);
  EXPECT_NE(chart.svg.find("USD bn"), std::string::npos);  // units on the axis
  EXPECT_GT(sum, 0.0);  // the short path has a default (kShort), so the chart is not empty
}

TEST_F(RunFolderReport, NetworkDrawsEveryContractAndHighlightsTheCircularOnes) {
  const Report report = make_report(dir_);
  const ReportChart& chart = chart_named(report, "network");
  std::size_t circular = 0;
  std::vector<std::string> ids;
  for (const nlohmann::json& e : network_["edges"]) {
    circular += e["circular"].get<bool>() ? 1 : 0;
    ids.push_back(e["id"].get<std::string>());
  }
  ASSERT_GT(circular, 0u);
  EXPECT_EQ(count(chart.svg, "<path class=\"edge"), network_["edges"].size());
  EXPECT_EQ(count(chart.svg, "<path class=\"edge highlight\""), circular);
  for (const nlohmann::json& e : network_["edges"]) {
    const std::string tag = "data-id=\"" + e["id"].get<std::string>() + "\" data-from=\"" + e["from"].get<std::string>() +
                            "\" data-to=\"" + e["to"].get<std::string>() + "\"";
    const std::size_t at = chart.svg.find(tag);
    ASSERT_NE(at, std::string::npos) << tag;
    const std::string highlight = "<path class=\"edge highlight\"";
    const bool highlighted = chart.svg.compare(chart.svg.rfind("<path ", at), highlight.size(), highlight) == 0;
    EXPECT_EQ(highlighted, e["circular"].get<bool>()) << e["id"];
  }
  EXPECT_EQ(count(chart.svg, "<circle class=\"node"), network_["nodes"].size());
  // Defaulters: a ring each, and their month beside their name.
  std::size_t defaulted = 0;
  for (const nlohmann::json& n : network_["nodes"]) {
    if (!n["defaulted"].get<bool>()) continue;
    ++defaulted;
    EXPECT_NE(chart.svg.find(" " + n["default_month"].get<std::string>() + "</text>"), std::string::npos) << n["id"];
  }
  EXPECT_GT(defaulted, 0u);  // the short path has a default (kShort)
  EXPECT_EQ(count(chart.svg, "class=\"mark\""), defaulted);
}

TEST_F(RunFolderReport, AnOlderRunFolderWithoutNetworkJsonOmitsTheChart) {
  const fs::path old = temp_path("old-run");
  fs::create_directories(old);
  fs::copy_file(dir_ / "timeseries.csv", old / "timeseries.csv");
  fs::copy_file(dir_ / "summary.json", old / "summary.json");
  const Report report = make_report(old);
  EXPECT_EQ(report.charts.size(), 6u);
  EXPECT_TRUE(std::none_of(report.charts.begin(), report.charts.end(), [](const ReportChart& c) { return c.name == "network"; }));
  EXPECT_NE(report.html.find("no network.json"), std::string::npos);
  write_file_atomic(old / "network.json", "{\"nodes\": [], \"edges\": [{\"id\": \"x\"}]}");
  EXPECT_THROW(make_report(old), ReportInputError);
  fs::remove_all(old);
}

TEST_F(RunFolderReport, SameInputSameBytes) { EXPECT_EQ(report_html(dir_), report_html(dir_)); }

/// The text a reader sees: `html` without its tags.
std::string visible_text(const std::string& html) {
  std::string out;
  bool in_tag = false;
  for (const char c : html) {
    if (c == '<') in_tag = true;
    if (!in_tag) out += c;
    if (c == '>') {
      in_tag = false;
      out += ' ';
    }
  }
  return out;
}

/// Numbers in one style: no exponent notation (float noise such as 5.983e-15) and no "G" for
/// billions ("bn", as the command line writes it).
void expect_one_number_style(const std::string& html) {
  const std::string text = visible_text(html);
  std::smatch m;
  EXPECT_FALSE(std::regex_search(text, m, std::regex(R"([0-9]\.?[0-9]*e[-+]?[0-9])"))) << "exponent: " << m.str(0);
  EXPECT_FALSE(std::regex_search(text, m, std::regex(R"([0-9] ?G\b)"))) << "G for billions: " << m.str(0);
}

/// The caption of the figure `name` on the page.
std::string caption_of(const std::string& html, const std::string& name) {
  const std::size_t figure = html.find("<figure id=\"" + name + "\"");
  if (figure == std::string::npos) return "";
  const std::size_t open = html.find("<figcaption>", figure) + 12;
  return html.substr(open, html.find("</figcaption>", open) - open);
}

// The unit each indicator chart's caption must state for its peaks (docs/report.md).
const std::vector<std::pair<std::string, std::string>> kCaptionUnits = {
    {"demand_capacity", " H100e in "},
    {"utilization", "% in "},
    {"spot_price", " USD per H100e-hour in "},
    {"capex_revenue", " bn a month in "},
    {"sentiment", "× in "}};

// Units a caption may state: one of them must appear in every caption.
const std::vector<const char*> kUnitWords = {"H100e", "%", "USD", "×", " paths", " GW"};

/// sudden-100x to mid-2029: its scripted ×100 shock in 2027-06, and the other clouds forced into
/// default in 2028-06, with run.json as `run --out` writes it.
class ShockRunReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = temp_path("shock");
    fs::create_directories(dir_);
    const std::vector<std::string> sets = {"time.end=2029-06", "firm.other-clouds.forced_default_month=2028-06"};
    const LoadedScenario loaded = load_scenario("sudden-100x", sets);
    const sim::PathResult path = sim::run_path(loaded.scenario, 0, 1);
    const analysis::PathSummary summary = analysis::summarise(path, loaded.scenario);
    timeseries_ = timeseries_csv(path.months);
    summary_ = summary_json(loaded, path, summary);
    write_file_atomic(dir_ / "timeseries.csv", timeseries_);
    write_file_atomic(dir_ / "summary.json", summary_.dump(2) + "\n");
    write_file_atomic(dir_ / "network.json", network_json(loaded.scenario, path).dump(2) + "\n");
    write_file_atomic(dir_ / "run.json", nlohmann::json{{"bubblesim_version", "9.8.7"},
                                                        {"command_line", kCommand},
                                                        {"overrides", sets}}
                                             .dump(2));
    report_ = make_report(dir_, ReportMaker{"1.2.3"});
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static constexpr const char* kCommand = "bubblesim run sudden-100x --set time.end=2029-06 --out x";
  static inline fs::path dir_;
  static inline std::string timeseries_;
  static inline nlohmann::json summary_;
  static inline Report report_;
};

TEST_F(ShockRunReport, EveryTimeChartMarksTheShockMonthAndTheDefault) {
  std::size_t time_charts = 0;
  for (const ReportChart& c : report_.charts) {
    if (c.svg.find("class=\"line\"") == std::string::npos) continue;  // not a chart over months
    ++time_charts;
    EXPECT_EQ(attributes(c.svg, "<line class=\"marker marker-shock\"", "data-month"), std::vector<std::string>{"2027-06"})
        << c.name;
    EXPECT_NE(c.svg.find(">shock algorithmic-100x 2027-06</text>"), std::string::npos) << c.name;
    const std::vector<std::string> defaults = attributes(c.svg, "<line class=\"marker marker-default\"", "data-month");
    EXPECT_NE(std::find(defaults.begin(), defaults.end(), "2028-06"), defaults.end()) << c.name;
    EXPECT_NE(caption_of(report_.html, c.name).find("algorithmic-100x (2027-06)"), std::string::npos) << c.name;
  }
  EXPECT_EQ(time_charts, 5u);
}

TEST_F(ShockRunReport, EveryCaptionCarriesItsUnit) {
  for (const auto& [name, unit] : kCaptionUnits) {
    const std::string caption = caption_of(report_.html, name);
    ASSERT_FALSE(caption.empty()) << name;
    // Every "peaks at" sentence of the caption names the unit before its month.
    std::size_t peaks = 0;
    for (std::size_t at = caption.find("peaks at "); at != std::string::npos; at = caption.find("peaks at ", at + 1)) {
      ++peaks;
      const std::string sentence = caption.substr(at, caption.find('.', caption.find(" in ", at)) - at);
      EXPECT_NE(sentence.find(unit), std::string::npos) << name << ": " << sentence;
    }
    EXPECT_GE(peaks, 1u) << name;
  }
  // Every other caption on the page carries a unit too (the loss waterfall's USD bn, the
  // network's line widths in USD bn).
  for (const ReportChart& c : report_.charts) {
    const std::string caption = caption_of(report_.html, c.name);
    EXPECT_TRUE(std::any_of(kUnitWords.begin(), kUnitWords.end(),
                            [&](const char* unit) { return caption.find(unit) != std::string::npos; }))
        << c.name << ": " << caption;
  }
  // Utilization reads as a percentage on its axis too, and the ledger and key figures carry units.
  EXPECT_NE(chart_named(report_, "utilization").svg.find("share of operable capacity (%)</text>"), std::string::npos);
  EXPECT_NE(chart_named(report_, "capex_revenue").svg.find(">USD bn a month</text>"), std::string::npos);
}

/// The number of charts of the run report of `dir` drawn on a log axis, checking on the way that
/// exactly those whose columns in `timeseries` are all positive and span more than two decades
/// are, with "(log scale)" on the axis and "Log scale" in the caption.
std::size_t expect_log_axes_where_values_span_decades(const fs::path& dir, const std::string& timeseries) {
  const CsvTable table = parse_csv(timeseries, "timeseries.csv");
  const Report report = make_report(dir);
  const std::vector<std::pair<std::string, std::vector<std::string>>> charts = {
      {"demand_capacity", {"demand_h100e", "operable_h100e"}},
      {"utilization", {"utilization"}},
      {"spot_price", {"spot_price_usd_per_h100e_hour"}},
      {"capex_revenue", {"capex_usd_bn", "ai_revenue_usd_bn", "revenue_gap_usd_bn"}},
      {"sentiment", {"sentiment_index"}}};
  std::size_t logs = 0;
  for (const auto& [name, columns] : charts) {
    double lo = INFINITY;
    double hi = -INFINITY;
    for (const std::string& column : columns) {
      const std::size_t c = table.column(column, "timeseries.csv");
      for (const auto& row : table.rows) {
        lo = std::min(lo, std::stod(row[c]));
        hi = std::max(hi, std::stod(row[c]));
      }
    }
    const bool spans = lo > 0 && hi > 100 * lo;
    logs += spans ? 1 : 0;
    const std::string& svg = chart_named(report, name).svg;
    EXPECT_EQ(svg.find("(log scale)</text>") != std::string::npos, spans) << name << " " << lo << " " << hi;
    EXPECT_EQ(caption_of(report.html, name).find("Log scale") != std::string::npos, spans) << name;
  }
  return logs;
}

TEST_F(ShockRunReport, ALogAxisExactlyWhereTheSeriesArePositiveAndSpanMoreThanTwoDecades) {
  // The path as run: the rule holds chart by chart, whichever way it falls.
  expect_log_axes_where_values_span_decades(dir_, timeseries_);

  // The same folder with demand growing from 1M to 1bn H100e (three decades): its chart, and
  // only its chart, goes onto a log axis.
  const fs::path wide = temp_path("wide");
  fs::create_directories(wide);
  fs::copy_file(dir_ / "summary.json", wide / "summary.json");
  CsvTable table = parse_csv(timeseries_, "timeseries.csv");
  const std::size_t demand = table.column("demand_h100e", "timeseries.csv");
  std::string csv;
  for (std::size_t r = 0; r <= table.rows.size(); ++r) {
    std::vector<std::string> fields = r == 0 ? table.header : table.rows[r - 1];
    if (r > 0) fields[demand] = fmt::format("{}", 1e6 * std::pow(1000.0, static_cast<double>(r - 1) / static_cast<double>(table.rows.size() - 1)));
    csv += fmt::format("{}\n", fmt::join(fields, ","));
  }
  write_file_atomic(wide / "timeseries.csv", csv);
  EXPECT_EQ(expect_log_axes_where_values_span_decades(wide, csv), 1u);
  const Report wide_report = make_report(wide);  // kept: the chart below refers into it
  const std::string& svg = chart_named(wide_report, "demand_capacity").svg;
  for (const char* decade : {">1M</text>", ">10M</text>", ">100M</text>", ">1bn</text>"}) {
    EXPECT_NE(svg.find(decade), std::string::npos) << decade;  // ticks at powers of ten, in "bn" style
  }
  fs::remove_all(wide);
}

TEST_F(ShockRunReport, KeyFigureTableAndTheStory) {
  const std::string& html = report_.html;
  const std::size_t table = html.find("<table class=\"key-figures\">");
  ASSERT_NE(table, std::string::npos);
  const std::string rows = html.substr(table, html.find("</table>", table) - table);
  EXPECT_EQ(count(rows, "<tr><td>"), summary_["key_figures"].size());
  for (const auto& [column, figure] : summary_["key_figures"].items()) {
    EXPECT_NE(rows.find("<code>" + column + "</code>"), std::string::npos) << column;
    EXPECT_NE(rows.find("<td>" + figure["peak_month"].get<std::string>() + "</td>"), std::string::npos) << column;
  }
  ASSERT_GT(summary_["story"].size(), 0u);
  const std::size_t story = html.find("<table class=\"story\">");
  ASSERT_NE(story, std::string::npos);
  for (const nlohmann::json& line : summary_["story"]) {
    const std::string row = "<tr><td>" + line["month"].get<std::string>() + "</td><td>" + svg::xml_escape(line["text"].get<std::string>());
    EXPECT_NE(html.find(row, story), std::string::npos) << row;
  }
}

TEST_F(ShockRunReport, StatesParametersVersionsAndCommandLine) {
  const std::string& html = report_.html;
  const std::size_t details = html.find("How these results were made");
  ASSERT_NE(details, std::string::npos);
  for (const std::string& text : {std::string("<code>") + kCommand + "</code>", std::string("9.8.7"), std::string("1.2.3"),
                                  std::string("time.end=2029-06, firm.other-clouds.forced_default_month=2028-06"),
                                  std::string("sudden-100x")}) {
    EXPECT_NE(html.find(text, details), std::string::npos) << text;
  }
  expect_one_number_style(html);
}

TEST_F(RunFolderReport, AFolderWithoutRunJsonSaysItsCommandLineWasNotRecorded) {
  const std::string html = report_html(dir_);
  EXPECT_NE(html.find("How these results were made"), std::string::npos);
  EXPECT_NE(html.find("not recorded"), std::string::npos);
  expect_one_number_style(html);
}

// ---------------------------------------------------------------- a Monte Carlo database

TEST(McReport, FanChartsHaveTheHorizonAndTheDatabaseItsBustTiming) {
  const fs::path db = temp_path("mc.sqlite");
  jobs::McOptions o;
  o.paths = 4;
  o.seed = 5;
  o.threads = 1;
  o.db_path = db.string();
  o.checkpoint_seconds = 0.05;
  o.command_line = "bubblesim mc default -n 4 --seed 5";
  const jobs::McRun run = jobs::run_monte_carlo(load_scenario("default", kShort), o);
  ResultsDb::open_existing(db.string()).write_quantiles(jobs::quantile_rows(run.aggregate));

  const Report report = make_report(db);
  const std::vector<std::string> charts = svgs(report.html);
  ASSERT_EQ(charts.size(), report.charts.size());
  expect_labelled(charts);
  expect_self_contained(report.html);
  std::vector<std::string> names;
  for (const ReportChart& c : report.charts) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"demand_capacity", "utilization", "spot_price", "capex_revenue", "sentiment",
                                             "bust_timing", "losses_waterfall", "network"}));
  // The base scenario's network: every contract, no defaulter marked; the mean losses.
  const nlohmann::json base = network_json(load_scenario("default", kShort).scenario, sim::PathResult{});
  EXPECT_EQ(count(report.charts[7].svg, "<path class=\"edge"), base["edges"].size());
  EXPECT_EQ(count(report.charts[7].svg, "class=\"mark\""), 0u);
  EXPECT_NE(report.charts[7].svg.find("not marked"), std::string::npos);
  EXPECT_NE(report.charts[6].svg.find("mean over paths (4 paths)"), std::string::npos);
  EXPECT_EQ(points_of(report.charts[2].svg, "median spot price"), kShortMonths);
  EXPECT_EQ(count(report.charts[2].svg, "band-outer"), 1u);
  EXPECT_EQ(count(report.charts[2].svg, "band-inner"), 1u);
  // Bust timing: the four years of the horizon and "no bust".
  EXPECT_EQ(count(report.charts[5].svg, "class=\"bar\""), 5u);
  EXPECT_NE(report.charts[5].svg.find("data-label=\"no bust\""), std::string::npos);
  EXPECT_EQ(report.html, report_html(db));

  // Tornado rows, as `sweep --tornado --db` writes them: two bars per key, largest swing first.
  std::vector<SensitivityRow> tornado = {{"tornado", "", "base", "bust_probability", 0.5},
                                         {"tornado", "a.small", "low", "bust_probability", 0.45},
                                         {"tornado", "a.small", "high", "bust_probability", 0.55},
                                         {"tornado", "b.large", "low", "bust_probability", 0.1},
                                         {"tornado", "b.large", "high", "bust_probability", 0.9}};
  ResultsDb::open_existing(db.string()).write_sensitivity(tornado);
  const Report with_tornado = make_report(db);
  ASSERT_EQ(with_tornado.charts.size(), 9u);
  const std::string& svg = with_tornado.charts.back().svg;
  EXPECT_EQ(with_tornado.charts.back().name, "tornado_bust_probability");
  EXPECT_NE(svg.find(">base 50%</text>"), std::string::npos);  // P(bust) 0.5 in %, with its unit
  EXPECT_EQ(count(svg, "class=\"bar-low\""), 2u);
  EXPECT_LT(svg.find("data-label=\"b.large\""), svg.find("data-label=\"a.small\""));
  expect_labelled({svg});
  expect_one_number_style(with_tornado.html);
  EXPECT_NE(with_tornado.html.find("<code>" + o.command_line), std::string::npos);
  // The ledger gives the equity drawdown in %: its mean cell is 100 × the mean over the paths.
  double drawdown = 0;
  const std::vector<McPathRow> stored = ResultsDb::open_existing(db.string()).read_paths();
  for (const McPathRow& p : stored) drawdown += p.max_equity_drawdown;
  drawdown *= 100 / static_cast<double>(stored.size());
  EXPECT_NE(report.html.find("<td>largest fall of AI equity value</td><td>% of its peak</td><td class=\"num\">" +
                             svg::format_number(drawdown) + "</td>"),
            std::string::npos)
      << drawdown;
  // The fans carry units in their captions too, and so does every other caption.
  for (const auto& [name, unit] : kCaptionUnits) {
    EXPECT_NE(caption_of(report.html, name).find(unit), std::string::npos) << name;
  }
  for (const ReportChart& c : with_tornado.charts) {
    const std::string caption = caption_of(with_tornado.html, c.name);
    EXPECT_TRUE(std::any_of(kUnitWords.begin(), kUnitWords.end(),
                            [&](const char* unit) { return caption.find(unit) != std::string::npos; }))
        << c.name << ": " << caption;
  }
  fs::remove(db);
}

TEST(McReport, FansMarkTheScriptedShockOfTheScenario) {
  const fs::path db = temp_path("shock.sqlite");
  jobs::McOptions o;
  o.paths = 3;
  o.seed = 5;
  o.threads = 1;
  o.db_path = db.string();
  const jobs::McRun run = jobs::run_monte_carlo(load_scenario("sudden-100x", {"time.end=2029-06"}), o);
  ResultsDb::open_existing(db.string()).write_quantiles(jobs::quantile_rows(run.aggregate));
  const Report report = make_report(db);
  std::size_t fans = 0;
  for (const ReportChart& c : report.charts) {
    if (c.svg.find("band-outer") == std::string::npos) continue;
    ++fans;
    EXPECT_EQ(attributes(c.svg, "<line class=\"marker marker-shock\"", "data-month"), std::vector<std::string>{"2027-06"})
        << c.name;
    EXPECT_EQ(count(c.svg, "marker-default"), 0u) << c.name;  // defaults differ from path to path
    EXPECT_NE(caption_of(report.html, c.name).find("algorithmic-100x (2027-06)"), std::string::npos) << c.name;
  }
  EXPECT_EQ(fans, 5u);
  fs::remove(db);
}

TEST(McReport, ATornadoWithoutSwingSaysWhyInsteadOfDrawingAnEmptyChart) {
  const fs::path db = temp_path("flat.sqlite");
  io::McRunMeta meta;
  meta.scenario_name = "default";
  meta.scenario_text = load_scenario("default").text;
  ResultsDb::create(db.string(), meta)
      .write_sensitivity({{"tornado", "", "base", "bust_probability", 1.0},
                          {"tornado", "a.key", "low", "bust_probability", 1.0},
                          {"tornado", "a.key", "high", "bust_probability", 1.0}});
  const Report report = make_report(db);
  EXPECT_TRUE(std::none_of(report.charts.begin(), report.charts.end(),
                           [](const ReportChart& c) { return c.name == "tornado_bust_probability"; }));
  EXPECT_NE(report.html.find("no swing to draw"), std::string::npos);
  EXPECT_NE(report.html.find("every path busts at every setting"), std::string::npos);
  // Without the settings' path counts (rows as this test wrote them, or a Sobol analysis) the
  // page does not claim "0 of 0 paths".
  EXPECT_EQ(report.html.find("0 of 0 paths"), std::string::npos);
  EXPECT_NE(report.html.find("not its paths or their number"), std::string::npos);
  fs::remove(db);
}

TEST(McReport, ATornadoSweepCountsThePathsItRan) {
  // `default` with two uncertain keys, run as `sweep --tornado --db` runs it.
  std::string text = load_scenario("default").text;
  text = text.substr(0, text.find("\n[uncertain]"));
  text += "\n[uncertain]\n"
          "\"segment.consumer.diffusion_limit_per_year\" = { dist = \"lognormal\", median = 3, sigma = 0.5, min = 1.5, max = 10 }\n"
          "\"verdict.bust_equity_drawdown\" = { dist = \"uniform\", min = 0.05, max = 0.95 }\n";
  const LoadedScenario loaded = load_scenario_text(text, "two-keys.toml", kShort);
  jobs::SweepOptions so;
  so.paths = 3;
  so.seed = 2;
  so.threads = 1;
  const jobs::Tornado t = jobs::run_tornado(loaded, so);
  const fs::path db = temp_path("tornado.sqlite");
  {
    ResultsDb out = ResultsDb::create(db.string(), jobs::run_meta(loaded, 2, 0, "bubblesim sweep --tornado -n 3"));
    out.write_sensitivity(jobs::tornado_rows(t));
    out.checkpoint({}, {}, McStatus::kComplete);
  }
  const Report report = make_report(db);
  // Paths run: 3 per setting, over the base and each key's low and high: 3 × (1 + 2 × 2).
  const std::size_t expected = 3 * (1 + 2 * loaded.uncertain.size());
  ASSERT_EQ(loaded.uncertain.size(), 2u);
  EXPECT_NE(report.html.find(fmt::format("of {} paths over 5 settings", expected)), std::string::npos) << report.html.substr(0, 600);
  EXPECT_EQ(report.html.find("0 of 0 paths"), std::string::npos);
  // Whichever tornadoes have a swing state the count in their caption; the others say why not.
  std::size_t drawn = 0;
  for (const ReportChart& c : report.charts) {
    if (c.name.rfind("tornado_", 0) != 0) continue;
    ++drawn;
    EXPECT_NE(c.svg.find(fmt::format("{} paths in all", expected)), std::string::npos) << c.name;
  }
  EXPECT_EQ(drawn + count(report.html, "no swing to draw"), 2u);
  EXPECT_NE(report.html.find("verdict.bust_equity_drawdown"), std::string::npos);
  expect_one_number_style(report.html);
  fs::remove(db);
}

// ---------------------------------------------------------------- bad input

TEST(ReportInput, MissingFolderOrFilesOrNotADatabaseAreInputErrors) {
  EXPECT_THROW(make_report(temp_path("nothing-here")), ReportInputError);
  const fs::path empty = temp_path("empty");
  fs::create_directories(empty);
  try {
    make_report(empty);
    FAIL() << "an empty folder gave a report";
  } catch (const ReportInputError& e) {
    EXPECT_NE(std::string(e.what()).find("timeseries.csv"), std::string::npos) << e.what();
  }
  write_file_atomic(empty / "not.db", "month,x\n2026-01,1\n");
  EXPECT_THROW(make_report(empty / "not.db"), DatabaseError);
  fs::remove_all(empty);
  EXPECT_THROW(parse_csv("a,b\n1,2,3\n", "t.csv"), ReportInputError);
}

}  // namespace
}  // namespace bsim::io
