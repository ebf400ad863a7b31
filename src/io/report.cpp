#include "io/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/network.h"
#include "io/results_db.h"
#include "io/scenario_loader.h"
#include "io/svg_chart.h"
#include "model/record.h"

namespace bsim::io {
namespace {

using nlohmann::json;

/// A chart of timeseries.csv columns: in a run each column is a line; in a Monte Carlo database
/// each is a fan (median line, p25–p75 and p05–p95 bands). The columns of one chart share a
/// unit, which comes from model::kColumns.
struct IndicatorChart {
  const char* name;
  const char* title;
  const char* axis_note;  ///< what the axis measures, before its unit ("" for the unit alone)
  const char* what;       ///< the first sentence of the caption
  std::vector<std::pair<const char*, const char*>> columns;  ///< column, legend name
};

const std::vector<IndicatorChart>& indicator_charts() {
  static const std::vector<IndicatorChart> charts = {
      {"demand_capacity", "Compute demand and operable capacity", "",
       "Notional compute demand at the month's spot price (inference and training) against the installed "
       "accelerators that powered halls can run.",
       {{"demand_h100e", "demand"}, {"operable_h100e", "operable capacity"}}},
      {"utilization", "Utilization", "share of operable capacity",
       "Compute served as a share of operable capacity.", {{"utilization", "utilization"}}},
      {"spot_price", "Spot compute price", "",
       "The spot price of compute in the month, after price stickiness.",
       {{"spot_price_usd_per_h100e_hour", "spot price"}}},
      {"capex_revenue", "Capex, AI revenue and the revenue gap", "",
       "Capital spending, end users' spending on AI services, and the revenue gap: what the infrastructure in "
       "service needs (running costs, depreciation, cost of capital) less that spending.",
       {{"capex_usd_bn", "capex"}, {"ai_revenue_usd_bn", "AI revenue"}, {"revenue_gap_usd_bn", "revenue gap"}}},
      {"sentiment", "Sentiment index", "multiple on AI equity fundamentals",
       "The sentiment multiple on AI equity: it rises with revenue surprises and falls with losses from "
       "defaults.",
       {{"sentiment_index", "sentiment"}}},
  };
  return charts;
}

/// A column's unit as a reader writes it, from its unit in model::kColumns (the one table of
/// column units), and the factor its values are shown at: a share as a percentage.
struct ShownUnit {
  std::string words;  ///< "USD bn a month", "%", "H100e", "USD per H100e-hour", "×"; "" if unknown
  double factor = 1;
};

ShownUnit shown_unit(std::string_view column) {
  const auto it = std::find_if(model::kColumns.begin(), model::kColumns.end(),
                               [&](const model::Column& c) { return c.name == column; });
  if (it == model::kColumns.end()) return {};
  std::string unit(it->unit);
  if (unit == "share") return {"%", 100};
  // Flows are per month (a timeseries.csv row is a month); a stock is a level.
  for (const auto& [tag, words] : {std::pair{" (flow)", " a month"}, std::pair{" (stock)", ""}}) {
    if (const std::size_t at = unit.find(tag); at != std::string::npos) unit.replace(at, std::strlen(tag), words);
  }
  if (const std::size_t at = unit.find('/'); at != std::string::npos) unit.replace(at, 1, " per ");
  return {unit, 1};
}

/// A value with its unit, for a sentence: "USD 75.15 bn a month", "100%", "1.3×", "62.15M H100e".
std::string quantity(double value, const ShownUnit& unit) {
  const std::string number = svg::format_number(value * unit.factor);
  if (unit.words.empty()) return number;
  if (unit.words == "%" || unit.words == "×") return number + unit.words;
  if (unit.words.rfind("USD bn", 0) == 0) return "USD " + number + " bn" + unit.words.substr(6);
  return number + " " + unit.words;
}

/// The axis label of a chart: its unit, after what it measures when that is given.
std::string axis_label(const IndicatorChart& spec) {
  const std::string unit = shown_unit(spec.columns.front().first).words;
  return *spec.axis_note == '\0' ? unit : fmt::format("{} ({})", spec.axis_note, unit);
}

/// The caption sentence of a chart drawn on a log axis.
constexpr const char* kLogScaleSentence =
    " Log scale: the values span more than two decades, so each step up the axis is a tenfold rise.";

// Holder classes in the order docs/outputs.md lists them (summary.json keeps JSON key order).
const std::vector<std::string> kHolderOrder = {"public-equity", "venture",     "banks",     "private-credit",
                                               "bondholders",   "abs-holders", "suppliers", "firms"};

std::string h(std::string_view text) { return svg::xml_escape(text); }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReportInputError(fmt::format("{}: cannot read the file", path.string()));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

double parse_number(const std::string& field, const std::string& where) {
  double v = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, v);
  if (ec != std::errc() || ptr != end) {
    if (field == "nan" || field == "-nan") return NAN;
    throw ReportInputError(fmt::format("{}: '{}' is not a number", where, field));
  }
  return v;
}

/// The peak of a series and its month, for captions ("peaks at 1.2M H100e in 2029-04"); the
/// values as plotted, in `unit` already scaled.
std::string peak_sentence(const std::string& name, const std::vector<double>& values,
                          const std::vector<std::string>& months, const ShownUnit& unit) {
  std::size_t best = values.size();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i]) && (best == values.size() || values[i] > values[best])) best = i;
  }
  if (best == values.size()) return "";
  return fmt::format(" {} peaks at {} in {}.", name, quantity(values[best], {unit.words, 1}), months[best]);
}

/// `values` times `factor` (a share shown as a percentage).
std::vector<double> scaled(std::vector<double> values, double factor) {
  if (factor != 1) {
    for (double& v : values) v *= factor;
  }
  return values;
}

