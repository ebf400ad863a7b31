#include "io/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <stdexcept>
#include <string_view>
#include <tuple>

namespace bsim::io::svg {
namespace {

// One size for every chart, so a report's charts line up.
constexpr double kWidth = 760;
constexpr double kHeight = 380;
constexpr double kTop = 48;
constexpr double kRight = 24;
constexpr double kBottom = 78;  // room for the x ticks, the x label and the legend

constexpr const char* kPalette[] = {"#1f5fa8", "#c0392b", "#2e8b57", "#7d3c98", "#d68910", "#5d6d7e"};

const char* colour(std::size_t i) { return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))]; }

// Coordinates with one decimal: enough for the eye, and the same text on every run.
std::string px(double v) {
  const std::string s = fmt::format("{:.1f}", v);
  return s == "-0.0" ? "0.0" : s;
}

/// A map from a data range onto a pixel range: linear, or linear in log10 of the value (then
/// d0 and d1 are the log10 of the range's ends).
struct Scale {
  double d0, d1, p0, p1;
  bool log = false;
  [[nodiscard]] double operator()(double v) const {
    const double d = log ? std::log10(v) : v;
    return p0 + (d - d0) / (d1 - d0) * (p1 - p0);
  }
};

/// Powers of ten covering [low, high] (both positive), at most about seven of them: every
/// decade, or every second or third one over a wide range.
std::vector<double> decade_ticks(double low, double high) {
  const int first = static_cast<int>(std::floor(std::log10(low)));
  const int last = static_cast<int>(std::ceil(std::log10(high)));
  const int step = std::max(1, (last - first + 5) / 6);
  std::vector<double> ticks;
  int k = first;
  for (; k < last; k += step) ticks.push_back(std::pow(10.0, k));
  ticks.push_back(std::pow(10.0, k));
  return ticks;
}

constexpr const char* kShockColour = "#8e44ad";
constexpr const char* kDefaultColour = "#a04000";

/// The low and high of the finite values, widened to a non-empty range; 0 included if asked.
std::pair<double, double> value_range(const std::vector<double>& values, bool from_zero) {
  double lo = INFINITY;
  double hi = -INFINITY;
  for (const double v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo > hi) lo = hi = 0;  // nothing finite: an empty axis from 0
  if (from_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  if (lo == hi && lo == 0) {
    hi = 1;  // all zero: a unit axis from 0
  } else if (lo == hi) {
    lo -= std::abs(lo) * 0.1;
    hi += std::abs(hi) * 0.1;
  }
  return {lo, hi};
}

std::string open_svg(const std::string& title, const std::string& caption, double height = kHeight) {
  std::string out = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
      px(kWidth), px(height), kWidth, height);
  out += "<title>" + xml_escape(title) + "</title>\n";
  out += "<desc>" + xml_escape(caption) + "</desc>\n";
  out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", px(kWidth), px(height));
  out += fmt::format("<text class=\"chart-title\" x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" "
                     "font-weight=\"bold\">{}</text>\n",
                     px(kWidth / 2), xml_escape(title));
  return out;
}

std::string text(double x, double y, const std::string& content, const char* anchor, const char* cls,
                 const std::string& extra = "") {
  return fmt::format("<text class=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}>{}</text>\n", cls, px(x), px(y), anchor,
                     extra, xml_escape(content));
}

/// Horizontal grid lines with their labels on the left (a vertical value axis).
std::string value_axis_left(const Scale& y, const std::vector<double>& ticks, double left, double right) {
  std::string out;
  for (const double t : ticks) {
    out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#dddddd\"/>\n", px(left),
                       px(y(t)), px(right), px(y(t)));
    out += text(left - 6, y(t) + 4, format_number(t), "end", "tick");
  }
  return out;
}

/// Vertical grid lines with their labels below (a horizontal value axis).
std::string value_axis_bottom(const Scale& x, const std::vector<double>& ticks, double top, double bottom) {
  std::string out;
  for (const double t : ticks) {
    out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#dddddd\"/>\n", px(x(t)),
                       px(top), px(x(t)), px(bottom));
    out += text(x(t), bottom + 16, format_number(t), "middle", "tick");
  }
  return out;
}

std::string axis_labels(const std::string& x_label, const std::string& y_label, double left, double right,
                        double bottom) {
  std::string out = text((left + right) / 2, bottom + 34, x_label, "middle", "axis-label x-label");
  const double mid = (kTop + bottom) / 2;
  out += text(16, mid, y_label, "middle", "axis-label y-label", fmt::format(" transform=\"rotate(-90 16 {})\"", px(mid)));
  return out;
}

