#pragma once
/// Scenario files: UTF-8 check, TOML parsing, validation against the schema, `--set`
/// overrides, and conversion into one plain `model::Scenario`.
///
///   io::LoadedScenario s = io::load_scenario("sudden-100x", {"segment.consumer.markup=2.5"});
///   sim::run_path(s.scenario, /*path_id=*/0, /*seed=*/1);
///
/// Every semantic problem is reported at once as `file:line:col: error: …` in a thrown
/// core::InputError; a TOML syntax error stops at the first.
///
/// `[uncertain]` gives scenario numbers distributions for Monte Carlo (docs/scenario.md,
/// "Uncertain parameters"). Loading validates it but builds the scenario from the base values;
/// `instantiate` then makes the scenario of one path from drawn values:
///
///   const io::LoadedScenario loaded = io::load_scenario("my.toml");
///   analysis::ParameterSampler sampler(loaded.uncertain, loaded.correlations);
///   const std::vector<double> x = sampler.draw(seed, path_id);
///   std::vector<std::pair<std::string, double>> values;
///   for (std::size_t i = 0; i < x.size(); ++i) values.emplace_back(loaded.uncertain[i].key, x[i]);
///   const model::Scenario path_scenario = io::instantiate(loaded, values);

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "analysis/sampler.h"
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

/// What `instantiate` keeps from validation (opaque, immutable, shared by copies).
struct ScenarioSnapshot;

struct LoadedScenario {
  model::Scenario scenario;  ///< with the base values: [uncertain] does not change it
  ParamMap params;
  std::string source_name;  ///< file path or `scenarios/<name>.toml`
  std::string text;         ///< the scenario text as read
  /// The keys of [uncertain] with their distributions, in declaration order (a built-in base's
  /// first), and the rank correlations of [[uncertain_correlation]]; both checked.
  std::vector<analysis::UncertainParameter> uncertain;
  std::vector<analysis::RankCorrelation> correlations;
  std::shared_ptr<const ScenarioSnapshot> snapshot;
  std::vector<std::string> overrides;  ///< the `--set` strings applied, in order
};

/// Validates and converts scenario text. `overrides` are `path=value` strings (`--set`).
/// Throws core::InputError listing every problem.
LoadedScenario load_scenario_text(std::string_view text, const std::string& source_name,
                                  const std::vector<std::string>& overrides = {});

/// The scenario with the given concrete keys set to the given numbers (canonical units), the
/// same field by field as loading with `--set key=value` for each, after any `--set` the
/// scenario was loaded with; without parsing the text again (only the conversion into
/// model::Scenario reruns). A key of whole numbers takes the nearest whole number. Throws
/// core::InputError for an unknown key, a key that is not a number, or a value out of range
/// or breaking a rule between keys (located at the key's [uncertain] entry where it has one);
/// std::logic_error if `loaded` was not made by load_scenario or load_scenario_text.
model::Scenario instantiate(const LoadedScenario& loaded, const std::vector<std::pair<std::string, double>>& values);

/// The keys the scenario's own file writes — not those of a built-in it `extends`, nor `--set`
/// values — whose schema role is `role` (io::Role), as concrete paths (`firm.lumen.financing`;
/// a yearly series once, without its years), sorted. A key the file gives a distribution in
/// `[uncertain]` counts as written. `validate-history` warns with it about behaviour keys.
std::vector<std::string> keys_written_with_role(const LoadedScenario& loaded, Role role);

/// Loads a built-in scenario by name, or else a file by path. Throws core::InputError.
LoadedScenario load_scenario(const std::string& name_or_path, const std::vector<std::string>& overrides = {});

/// Position (1-based line and column) of the first byte that is not valid UTF-8, if any.
/// Rejects overlong forms, surrogates and code points above U+10FFFF.
std::optional<core::SourcePos> find_invalid_utf8(std::string_view text);

}  // namespace bsim::io