std::string figure(const ReportChart& chart, const std::string& caption) {
  return fmt::format("<figure id=\"{}\">\n{}<figcaption>{}</figcaption>\n</figure>\n", h(chart.name), chart.svg,
                     h(caption));
}

// ---------------------------------------------------------------- losses and the network

/// `losses` reordered: the holder classes of kHolderOrder first, any others after, as given.
std::vector<std::pair<std::string, double>> in_holder_order(const std::vector<std::pair<std::string, double>>& losses) {
  std::vector<std::pair<std::string, double>> out;
  for (const std::string& holder : kHolderOrder) {
    for (const auto& entry : losses) {
      if (entry.first == holder) out.push_back(entry);
    }
  }
  for (const auto& entry : losses) {
    if (std::find(kHolderOrder.begin(), kHolderOrder.end(), entry.first) == kHolderOrder.end()) out.push_back(entry);
  }
  return out;
}

/// The loss waterfall: a step per holder type up to the total.
std::string waterfall_figure(Report& report, const std::vector<std::pair<std::string, double>>& losses,
                             const std::string& title, const std::string& value_label, const std::string& caption_head) {
  svg::WaterfallChart chart;
  chart.title = title;
  chart.category_label = "holder type";
  chart.value_label = value_label;
  double total = 0;
  for (const auto& [holder, loss] : in_holder_order(losses)) {
    chart.steps.push_back({holder, loss});
    total += loss;
  }
  chart.caption = fmt::format("{} Each bar starts where the one above ends, so the bars add up to the total at the "
                              "bottom: USD {} bn.",
                              caption_head, svg::format_number(total));
  report.charts.push_back({"losses_waterfall", title, svg::waterfall_chart(chart)});
  return figure(report.charts.back(), chart.caption);
}

// Node types in the order they go round the network chart, with their legend names.
const std::vector<std::pair<std::string, std::string>> kNodeGroups = {
    {"investor-class", "outside investors"}, {"chipmaker", "chipmakers"}, {"lab", "labs"},
    {"hyperscaler", "hyperscalers"},         {"neocloud", "neoclouds"},   {"developer", "developers"},
    {"utility", "utilities"},                {"investor", "investor firms"}, {"households", "households"}};

/// A node's label on the chart: its name when short, else its id.
std::string node_label(const std::string& id, const std::string& name) {
  return !name.empty() && name.size() <= 18 ? name : id;
}

/// The network chart of a network_json document; `source` names it in errors. `scope` opens the
/// caption (what the network is of); `path_marks`: the document comes from a path, so the
/// caption names its defaulters (or says there were none).
std::string network_figure(Report& report, const json& net, const std::string& source, const std::string& scope,
                           bool path_marks) {
  const auto bad = [&](const std::string& what) { return ReportInputError(fmt::format("{}: {}", source, what)); };
  if (!net.is_object() || !net.contains("nodes") || !net["nodes"].is_array() || !net.contains("edges") ||
      !net["edges"].is_array()) {
    throw bad("not a contract network (an object with arrays 'nodes' and 'edges')");
  }
  const auto text_of = [&](const json& j, const char* key, const char* what) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
      throw bad(fmt::format("a {} without a string '{}'", what, key));
    }
    return j[key].get<std::string>();
  };
  svg::NetworkChart chart;
  chart.title = "Contract network";
  chart.highlight_name = "on a circular loop";
  chart.plain_name = "other contract";
  chart.mark_name = path_marks ? "defaulted (month)" : "";
  for (const auto& [type, legend] : kNodeGroups) chart.groups.push_back(legend);
  std::map<std::string, std::size_t> index;
  std::map<std::string, std::string> label_of;
  std::vector<std::pair<std::string, std::string>> defaulted;  // month, label
  for (const json& node : net["nodes"]) {
    const std::string id = text_of(node, "id", "node");
    const std::string type = text_of(node, "type", "node");
    const std::string name = node.contains("name") && node["name"].is_string() ? node["name"].get<std::string>() : id;
    const auto known = std::find_if(kNodeGroups.begin(), kNodeGroups.end(), [&](const auto& g) { return g.first == type; });
    std::size_t group = static_cast<std::size_t>(known - kNodeGroups.begin());
    if (known == kNodeGroups.end()) {  // a type this report does not know: a group of its own, after the others
      const auto first_unknown = chart.groups.begin() + static_cast<std::ptrdiff_t>(kNodeGroups.size());
      group = static_cast<std::size_t>(std::find(first_unknown, chart.groups.end(), type) - chart.groups.begin());
      if (group == chart.groups.size()) chart.groups.push_back(type);
    }
    svg::NetworkNode n{id, node_label(id, name), group, false, ""};
    if (node.value("defaulted", false)) {
      const json month = node.value("default_month", json(nullptr));
      n.marked = true;
      n.mark_note = month.is_string() ? month.get<std::string>() : "defaulted";
      defaulted.emplace_back(n.mark_note, n.label);
    }
    if (!index.emplace(id, chart.nodes.size()).second) throw bad(fmt::format("node '{}' is listed twice", id));
    label_of[id] = n.label;
    chart.nodes.push_back(std::move(n));
  }
  std::size_t circular = 0;
  for (const json& edge : net["edges"]) {
    const std::string id = text_of(edge, "id", "contract");
    const std::string from = text_of(edge, "from", "contract");
    const std::string to = text_of(edge, "to", "contract");
    if (index.count(from) == 0 || index.count(to) == 0) {
      throw bad(fmt::format("contract '{}' joins '{}' and '{}', which are not both nodes", id, from, to));
    }
    if (!edge.contains("usd_bn") || !edge["usd_bn"].is_number()) {
      throw bad(fmt::format("contract '{}' has no number 'usd_bn'", id));
    }
    const bool highlight = edge.value("circular", false);
    circular += highlight ? 1 : 0;
    chart.edges.push_back({id, index[from], index[to], edge["usd_bn"].get<double>(), highlight});
  }

  // The first few loops in words: "OpenAI → Microsoft → OpenAI".
  const json loops = net.value("loops", json::array());
  const auto label = [&](const json& id) {
    return id.is_string() && label_of.count(id.get<std::string>()) ? label_of[id.get<std::string>()] : std::string("?");
  };
  std::string loops_text;
  for (std::size_t k = 0; k < std::min<std::size_t>(loops.size(), 3); ++k) {
    if (!loops[k].is_array() || loops[k].empty()) continue;
    std::string cycle;
    for (const json& id : loops[k]) cycle += label(id) + " → ";
    loops_text += (loops_text.empty() ? "" : "; ") + cycle + label(loops[k][0]);
  }
  if (loops.size() > 3) loops_text += "; …";

  std::string caption = fmt::format(
      "{} Arrows run from the party that pays, lends or invests to the party that receives the money; line width grows "
      "with the square root of the contract's size in USD bn (a commitment's or a lease's value over its term, a "
      "loan's principal, an investment's amount, a stake's value at the start). ",
      scope);
  if (circular == 0) {
    caption += "No contract lies on a circular loop. ";
  } else {
    caption += fmt::format("Orange: the {} of {} contracts on circular loops, where money a firm pays out can come back "
                           "to it through other firms ({}{} loop{}: {}). ",
                           circular, chart.edges.size(), loops.size() >= kNetworkLoopLimit ? "at least " : "",
                           loops.size(), loops.size() == 1 ? "" : "s", loops_text);
  }
  caption += "Purchases of accelerators and spot compute are not contracts, so loops that close only through them do "
             "not show.";
  if (path_marks) {
    std::stable_sort(defaulted.begin(), defaulted.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });  // by month
    std::string names;
    for (const auto& [month, name] : defaulted) names += (names.empty() ? "" : ", ") + name + " " + month;
    caption += defaulted.empty() ? std::string(" No firm defaulted on this path.")
                                 : fmt::format(" Red ring: the {} firm{} that defaulted on this path, with the month ({}).",
                                               defaulted.size(), defaulted.size() == 1 ? "" : "s", names);
  }
  chart.caption = caption;
  report.charts.push_back({"network", chart.title, svg::network_chart(chart)});
  return figure(report.charts.back(), caption);
}

