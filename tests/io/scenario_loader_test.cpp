// Valid scenarios: built-ins load, units convert to canonical ones, `extends` merges, `--set`
// overrides, schema defaults fill what is omitted, and values remember where they were written.
// Runs from the repository root (tests/io/data/ holds the fixtures).

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "io/scenario_loader.h"
#include "io/schema.h"

namespace bsim::io {
namespace {

constexpr const char* kMinimal = "tests/io/data/minimal.toml";

/// The loaded scenario; else a failure listing every diagnostic, and the test stops.
LoadedScenario load_or_fail(const std::string& name, const std::vector<std::string>& sets = {}) {
  try {
    return load_scenario(name, sets);
  } catch (const core::InputError& e) {
    ADD_FAILURE() << name << " did not load:\n" << e.diagnostics().str();
    throw;
  }
}

void expect_pos(const ParamMap& params, const std::string& path, const std::string& file, int line, int col) {
  const auto it = params.find(path);
  ASSERT_NE(it, params.end()) << path;
  EXPECT_EQ(it->second.pos.file, file) << path;
  EXPECT_EQ(it->second.pos.line, line) << path;
  EXPECT_EQ(it->second.pos.col, col) << path;
}

TEST(ScenarioLoader, DefaultBuiltInLoadsWithItsSegmentsFirmsAndContract) {
  const LoadedScenario s = load_or_fail("default");
  EXPECT_EQ(s.source_name, "scenarios/default.toml");
  EXPECT_EQ(s.scenario.name, "default");
  EXPECT_EQ(s.scenario.time.start.str(), "2026-01");
  EXPECT_EQ(s.scenario.time.end.str(), "2036-12");
  EXPECT_EQ(s.scenario.time.months(), 132);
  ASSERT_EQ(s.scenario.segments.size(), 1u);
  EXPECT_EQ(s.scenario.segments[0].id, "all");
  ASSERT_EQ(s.scenario.firms.size(), 2u);
  EXPECT_EQ(s.scenario.firms[0].id, "openai");
  EXPECT_EQ(s.scenario.firms[0].name, "OpenAI");
  EXPECT_EQ(s.scenario.firms[0].type, model::FirmType::kLab);
  EXPECT_EQ(s.scenario.firms[1].id, "oracle");
  EXPECT_EQ(s.scenario.firms[1].type, model::FirmType::kHyperscaler);
  ASSERT_EQ(s.scenario.contracts.size(), 1u);
  const model::ComputeCommitment& c = s.scenario.contracts[0];
  EXPECT_EQ(c.buyer, model::FirmId{0});
  EXPECT_EQ(c.seller, model::FirmId{1});
  EXPECT_EQ(c.start.str(), "2027-01");
  EXPECT_EQ(c.end.str(), "2031-12");
  EXPECT_TRUE(s.scenario.shocks.empty());
}

TEST(ScenarioLoader, DefaultValuesWrittenWithUnitsArriveInCanonicalUnits) {
  const LoadedScenario s = load_or_fail("default");
  EXPECT_DOUBLE_EQ(s.scenario.supply.initial_installed.value(), 12e6);               // "12 MH100e"
  EXPECT_DOUBLE_EQ(s.scenario.supply.initial_deliveries_per_month.value(), 0.75e6);  // "0.75 MH100e"
  EXPECT_DOUBLE_EQ(s.scenario.contracts[0].volume.value(), 3.6e6);                   // "3.6 MH100e"
  EXPECT_EQ(s.scenario.supply.build_lead_time_months, 18);
}

TEST(ScenarioLoader, Sudden100xHasDefaultsSegmentsAndFirmsPlusItsOwnShock) {
  const LoadedScenario base = load_or_fail("default");
  const LoadedScenario s = load_or_fail("sudden-100x");
  EXPECT_EQ(s.source_name, "scenarios/sudden-100x.toml");
  EXPECT_EQ(s.scenario.name, "sudden-100x");
  EXPECT_NE(s.scenario.description, base.scenario.description);
  ASSERT_EQ(s.scenario.segments.size(), base.scenario.segments.size());
  EXPECT_EQ(s.scenario.segments[0].id, base.scenario.segments[0].id);
  EXPECT_DOUBLE_EQ(s.scenario.segments[0].initial_gap, base.scenario.segments[0].initial_gap);
  ASSERT_EQ(s.scenario.firms.size(), base.scenario.firms.size());
  for (std::size_t i = 0; i < s.scenario.firms.size(); ++i)
    EXPECT_EQ(s.scenario.firms[i].id, base.scenario.firms[i].id);
  EXPECT_EQ(s.scenario.contracts.size(), base.scenario.contracts.size());
  EXPECT_EQ(s.scenario.time.end, base.scenario.time.end);
  ASSERT_EQ(s.scenario.shocks.size(), 1u);
  EXPECT_EQ(s.scenario.shocks[0].id, "algorithmic-100x");
  EXPECT_EQ(s.scenario.shocks[0].kind, model::ShockKind::kEfficiency);
  EXPECT_EQ(s.scenario.shocks[0].month.str(), "2027-06");
  EXPECT_DOUBLE_EQ(s.scenario.shocks[0].multiplier, 100.0);
}

TEST(ScenarioLoader, ExtendsMergesArrayElementsByIdAndAppendsNewIds) {
  const std::string text =
      "extends = \"default\"\n"
      "name = \"merged\"\n"
      "\n"
      "[[firm]]\n"
      "id = \"openai\"\n"
      "name = \"OpenAI Group\"\n"  // merges into default's openai: type stays "lab"
      "\n"
      "[[firm]]\n"
      "id = \"coreweave\"\n"
      "type = \"neocloud\"\n"
      "\n"
      "[supply]\n"
      "build_lead_time_months = 24\n";  // the rest of [supply] stays default's
  const LoadedScenario base = load_or_fail("default");
  const LoadedScenario s = load_scenario_text(text, "merged.toml");
  EXPECT_EQ(s.scenario.name, "merged");
  ASSERT_EQ(s.scenario.firms.size(), 3u);
  EXPECT_EQ(s.scenario.firms[0].id, "openai");
  EXPECT_EQ(s.scenario.firms[0].name, "OpenAI Group");
  EXPECT_EQ(s.scenario.firms[0].type, model::FirmType::kLab);
  EXPECT_EQ(s.scenario.firms[2].id, "coreweave");
  EXPECT_EQ(s.scenario.firms[2].type, model::FirmType::kNeocloud);
  EXPECT_EQ(s.scenario.supply.build_lead_time_months, 24);
  EXPECT_DOUBLE_EQ(s.scenario.supply.initial_installed.value(), base.scenario.supply.initial_installed.value());
  // Merged values keep the file they were written in.
  expect_pos(s.params, "firm.openai.name", "merged.toml", 6, 8);
  expect_pos(s.params, "firm.coreweave.type", "merged.toml", 10, 8);
  expect_pos(s.params, "supply.build_lead_time_months", "merged.toml", 13, 26);
  expect_pos(s.params, "firm.openai.type", "scenarios/default.toml", 77, 8);
}

/// A `--set` on the minimal scenario and the value it must produce, in canonical units.
struct UnitCase {
  std::string set;
  std::function<double(const model::Scenario&)> get;
  double expected;
};

TEST(ScenarioLoader, SetValuesWithUnitsConvertToCanonicalUnits) {
  using S = model::Scenario;
  const std::vector<UnitCase> cases = {
      {"supply.initial_installed_h100e=12 MH100e", [](const S& s) { return s.supply.initial_installed.value(); },
       1.2e7},
      {"supply.initial_installed_h100e=1200 kH100e", [](const S& s) { return s.supply.initial_installed.value(); },
       1.2e6},
      {"supply.initial_installed_h100e=+7e5", [](const S& s) { return s.supply.initial_installed.value(); }, 7e5},
      {"supply.build_lead_time_months=18 months", [](const S& s) { return double(s.supply.build_lead_time_months); },
       18},
      {"supply.build_lead_time_months=1.5 years", [](const S& s) { return double(s.supply.build_lead_time_months); },
       18},
      {"supply.build_lead_time_months=6 quarters", [](const S& s) { return double(s.supply.build_lead_time_months); },
       18},
      {"supply.kw_per_h100e=1250 W", [](const S& s) { return s.supply.kw_per_h100e; }, 1.25},
      {"supply.power_price_usd_per_mwh=0.08 USD/kWh", [](const S& s) { return s.supply.power_price_usd_per_mwh; }, 80},
      {"supply.failure_rate_per_year=5%", [](const S& s) { return s.supply.failure_rate_per_year; }, 0.05},
      {"supply.usd_per_h100e=45 kUSD", [](const S& s) { return s.supply.usd_per_h100e; }, 45000},
      {"technology.efficiency.trend_per_year=2.8x", [](const S& s) { return s.technology.efficiency.trend_per_year; },
       2.8},
      {"training.initial_budget_usd_bn_per_month=500 USDm",
       [](const S& s) { return s.training.initial_budget_per_month.value(); }, 0.5},
      {"training.initial_budget_usd_bn_per_month=1.2 USDtn",
       [](const S& s) { return s.training.initial_budget_per_month.value(); }, 1200},
      {"market.initial_spot_price_usd_per_h100e_hour=2.5 USD/h", [](const S& s) { return s.market.initial_spot_price; },
       2.5},
      {"segment.chat.adjustment_months=2 years", [](const S& s) { return s.segments[0].adjustment_months; }, 24},
      {"segment.chat.other_cost_usd_per_unit=0.25 USD",
       [](const S& s) { return s.segments[0].other_cost_usd_per_unit; }, 0.25},
  };
  for (const UnitCase& c : cases) {
    const LoadedScenario s = load_or_fail(kMinimal, {c.set});
    EXPECT_DOUBLE_EQ(c.get(s.scenario), c.expected) << c.set;
  }
}

TEST(ScenarioLoader, ValueWrittenWithAUnitInAFileIsConverted) {
  const LoadedScenario s = load_or_fail(kMinimal);
  EXPECT_DOUBLE_EQ(s.scenario.supply.initial_installed.value(), 1.2e6);  // "1200 kH100e"
  const auto it = s.params.find("supply.initial_installed_h100e");
  ASSERT_NE(it, s.params.end());
  EXPECT_DOUBLE_EQ(std::get<double>(it->second.value), 1.2e6);
}

TEST(ScenarioLoader, SetOverridesAFileValueAndRecordsWhereItCameFrom) {
  const LoadedScenario file_only = load_or_fail("default");
  EXPECT_DOUBLE_EQ(file_only.scenario.segments[0].markup, 2.0);
  const LoadedScenario s = load_or_fail("default", {"segment.all.markup=2.5"});
  EXPECT_DOUBLE_EQ(s.scenario.segments[0].markup, 2.5);
  expect_pos(s.params, "segment.all.markup", "--set", 1, 20);
}

TEST(ScenarioLoader, LaterSetOfTheSamePathWins) {
  const LoadedScenario s = load_or_fail(kMinimal, {"segment.chat.markup=2.5", "segment.chat.markup=3"});
  EXPECT_DOUBLE_EQ(s.scenario.segments[0].markup, 3.0);
  expect_pos(s.params, "segment.chat.markup", "--set", 2, 21);
}

TEST(ScenarioLoader, SetCanGiveAnOptionalKeyTheFileLeavesOut) {
  const LoadedScenario plain = load_or_fail(kMinimal);
  EXPECT_EQ(plain.params.count("supply.failure_rate_per_year"), 0u);
  EXPECT_DOUBLE_EQ(plain.scenario.supply.failure_rate_per_year, 0.05);  // schema default
  const LoadedScenario s = load_or_fail(kMinimal, {"supply.failure_rate_per_year=0.1"});
  EXPECT_DOUBLE_EQ(s.scenario.supply.failure_rate_per_year, 0.1);
}

TEST(ScenarioLoader, SetCanGiveAKeyOfAnOptionalTableTheFileLeavesOut) {
  // minimal.toml has no [market] table.
  const LoadedScenario plain = load_or_fail(kMinimal);
  EXPECT_DOUBLE_EQ(plain.scenario.market.stickiness, 1.0);
  const LoadedScenario s = load_or_fail(kMinimal, {"market.stickiness=0.5", "technology.edge.max_share=30%"});
  EXPECT_DOUBLE_EQ(s.scenario.market.stickiness, 0.5);
  EXPECT_DOUBLE_EQ(s.scenario.technology.edge.max_share, 0.3);
  expect_pos(s.params, "market.stickiness", "--set", 1, 19);
}

TEST(ScenarioLoader, SchemaDefaultsApplyToOmittedKeys) {
  using S = model::Scenario;
  const LoadedScenario s = load_or_fail(kMinimal);
  // Keys minimal.toml leaves out, each with what the Scenario holds for it.
  const std::vector<std::pair<std::string, std::function<double(const S&)>>> omitted = {
      {"technology.efficiency.trend_per_year", [](const S& x) { return x.technology.efficiency.trend_per_year; }},
      {"technology.edge.midpoint_efficiency", [](const S& x) { return x.technology.edge.midpoint_efficiency; }},
      {"supply.build_lead_time_months", [](const S& x) { return double(x.supply.build_lead_time_months); }},
      {"supply.usd_per_h100e", [](const S& x) { return x.supply.usd_per_h100e; }},
      {"supply.kw_per_h100e", [](const S& x) { return x.supply.kw_per_h100e; }},
      {"build.growth_window_months", [](const S& x) { return double(x.build.growth_window_months); }},
      {"segment.*.usage_growth_per_year", [](const S& x) { return x.segments.at(0).usage_growth_per_year; }},
      {"segment.*.elasticity_long_run", [](const S& x) { return x.segments.at(0).elasticity_long_run; }},
      {"training.budget_growth_per_year", [](const S& x) { return x.training.budget_growth_per_year; }},
      {"market.scarcity_price_cap_usd_per_h100e_hour", [](const S& x) { return x.market.scarcity_price_cap; }},
      {"contract.*.take_or_pay_share", [](const S& x) { return x.contracts.at(0).take_or_pay_share; }},
  };
  for (const auto& [pattern, get] : omitted) {
    const KeySpec* spec = find_key(pattern);
    ASSERT_NE(spec, nullptr) << pattern;
    ASSERT_TRUE(spec->default_number.has_value()) << pattern;
    EXPECT_DOUBLE_EQ(get(s.scenario), *spec->default_number) << pattern;
  }
  EXPECT_EQ(s.scenario.supply.build_lead_time_months, 12);
  EXPECT_EQ(s.scenario.description, "");
  EXPECT_EQ(s.scenario.service_unit_name, "million tokens");
  ASSERT_EQ(s.scenario.firms.size(), 2u);
  EXPECT_EQ(s.scenario.firms[0].name, "acme-lab");  // the name defaults to the id
  EXPECT_TRUE(s.scenario.shocks.empty());
}

TEST(ScenarioLoader, ParamsKeepTheLineAndColumnOfEachValue) {
  const LoadedScenario m = load_or_fail(kMinimal);
  expect_pos(m.params, "supply.initial_installed_h100e", kMinimal, 10, 27);
  expect_pos(m.params, "firm.cloudco.type", kMinimal, 26, 8);
  expect_pos(m.params, "contract.deal.buyer", kMinimal, 31, 9);
  EXPECT_EQ(m.params.at("contract.deal.buyer").spec->path, "contract.*.buyer");
  EXPECT_EQ(m.params.count("segment.chat.markup"), 0u);  // defaults are not "written" values

  const LoadedScenario d = load_or_fail("default");
  expect_pos(d.params, "supply.initial_installed_h100e", "scenarios/default.toml", 30, 27);
  expect_pos(d.params, "segment.all.markup", "scenarios/default.toml", 56, 10);
}

TEST(ScenarioLoader, ExtendingScenarioKeepsPositionsInBothFiles) {
  const LoadedScenario s = load_or_fail("sudden-100x");
  expect_pos(s.params, "name", "scenarios/sudden-100x.toml", 5, 8);
  expect_pos(s.params, "shock.algorithmic-100x.month", "scenarios/sudden-100x.toml", 11, 9);
  expect_pos(s.params, "shock.algorithmic-100x.multiplier", "scenarios/sudden-100x.toml", 12, 14);
  expect_pos(s.params, "supply.initial_installed_h100e", "scenarios/default.toml", 30, 27);
}

TEST(ScenarioLoader, LoadedScenarioKeepsItsTextAndSourceName) {
  const LoadedScenario s = load_or_fail(kMinimal);
  EXPECT_EQ(s.source_name, kMinimal);
  EXPECT_NE(s.text.find("name = \"minimal\""), std::string::npos);
}

TEST(ScenarioLoader, ValidMultiByteUtf8InCommentsAndStringsIsAccepted) {
  // "\xC7\xBE" is U+01FE (Ǿ), a valid two-byte sequence; "\xF0\x9F\x93\x88" is a four-byte emoji.
  const LoadedScenario m = load_or_fail(kMinimal);
  std::string text = m.text;
  text.replace(text.find("name = \"minimal\""), 16, "name = \"\xC7\xBE \xF0\x9F\x93\x88\"  # \xC7\xBE");
  const LoadedScenario s = load_scenario_text(text, "utf8.toml");
  EXPECT_EQ(s.scenario.name, "\xC7\xBE \xF0\x9F\x93\x88");
}

TEST(ScenarioLoader, FindInvalidUtf8AcceptsValidTextAndLocatesTheFirstBadByte) {
  EXPECT_FALSE(find_invalid_utf8("plain ascii\nand \xC7\xBE and \xE2\x89\x88 and \xF0\x9F\x93\x88\n").has_value());
  const auto bad = find_invalid_utf8("ok\n\xE2\x89\x88 x\xFF");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->line, 2);
  EXPECT_EQ(bad->col, 4);
  EXPECT_TRUE(find_invalid_utf8("\xF4\x90\x80\x80").has_value());  // above U+10FFFF
  EXPECT_TRUE(find_invalid_utf8("\xE0\x80\xAF").has_value());      // overlong three-byte form
}

}  // namespace
}  // namespace bsim::io
