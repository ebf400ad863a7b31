// A history describes the world; behaviour is what the model brings to it (docs/scenario.md,
// "Roles"). So no built-in history (scenarios/history/*.toml) may set a behaviour key itself.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/builtin_scenarios.h"
#include "io/scenario_loader.h"

namespace bsim::io {
namespace {

TEST(HistoryRoles, NoBuiltInHistorySetsABehaviourKey) {
  int histories = 0;
  for (const std::string& name : builtin_scenario_names()) {
    if (name.rfind("history/", 0) != 0) continue;
    ++histories;
    const LoadedScenario loaded = load_scenario(name);
    EXPECT_EQ(keys_written_with_role(loaded, Role::kBehaviour), std::vector<std::string>{})
        << loaded.source_name << " sets behaviour keys";
  }
  EXPECT_GT(histories, 0) << "no built-in history found under scenarios/history";
}

}  // namespace
}  // namespace bsim::io