constexpr const char* kStyle = R"(body { font-family: Helvetica, Arial, sans-serif; max-width: 800px; margin: 2em auto; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
figure { margin: 1.5em 0; } figcaption { font-size: 0.9em; color: #444; margin-top: 0.3em; }
svg.chart { max-width: 100%; height: auto; border: 1px solid #eee; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } .verdict { font-size: 1.05em; }
)";

std::string page(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{}</style>\n"
      "</head>\n<body>\n<h1>{}</h1>\n{}</body>\n</html>\n",
      h(title), kStyle, h(title), body);
}

/// The "How these results were made" section: `rows` (item, value), then the report's maker.
std::string details_section(std::vector<std::pair<std::string, std::string>> rows, const ReportMaker& maker) {
  rows.emplace_back("report made by bubblesim", maker.version.empty() ? std::string("(version not given)") : maker.version);
  std::string out = "<h2>How these results were made</h2>\n<table class=\"details\">\n";
  for (const auto& [item, value] : rows) {
    const bool code = item.find("command line") != std::string::npos || item.find("overrides") != std::string::npos;
    out += fmt::format("<tr><th>{}</th><td>{}{}{}</td></tr>\n", h(item), code ? "<code>" : "", h(value),
                       code ? "</code>" : "");
  }
  return out + "</table>\n";
}

// ---------------------------------------------------------------- a run output folder

