#pragma once
/// The built-in scenarios (files under `scenarios/`), embedded in the binary at build time.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bsim::io {

struct EmbeddedFile {
  const char* name;    ///< e.g. "default", "history/telecom-1996"
  const char* path;    ///< e.g. "scenarios/default.toml", used in error messages
  const char* bytes;
  std::size_t size;
};

extern const EmbeddedFile kEmbeddedScenarios[];
extern const std::size_t kEmbeddedScenarioCount;

/// Every built-in scenario, sorted by name.
std::vector<EmbeddedFile> builtin_scenarios();
/// The built-in scenario of that name, if any.
std::optional<EmbeddedFile> find_builtin_scenario(std::string_view name);
/// Names of all built-in scenarios (for "did you mean" suggestions).
std::vector<std::string> builtin_scenario_names();

}  // namespace bsim::io