/// Legend entries in a row under the x label.
std::string legend(const std::vector<std::pair<std::string, std::string>>& entries, double left, double y) {
  std::string out = "<g class=\"legend\">\n";
  double x = left;
  for (const auto& [name, fill] : entries) {
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>\n", px(x), px(y - 10), fill);
    out += text(x + 16, y, name, "start", "legend-entry");
    x += 16 + 7.0 * static_cast<double>(name.size()) + 18;
  }
  return out + "</g>\n";
}

/// Runs of consecutive indices where every one of `values` is finite.
std::vector<std::pair<std::size_t, std::size_t>> finite_runs(const std::vector<const std::vector<double>*>& values,
                                                             std::size_t n) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::size_t i = 0;
  while (i < n) {
    const auto ok = [&](std::size_t k) {
      return std::all_of(values.begin(), values.end(), [&](const std::vector<double>* v) { return std::isfinite((*v)[k]); });
    };
    if (!ok(i)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < n && ok(j + 1)) ++j;
    runs.emplace_back(i, j);
    i = j + 1;
  }
  return runs;
}

std::string band_polygons(const Band& band, const Scale& x, const Scale& y, const char* fill, double opacity,
                          const char* cls) {
  std::string out;
  for (const auto& [a, b] : finite_runs({&band.low, &band.high}, band.low.size())) {
    std::string points;
    for (std::size_t i = a; i <= b; ++i) points += px(x(static_cast<double>(i))) + "," + px(y(band.high[i])) + " ";
    for (std::size_t i = b + 1; i-- > a;) points += px(x(static_cast<double>(i))) + "," + px(y(band.low[i])) + " ";
    points.pop_back();
    out += fmt::format("<polygon class=\"{}\" points=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"none\"/>\n", cls,
                       points, fill, opacity);
  }
  return out;
}

void check_length(const std::vector<double>& v, std::size_t n, const std::string& what) {
  if (v.size() != n) {
    throw std::invalid_argument(fmt::format("svg chart: {} has {} values for {} months", what, v.size(), n));
  }
}

/// The last part of a chart of horizontal bars: the zero line, the value axis label below the
/// plot and the category label turned along its left edge.
std::string horizontal_axes(double zero_x, double bottom, double left, double right, const std::string& value_label,
                            const std::string& category_label) {
  std::string out = fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444444\"/>\n",
                                px(zero_x), px(kTop), px(bottom));
  out += text((left + right) / 2, bottom + 36, value_label, "middle", "axis-label x-label");
  const double mid = (kTop + bottom) / 2;
  out += text(16, mid, category_label, "middle", "axis-label y-label", fmt::format(" transform=\"rotate(-90 16 {})\"", px(mid)));
  return out;
}

/// Characters of UTF-8 text (bytes that do not continue a character).
std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