Report run_report(const std::filesystem::path& dir, const ReportMaker& maker) {
  const std::filesystem::path ts_path = dir / "timeseries.csv";
  const std::filesystem::path summary_path = dir / "summary.json";
  for (const auto& p : {ts_path, summary_path}) {
    if (!std::filesystem::is_regular_file(p)) {
      throw ReportInputError(fmt::format("{}: not found; a run folder (bubblesim run --out DIR) holds timeseries.csv "
                                         "and summary.json",
                                         p.string()));
    }
  }
  const CsvTable table = parse_csv(read_text(ts_path), ts_path.string());
  json summary;
  try {
    summary = json::parse(read_text(summary_path));
  } catch (const json::exception& e) {
    throw ReportInputError(fmt::format("{}: not valid JSON: {}", summary_path.string(), e.what()));
  }
  if (!summary.is_object()) throw ReportInputError(fmt::format("{}: not a JSON object", summary_path.string()));

  const std::size_t month_col = table.column("month", ts_path.string());
  std::vector<std::string> months;
  for (const auto& row : table.rows) months.push_back(row[month_col]);
  const auto column_values = [&](const char* name) {
    const std::size_t c = table.column(name, ts_path.string());
    std::vector<double> v;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      v.push_back(parse_number(table.rows[r][c], fmt::format("{}:{}: column {}", ts_path.string(), r + 2, name)));
    }
    return v;
  };

  const auto at = [](const json& j, const char* key) { return j.is_object() && j.contains(key) ? j[key] : json(nullptr); };
  const auto text_at = [&](const json& j, const char* key) {
    const json v = at(j, key);
    return v.is_string() ? v.get<std::string>() : std::string();
  };
  Report report;
  std::string body;
  const json scenario = summary.value("scenario", json::object());
  const std::string scenario_name = scenario.value("name", std::string("?"));
  body += fmt::format("<p>Scenario <b>{}</b>, seed {}, path {}, {} to {} ({} months). {}</p>\n", h(scenario_name),
                      summary.value("seed", std::uint64_t{0}), summary.value("path_id", std::uint64_t{0}), h(summary.value("start", std::string())),
                      h(summary.value("end", std::string())), months.size(),
                      h(scenario.value("description", std::string())));
  const json bust = summary.value("bust", json::object());
  if (bust.value("occurred", false)) {
    body += fmt::format("<p class=\"verdict\"><b>Verdict: bust in {}.</b> Trigger: {}. Rule: {}.</p>\n",
                        h(at(bust, "month").is_string() ? at(bust, "month").get<std::string>() : "?"),
                        h(at(bust, "trigger").is_string() ? at(bust, "trigger").get<std::string>() : "?"),
                        h(bust.value("rule", std::string())));
  } else {
    body += fmt::format("<p class=\"verdict\"><b>Verdict: no bust.</b> Rule: {}.</p>\n", h(bust.value("rule", std::string())));
  }

  // Key figures, in timeseries.csv column order, each in its unit.
  const json figures = summary.value("key_figures", json::object());
  if (figures.is_object() && !figures.empty()) {
    body += "<h2>Key figures</h2>\n<table class=\"key-figures\">\n<tr><th>figure</th><th>unit</th><th>start</th>"
            "<th>peak</th><th>month</th><th>trough after the peak</th><th>month</th><th>end</th></tr>\n";
    const auto cell = [](const json& v, const ShownUnit& unit) {
      return v.is_number() ? svg::format_number(v.get<double>() * unit.factor) : std::string("—");
    };
    for (const model::Column& c : model::kColumns) {
      const json f = at(figures, std::string(c.name).c_str());
      if (!f.is_object()) continue;
      const ShownUnit unit = shown_unit(c.name);
      body += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                          "<td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                          h(c.name), h(unit.words), h(cell(at(f, "start"), unit)), h(cell(at(f, "peak"), unit)),
                          h(text_at(f, "peak_month")), h(cell(at(f, "trough_after_peak"), unit)),
                          h(text_at(f, "trough_month")), h(cell(at(f, "end"), unit)));
    }
    body += "</table>\n";
  }

  // The story: the dated events of the path in words.
  body += "<h2>What happened when</h2>\n";
  const json story = summary.value("story", json::array());
  if (!story.is_array() || story.empty()) {
    body += "<p class=\"story\">Nothing remarkable: steady growth.</p>\n";
  } else {
    body += "<table class=\"story\">\n";
    for (const json& line : story) {
      body += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", h(text_at(line, "month")), h(text_at(line, "text")));
    }
    body += "</table>\n";
  }

  // Markers on the time charts: the scripted shocks and the firms' defaults of the path.
  std::vector<svg::Marker> markers;
  std::string shocks_text;
  std::string defaults_text;
  for (const json& e : summary.value("events", json::array())) {
    const std::string kind = text_at(e, "kind");
    const std::string month = text_at(e, "month");
    const std::string subject = text_at(e, "subject");
    if (kind == "efficiency_shock" || kind == "training_efficiency_shock") {
      markers.push_back({month, "shock " + subject, svg::Marker::Kind::kShock});
      shocks_text += fmt::format("{}{} ({})", shocks_text.empty() ? "" : ", ", subject, month);
    } else if (kind == "forced_default" || kind == "covenant_default" || kind == "payment_default") {
      markers.push_back({month, subject + " defaults", svg::Marker::Kind::kDefault});
      defaults_text += fmt::format("{}{} ({})", defaults_text.empty() ? "" : ", ", subject, month);
    }
  }
  std::string markers_sentence;
  if (!shocks_text.empty()) markers_sentence += " Purple dashed lines: the scripted shocks, " + shocks_text + ".";
  if (!defaults_text.empty()) markers_sentence += " Brown dotted lines: the firms' defaults, " + defaults_text + ".";

  body += "<h2>Indicators</h2>\n";
  for (const IndicatorChart& spec : indicator_charts()) {
    svg::LineChart chart;
    chart.title = spec.title;
    chart.y_label = axis_label(spec);
    chart.months = months;
    chart.markers = markers;
    std::string caption = spec.what;
    const ShownUnit unit = shown_unit(spec.columns.front().first);
    for (const auto& [column, legend] : spec.columns) {
      chart.series.push_back({legend, scaled(column_values(column), unit.factor), std::nullopt, std::nullopt});
      std::string name = legend;
      name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
      caption += peak_sentence(name, chart.series.back().values, months, unit);
    }
    chart.log_y = svg::log_axis_suits(chart);
    if (chart.log_y) caption += kLogScaleSentence;
    caption += markers_sentence;
    chart.caption = caption;
    report.charts.push_back({spec.name, spec.title, svg::line_chart(chart)});
    body += figure(report.charts.back(), caption);
  }

  body += "<h2>Losses</h2>\n";
  const json losses = summary.value("losses", json::object());
  const json by_holder = losses.value("by_holder_usd_bn", json::object());
  std::vector<std::pair<std::string, double>> holder_losses;
  for (const auto& [holder, value] : by_holder.items()) {
    if (value.is_number()) holder_losses.emplace_back(holder, value.get<double>());
  }
  body += waterfall_figure(report, holder_losses, "Losses by holder type", "loss over the path (USD bn)",
                           fmt::format("Claims written off in defaults and equity wiped out over the path, by who held "
                                       "them; {} firm{} in default at the end.",
                                       losses.value("defaults", 0), losses.value("defaults", 0) == 1 ? "" : "s"));

  body += "<h2>Contract network</h2>\n";
  const std::filesystem::path network_path = dir / "network.json";
  if (std::filesystem::is_regular_file(network_path)) {
    json net;
    try {
      net = json::parse(read_text(network_path));
    } catch (const json::exception& e) {
      throw ReportInputError(fmt::format("{}: not valid JSON: {}", network_path.string(), e.what()));
    }
    try {
      body += network_figure(report, net, network_path.string(),
                             "The contracts of the scenario between firms and with outside investors.", true);
    } catch (const json::exception& e) {  // a value of the wrong type
      throw ReportInputError(fmt::format("{}: not a contract network: {}", network_path.string(), e.what()));
    }
  } else {
    body += "<p class=\"note\">This run folder has no network.json (it was written before runs wrote one): run "
            "<code>bubblesim run … --out</code> again to draw the contract network.</p>\n";
  }

  body += "<h2>Legacy ledger</h2>\n<p>What the build-out leaves behind at the end of the path, and the capital it "
          "destroyed.</p>\n<table>\n<tr><th>item</th><th>value</th><th>unit</th></tr>\n";
  const json legacy = summary.value("legacy", json::object());
  const auto ledger_row = [&](const char* label, const json& value, const char* unit) {
    const std::string text = value.is_number() ? svg::format_number(value.get<double>())
                             : value.is_string() ? value.get<std::string>()
                                                 : std::string("—");
    body += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n", h(label), h(text), h(unit));
  };
  ledger_row("grid power added", at(legacy, "power_gw_added"), "GW");
  ledger_row("data-centre shells added", at(legacy, "datacenter_gw_added"), "GW");
  ledger_row("fab capacity added", at(legacy, "production_h100e_per_month_added"), "H100e per month");
  ledger_row("replacement value of the above", at(legacy, "replacement_value_usd_bn"), "USD bn");
  ledger_row("accelerators installed", at(legacy, "accelerators_h100e"), "H100e");
  ledger_row("accelerators at book value", at(legacy, "accelerators_book_usd_bn"), "USD bn");
  ledger_row("accelerators at economic value", at(legacy, "accelerators_value_usd_bn"), "USD bn");
  ledger_row("mean spot price after the bust", at(legacy, "post_bust_price_usd_per_h100e_hour"), "USD per H100e-hour");
  ledger_row("spot price at the end", at(legacy, "end_price_usd_per_h100e_hour"), "USD per H100e-hour");
  const json destroyed = at(legacy, "capital_destroyed_usd_bn");
  if (destroyed.is_object()) {
    ledger_row("capital destroyed", at(destroyed, "total"), "USD bn");
    ledger_row("  of which accelerator write-down", at(destroyed, "accelerator_writedown"), "USD bn");
    ledger_row("  of which debts written off", at(destroyed, "debts_written_off"), "USD bn");
    ledger_row("  of which equity wiped out", at(destroyed, "equity_wiped_out"), "USD bn");
  }
  body += "</table>\n";

  // How the results were made: the run's parameters, and its version and command line where
  // the folder records them (run.json; folders from before it have none).
  std::vector<std::pair<std::string, std::string>> details = {
      {"scenario", scenario_name},
      {"scenario source", text_at(scenario, "source")},
      {"seed", std::to_string(summary.value("seed", std::uint64_t{0}))},
      {"path", std::to_string(summary.value("path_id", std::uint64_t{0}))},
      {"horizon", fmt::format("{} to {} ({} months)", summary.value("start", std::string()),
                              summary.value("end", std::string()), months.size())},
      {"bust rule", fmt::format("{} (a condition counts once it has held {} consecutive month{})",
                                bust.value("rule", std::string()), bust.value("persist_months", 1),
                                bust.value("persist_months", 1) == 1 ? "" : "s")}};
  const std::filesystem::path run_path = dir / "run.json";
  if (std::filesystem::is_regular_file(run_path)) {
    json run;
    try {
      run = json::parse(read_text(run_path));
    } catch (const json::exception& e) {
      throw ReportInputError(fmt::format("{}: not valid JSON: {}", run_path.string(), e.what()));
    }
    std::string sets;
    for (const json& set : run.value("overrides", json::array())) {
      if (set.is_string()) sets += (sets.empty() ? "" : ", ") + set.get<std::string>();
    }
    details.emplace_back("--set overrides", sets.empty() ? "none" : sets);
    details.emplace_back("run by bubblesim", text_at(run, "bubblesim_version"));
    details.emplace_back("run command line", text_at(run, "command_line"));
  } else {
    details.emplace_back("run command line",
                         "not recorded: this folder was written before runs wrote run.json (nor are its --set overrides)");
  }
  body += details_section(details, maker);
  report.html = page(fmt::format("bubblesim report: {}", scenario_name), body);
  return report;
}

