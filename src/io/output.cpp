#include "io/output.h"

#include "io/svg_chart.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace bsim::io {
namespace {

std::string number(double x) {
  if (!std::isfinite(x)) return "nan";
  if (x == 0.0) return "0";  // also folds −0
  return fmt::format("{}", x);
}

/// A CSV text field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
std::string field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

const model::Column* column_named(std::string_view name) {
  for (const model::Column& c : model::kColumns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string human(double x, std::string_view unit) {
  const double a = std::fabs(x);
  std::string v;
  if (unit == "share") return fmt::format("{:.1f}%", 100 * x);
  // As the reports: 0 for rounding residue, and no exponent notation for small values.
  if (a < svg::kZeroUpToRounding) return "0";
  if (a < 1e-3) return svg::format_number(x);
  if (a >= 1e12) v = fmt::format("{:.3g}tn", x / 1e12);
  else if (a >= 1e9) v = fmt::format("{:.3g}bn", x / 1e9);
  else if (a >= 1e6) v = fmt::format("{:.3g}M", x / 1e6);
  else if (a >= 1e3) v = fmt::format("{:.3g}k", x / 1e3);
  else v = fmt::format("{:.3g}", x);
  return v;
}

}  // namespace

std::string_view firm_type_name(model::FirmType type) {
  switch (type) {
    case model::FirmType::kLab: return "lab";
    case model::FirmType::kHyperscaler: return "hyperscaler";
    case model::FirmType::kNeocloud: return "neocloud";
    case model::FirmType::kChipmaker: return "chipmaker";
    case model::FirmType::kDeveloper: return "developer";
    case model::FirmType::kUtility: return "utility";
    case model::FirmType::kInvestor: return "investor";
    case model::FirmType::kHouseholds: return "households";
  }
  return "unknown";
}

std::string timeseries_csv(const std::vector<model::MonthRecord>& months) {
  std::string out = "month";
  for (const model::Column& c : model::kColumns) {
    out += ',';
    out += c.name;
  }
  out += '\n';
  for (const model::MonthRecord& r : months) {
    out += r.month.str();
    for (const model::Column& c : model::kColumns) {
      out += ',';
      out += number(r.*c.field);
    }
    out += '\n';
  }
  return out;
}

std::string firms_csv(const model::Scenario& scenario, const std::vector<model::FirmMonth>& firms) {
  std::string out =
      "month,firm,name,type,cash_usd_bn,debt_usd_bn,equity_usd_bn,revenue_usd_bn,status,installed_h100e,"
      "operable_h100e,capex_usd_bn,compute_revenue_usd_bn,debtrank,equity_issued_usd_bn,accelerators_book_usd_bn,"
      "accelerators_value_usd_bn,equity_economic_usd_bn,compute_gw,circular_revenue_share,inference_share,"
      "training_compute_h100e_months,training_budget_usd_bn,equity_value_usd_bn\n";
  for (const model::FirmMonth& r : firms) {
    const model::Firm& firm = scenario.firms.at(r.firm);
    out += r.month.str();
    for (const std::string_view text : {std::string_view(firm.id), std::string_view(firm.name), firm_type_name(firm.type)}) {
      out += ',';
      out += field(text);
    }
    for (const double x : {r.cash_usd_bn, r.debt_usd_bn, r.equity_usd_bn, r.revenue_usd_bn}) {
      out += ',';
      out += number(x);
    }
    out += ',';
    out += model::firm_status_name(r.status);
    for (const double x : {r.installed_h100e, r.operable_h100e, r.capex_usd_bn, r.compute_revenue_usd_bn, r.debtrank,
                           r.equity_issued_usd_bn, r.accelerators_book_usd_bn, r.accelerators_value_usd_bn,
                           r.equity_economic_usd_bn, r.compute_gw, r.circular_revenue_share, r.inference_share,
                           r.training_compute_h100e_months, r.training_budget_usd_bn, r.equity_value_usd_bn}) {
      out += ',';
      out += number(x);
    }
    out += '\n';
  }
  return out;
}

std::string events_csv(const std::vector<model::Event>& events) {
  std::string out = "month,kind,firm,amount,counterparty,cause\n";
  for (const model::Event& e : events) {
    out += e.month.str();
    out += ',';
    out += field(model::event_kind_name(e.kind));
    out += ',';
    out += field(e.subject);
    out += ',';
    out += number(e.value);
    out += ',';
    out += field(e.counterparty);
    out += ',';
    out += field(model::event_kind_cause(e.kind));
    out += '\n';
  }
  return out;
}

nlohmann::json summary_json(const LoadedScenario& scenario, const sim::PathResult& path,
                            const analysis::PathSummary& summary) {
  using nlohmann::json;
  const model::Scenario& s = scenario.scenario;
  json j;
  j["scenario"] = {{"name", s.name}, {"source", scenario.source_name}, {"description", s.description}};
  j["path_id"] = path.path_id;
  j["seed"] = path.seed;
  j["start"] = s.time.start.str();
  j["end"] = s.time.end.str();
  j["months"] = path.months.size();
  json figures = json::object();
  for (const analysis::Trajectory& t : summary.key_figures) {
    figures[t.column] = {{"start", t.start},
                         {"peak", t.peak},
                         {"peak_month", t.peak_month.str()},
                         {"trough_after_peak", t.trough},
                         {"trough_month", t.trough_month.str()},
                         {"end", t.end},
                         {"drawdown", t.drawdown()}};
  }
  j["key_figures"] = figures;
  j["totals"] = {{"capex_usd_bn", summary.cumulative_capex_usd_bn},
                 {"ai_revenue_usd_bn", summary.cumulative_ai_revenue_usd_bn},
                 {"unmet_demand_h100e_months", summary.cumulative_unmet_h100e_months},
                 {"months_at_scarcity_cap", summary.months_at_scarcity_cap},
                 {"months_utilization_below_half", summary.months_utilization_below_half}};
  auto pairs = [](const std::vector<std::pair<std::string, double>>& list) {
    json o = json::object();
    for (const auto& [name, loss] : list) o[name] = loss;
    return o;
  };
  j["losses"] = {{"defaults", summary.defaults},
                 {"debt_written_off_usd_bn", summary.lender_losses_usd_bn},
                 {"equity_wiped_out_usd_bn", summary.shareholder_losses_usd_bn},
                 {"by_holder_usd_bn", pairs(summary.losses.by_class)},
                 {"by_firm_usd_bn", pairs(summary.losses.by_firm)},
                 {"by_tranche_usd_bn", pairs(summary.losses.by_tranche)},
                 {"vendor_financing_usd_bn", pairs(summary.losses.vendor_financing)}};
  const analysis::Bust& bust = summary.bust;
  j["bust"] = {{"occurred", bust.occurred},
               {"month", bust.occurred ? json(bust.month.str()) : json(nullptr)},
               {"rule", summary.bust_rule},
               {"trigger", bust.occurred ? json(bust.trigger) : json(nullptr)}};
  j["bust"]["persist_months"] = s.verdict.persist_months;
  json conditions = json::object();
  for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
    const auto& first = bust.condition_month[c];
    conditions[std::string(analysis::bust_condition_name(c))] = first ? json(first->str()) : json(nullptr);
  }
  j["bust"]["conditions"] = conditions;
  const analysis::LegacyLedger& lg = summary.legacy;
  j["legacy"] = {
      {"power_gw_added", lg.left.power_gw_added},
      {"datacenter_gw_added", lg.left.datacenter_gw_added},
      {"production_h100e_per_month_added", lg.left.production_h100e_per_month_added},
      {"replacement_value_usd_bn", lg.left.replacement_value_usd_bn},
      {"accelerators_h100e", lg.left.accelerators_h100e},
      {"accelerators_book_usd_bn", lg.left.accelerators_book_usd_bn},
      {"accelerators_value_usd_bn", lg.left.accelerators_value_usd_bn},
      {"post_bust_price_usd_per_h100e_hour",
       lg.post_bust_price_usd_per_h100e_hour ? json(*lg.post_bust_price_usd_per_h100e_hour) : json(nullptr)},
      {"end_price_usd_per_h100e_hour", lg.end_price_usd_per_h100e_hour},
      {"capital_destroyed_usd_bn",
       {{"total", lg.capital_destroyed_usd_bn()},
        {"accelerator_writedown", lg.accelerator_writedown_usd_bn},
        {"accelerator_writedown_month", lg.accelerator_writedown_month.str()},
        {"debts_written_off", lg.debts_written_off_usd_bn},
        {"equity_wiped_out", lg.equity_wiped_out_usd_bn}}}};
  json story = json::array();
  for (const analysis::StoryLine& line : summary.story) story.push_back({{"month", line.month.str()}, {"text", line.text}});
  j["story"] = story;
  json events = json::array();
  for (const model::Event& e : path.events) {
    events.push_back({{"month", e.month.str()}, {"kind", model::event_kind_name(e.kind)}, {"subject", e.subject}, {"value", e.value},
                      {"counterparty", e.counterparty}});
  }
  j["events"] = events;
  return j;
}

std::string summary_text(const LoadedScenario& scenario, const sim::PathResult& path,
                         const analysis::PathSummary& summary) {
  const model::Scenario& s = scenario.scenario;
  std::string out;
  out += fmt::format("bubblesim — scenario '{}' ({} to {}, {} months, seed {}, path {})\n", s.name, s.time.start.str(),
                     s.time.end.str(), path.months.size(), path.seed, path.path_id);
  if (!s.description.empty()) out += fmt::format("{}\n", s.description);
  out += fmt::format("\n{:<32} {:>10} {:>18} {:>18} {:>10}\n", "key figure", "start", "peak", "trough after peak", "end");
  for (const analysis::Trajectory& t : summary.key_figures) {
    const model::Column* c = column_named(t.column);
    const std::string_view unit = c ? c->unit : "";
    out += fmt::format("{:<32} {:>10} {:>9} {:>8} {:>9} {:>8} {:>10}\n", t.column, human(t.start, unit),
                       human(t.peak, unit), t.peak_month.str(), human(t.trough, unit), t.trough_month.str(),
                       human(t.end, unit));
  }
  out += fmt::format("\nOver the whole path: capex ${:.0f}bn, AI service revenue ${:.0f}bn; {} months at the scarcity "
                     "price cap; {} months with utilization below half.\n",
                     summary.cumulative_capex_usd_bn, summary.cumulative_ai_revenue_usd_bn,
                     summary.months_at_scarcity_cap, summary.months_utilization_below_half);
  if (summary.defaults > 0) {
    out += fmt::format("Defaults: {} firm{}; claims written off ${:.1f}bn, equity wiped out ${:.1f}bn.\n", summary.defaults,
                       summary.defaults == 1 ? "" : "s", summary.lender_losses_usd_bn, summary.shareholder_losses_usd_bn);
    std::string by;
    for (const auto& [name, loss] : summary.losses.by_class) {
      if (loss >= 0.05) by += fmt::format("{}{} ${:.1f}bn", by.empty() ? "" : ", ", name, loss);
    }
    if (!by.empty()) out += fmt::format("Losses by holder type: {}.\n", by);
    std::string firms;
    for (const auto& [name, loss] : summary.losses.by_firm) {
      if (loss >= 0.05) firms += fmt::format("{}{} ${:.1f}bn", firms.empty() ? "" : ", ", name, loss);
    }
    if (!firms.empty()) out += fmt::format("Firms' losses as creditors and shareholders: {}.\n", firms);
    std::string tranches;
    for (const auto& [name, loss] : summary.losses.by_tranche) {
      if (loss >= 0.05) tranches += fmt::format("{}{} ${:.1f}bn", tranches.empty() ? "" : ", ", name, loss);
    }
    if (!tranches.empty()) out += fmt::format("Losses by debt tranche: {}.\n", tranches);
    std::string vendor;
    for (const auto& [name, loss] : summary.losses.vendor_financing) {
      vendor += fmt::format("{}{} ${:.1f}bn", vendor.empty() ? "" : ", ", name, loss);
    }
    if (!vendor.empty()) out += fmt::format("Vendor financing lost: {}.\n", vendor);
  } else {
    out += "No firm defaulted.\n";
  }
  if (summary.bust.occurred) {
    out += fmt::format("\nVerdict: BUST in {} ({}).\n", summary.bust.month.str(), summary.bust.trigger);
  } else {
    out += "\nVerdict: no bust.\n";
  }
  out += fmt::format("  rule: {}\n", summary.bust_rule);
  {
    // Each condition on its own: a path that busts on one may meet another later, or never.
    constexpr const char* kWords[analysis::kBustConditionCount] = {"AI equity drawdown", "capex drop", "write-offs"};
    std::string each;
    for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
      const auto& first = summary.bust.condition_month[c];
      each += fmt::format("{}{} {}", c ? ", " : "", kWords[c], first ? first->str() : std::string("never"));
    }
    out += fmt::format("  each condition first counts: {}\n", each);
  }
  const analysis::LegacyLedger& lg = summary.legacy;
  const std::string& unit = s.capacity_unit_name;
  out += fmt::format("Legacy at the end: {:.1f} GW of power, {:.1f} GW of data-centre shells and {} {} a month of fab "
                     "capacity added since the start and still in service (replacement value ${:.0f}bn); {} {} "
                     "installed, worth ${:.0f}bn against ${:.0f}bn at book.\n",
                     lg.left.power_gw_added, lg.left.datacenter_gw_added, human(lg.left.production_h100e_per_month_added, unit),
                     unit, lg.left.replacement_value_usd_bn, human(lg.left.accelerators_h100e, unit), unit,
                     lg.left.accelerators_value_usd_bn, lg.left.accelerators_book_usd_bn);
  if (lg.post_bust_price_usd_per_h100e_hour) {
    out += fmt::format("Compute after the bust: ${:.2f} per {}-hour on average over the next {} months (${:.2f} at the end).\n",
                       *lg.post_bust_price_usd_per_h100e_hour, unit, s.verdict.post_bust_months, lg.end_price_usd_per_h100e_hour);
  }
  out += fmt::format("Capital destroyed: ${:.0f}bn = accelerator write-down ${:.0f}bn (worst month {}) + claims written off "
                     "${:.0f}bn + equity wiped out ${:.0f}bn.\n",
                     lg.capital_destroyed_usd_bn(), lg.accelerator_writedown_usd_bn, lg.accelerator_writedown_month.str(),
                     lg.debts_written_off_usd_bn, lg.equity_wiped_out_usd_bn);
  out += "\nWhat happened when:\n";
  if (summary.story.empty()) out += "  nothing remarkable: steady growth.\n";
  for (const analysis::StoryLine& line : summary.story) out += fmt::format("  {}: {}\n", line.month.str(), line.text);
  return out;
}

