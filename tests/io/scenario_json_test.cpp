// Scenarios sent as JSON (the server's API): the same validation as TOML files, errors located
// by JSON pointers, strings escaped, and nothing TOML cannot express let through.
#include "io/scenario_json.h"

#include <gtest/gtest.h>

#include <toml++/toml.h>

#include <sstream>

#include "core/diagnostics.h"
#include "io/builtin_scenarios.h"
#include "io/output.h"
#include "sim/run_path.h"

namespace bsim::io {
namespace {

using nlohmann::json;

/// The built-in scenario as JSON, the way a page converting the TOML file would send it.
json builtin_as_json(const std::string& name) {
  const auto f = find_builtin_scenario(name);
  EXPECT_TRUE(f.has_value());
  const toml::table table = toml::parse(std::string_view(f->bytes, f->size), std::string_view(f->path));
  std::ostringstream out;
  out << toml::json_formatter{table};
  return json::parse(out.str());
}

/// Every error's pointer (and the message, for failures), sorted as the diagnostics are.
std::vector<std::string> pointers_of(const json& doc, const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario_json(doc, "request", overrides);
  } catch (const core::InputError& e) {
    std::vector<std::string> out;
    for (const core::Diagnostic& d : e.diagnostics().sorted()) {
      out.push_back(d.pos.file == "request" ? d.pos.pointer : d.pos.file + ":" + std::to_string(d.pos.line));
    }
    return out;
  }
  ADD_FAILURE() << "no error for " << doc.dump();
  return {};
}

TEST(JsonScenario, TheDefaultScenarioAsJsonRunsExactlyAsTheTomlFile) {
  const json doc = builtin_as_json("default");
  const LoadedScenario from_json = load_scenario_json(doc, "request");
  const LoadedScenario from_toml = load_scenario("default");
  EXPECT_EQ(from_json.uncertain.size(), from_toml.uncertain.size());
  EXPECT_EQ(from_json.correlations.size(), from_toml.correlations.size());
  const sim::PathResult a = sim::run_path(from_json.scenario, 0, 1);
  const sim::PathResult b = sim::run_path(from_toml.scenario, 0, 1);
  EXPECT_EQ(timeseries_csv(a.months), timeseries_csv(b.months));
}

TEST(JsonScenario, AVariantExtendingABuiltInMatchesTheSameTomlVariant) {
  const json doc = {{"extends", "default"},
                    {"name", "play"},
                    {"shock", {{{"id", "algorithmic-100x"}, {"month", "2027-06"}, {"multiplier", 100}}}}};
  const LoadedScenario from_json = load_scenario_json(doc, "request");
  const LoadedScenario from_toml = load_scenario_text(
      "extends = \"default\"\nname = \"play\"\n[[shock]]\nid = \"algorithmic-100x\"\nmonth = \"2027-06\"\nmultiplier = 100\n", "play.toml");
  ASSERT_EQ(from_json.scenario.shocks.size(), 1u);
  EXPECT_EQ(timeseries_csv(sim::run_path(from_json.scenario, 0, 1).months),
            timeseries_csv(sim::run_path(from_toml.scenario, 0, 1).months));
}

TEST(JsonScenario, ErrorsAreLocatedByJsonPointers) {
  const json doc = {{"extends", "default"},
                    {"technology", {{"efficiency", {{"trend", 3}}}}},
                    {"shock", {{{"id", "a"}, {"month", "2027-06"}, {"multiplier", 2}},
                               {{"id", "b"}, {"month", "2027-07"}, {"multiplier", -5}}}}};
  const std::vector<std::string> got = pointers_of(doc);
  EXPECT_NE(std::find(got.begin(), got.end(), "/technology/efficiency/trend"), got.end()) << ::testing::PrintToString(got);
  EXPECT_NE(std::find(got.begin(), got.end(), "/shock/1/multiplier"), got.end()) << ::testing::PrintToString(got);
  EXPECT_EQ(got.size(), 2u) << ::testing::PrintToString(got);
}

TEST(JsonScenario, AMessageSuggestsTheKeyMeant) {
  try {
    load_scenario_json({{"extends", "default"}, {"technology", {{"efficiency", {{"trend_per_yaer", 3}}}}}}, "request");
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    const std::string text = e.diagnostics().str();
    EXPECT_NE(text.find("request#/technology/efficiency/trend_per_yaer: error:"), std::string::npos) << text;
    EXPECT_NE(text.find("did you mean 'trend_per_year'"), std::string::npos) << text;
  }
}

TEST(JsonScenario, PointerTokensAreEscaped) {
  const std::vector<std::string> got = pointers_of({{"extends", "default"}, {"a/b~c", 1}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "/a~1b~0c");
}

TEST(JsonScenario, StringsAreWrittenAsDataNeverAsToml) {
  // Quotes, backslashes, newlines and TOML syntax in a value stay one string.
  const std::string evil = "x\"\n[time]\nstart = \"1999-01\"\n\\ \t\u00e9 \x01";
  const LoadedScenario s = load_scenario_json({{"extends", "default"}, {"description", evil}}, "request");
  EXPECT_EQ(s.scenario.description, evil);
  EXPECT_EQ(s.scenario.time.start.str(), "2026-01");
}

TEST(JsonScenario, WhatTomlCannotHoldIsRefusedWithItsPointer) {
  EXPECT_EQ(pointers_of({{"extends", "default"}, {"description", nullptr}}), std::vector<std::string>{"/description"});
  EXPECT_EQ(pointers_of(json::array({1, 2})), std::vector<std::string>{""});
  EXPECT_EQ(pointers_of({{"extends", "default"}, {"x", json::array({json::object({{"id", "a"}}), 3})}}),
            std::vector<std::string>{"/x/0"});
}

TEST(JsonScenario, DeepNestingIsAnErrorNotACrash) {
  // Parsed, not built by copies: copying a json value is recursive, parsing is not.
  const int depth = 5000;
  const json doc = json::parse("{\"extends\": \"default\", \"deep\": " + std::string(depth, '[') + "1" + std::string(depth, ']') + "}");
  const std::vector<std::string> got = pointers_of(doc);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].rfind("/deep/0/0/0", 0), 0u) << got[0];
}

TEST(JsonScenario, ProblemsInTheExtendedBuiltInKeepTheirFileAndSetKeepsItsIndex) {
  const std::vector<std::string> got =
      pointers_of({{"extends", "default"}}, {"build.optimism=2", "build.optimism=-1"});
  EXPECT_EQ(got, std::vector<std::string>{"--set:2"});
}

TEST(JsonScenario, AnEmptyDocumentIsAnError) {
  EXPECT_EQ(pointers_of(json::object()), std::vector<std::string>{""});
}

TEST(JsonScenario, NumbersKeepTheirTypes) {
  // A whole-number key given as 36.0 is accepted as 36; a fraction is refused as in a file.
  const LoadedScenario ok =
      load_scenario_json({{"extends", "default"}, {"supply", {{"power", {{"lead_time_months", 36.0}}}}}}, "request");
  EXPECT_EQ(ok.scenario.supply.power.lead_time_months, 36);
  EXPECT_EQ(pointers_of({{"extends", "default"}, {"supply", {{"power", {{"lead_time_months", 36.5}}}}}}),
            std::vector<std::string>{"/supply/power/lead_time_months"});
}

}  // namespace
}  // namespace bsim::io