// ---------------------------------------------------------------- a Monte Carlo database

/// The q-quantile of sorted values, interpolating linearly between order statistics.
double quantile_of_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return NAN;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(pos));
  const std::size_t j = std::min(i + 1, sorted.size() - 1);
  return sorted[i] + (sorted[j] - sorted[i]) * (pos - static_cast<double>(i));
}

/// The tornado of `statistic` from `rows`, its values shown times `factor` (a probability as a
/// percentage) on an axis within [lowest, highest]. Empty without rows for it; a note instead of
/// the chart when no key moves the result (nothing to draw but the base).
std::string tornado_figure(Report& report, const std::vector<SensitivityRow>& rows, const std::string& statistic,
                           const std::string& name, const std::string& title, const std::string& label, double factor,
                           double lowest, double highest, const std::string& paths_text) {
  double base = NAN;
  std::map<std::string, svg::TornadoRow> by_key;
  for (const SensitivityRow& r : rows) {
    if (r.analysis != "tornado" || r.statistic != statistic) continue;
    if (r.keys.empty() && r.setting == "base") base = r.value * factor;
    if (r.keys.empty()) continue;
    svg::TornadoRow& row = by_key[r.keys];
    row.label = r.keys;
    if (r.setting == "low") row.low = r.value * factor;
    if (r.setting == "high") row.high = r.value * factor;
  }
  if (by_key.empty()) return "";
  const ShownUnit unit{statistic == "bust_probability" ? "%" : "USD bn", 1};
  const auto moves = [&](const svg::TornadoRow& r) {
    return std::abs(r.low - base) >= svg::kZeroUpToRounding || std::abs(r.high - base) >= svg::kZeroUpToRounding;
  };
  if (std::none_of(by_key.begin(), by_key.end(), [&](const auto& entry) { return moves(entry.second); })) {
    return fmt::format("<p class=\"note\" id=\"{}\"><b>{}:</b> no swing to draw. With each of the {} uncertain keys at "
                       "its 5th and at its 95th percentile the result stays at the base value, {}{}.</p>\n",
                       h(name), h(title), by_key.size(), h(quantity(base, unit)),
                       statistic == "bust_probability" && base >= 100 - svg::kZeroUpToRounding
                           ? ": every path busts at every setting, so the bust probability cannot tell the keys apart"
                       : statistic == "bust_probability" && base <= svg::kZeroUpToRounding
                           ? ": no path busts at any setting, so the bust probability cannot tell the keys apart"
                           : "");
  }
  svg::TornadoChart chart;
  chart.title = title;
  chart.value_label = label;
  chart.base = base;
  chart.base_suffix = unit.words == "%" ? "%" : " " + unit.words;
  chart.value_min = lowest;
  chart.value_max = highest;
  chart.low_name = "key at its 5th percentile";
  chart.high_name = "key at its 95th percentile";
  for (const auto& [key, row] : by_key) chart.rows.push_back(row);
  std::stable_sort(chart.rows.begin(), chart.rows.end(), [](const svg::TornadoRow& a, const svg::TornadoRow& b) {
    return std::abs(a.high - a.low) > std::abs(b.high - b.low);
  });
  chart.caption = fmt::format("Each uncertain key at the 5th and the 95th percentile of its distribution, the others at "
                              "the scenario's values; bars from the base ({}) to the result, largest swing first. {}",
                              quantity(base, unit), paths_text);
  report.charts.push_back({name, title, svg::tornado_chart(chart)});
  return figure(report.charts.back(), chart.caption);
}

