// Every scenario key has a role (docs/scenario.md, "Roles"): world, behaviour, verdict or
// numerics. A key added without one fails here, whoever adds it. The roles reach the
// generated reference and `schema --json`, and a scenario file's own keys can be listed by role.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "io/scenario_loader.h"
#include "io/schema.h"

namespace bsim::io {
namespace {

const std::set<std::string> kRoles = {"world", "behaviour", "verdict", "numerics"};

TEST(SchemaRoles, EveryKeyHasOneOfTheFourRoles) {
  std::vector<std::string> without;
  for (const KeySpec& k : scenario_keys()) {
    if (kRoles.count(std::string(role_name(k.role))) == 0) without.push_back(k.path);
  }
  EXPECT_TRUE(without.empty()) << "keys without a role (give each one in kRoleRules, src/io/schema.cpp): "
                               << ::testing::PrintToString(without);
  EXPECT_EQ(role_name(Role::kUnassigned), "unassigned");
}

// The rule the docs state: `verdict` is exactly the keys of [verdict], and the tables DESIGN
// counts as agents' decisions as a whole (the build rule, sentiment, credit appetite) are
// behaviour — except, in [build], the owners' expectation at the start (a state of the world)
// and whether orders can be cancelled (a term of the makers' contracts).
TEST(SchemaRoles, VerdictIsExactlyTheVerdictTableAndDecisionTablesAreBehaviour) {
  const std::vector<std::string> world_in_build = {"build.initial_growth_per_year", "build.order_cancellation"};
  for (const KeySpec& k : scenario_keys()) {
    const bool in_verdict = k.path.rfind("verdict.", 0) == 0;
    EXPECT_EQ(k.role == Role::kVerdict, in_verdict) << k.path;
    for (const char* table : {"build.", "sentiment.", "credit."}) {
      if (k.path.rfind(table, 0) != 0) continue;
      const bool exception = std::find(world_in_build.begin(), world_in_build.end(), k.path) != world_in_build.end();
      EXPECT_EQ(k.role, exception ? Role::kWorld : Role::kBehaviour) << k.path;
    }
  }
}

TEST(SchemaRoles, TheMarkdownAndTheJsonShowEachKeysRole) {
  const std::string md = schema_markdown();
  EXPECT_NE(md.find("| key | type | role | unit |"), std::string::npos);
  EXPECT_NE(md.find("| key | for types | type | role | unit |"), std::string::npos);  // [[contract]] is typed
  EXPECT_NE(md.find("| `optimism` | number | behaviour |"), std::string::npos);
  const nlohmann::json j = schema_json();
  ASSERT_EQ(j["keys"].size(), scenario_keys().size());
  for (std::size_t i = 0; i < scenario_keys().size(); ++i) {
    EXPECT_EQ(j["keys"][i]["path"], scenario_keys()[i].path);
    EXPECT_EQ(j["keys"][i]["role"], std::string(role_name(scenario_keys()[i].role)));
  }
  EXPECT_EQ(j["tables"].size(), scenario_tables().size());
}

// A file that extends `default` (which sets keys of every role itself) and writes one behaviour
// key, one world key and one uncertain behaviour key; a --set behaviour key is not the file's.
TEST(KeysWrittenWithRole, ListsOnlyTheFilesOwnKeysOfThatRole) {
  const std::string text = R"(schema_version = 1
name = "roles"
extends = "default"

[build]
optimism = 0.3

[market]
stickiness = 0.5

[uncertain]
"sentiment.surprise_elasticity" = { dist = "uniform", min = 0.1, max = 0.9 }
)";
  const LoadedScenario loaded = load_scenario_text(text, "roles.toml", {"credit.limit_cut=0.5"});
  EXPECT_EQ(keys_written_with_role(loaded, Role::kBehaviour),
            (std::vector<std::string>{"build.optimism", "sentiment.surprise_elasticity"}));
  const std::vector<std::string> world = keys_written_with_role(loaded, Role::kWorld);
  EXPECT_NE(std::find(world.begin(), world.end(), "market.stickiness"), world.end());
  EXPECT_EQ(std::find(world.begin(), world.end(), "build.optimism"), world.end());
  EXPECT_TRUE(keys_written_with_role(loaded, Role::kVerdict).empty());
}

// A yearly series is one key, named without its years; elements of arrays by their ids.
TEST(KeysWrittenWithRole, NamesASeriesOnceAndArrayElementsByTheirIds) {
  const LoadedScenario base = load_scenario("default");
  ASSERT_FALSE(base.scenario.firms.empty());
  const std::string firm = base.scenario.firms.front().id;
  const std::string text = "schema_version = 1\nname = \"roles\"\nextends = \"default\"\n\n[[firm]]\nid = \"" + firm +
                           "\"\nfinancing = \"equity\"\ncore_capex_usd_bn_per_year = { 2026 = 1, 2027 = 2 }\n";
  const LoadedScenario loaded = load_scenario_text(text, "roles.toml");
  EXPECT_TRUE(keys_written_with_role(loaded, Role::kBehaviour).empty());  // a firm's keys are all world
  const std::vector<std::string> world = keys_written_with_role(loaded, Role::kWorld);
  EXPECT_EQ(std::count(world.begin(), world.end(), "firm." + firm + ".financing"), 1) << ::testing::PrintToString(world);
  EXPECT_EQ(std::count(world.begin(), world.end(), "firm." + firm + ".core_capex_usd_bn_per_year"), 1) << ::testing::PrintToString(world);
}

}  // namespace
}  // namespace bsim::io