/// `label` in lines of at most `max_chars` characters, broken after a `.` or `_` where one is
/// near enough (a scenario key breaks between its parts), else at the limit.
std::vector<std::string> wrap_label(const std::string& label, std::size_t max_chars) {
  std::vector<std::string> lines;
  std::string_view rest = label;
  while (utf8_length(rest) > max_chars) {
    std::size_t cut = max_chars;  // bytes: keys are ASCII; a multi-byte name is cut at a character start
    while (cut > 0 && (static_cast<unsigned char>(rest[cut]) & 0xC0) == 0x80) --cut;
    const std::size_t at = rest.substr(0, cut).find_last_of("._");
    if (at != std::string_view::npos && at >= max_chars / 2) cut = at + 1;
    lines.emplace_back(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  lines.emplace_back(rest);
  return lines;
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::abs(v);
  if (a < kZeroUpToRounding) return "0";  // also folds −0 and float noise such as 5.983e-15
  if (a < 1e-3) {
    // Three significant figures without exponent notation: 0.0000299, not 2.99e-05.
    const int decimals = 2 - static_cast<int>(std::floor(std::log10(a)));
    std::string s = fmt::format("{:.{}f}", v, decimals);
    while (s.back() == '0') s.pop_back();
    return s;
  }
  double scaled = v;
  const char* suffix = "";
  if (a >= 1e12) {
    scaled = v / 1e12;
    suffix = "tn";
  } else if (a >= 1e9) {
    scaled = v / 1e9;
    suffix = "bn";
  } else if (a >= 1e6) {
    scaled = v / 1e6;
    suffix = "M";
  } else if (a >= 1e4) {
    scaled = v / 1e3;
    suffix = "k";
  }
  std::string s = fmt::format("{:.4g}", scaled);
  if (s == "1000" && *suffix != '\0') s = "999.9";  // rounding across a suffix boundary: keep the unit
  if (s.find('e') != std::string::npos) s = fmt::format("{:.0f}", scaled);  // beyond 9999tn: plain digits
  return s + suffix;
}

std::vector<double> nice_ticks(double low, double high, int target) {
  if (!std::isfinite(low) || !std::isfinite(high) || low > high) return {};
  if (low == high) return {low};
  const double raw = (high - low) / std::max(1, target);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  const double first = std::floor(low / step);
  const double last = std::ceil(high / step);
  std::vector<double> ticks;
  for (double k = first; k <= last + 0.5; k += 1) {
    const double t = k * step;
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string line_chart(const LineChart& c) {
  const std::size_t n = c.months.size();
  std::vector<double> all;
  for (const Series& s : c.series) {
    check_length(s.values, n, "series '" + s.name + "'");
    all.insert(all.end(), s.values.begin(), s.values.end());
    for (const std::optional<Band>* band : {&s.outer_band, &s.inner_band}) {
      if (!band->has_value()) continue;
      check_length((*band)->low, n, "a band of '" + s.name + "'");
      check_length((*band)->high, n, "a band of '" + s.name + "'");
      all.insert(all.end(), (*band)->low.begin(), (*band)->low.end());
      all.insert(all.end(), (*band)->high.begin(), (*band)->high.end());
    }
  }
  std::vector<double> ticks;
  if (c.log_y) {
    double lo = INFINITY;
    double hi = -INFINITY;
    for (const double v : all) {
      if (std::isfinite(v) && v > 0) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
    if (lo > hi) lo = hi = 1;  // nothing positive: one decade
    ticks = decade_ticks(lo, std::max(hi, lo * 10));
  } else {
    const auto [lo, hi] = value_range(all, c.y_from_zero);
    ticks = nice_ticks(lo, hi, 5);
  }
  const double left = 82;
  const double right = kWidth - kRight;
  const double bottom = kHeight - kBottom;
  const Scale y = c.log_y ? Scale{std::log10(ticks.front()), std::log10(ticks.back()), bottom, kTop, true}
                          : Scale{ticks.front(), ticks.back(), bottom, kTop};
  // On a log axis a value that is not positive has no place: it leaves a gap, as NaN does.
  const auto plotted = [&](const std::vector<double>& v) {
    if (!c.log_y) return v;
    std::vector<double> out = v;
    for (double& x : out) x = x > 0 ? x : NAN;
    return out;
  };
  // One point per month; a single month sits in the middle.
  const Scale x = n > 1 ? Scale{0, static_cast<double>(n - 1), left, right} : Scale{-1, 1, left, right};

  std::string out = open_svg(c.title, c.caption);
  out += value_axis_left(y, ticks, left, right);
  // Month ticks: each January labelled with its year, thinned to at most about 12 labels.
  std::vector<std::size_t> januaries;
  for (std::size_t i = 0; i < n; ++i) {
    if (c.months[i].size() == 7 && c.months[i].compare(4, 3, "-01") == 0) januaries.push_back(i);
  }
  if (januaries.empty() && n > 0) januaries = n > 1 ? std::vector<std::size_t>{0, n - 1} : std::vector<std::size_t>{0};
  const std::size_t every = januaries.size() / 12 + 1;
  for (std::size_t k = 0; k < januaries.size(); k += every) {
    const std::size_t i = januaries[k];
    const bool january = c.months[i].size() == 7 && c.months[i].compare(4, 3, "-01") == 0;
    out += fmt::format("<line class=\"x-tick\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888888\"/>\n",
                       px(x(static_cast<double>(i))), px(bottom), px(bottom + 5));
    out += text(x(static_cast<double>(i)), bottom + 18, january ? c.months[i].substr(0, 4) : c.months[i], "middle", "tick");
  }
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444444\"/>\n", px(left),
                     px(bottom), px(right), px(bottom));
  if (!c.log_y && ticks.front() < 0 && ticks.back() > 0) {
    out += fmt::format("<line class=\"zero\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444444\"/>\n", px(left),
                       px(y(0)), px(right), px(y(0)));
  }
  for (std::size_t k = 0; k < c.series.size(); ++k) {
    const Series& s = c.series[k];
    for (const auto& [band, opacity, cls] : {std::tuple{&s.outer_band, 0.15, "band band-outer"},
                                              std::tuple{&s.inner_band, 0.3, "band band-inner"}}) {
      if (band->has_value()) {
        out += band_polygons(Band{plotted((*band)->low), plotted((*band)->high)}, x, y, colour(k), opacity, cls);
      }
    }
  }
  for (std::size_t k = 0; k < c.series.size(); ++k) {
    const Series& s = c.series[k];
    const std::vector<double> values = plotted(s.values);
    std::string d;
    for (const auto& [a, b] : finite_runs({&values}, n)) {
      for (std::size_t i = a; i <= b; ++i) {
        d += fmt::format("{}{},{} ", i == a ? 'M' : 'L', px(x(static_cast<double>(i))), px(y(values[i])));
      }
    }
    if (!d.empty()) d.pop_back();
    out += fmt::format("<path class=\"line\" data-series=\"{}\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                       xml_escape(s.name), d, colour(k));
  }
  // Markers: one line per month and kind, over the series; labels read downwards from the top.
  std::map<std::pair<std::size_t, int>, std::string> marks;  // (month index, kind) → labels
  for (const Marker& m : c.markers) {
    const auto at = std::find(c.months.begin(), c.months.end(), m.month);
    if (at == c.months.end()) continue;
    std::string& labels = marks[{static_cast<std::size_t>(at - c.months.begin()), static_cast<int>(m.kind)}];
    labels += (labels.empty() ? "" : ", ") + m.label;
  }
  bool kinds[2] = {false, false};
  for (const auto& [where, labels] : marks) {
    const bool shock = where.second == static_cast<int>(Marker::Kind::kShock);
    kinds[shock ? 0 : 1] = true;
    const double mx = x(static_cast<double>(where.first)) + (shock ? 0 : 2);  // a shock and a default in one month: side by side
    const char* stroke = shock ? kShockColour : kDefaultColour;
    out += fmt::format("<line class=\"marker {}\" data-month=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" "
                       "stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"{}\"/>\n",
                       shock ? "marker-shock" : "marker-default", xml_escape(c.months[where.first]), px(mx), px(kTop),
                       px(mx), px(bottom), stroke, shock ? "6,3" : "2,2");
    out += text(mx + 4, kTop + 4, labels + " " + c.months[where.first], "start", "marker-label",
                fmt::format(" font-size=\"10\" fill=\"{}\" transform=\"rotate(90 {} {})\"", stroke, px(mx + 4), px(kTop + 4)));
  }
  std::string y_label = c.y_label;
  if (c.log_y) y_label += " (log scale)";
  out += axis_labels(c.x_label, y_label, left, right, bottom);
  std::vector<std::pair<std::string, std::string>> entries;
  for (std::size_t k = 0; k < c.series.size(); ++k) entries.emplace_back(c.series[k].name, colour(k));
  if (kinds[0]) entries.emplace_back("scripted shock", kShockColour);
  if (kinds[1]) entries.emplace_back("default", kDefaultColour);
  out += legend(entries, left, kHeight - 14);
  return out + "</svg>\n";
}

bool log_axis_suits(const LineChart& c) {
  double lo = INFINITY;
  double hi = -INFINITY;
  const auto take = [&](const std::vector<double>& values) {
    for (const double v : values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  };
  for (const Series& s : c.series) {
    take(s.values);
    for (const std::optional<Band>* band : {&s.outer_band, &s.inner_band}) {
      if (!band->has_value()) continue;
      take((*band)->low);
      take((*band)->high);
    }
  }
  return lo <= hi && lo > 0 && hi > 100 * lo;
}

std::string bar_chart(const BarChart& c) {
  std::vector<double> values;
  for (const Bar& b : c.bars) values.push_back(b.value);
  const auto [lo, hi] = value_range(values, true);
  const std::vector<double> ticks = nice_ticks(lo, hi, 5);
  const std::size_t n = c.bars.size();
  std::string out;
  if (!c.horizontal) {
    const double left = 82;
    const double right = kWidth - kRight;
    const double bottom = kHeight - kBottom;
    const Scale y{ticks.front(), ticks.back(), bottom, kTop};
    out = open_svg(c.title, c.caption);
    out += value_axis_left(y, ticks, left, right);
    const double slot = (right - left) / static_cast<double>(std::max<std::size_t>(n, 1));
    for (std::size_t i = 0; i < n; ++i) {
      const Bar& b = c.bars[i];
      const double x0 = left + slot * static_cast<double>(i) + slot * 0.15;
      const double v = std::isfinite(b.value) ? b.value : 0;
      const double top = std::min(y(v), y(0));
      out += fmt::format("<rect class=\"bar\" data-label=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                         xml_escape(b.label), px(x0), px(top), px(slot * 0.7), px(std::abs(y(v) - y(0))), colour(0));
      out += text(x0 + slot * 0.35, top - 4, format_number(b.value), "middle", "value");
      out += text(x0 + slot * 0.35, bottom + 18, b.label, "middle", "tick");
    }
    out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444444\"/>\n", px(left),
                       px(y(0)), px(right), px(y(0)));
    out += axis_labels(c.category_label, c.value_label, left, right, bottom);
    return out + "</svg>\n";
  }
  // Horizontal: one row per bar; long category names get a wide left margin.
  const double row = 26;
  const double height = std::max(kHeight, kTop + row * static_cast<double>(n) + 60);
  const double left = 190;
  const double right = kWidth - 70;  // room for the value after the longest bar
  const double bottom = height - 60;
  const Scale x{ticks.front(), ticks.back(), left, right};
  out = open_svg(c.title, c.caption, height);
  out += value_axis_bottom(x, ticks, kTop, bottom);
  const double slot = (bottom - kTop) / static_cast<double>(std::max<std::size_t>(n, 1));
  for (std::size_t i = 0; i < n; ++i) {
    const Bar& b = c.bars[i];
    const double y0 = kTop + slot * static_cast<double>(i) + slot * 0.15;
    const double v = std::isfinite(b.value) ? b.value : 0;
    const double x0 = std::min(x(v), x(0));
    out += fmt::format("<rect class=\"bar\" data-label=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                       xml_escape(b.label), px(x0), px(y0), px(std::abs(x(v) - x(0))), px(slot * 0.7), colour(0));
    out += text(std::max(x(v), x(0)) + 4, y0 + slot * 0.35 + 4, format_number(b.value), "start", "value");
    out += text(left - 8, y0 + slot * 0.35 + 4, b.label, "end", "tick");
  }
  return out + horizontal_axes(x(0), bottom, left, right, c.value_label, c.category_label) + "</svg>\n";
}

std::string tornado_chart(const TornadoChart& c) {
  std::vector<double> values{c.base};
  for (const TornadoRow& r : c.rows) {
    values.push_back(r.low);
    values.push_back(r.high);
  }
  auto [lo, hi] = value_range(values, false);
  lo = std::max(lo, c.value_min);
  hi = std::min(hi, c.value_max);
  if (lo >= hi) std::tie(lo, hi) = value_range({lo, hi}, false);  // the limits left no room
  const std::vector<double> ticks = nice_ticks(lo, hi, 5);
  const std::size_t n = c.rows.size();
  // Labels at about 6.5 px a character at 12 px: the margin fits the longest up to 52
  // characters; longer ones wrap.
  constexpr std::size_t kMaxLabelChars = 52;
  std::vector<std::vector<std::string>> labels;
  std::size_t longest = 0;
  std::size_t most_lines = 1;
  for (const TornadoRow& r : c.rows) {
    labels.push_back(wrap_label(r.label, kMaxLabelChars));
    for (const std::string& line : labels.back()) longest = std::max(longest, utf8_length(line));
    most_lines = std::max(most_lines, labels.back().size());
  }
  const double row = 26 + 13 * static_cast<double>(most_lines - 1);
  const double height = std::max(kHeight, kTop + row * static_cast<double>(n) + 78);
  const double left = std::clamp(30 + 6.5 * static_cast<double>(longest), 160.0, 30 + 6.5 * kMaxLabelChars);
  const double right = kWidth - kRight;
  const double bottom = height - kBottom;
  const Scale x{ticks.front(), ticks.back(), left, right};
  std::string out = open_svg(c.title, c.caption, height);
  out += value_axis_bottom(x, ticks, kTop, bottom);
  const double slot = (bottom - kTop) / static_cast<double>(std::max<std::size_t>(n, 1));
  const double base = std::isfinite(c.base) ? c.base : 0;
  for (std::size_t i = 0; i < n; ++i) {
    const TornadoRow& r = c.rows[i];
    const double y0 = kTop + slot * static_cast<double>(i) + slot * 0.15;
    for (const auto& [v, k, cls] : {std::tuple{r.low, 0, "bar-low"}, std::tuple{r.high, 1, "bar-high"}}) {
      const double end = std::isfinite(v) ? v : base;
      out += fmt::format(
          "<rect class=\"{}\" data-label=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.8\"/>\n",
          cls, xml_escape(r.label), px(std::min(x(end), x(base))), px(y0), px(std::abs(x(end) - x(base))), px(slot * 0.7),
          colour(static_cast<std::size_t>(k)));
    }
    const std::vector<std::string>& lines = labels[i];
    if (lines.size() == 1) {
      out += text(left - 8, y0 + slot * 0.35 + 4, r.label, "end", "tick");
    } else {
      const double first = y0 + slot * 0.35 + 4 - 6.5 * static_cast<double>(lines.size() - 1);
      out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">", px(left - 8), px(first));
      for (std::size_t k = 0; k < lines.size(); ++k) {
        out += fmt::format("<tspan x=\"{}\" dy=\"{}\">{}</tspan>", px(left - 8), k == 0 ? "0" : "13", xml_escape(lines[k]));
      }
      out += "</text>\n";
    }
  }
  out += fmt::format("<line class=\"base\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#222222\"/>\n", px(x(base)),
                     px(kTop - 4), px(bottom));
  out += text(x(base), kTop - 8, "base " + format_number(c.base) + c.base_suffix, "middle", "value");
  out += text((left + right) / 2, bottom + 34, c.value_label, "middle", "axis-label x-label");
  const double mid = (kTop + bottom) / 2;
  out += text(12, mid, c.key_label, "middle", "axis-label y-label", fmt::format(" transform=\"rotate(-90 12 {})\"", px(mid)));
  out += legend({{c.low_name, colour(0)}, {c.high_name, colour(1)}}, left, height - 14);
  return out + "</svg>\n";
}

std::string waterfall_chart(const WaterfallChart& c) {
  // Running totals: row i spans [level[i], level[i + 1]]; the total spans [0, level.back()].
  std::vector<double> level{0};
  for (const Bar& b : c.steps) level.push_back(level.back() + (std::isfinite(b.value) ? b.value : 0));
  const double total = level.back();
  const auto [lo, hi] = value_range(level, true);
  const std::vector<double> ticks = nice_ticks(lo, hi, 5);
  const std::size_t rows = c.steps.size() + 1;
  const double row = 30;
  const double height = std::max(kHeight, kTop + row * static_cast<double>(rows) + 60);
  const double left = 190;
  const double right = kWidth - 80;  // room for the value after the last bar
  const double bottom = height - 60;
  const Scale x{ticks.front(), ticks.back(), left, right};
  std::string out = open_svg(c.title, c.caption, height);
  out += value_axis_bottom(x, ticks, kTop, bottom);
  const double slot = (bottom - kTop) / static_cast<double>(rows);
  const auto bar = [&](std::size_t i, double from, double to, const char* cls, const char* fill, const std::string& label,
                       double value) {
    const double y0 = kTop + slot * static_cast<double>(i) + slot * 0.15;
    std::string s = fmt::format(
        "<rect class=\"{}\" data-label=\"{}\" data-value=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
        cls, xml_escape(label), std::isfinite(value) ? fmt::format("{}", value) : "nan", px(std::min(x(from), x(to))),
        px(y0), px(std::abs(x(to) - x(from))), px(slot * 0.7), fill);
    s += text(std::max(x(from), x(to)) + 4, y0 + slot * 0.35 + 4, format_number(value), "start",
              std::string_view(cls) == "total" ? "value total-value" : "value",
              std::string_view(cls) == "total" ? " font-weight=\"bold\"" : "");
    s += text(left - 8, y0 + slot * 0.35 + 4, label, "end", "tick");
    return s;
  };
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Bar& b = c.steps[i];
    out += bar(i, level[i], level[i + 1], "step", b.value < 0 ? colour(1) : colour(0), b.label, b.value);
    // A dashed connector from the end of this bar down to the start of the next.
    const double y_end = kTop + slot * static_cast<double>(i) + slot * 0.85;
    out += fmt::format("<line class=\"connector\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888888\" "
                       "stroke-dasharray=\"3,3\"/>\n",
                       px(x(level[i + 1])), px(y_end), px(y_end + slot * 0.3));
  }
  out += bar(c.steps.size(), 0, total, "total", "#34495e", c.total_label, total);
  return out + horizontal_axes(x(0), bottom, left, right, c.value_label, c.category_label) + "</svg>\n";
}

namespace {

// Network colours: groups from a palette that avoids the highlight and the mark.
constexpr const char* kGroupPalette[] = {"#5d6d7e", "#7d3c98", "#1f5fa8", "#2e8b57", "#17a589",
                                         "#8d6e63", "#b7950b", "#34495e", "#95a5a6"};
constexpr const char* kHighlight = "#e67e22";
constexpr const char* kPlainEdge = "#98a2ad";
constexpr const char* kMark = "#c0392b";

const char* group_colour(std::size_t g) { return kGroupPalette[g % (sizeof(kGroupPalette) / sizeof(kGroupPalette[0]))]; }

struct Point {
  double x, y;
};

}  // namespace

std::string network_chart(const NetworkChart& c) {
  const std::size_t n = c.nodes.size();
  for (const NetworkNode& node : c.nodes) {
    if (node.group >= c.groups.size()) {
      throw std::invalid_argument(fmt::format("svg network: node '{}' has group {} of {}", node.id, node.group, c.groups.size()));
    }
  }
  for (const NetworkEdge& e : c.edges) {
    if (e.from >= n || e.to >= n) {
      throw std::invalid_argument(fmt::format("svg network: edge '{}' joins nodes {} and {} of {}", e.id, e.from, e.to, n));
    }
  }
  // Room beyond the circle for the longest label (about 6 px a character at 11 px), and the
  // circle as large as the width then allows.
  std::size_t longest = 0;
  for (const NetworkNode& node : c.nodes) {
    const std::string label = node.marked && !node.mark_note.empty() ? node.label + " " + node.mark_note : node.label;
    longest = std::max(longest, static_cast<std::size_t>(std::count_if(label.begin(), label.end(), [](char ch) {
                                  return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;  // UTF-8 characters
                                })));
  }
  const double label_room = 20 + 6.0 * static_cast<double>(longest);
  const double radius = std::clamp(kWidth / 2 - label_room - 8, 120.0, 200.0);
  constexpr double kNodeRadius = 7;
  const double cx = kWidth / 2;
  const double cy = kTop + label_room + radius;
  const double legend_top = cy + radius + label_room + 10;

  // Places round the circle from the top, clockwise: group after group, an empty place between
  // groups so each group reads as an arc.
  std::vector<std::size_t> order;
  std::vector<bool> used_group(c.groups.size(), false);
  for (std::size_t g = 0; g < c.groups.size(); ++g) {
    for (std::size_t i = 0; i < n; ++i) {
      if (c.nodes[i].group == g) {
        order.push_back(i);
        used_group[g] = true;
      }
    }
  }
  const auto groups_used = static_cast<std::size_t>(std::count(used_group.begin(), used_group.end(), true));
  const std::size_t places = n + (groups_used > 1 ? groups_used : 0);
  std::vector<double> angle(n, 0.0);
  std::vector<Point> at(n, Point{cx, cy});
  std::size_t place = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k > 0 && c.nodes[order[k]].group != c.nodes[order[k - 1]].group) ++place;
    const std::size_t i = order[k];
    angle[i] = -std::numbers::pi / 2 + 2 * std::numbers::pi * static_cast<double>(place) / static_cast<double>(std::max<std::size_t>(places, 1));
    at[i] = {cx + radius * std::cos(angle[i]), cy + radius * std::sin(angle[i])};
    ++place;
  }

  double largest = 0;
  for (const NetworkEdge& e : c.edges) {
    if (std::isfinite(e.value)) largest = std::max(largest, e.value);
  }
  const auto width_of = [&](double v) {
    return largest > 0 && std::isfinite(v) && v > 0 ? 1 + 6 * std::sqrt(v / largest) : 1.0;
  };

  // Arrows between the same two nodes fan out: those one way to the left of their direction
  // (so two directions never overlap), several the same way spread around the chord.
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> count_between;
  for (const NetworkEdge& e : c.edges) ++count_between[{e.from, e.to}];
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> seen_between;
  const auto edge_svg = [&](const NetworkEdge& e) {
    const Point p = at[e.from];
    const Point q = at[e.to];
    const std::size_t same = count_between[{e.from, e.to}];
    const bool reverse = count_between.count({e.to, e.from}) > 0;
    const auto k = static_cast<double>(seen_between[{e.from, e.to}]++);
    const double offset = reverse ? 10 + 12 * k : 12 * (k - (static_cast<double>(same) - 1) / 2);
    const double dx = q.x - p.x;
    const double dy = q.y - p.y;
    const double length = std::max(std::hypot(dx, dy), 1e-9);
    // Left of the direction p → q (y grows downwards): (dy, −dx) / length.
    const Point mid{(p.x + q.x) / 2, (p.y + q.y) / 2};
    const Point control{mid.x + (cx - mid.x) * 0.45 + dy / length * offset * 2,
                        mid.y + (cy - mid.y) * 0.45 - dx / length * offset * 2};
    const auto toward = [](Point from, Point to, double by) {
      const double d = std::max(std::hypot(to.x - from.x, to.y - from.y), 1e-9);
      return Point{from.x + (to.x - from.x) / d * by, from.y + (to.y - from.y) / d * by};
    };
    const double w = width_of(e.value);
    const double head = 5 + 1.2 * w;
    const Point start = toward(p, control, kNodeRadius + 1);
    const Point tip = toward(q, control, kNodeRadius + 2);
    const Point base = toward(tip, control, head);
    const double ux = (tip.x - base.x) / head;
    const double uy = (tip.y - base.y) / head;
    const double half = 2.5 + 0.6 * w;
    const char* stroke = e.highlight ? kHighlight : kPlainEdge;
    const char* cls = e.highlight ? "edge highlight" : "edge";
    std::string out = fmt::format(
        "<path class=\"{}\" data-id=\"{}\" data-from=\"{}\" data-to=\"{}\" data-value=\"{}\" d=\"M{},{} Q{},{} {},{}\" "
        "fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-opacity=\"{}\"/>\n",
        cls, xml_escape(e.id), xml_escape(c.nodes[e.from].id), xml_escape(c.nodes[e.to].id),
        std::isfinite(e.value) ? fmt::format("{}", e.value) : "nan", px(start.x), px(start.y), px(control.x), px(control.y),
        px(base.x), px(base.y), stroke, px(w), e.highlight ? "0.9" : "0.55");
    out += fmt::format("<polygon class=\"arrow\" points=\"{},{} {},{} {},{}\" fill=\"{}\" fill-opacity=\"{}\"/>\n", px(tip.x),
                       px(tip.y), px(base.x - uy * half), px(base.y + ux * half), px(base.x + uy * half),
                       px(base.y - ux * half), stroke, e.highlight ? "0.9" : "0.7");
    return out;
  };

  const double height = legend_top + 70;
  std::string out = open_svg(c.title, c.caption, height);
  out += "<g class=\"edges\">\n";
  for (const bool highlighted : {false, true}) {  // highlighted edges on top
    for (const NetworkEdge& e : c.edges) {
      if (e.highlight == highlighted) out += edge_svg(e);
    }
  }
  out += "</g>\n<g class=\"nodes\">\n";
  for (std::size_t i = 0; i < n; ++i) {
    const NetworkNode& node = c.nodes[i];
    out += fmt::format("<circle class=\"node{}\" data-id=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"#ffffff\"/>\n",
                       node.marked ? " marked" : "", xml_escape(node.id), px(at[i].x), px(at[i].y), px(kNodeRadius),
                       group_colour(node.group));
    if (node.marked) {
      out += fmt::format("<circle class=\"mark\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"/>\n",
                         px(at[i].x), px(at[i].y), px(kNodeRadius + 4), kMark);
    }
    // Labels run outwards along the radius, upright on both halves of the circle.
    const double a = angle[i];
    const bool right_half = std::cos(a) >= -1e-9;
    const Point l{cx + (radius + 14) * std::cos(a), cy + (radius + 14) * std::sin(a)};
    const double degrees = a * 180 / std::numbers::pi + (right_half ? 0 : 180);
    const std::string label = node.marked && !node.mark_note.empty() ? node.label + " " + node.mark_note : node.label;
    out += text(l.x, l.y, label, right_half ? "start" : "end", node.marked ? "node-label marked" : "node-label",
                fmt::format(" font-size=\"11\" dy=\"0.35em\" transform=\"rotate({} {} {})\"{}", px(degrees), px(l.x), px(l.y),
                            node.marked ? fmt::format(" fill=\"{}\" font-weight=\"bold\"", kMark) : std::string()));
  }
  out += "</g>\n";

  // Legend: the groups on one line (wrapping), then the edge kinds, the mark and two widths.
  out += "<g class=\"legend\">\n";
  double x = 24;
  double y = legend_top;
  for (std::size_t g = 0; g < c.groups.size(); ++g) {
    if (!used_group[g]) continue;
    const double w = 16 + 7.0 * static_cast<double>(c.groups[g].size()) + 14;
    if (x + w > kWidth - 10) {
      x = 24;
      y += 20;
    }
    out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{}\"/>\n", px(x + 6), px(y - 4), group_colour(g));
    out += text(x + 16, y, c.groups[g], "start", "legend-entry");
    x += w;
  }
  x = 24;
  y += 24;
  const auto line_entry = [&](const std::string& name, const char* stroke, double w) {
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>\n", px(x), px(y - 4),
                       px(x + 24), px(y - 4), stroke, px(w));
    out += text(x + 30, y, name, "start", "legend-entry");
    x += 30 + 7.0 * static_cast<double>(name.size()) + 16;
  };
  line_entry(c.highlight_name, kHighlight, 3);
  line_entry(c.plain_name, kPlainEdge, 3);
  if (!c.mark_name.empty()) {
    out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"#ffffff\" stroke=\"{}\" stroke-width=\"2.5\"/>\n",
                       px(x + 6), px(y - 4), kMark);
    out += text(x + 16, y, c.mark_name, "start", "legend-entry");
    x += 16 + 7.0 * static_cast<double>(c.mark_name.size()) + 16;
  }
  if (largest > 0) {
    const std::vector<double> steps = nice_ticks(0, largest / 10, 1);
    const double small = steps.size() > 1 ? steps[1] : largest / 10;
    line_entry(format_number(small) + " " + c.value_unit, kPlainEdge, width_of(small));
    line_entry(format_number(largest) + " " + c.value_unit, kPlainEdge, width_of(largest));
  }
  out += "</g>\n";
  return out + "</svg>\n";
}

std::string standalone(const std::string& chart) {
  // Inline SVG in HTML needs no namespace; a file of its own does.
  const std::string open = "<svg ";
  if (chart.compare(0, open.size(), open) != 0) throw std::invalid_argument("svg standalone: not an <svg> element");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" " +
         chart.substr(open.size());
}

}  // namespace bsim::io::svg
