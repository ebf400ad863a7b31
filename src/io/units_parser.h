#pragma once
/// Numbers written with units in scenario files and `--set` values ("27 USDbn", "1200 MW",
/// "18 months", "30%", "2.8x"), converted to the canonical unit of the key's dimension.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bsim::io {

/// What a scenario number measures; fixes its canonical unit and the unit words accepted.
enum class Dimension {
  kNone,               ///< a plain number
  kShare,              ///< a fraction in [0,1]; "30%" accepted
  kMoney,              ///< USD bn
  kCompute,            ///< H100e
  kPower,              ///< GW
  kDuration,           ///< months
  kComputePrice,       ///< USD per H100e-hour
  kEnergyPrice,        ///< USD per MWh
  kPowerIntensity,     ///< kW per H100e
  kUsdPerH100e,        ///< USD per H100e (hardware price)
  kUsdPerServiceUnit,  ///< USD per service unit
  kMultiplierPerYear,  ///< × per year; "2.8x" accepted
  kRatePerYear,        ///< fraction per year; "5%" accepted
  kUsers,              ///< people
  kServiceUnits,       ///< service units (named by the scenario)
  kComputeHoursPerUnit,///< H100e-hours per service unit
};

/// Canonical unit, as written in docs ("USD bn").
std::string_view canonical_unit(Dimension d);
/// Human name of the dimension ("money").
std::string_view dimension_name(Dimension d);
/// The unit words accepted for a dimension, canonical first.
std::vector<std::string> accepted_units(Dimension d);

/// A unit word and what one of it is in the dimension's canonical unit (`kW` for power: 1e-6 GW).
struct UnitFactor {
  std::string word;
  double factor = 1.0;
};
/// The unit words accepted for a dimension with their factors, in the order of accepted_units:
/// the one table the parser and the server's GET /api/schema (hence the playground) both read.
std::vector<UnitFactor> unit_factors(Dimension d);

struct ParsedQuantity {
  double value = 0.0;
  std::string error;  ///< empty on success; else a message without location
  int error_offset = 0;  ///< byte offset in the text where the problem starts
};

/// Parses "<number>[ ]<unit>" or a bare number into the canonical unit of `d`.
ParsedQuantity parse_quantity(std::string_view text, Dimension d);

/// Parses a bare number (decimal or exponent form, no unit). Nothing on any other text.
std::optional<double> parse_number(std::string_view text);

}  // namespace bsim::io