Report mc_report(const std::filesystem::path& file, const ReportMaker& maker) {
  const ResultsDb db = ResultsDb::open_existing(file.string());
  const McRunMeta& meta = db.meta();
  const std::vector<McPathRow> paths = db.read_paths();
  const std::vector<McQuantileRow> quantiles = db.read_quantiles();
  const std::vector<SensitivityRow> sensitivity = db.read_sensitivity();

  std::vector<const McPathRow*> ok;
  for (const McPathRow& p : paths) {
    if (!p.error) ok.push_back(&p);
  }
  const std::size_t busts = static_cast<std::size_t>(
      std::count_if(ok.begin(), ok.end(), [](const McPathRow* p) { return p->bust; }));

  // A sensitivity sweep keeps no paths, only each setting's statistics: its paths are counted
  // from the settings' `paths` (completed) and `failed` rows.
  std::uint64_t sweep_paths = 0;
  std::uint64_t sweep_failed = 0;
  std::size_t sweep_settings = 0;
  std::string sweep_analysis;
  for (const SensitivityRow& r : sensitivity) {
    if (r.statistic == "paths") {
      sweep_paths += static_cast<std::uint64_t>(std::llround(r.value));
      ++sweep_settings;
      sweep_analysis = r.analysis;
    }
    if (r.statistic == "failed") sweep_failed += static_cast<std::uint64_t>(std::llround(r.value));
  }

  Report report;
  std::string body;
  std::string tornado_paths_text;
  if (paths.empty() && sweep_settings > 0) {
    const std::uint64_t run = sweep_paths + sweep_failed;
    tornado_paths_text = fmt::format("{} paths in all: {} settings of {} paths each.", run, sweep_settings,
                                     run / sweep_settings);
    body += fmt::format("<p>Scenario <b>{}</b>, seed {}: a sensitivity sweep ({}) of {} paths over {} settings ({}), "
                        "{} failed.</p>\n",
                        h(meta.scenario_name), meta.seed, h(sweep_analysis), run, sweep_settings,
                        h(mc_status_name(db.status())), sweep_failed);
  } else if (paths.empty() && !sensitivity.empty()) {
    // A Sobol analysis keeps its indices, not how many paths it ran.
    body += fmt::format("<p>Scenario <b>{}</b>, seed {}: a sensitivity analysis ({}); the database keeps its results, "
                        "not its paths or their number.</p>\n",
                        h(meta.scenario_name), meta.seed, h(sensitivity.front().analysis));
  } else {
    body += fmt::format("<p>Scenario <b>{}</b>, seed {}: {} of {} paths in the database ({}), {} failed.</p>\n",
                        h(meta.scenario_name), meta.seed, paths.size(), meta.paths_requested,
                        h(mc_status_name(db.status())), paths.size() - ok.size());
  }
  if (!meta.overrides.empty()) {
    std::string sets;
    for (const std::string& s : meta.overrides) sets += (sets.empty() ? "" : ", ") + s;
    body += fmt::format("<p>Overrides: <code>{}</code></p>\n", h(sets));
  }
  if (!ok.empty()) {
    body += fmt::format("<p class=\"verdict\"><b>P(bust) = {:.1f}%</b> ({} busts in {} paths).</p>\n",
                        100.0 * static_cast<double>(busts) / static_cast<double>(ok.size()), busts, ok.size());
  }

  // The base scenario, from the scenario text the database keeps: its scripted shocks fall in
  // the same month on every path, so the fans mark them (defaults differ from path to path).
  std::optional<LoadedScenario> base;
  std::string load_error;
  try {
    base = load_scenario_text(meta.scenario_text, meta.scenario_name, meta.overrides);
  } catch (const std::exception& e) {
    load_error = e.what();
  }
  std::vector<svg::Marker> markers;
  std::string markers_sentence;
  if (base) {
    std::string shocks_text;
    for (const model::Shock& shock : base->scenario.shocks) {
      markers.push_back({shock.month.str(), "shock " + shock.id, svg::Marker::Kind::kShock});
      shocks_text += fmt::format("{}{} ({})", shocks_text.empty() ? "" : ", ", shock.id, shock.month.str());
    }
    if (!shocks_text.empty()) markers_sentence = " Purple dashed lines: the scripted shocks, " + shocks_text + ".";
  }

  // Fans: quantile rows come ordered by indicator, then month.
  std::map<std::string, std::vector<const McQuantileRow*>> fans;
  for (const McQuantileRow& q : quantiles) fans[q.indicator].push_back(&q);
  std::vector<std::string> horizon;
  if (!fans.empty()) {
    for (const McQuantileRow* q : fans.begin()->second) horizon.push_back(q->month);
    body += "<h2>Indicators</h2>\n";
    for (const IndicatorChart& spec : indicator_charts()) {
      svg::LineChart chart;
      chart.title = spec.title;
      chart.y_label = axis_label(spec);
      chart.months = horizon;
      chart.markers = markers;
      const ShownUnit unit = shown_unit(spec.columns.front().first);
      std::string caption = std::string(spec.what) +
                            " Median over the paths (line), 25th-75th percentile (dark band) and 5th-95th percentile "
                            "(light band).";
      bool complete = true;
      for (const auto& [column, legend] : spec.columns) {
        const auto found = fans.find(column);
        if (found == fans.end() || found->second.size() != horizon.size()) {
          complete = false;
          break;
        }
        svg::Series s{std::string("median ") + legend, {}, svg::Band{}, svg::Band{}};
        for (const McQuantileRow* q : found->second) {
          s.values.push_back(q->p50 * unit.factor);
          s.outer_band->low.push_back(q->p05 * unit.factor);
          s.outer_band->high.push_back(q->p95 * unit.factor);
          s.inner_band->low.push_back(q->p25 * unit.factor);
          s.inner_band->high.push_back(q->p75 * unit.factor);
        }
        caption += peak_sentence("The median " + std::string(legend), s.values, horizon, unit);
        chart.series.push_back(std::move(s));
      }
      if (!complete) continue;
      chart.log_y = svg::log_axis_suits(chart);
      if (chart.log_y) caption += kLogScaleSentence;
      caption += markers_sentence;
      chart.caption = caption;
      report.charts.push_back({spec.name, spec.title, svg::line_chart(chart)});
      body += figure(report.charts.back(), caption);
    }
  }

  if (!ok.empty()) {
    body += "<h2>Bust timing</h2>\n";
    std::map<std::string, double> by_year;
    for (const std::string& m : horizon) by_year[m.substr(0, 4)] += 0;  // every year of the horizon, busts or not
    for (const McPathRow* p : ok) {
      if (p->bust && p->bust_month) by_year[p->bust_month->substr(0, 4)] += 1;
    }
    svg::BarChart bars;
    bars.title = "Bust timing";
    bars.category_label = "year of the bust";
    bars.value_label = "paths";
    for (const auto& [year, count] : by_year) bars.bars.push_back({year, count});
    bars.bars.push_back({"no bust", static_cast<double>(ok.size() - busts)});
    bars.caption = fmt::format("The number of paths whose bust rule first holds in each year, and of paths without a "
                               "bust, out of {} paths.",
                               ok.size());
    report.charts.push_back({"bust_timing", bars.title, svg::bar_chart(bars)});
    body += figure(report.charts.back(), bars.caption);

    body += "<h2>Losses</h2>\n";
    std::vector<std::pair<std::string, double>> holders;  // in the order the first path lists them
    for (const McPathRow* p : ok) {
      for (const auto& [holder, loss] : p->losses_by_holder) {
        // A named capture: clang 14 (make fuzz) cannot capture a structured binding.
        auto it = std::find_if(holders.begin(), holders.end(), [&name = holder](const auto& e) { return e.first == name; });
        if (it == holders.end()) {
          holders.emplace_back(holder, 0.0);
          it = holders.end() - 1;
        }
        it->second += loss;
      }
    }
    for (auto& [holder, sum] : holders) sum /= static_cast<double>(ok.size());
    body += waterfall_figure(report, holders, "Losses by holder type (mean over paths)", "mean loss over a path (USD bn)",
                             fmt::format("Claims written off in defaults and equity wiped out, by who held them: the "
                                         "mean over paths ({} paths).",
                                         ok.size()));

    body += "<h2>Legacy ledger</h2>\n<p>Over the paths: the mean and the 5th, 50th and 95th percentiles.</p>\n<table>\n"
            "<tr><th>item</th><th>unit</th><th>mean</th><th>p05</th><th>p50</th><th>p95</th></tr>\n";
    const auto ledger_row = [&](const char* label, const char* unit, double McPathRow::*field, double factor = 1) {
      std::vector<double> v;
      for (const McPathRow* p : ok) v.push_back(p->*field * factor);
      std::sort(v.begin(), v.end());
      double sum = 0;
      for (const double x : v) sum += x;
      body += fmt::format("<tr><td>{}</td><td>{}</td>", h(label), h(unit));
      for (const double x : {sum / static_cast<double>(v.size()), quantile_of_sorted(v, 0.05), quantile_of_sorted(v, 0.5),
                             quantile_of_sorted(v, 0.95)}) {
        body += fmt::format("<td class=\"num\">{}</td>", h(svg::format_number(x)));
      }
      body += "</tr>\n";
    };
    ledger_row("capital destroyed", "USD bn", &McPathRow::capital_destroyed_usd_bn);
    ledger_row("  of which claims written off", "USD bn", &McPathRow::claims_written_off_usd_bn);
    ledger_row("  of which equity wiped out", "USD bn", &McPathRow::equity_wiped_out_usd_bn);
    ledger_row("  of which accelerator write-down", "USD bn", &McPathRow::accelerator_writedown_usd_bn);
    ledger_row("grid power added", "GW", &McPathRow::legacy_power_gw);
    ledger_row("data-centre shells added", "GW", &McPathRow::legacy_datacenter_gw);
    ledger_row("spot price at the end", "USD per H100e-hour", &McPathRow::end_spot_price_usd_per_h100e_hour);
    ledger_row("largest fall of AI equity value", "% of its peak", &McPathRow::max_equity_drawdown, 100);
    body += "</table>\n";
  }

  // The base scenario's network, from the scenario text the database keeps; a path's defaults
  // are its own, so none are marked.
  body += "<h2>Contract network</h2>\n";
  if (base) {
    body += network_figure(report, network_json(base->scenario, sim::PathResult{}), file.string(),
                           "The contracts of the base scenario (uncertain keys at their scenario values) between firms "
                           "and with outside investors. Defaults differ from path to path and are not marked.",
                           false);
  } else {
    body += fmt::format("<p class=\"note\">The contract network is not drawn: the scenario kept in the database does not "
                        "load ({}).</p>\n",
                        h(load_error));
  }

  std::string tornado = tornado_figure(report, sensitivity, "bust_probability", "tornado_bust_probability",
                                       "Sensitivity of the bust probability", "P(bust) (% of paths)", 100, 0, 100,
                                       tornado_paths_text);
  tornado += tornado_figure(report, sensitivity, "mean_capital_destroyed_usd_bn", "tornado_capital_destroyed",
                            "Sensitivity of capital destroyed", "mean capital destroyed (USD bn)", 1, -INFINITY,
                            INFINITY, tornado_paths_text);
  if (!tornado.empty()) body += "<h2>Sensitivity</h2>\n" + tornado;
  if (report.charts.empty() && tornado.empty()) {
    body += "<p>This database holds no paths, quantiles or tornado rows to chart.</p>\n";
  }

  std::vector<std::pair<std::string, std::string>> details = {
      {"scenario", meta.scenario_name},
      {"seed", std::to_string(meta.seed)},
      {"paths requested", !paths.empty() || sensitivity.empty() ? std::to_string(meta.paths_requested)
                          : sweep_settings > 0 ? fmt::format("{} ({} settings)", sweep_paths + sweep_failed, sweep_settings)
                                               : std::string("not recorded")}};
  std::string sets;
  for (const std::string& set : meta.overrides) sets += (sets.empty() ? "" : ", ") + set;
  details.emplace_back("--set overrides", sets.empty() ? "none" : sets);
  for (std::size_t i = 0; i < meta.parameter_keys.size(); ++i) {
    details.emplace_back("uncertain " + meta.parameter_keys[i],
                         i < meta.parameter_distributions.size() ? meta.parameter_distributions[i] : std::string());
  }
  details.emplace_back("quantile sketch accuracy", fmt::format("{}% (relative)", svg::format_number(100 * meta.sketch_accuracy)));
  details.emplace_back("run by bubblesim", meta.bubblesim_version);
  details.emplace_back("run command line", meta.command_line.empty() ? std::string("not recorded") : meta.command_line);
  body += details_section(details, maker);
  report.html = page(fmt::format("bubblesim report: {} (Monte Carlo)", meta.scenario_name), body);
  return report;
}

}  // namespace