namespace {

/// One cell of a comparison: a value in its row's unit, "—" when absent.
std::string comparison_cell(const analysis::RowValue& x, std::string_view unit) {
  if (!x) return "—";
  if (unit == analysis::kMonthUnit) return core::Month::from_index(static_cast<int>(std::lround(*x))).str();
  if (unit == analysis::kShareUnit) return fmt::format("{:.1f}%", 100 * *x);
  if (unit.starts_with("USD bn")) {
    // Tenths of a billion, but a small amount keeps its first digits rather than reading "0.0".
    if (*x == 0.0) return "0";
    return std::fabs(*x) >= 0.05 ? fmt::format("{:.1f}", *x) : fmt::format("{:.2g}", *x);
  }
  const double a = std::fabs(*x);
  if (a >= 1e12) return fmt::format("{:.4g}T", *x / 1e12);
  if (a >= 1e9) return fmt::format("{:.4g}bn", *x / 1e9);
  if (a >= 1e6) return fmt::format("{:.4g}M", *x / 1e6);
  if (a >= 1e4) return fmt::format("{:.4g}k", *x / 1e3);
  if (*x == 0.0) return "0";
  return fmt::format("{:.4g}", *x);
}

/// B − A with its sign: in months for months, in percentage points for shares.
std::string comparison_difference(const analysis::RowValue& d, std::string_view unit) {
  if (!d) return "—";
  if (*d == 0.0) return "0";
  const std::string sign = *d > 0.0 ? "+" : "";
  if (unit == analysis::kMonthUnit) return fmt::format("{}{} mo", sign, std::lround(*d));
  if (unit == analysis::kShareUnit) return fmt::format("{}{:.1f} pp", sign, 100 * *d);
  return sign + comparison_cell(d, unit);
}

}  // namespace

