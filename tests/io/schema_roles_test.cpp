// Every scenario key has a role (docs/scenario.md, "Roles"): world, behaviour, verdict or
// numerics. A key added without one fails here, whoever adds it. The roles reach the
// generated reference and `schema --json`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

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
// behaviour.
TEST(SchemaRoles, VerdictIsExactlyTheVerdictTableAndDecisionTablesAreBehaviour) {
  for (const KeySpec& k : scenario_keys()) {
    const bool in_verdict = k.path.rfind("verdict.", 0) == 0;
    EXPECT_EQ(k.role == Role::kVerdict, in_verdict) << k.path;
    for (const char* table : {"build.", "sentiment.", "credit."}) {
      if (k.path.rfind(table, 0) == 0) {
        EXPECT_EQ(k.role, Role::kBehaviour) << k.path;
      }
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

}  // namespace
}  // namespace bsim::io