std::size_t CsvTable::column(std::string_view name, const std::string& source) const {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) throw ReportInputError(fmt::format("{}:1: no column '{}'", source, name));
  return static_cast<std::size_t>(it - header.begin());
}

CsvTable parse_csv(std::string_view text, const std::string& source) {
  CsvTable table;
  const auto split = [](std::string_view line) {
    std::vector<std::string> fields(1);
    for (const char c : line) {
      if (c == ',') {
        fields.emplace_back();
      } else if (c != '\r') {
        fields.back() += c;
      }
    }
    return fields;
  };
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_no;
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> fields = split(line);
    if (table.header.empty()) {
      table.header = std::move(fields);
    } else if (fields.size() != table.header.size()) {
      throw ReportInputError(
          fmt::format("{}:{}: {} fields, the header has {}", source, line_no, fields.size(), table.header.size()));
    } else {
      table.rows.push_back(std::move(fields));
    }
  }
  if (table.header.empty()) throw ReportInputError(fmt::format("{}: empty file", source));
  return table;
}

Report make_report(const std::filesystem::path& results, const ReportMaker& maker) {
  if (std::filesystem::is_directory(results)) return run_report(results, maker);
  if (std::filesystem::is_regular_file(results)) return mc_report(results, maker);
  throw ReportInputError(fmt::format("{}: no such folder or file; give a run output folder (bubblesim run --out DIR) or "
                                     "a results database (bubblesim mc --db FILE)",
                                     results.string()));
}

std::string report_html(const std::filesystem::path& results, const ReportMaker& maker) {
  return make_report(results, maker).html;
}

}  // namespace bsim::io
