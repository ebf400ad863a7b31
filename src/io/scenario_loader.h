#pragma once
/// Scenario files: UTF-8 check, TOML parsing, validation against the schema, `--set`
/// overrides, and conversion into one plain `model::Scenario`.
///
///   io::LoadedScenario s = io::load_scenario("sudden-100x", {"segment.consumer.markup=2.5"});
///   sim::run_path(s.scenario, /*path_id=*/0, /*seed=*/1);
///
/// Every semantic problem is reported at once as `file:line:col: error: …` in a thrown
/// core::InputError; a TOML syntax error stops at the first.

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/diagnostics.h"
#include "io/schema.h"
#include "model/scenario.h"

namespace bsim::io {

/// One scenario value at its concrete path (`segment.consumer.markup`), in canonical units.
struct ParamValue {
  std::variant<double, std::string, bool> value;
  core::SourcePos pos;
  const KeySpec* spec = nullptr;
};

/// Concrete path → value, for every value written in the file or set with `--set`.
using ParamMap = std::map<std::string, ParamValue>;

struct LoadedScenario {
  model::Scenario scenario;
  ParamMap params;
  std::string source_name;  ///< file path or `scenarios/<name>.toml`
  std::string text;         ///< the scenario text as read
};

/// Validates and converts scenario text. `overrides` are `path=value` strings (`--set`).
/// Throws core::InputError listing every problem.
LoadedScenario load_scenario_text(std::string_view text, const std::string& source_name,
                                  const std::vector<std::string>& overrides = {});

/// Loads a built-in scenario by name, or else a file by path. Throws core::InputError.
LoadedScenario load_scenario(const std::string& name_or_path, const std::vector<std::string>& overrides = {});

/// Position (1-based line and column) of the first byte that is not valid UTF-8, if any.
/// Rejects overlong forms, surrogates and code points above U+10FFFF.
std::optional<core::SourcePos> find_invalid_utf8(std::string_view text);

}  // namespace bsim::io
