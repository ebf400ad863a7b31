#include "io/builtin_scenarios.h"

namespace bsim::io {

std::vector<EmbeddedFile> builtin_scenarios() {
  return {kEmbeddedScenarios, kEmbeddedScenarios + kEmbeddedScenarioCount};
}

std::optional<EmbeddedFile> find_builtin_scenario(std::string_view name) {
  for (std::size_t i = 0; i < kEmbeddedScenarioCount; ++i) {
    if (name == kEmbeddedScenarios[i].name) return kEmbeddedScenarios[i];
  }
  return std::nullopt;
}

std::vector<std::string> builtin_scenario_names() {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < kEmbeddedScenarioCount; ++i) names.emplace_back(kEmbeddedScenarios[i].name);
  return names;
}

}  // namespace bsim::io
