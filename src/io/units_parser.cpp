#include "io/units_parser.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "core/diagnostics.h"

namespace bsim::io {
namespace {

struct UnitWord {
  std::string_view word;
  double factor;  ///< canonical = value × factor
};

std::vector<UnitWord> units_of(Dimension d) {
  switch (d) {
    case Dimension::kNone:
    case Dimension::kUsers:
    case Dimension::kServiceUnits:
      return {};
    case Dimension::kShare:
      return {{"%", 0.01}};
    case Dimension::kMoney:
      return {{"USDbn", 1.0}, {"USDm", 1e-3}, {"USDtn", 1e3}, {"USD", 1e-9}};
    case Dimension::kCompute:
      return {{"H100e", 1.0}, {"kH100e", 1e3}, {"MH100e", 1e6}};
    case Dimension::kPower:
      return {{"GW", 1.0}, {"MW", 1e-3}, {"kW", 1e-6}, {"TW", 1e3}};
    case Dimension::kDuration:
      return {{"months", 1.0}, {"month", 1.0}, {"quarters", 3.0}, {"years", 12.0}, {"year", 12.0}};
    case Dimension::kComputePrice:
      return {{"USD/H100e-hour", 1.0}, {"USD/hour", 1.0}, {"USD/h", 1.0}};
    case Dimension::kEnergyPrice:
      return {{"USD/MWh", 1.0}, {"USD/kWh", 1000.0}};
    case Dimension::kPowerIntensity:
      return {{"kW", 1.0}, {"W", 1e-3}};
    case Dimension::kUsdPerH100e:
      return {{"USD", 1.0}, {"kUSD", 1e3}};
    case Dimension::kUsdPerServiceUnit:
      return {{"USD", 1.0}};
    case Dimension::kMultiplierPerYear:
      return {{"x", 1.0}, {"x/year", 1.0}};
    case Dimension::kRatePerYear:
      return {{"%/year", 0.01}, {"%", 0.01}};
    case Dimension::kComputeHoursPerUnit:
      return {{"H100e-hours", 1.0}};
  }
  return {};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view canonical_unit(Dimension d) {
  switch (d) {
    case Dimension::kNone: return "number";
    case Dimension::kShare: return "share (0–1)";
    case Dimension::kMoney: return "USD bn";
    case Dimension::kCompute: return "H100e";
    case Dimension::kPower: return "GW";
    case Dimension::kDuration: return "months";
    case Dimension::kComputePrice: return "USD per H100e-hour";
    case Dimension::kEnergyPrice: return "USD per MWh";
    case Dimension::kPowerIntensity: return "kW per H100e";
    case Dimension::kUsdPerH100e: return "USD per H100e";
    case Dimension::kUsdPerServiceUnit: return "USD per service unit";
    case Dimension::kMultiplierPerYear: return "× per year";
    case Dimension::kRatePerYear: return "fraction per year";
    case Dimension::kUsers: return "users";
    case Dimension::kServiceUnits: return "service units";
    case Dimension::kComputeHoursPerUnit: return "H100e-hours per service unit";
  }
  return "";
}

std::string_view dimension_name(Dimension d) {
  switch (d) {
    case Dimension::kNone: return "a plain number";
    case Dimension::kShare: return "a share";
    case Dimension::kMoney: return "money";
    case Dimension::kCompute: return "compute";
    case Dimension::kPower: return "power";
    case Dimension::kDuration: return "a duration";
    case Dimension::kComputePrice: return "a compute price";
    case Dimension::kEnergyPrice: return "an energy price";
    case Dimension::kPowerIntensity: return "power per H100e";
    case Dimension::kUsdPerH100e: return "a hardware price";
    case Dimension::kUsdPerServiceUnit: return "a service price";
    case Dimension::kMultiplierPerYear: return "a multiplier per year";
    case Dimension::kRatePerYear: return "a rate per year";
    case Dimension::kUsers: return "a number of users";
    case Dimension::kServiceUnits: return "service units";
    case Dimension::kComputeHoursPerUnit: return "compute per service unit";
  }
  return "";
}

std::vector<std::string> accepted_units(Dimension d) {
  std::vector<std::string> out;
  for (const UnitWord& u : units_of(d)) out.emplace_back(u.word);
  return out;
}

std::vector<UnitFactor> unit_factors(Dimension d) {
  std::vector<UnitFactor> out;
  for (const UnitWord& u : units_of(d)) out.push_back({std::string(u.word), u.factor});
  return out;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

ParsedQuantity parse_quantity(std::string_view text, Dimension d) {
  ParsedQuantity out;
  const std::size_t first = text.find_first_not_of(" \t");
  const std::size_t lead = first == std::string_view::npos ? 0 : first;
  std::string_view body = trim(text);
  if (!body.empty() && body.front() == '+') body.remove_prefix(1);
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc() || body.empty() || !std::isfinite(value)) {
    out.error = "expected a number" + std::string(units_of(d).empty() ? "" : ", optionally with a unit,") +
                " but found '" + std::string(text) + "'";
    out.error_offset = static_cast<int>(lead);
    return out;
  }
  const std::string_view unit = trim(std::string_view(ptr, static_cast<std::size_t>(body.data() + body.size() - ptr)));
  if (unit.empty()) {
    out.value = value;
    return out;
  }
  const auto units = units_of(d);
  for (const UnitWord& u : units) {
    if (unit == u.word) {
      out.value = value * u.factor;
      return out;
    }
  }
  // From `text`, not `body`: body may have lost a leading '+'.
  auto at = static_cast<std::size_t>(ptr - text.data());
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
  out.error_offset = static_cast<int>(at);
  if (units.empty()) {
    out.error = "unknown unit '" + std::string(unit) + "': " + std::string(dimension_name(d)) +
                " is written as a bare number";
    return out;
  }
  std::string list;
  for (const UnitWord& u : units) {
    if (!list.empty()) list += ", ";
    list += u.word;
  }
  const std::string hint = core::did_you_mean(unit, accepted_units(d));
  out.error = "unknown unit '" + std::string(unit) + "' for " + std::string(dimension_name(d)) +
              (hint.empty() ? std::string() : ";" + hint) + " (accepted: " + list + ")";
  return out;
}

}  // namespace bsim::io
