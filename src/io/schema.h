#pragma once
/// The scenario schema: every table and key a scenario file may contain, with its type, unit,
/// range, default and meaning. The validator checks files against it and `docs/scenario.md`
/// is generated from it, so the two cannot drift.

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "io/units_parser.h"

namespace bsim::io {

/// kSeries: a table of numbers keyed by year (`{ 2026 = 17, 2027 = 35 }`), addressed as
/// `<path>.<year>`.
enum class ValueType { kNumber, kInteger, kString, kMonth, kBool, kEnum, kRef, kSeries };

/// One key. `path` is a pattern: elements of arrays of tables appear as `*`
/// (`segment.*.elasticity_long_run`); concrete paths use the element's id instead.
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
  std::vector<std::string> choices;  ///< kEnum
  std::string ref_table;             ///< kRef: the array of tables whose ids it names
  std::string doc;
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

/// Text of a value type for messages ("a number in GW", "a month YYYY-MM").
std::string describe_type(const KeySpec& spec);

}  // namespace bsim::io