std::string comparison_text(const LoadedScenario& a, const LoadedScenario& b, std::uint64_t seed, std::uint64_t path_id,
                            const std::vector<analysis::ComparedRow>& rows) {
  std::string out = fmt::format("bubblesim compare — seed {}, path {}\n", seed, path_id);
  for (const auto& [tag, loaded] : {std::pair{"A", &a}, std::pair{"B", &b}}) {
    const model::Scenario& s = loaded->scenario;
    out += fmt::format("  {}: '{}' ({}), {} to {}\n", tag, s.name, loaded->source_name, s.time.start.str(), s.time.end.str());
  }
  out += fmt::format("\n{:<36} {:<16} {:>11} {:>11} {:>11} {:>9}\n", "row", "unit", "A", "B", "B − A", "B ÷ A");
  for (const analysis::ComparedRow& r : rows) {
    const std::string ratio = r.ratio ? fmt::format("×{:.3g}", *r.ratio) : "—";
    out += fmt::format("{:<36} {:<16} {:>11} {:>11} {:>11} {:>9}\n", r.label, r.unit, comparison_cell(r.a, r.unit),
                       comparison_cell(r.b, r.unit), comparison_difference(r.difference, r.unit), ratio);
  }
  return out;
}

nlohmann::json comparison_json(const LoadedScenario& a, const LoadedScenario& b, std::uint64_t seed,
                               std::uint64_t path_id, const std::vector<analysis::ComparedRow>& rows) {
  using nlohmann::json;
  auto scenario = [](const LoadedScenario& l) {
    return json{{"name", l.scenario.name}, {"source", l.source_name}, {"start", l.scenario.time.start.str()},
                {"end", l.scenario.time.end.str()}};
  };
  auto value = [](const analysis::RowValue& x, std::string_view unit) -> json {
    if (!x) return nullptr;
    if (unit == analysis::kMonthUnit) return core::Month::from_index(static_cast<int>(std::lround(*x))).str();
    return *x;
  };
  auto plain = [](const analysis::RowValue& x) -> json { return x ? json(*x) : json(nullptr); };
  json list = json::array();
  for (const analysis::ComparedRow& r : rows) {
    list.push_back({{"label", r.label},
                    {"unit", r.unit},
                    {"a", value(r.a, r.unit)},
                    {"b", value(r.b, r.unit)},
                    {"difference", plain(r.difference)},
                    {"ratio", plain(r.ratio)}});
  }
  return json{{"seed", seed}, {"path", path_id}, {"a", scenario(a)}, {"b", scenario(b)}, {"rows", list}};
}

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", tmp.string(), std::strerror(errno)));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error(fmt::format("cannot write {}: {}", tmp.string(), std::strerror(err)));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write {}: {}", tmp.string(), std::strerror(errno)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", tmp.string(), path.string(), std::strerror(err)));
  }
}

}  // namespace bsim::io
