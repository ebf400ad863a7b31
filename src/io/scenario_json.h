#pragma once
/// Scenarios sent as JSON (the server's API, DESIGN §3): the same tables and keys as a TOML
/// scenario file, tables as objects and arrays of tables (`[[firm]]`, `[[contract]]`) as arrays
/// of objects, `extends` allowed. Errors are the loader's, located by a JSON pointer into the
/// document instead of a line and column:
///
///   const nlohmann::json doc = {{"extends", "default"},
///                               {"shock", {{{"id", "play"}, {"month", "2027-06"}, {"multiplier", 100}}}}};
///   io::LoadedScenario s = io::load_scenario_json(doc, "request");
///   // a bad multiplier throws core::InputError with pos.pointer == "/shock/0/multiplier"
///
/// The document is written out as TOML text that maps each line back to a pointer and goes
/// through the one loader, so a JSON scenario is validated exactly as a file is. No TOML text
/// from the caller is parsed: keys and strings are escaped when written.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/scenario_loader.h"

namespace bsim::io {

/// One reference token of a JSON pointer (RFC 6901): '~' written "~0", '/' written "~1".
std::string json_pointer_token(const std::string& key);

/// Deepest nesting of objects and arrays a JSON scenario may have (a scenario file needs 5).
inline constexpr int kMaxJsonScenarioDepth = 16;

/// Validates and converts a JSON scenario. `overrides` are `path=value` strings (`--set`);
/// their errors keep the `--set` position (file "--set", line = the override's index from 1).
/// Throws core::InputError listing every problem: problems in the document carry
/// `pos.file == source_name` and `pos.pointer`; problems in a built-in file it extends keep
/// that file's line and column.
LoadedScenario load_scenario_json(const nlohmann::json& document, const std::string& source_name,
                                  const std::vector<std::string>& overrides = {});

/// The TOML text `load_scenario_json` validates, and for each of its lines (index = line − 1)
/// the JSON pointer it came from. Throws core::InputError for what TOML cannot express (null,
/// arrays mixing tables and values, nesting deeper than kMaxJsonScenarioDepth, a document that
/// is not an object).
struct JsonAsToml {
  std::string text;
  std::vector<std::string> line_pointers;
};
JsonAsToml json_to_toml(const nlohmann::json& document, const std::string& source_name);

}  // namespace bsim::io
