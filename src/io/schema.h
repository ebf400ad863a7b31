#pragma once
/// The scenario schema: every table and key a scenario file may contain, with its type, unit,
/// range, default and meaning. The validator checks files against it and `docs/scenario.md`
/// is generated from it, so the two cannot drift.

#include <nlohmann/json_fwd.hpp>

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/units_parser.h"

namespace bsim::io {

/// What a key is about (docs/scenario.md, "Roles"):
/// - kWorld: describes the world — stocks, prices, technology, demand, contracts, firms, shocks,
///   the facts of a history, policy-rate paths;
/// - kBehaviour: how agents decide — the build rule, expectations and optimism, sentiment and
///   valuation responses, credit-appetite responses, training funding discipline, competition,
///   firms' financing decision rules;
/// - kVerdict: how a path is judged (`verdict.*`);
/// - kNumerics: how the simulation is computed and the file read, not what it describes (format
///   version, time step, tolerances, solver settings, seeds, path counts).
/// kUnassigned is not a role: it marks a key nobody has classified, and the schema test
/// `SchemaRoles.EveryKeyHasOneOfTheFourRoles` fails on it, so a new key cannot go without one.
enum class Role { kUnassigned, kWorld, kBehaviour, kVerdict, kNumerics };

/// "world", "behaviour", "verdict", "numerics" ("unassigned" for kUnassigned).
std::string_view role_name(Role role);

/// kSeries: a table of numbers keyed by year (`{ 2026 = 17, 2027 = 35 }`), addressed as
/// `<path>.<year>`.
enum class ValueType { kNumber, kInteger, kString, kMonth, kBool, kEnum, kRef, kSeries };

/// The default of a typed key for one type, where it differs from the key's own default.
struct TypeDefault {
  std::string type;
  std::optional<double> number;
  std::optional<std::string> text;
};

/// One key. `path` is a pattern: elements of arrays of tables appear as `*`
/// (`segment.*.elasticity_long_run`); concrete paths use the element's id instead.
///
/// Keys of an array whose elements have a `type` (`[[contract]]`) may apply to some types only
/// (`for_types`): such a key written for an element of another type is an error, and it is
/// required (`required`, or `required_for`) only for the types it applies to.
struct KeySpec {
  std::string path;
  ValueType type = ValueType::kNumber;
  Dimension dimension = Dimension::kNone;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  std::optional<double> default_number;
  std::optional<std::string> default_text;  ///< for strings, months, enums, bools ("true")
  bool required = false;
  std::vector<std::string> choices;  ///< kEnum; kRef: words accepted besides ids (investor classes)
  std::string ref_table;             ///< kRef: the array of tables whose ids it names
  std::string doc;
  std::vector<std::string> for_types;     ///< the element `type`s it applies to; empty = every type
  std::vector<std::string> required_for;  ///< types it is required for although `required` is false
  std::vector<TypeDefault> type_defaults; ///< defaults that differ by type
  Role role = Role::kUnassigned;          ///< set for every key from the role rules in schema.cpp

  [[nodiscard]] bool applies_to(std::string_view type) const;
  /// Must be written for an element of this type.
  [[nodiscard]] bool required_for_type(std::string_view type) const;
  [[nodiscard]] std::optional<double> default_number_for(std::string_view type) const;
  [[nodiscard]] std::optional<std::string> default_text_for(std::string_view type) const;
};

/// A table (`[time]`) or an array of tables (`[[segment]]`, addressed by `id`).
struct TableSpec {
  std::string path;  ///< pattern, e.g. "technology.efficiency" or "segment"
  bool array = false;
  bool required = false;
  std::string doc;
};

const std::vector<KeySpec>& scenario_keys();
const std::vector<TableSpec>& scenario_tables();

/// The spec whose pattern is `pattern`, or nullptr.
const KeySpec* find_key(const std::string& pattern);
const TableSpec* find_table(const std::string& pattern);

/// The key reference of docs/scenario.md, as Markdown.
std::string schema_markdown();

/// The key reference as JSON (`bubblesim schema --json` and the server's GET /api/schema):
/// {"tables": [{path, array, required, doc}], "keys": [{path, role, type, unit, accepted_units,
/// unit_factors ({word: what one of it is in `unit`}), min, max (null when open), min_exclusive,
/// required, doc, choices, default, for_types (only for keys of some types)}]}.
nlohmann::json schema_json();

/// Text of a value type for messages ("a number in GW", "a month YYYY-MM").
std::string describe_type(const KeySpec& spec);

}  // namespace bsim::io
