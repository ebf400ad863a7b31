// Valid scenarios: built-ins load, units convert to canonical ones, `extends` merges, `--set`
// overrides, schema defaults fill what is omitted, and values remember where they were written.
// Runs from the repository root (tests/io/data/ holds the fixtures).

#include <gtest/gtest.h>

#include <algorithm>

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "io/builtin_scenarios.h"
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

/// 1-based line of the first line containing `needle` at or after the first line containing
/// `anchor` in the built-in default scenario, so positions follow edits of that file.
int default_line(const std::string& anchor, const std::string& needle) {
  const auto file = find_builtin_scenario("default");
  const std::string text(file->bytes, file->size);
  std::size_t at = text.find(anchor);
  at = text.find(needle, at);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

void expect_pos(const ParamMap& params, const std::string& path, const std::string& file, int line, int col) {
  const auto it = params.find(path);
  ASSERT_NE(it, params.end()) << path;
  EXPECT_EQ(it->second.pos.file, file) << path;
  EXPECT_EQ(it->second.pos.line, line) << path;
  EXPECT_EQ(it->second.pos.col, col) << path;
}

/// The firm with this id; else a failure, and the test stops.
const model::Firm& firm(const model::Scenario& s, const std::string& id) {
  for (const model::Firm& f : s.firms) {
    if (f.id == id) return f;
  }
  ADD_FAILURE() << "no firm '" << id << "'";
  throw std::out_of_range(id);
}

core::Month month(const char* text) { return core::Month::parse(text).value(); }

TEST(ScenarioLoader, DefaultBuiltInLoadsWithItsSegmentsFirmsAndContracts) {
  const LoadedScenario s = load_or_fail("default");
  EXPECT_EQ(s.source_name, "scenarios/default.toml");
  EXPECT_EQ(s.scenario.name, "default");
  EXPECT_EQ(s.scenario.time.start.str(), "2026-01");
  EXPECT_EQ(s.scenario.time.end.str(), "2036-12");
  EXPECT_EQ(s.scenario.time.months(), 132);
  ASSERT_EQ(s.scenario.segments.size(), 3u);
  EXPECT_EQ(s.scenario.segments[0].id, "consumer");
  EXPECT_EQ(s.scenario.segments[1].id, "enterprise");
  EXPECT_EQ(s.scenario.segments[2].id, "internal");
  const std::vector<std::string> firm_ids = {"openai",       "anthropic", "xai",        "microsoft",  "google",
                                             "amazon",       "meta",      "oracle",     "coreweave",  "other-clouds",
                                             "nvidia",       "amd",       "hyperion-spv", "abilene-jv", "dc-developers",
                                             "colossus2-spv"};
  ASSERT_EQ(s.scenario.firms.size(), firm_ids.size());
  for (std::size_t i = 0; i < firm_ids.size(); ++i) EXPECT_EQ(s.scenario.firms[i].id, firm_ids[i]);
  EXPECT_EQ(s.scenario.firms[0].name, "OpenAI");
  EXPECT_EQ(s.scenario.firms[0].type, model::FirmType::kLab);
  EXPECT_EQ(s.scenario.firms[7].type, model::FirmType::kHyperscaler);
  EXPECT_EQ(s.scenario.firms[10].type, model::FirmType::kChipmaker);
  ASSERT_EQ(s.scenario.contracts.size(), 9u);
  const model::ComputeCommitment& c = s.scenario.contracts[0];
  EXPECT_EQ(c.id, "openai-oracle");
  EXPECT_EQ(c.buyer, model::FirmId{0});
  EXPECT_EQ(c.seller, model::FirmId{7});
  EXPECT_EQ(c.start.str(), "2027-01");
  EXPECT_EQ(c.end.str(), "2031-12");
  EXPECT_TRUE(s.scenario.shocks.empty());
}

TEST(ScenarioLoader, DefaultValuesWrittenWithUnitsArriveInCanonicalUnits) {
  const LoadedScenario s = load_or_fail("default");
  const model::SupplyParams& sup = s.scenario.supply;
  EXPECT_DOUBLE_EQ(sup.production.initial_cap_per_month.value(), 1.5e6);         // "1.5 MH100e"
  EXPECT_DOUBLE_EQ(sup.production.initial_backlog.value(), 6e6);                 // "6 MH100e"
  EXPECT_DOUBLE_EQ(s.scenario.contracts[0].volume.value(), 2.7e6);               // "2.7 MH100e"
  EXPECT_DOUBLE_EQ(firm(s.scenario, "microsoft").initial_h100e.value(), 4.2e6);  // "4.2 MH100e"
  EXPECT_EQ(sup.production.project_lead_time_months, 42);
  EXPECT_EQ(sup.datacenter.lead_time_months, 21);
  EXPECT_EQ(sup.power.lead_time_months, 48);  // default.toml: [supply.power] lead_time_months = 48
  EXPECT_DOUBLE_EQ(sup.power.usd_bn_per_gw, 1.5);
  EXPECT_DOUBLE_EQ(sup.production.usd_bn_per_h100e_per_month, 150000 / 1e9);  // USD in the file, USD bn held
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
  ASSERT_EQ(s.scenario.technology.generations.size(), base.scenario.technology.generations.size());
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
      "id = \"newco\"\n"
      "type = \"neocloud\"\n"
      "\n"
      "[supply.production]\n"
      "project_lead_time_months = 24\n"  // the rest of [supply.production] stays default's
      "\n"
      "[[generation]]\n"
      "id = \"b200\"\n"
      "usd_per_h100e = 12000\n";  // merges into default's b200: the rest of it stays
  const LoadedScenario base = load_or_fail("default");
  const LoadedScenario s = load_scenario_text(text, "merged.toml");
  EXPECT_EQ(s.scenario.name, "merged");
  ASSERT_EQ(s.scenario.firms.size(), base.scenario.firms.size() + 1);
  EXPECT_EQ(s.scenario.firms[0].id, "openai");
  EXPECT_EQ(s.scenario.firms[0].name, "OpenAI Group");
  EXPECT_EQ(s.scenario.firms[0].type, model::FirmType::kLab);
  EXPECT_EQ(s.scenario.firms.back().id, "newco");
  EXPECT_EQ(s.scenario.firms.back().type, model::FirmType::kNeocloud);
  EXPECT_EQ(s.scenario.supply.production.project_lead_time_months, 24);
  EXPECT_DOUBLE_EQ(s.scenario.supply.production.initial_cap_per_month.value(),
                   base.scenario.supply.production.initial_cap_per_month.value());
  const auto& gens = s.scenario.technology.generations;
  ASSERT_EQ(gens.size(), base.scenario.technology.generations.size());
  EXPECT_EQ(gens[1].id, "b200");
  EXPECT_DOUBLE_EQ(gens[1].usd_per_h100e, 12000);
  EXPECT_DOUBLE_EQ(gens[1].kw_per_h100e, 0.85);
  EXPECT_EQ(gens[1].available.str(), "2025-01");
  // Merged values keep the file they were written in.
  expect_pos(s.params, "firm.openai.name", "merged.toml", 6, 8);
  expect_pos(s.params, "firm.newco.type", "merged.toml", 10, 8);
  expect_pos(s.params, "supply.production.project_lead_time_months", "merged.toml", 13, 28);
  expect_pos(s.params, "generation.b200.usd_per_h100e", "merged.toml", 17, 17);
  expect_pos(s.params, "generation.b200.kw_per_h100e", "scenarios/default.toml", default_line("id = \"b200\"", "kw_per_h100e"), 16);
  expect_pos(s.params, "firm.openai.type", "scenarios/default.toml", default_line("id = \"openai\"", "type = "), 8);
}

/// A `--set` on the minimal scenario and the value it must produce, in canonical units.
struct UnitCase {
  std::string set;
  std::function<double(const model::Scenario&)> get;
  double expected;
};

TEST(ScenarioLoader, SetValuesWithUnitsConvertToCanonicalUnits) {
  using S = model::Scenario;
  auto cap = [](const S& s) { return s.supply.production.initial_cap_per_month.value(); };
  auto lead = [](const S& s) { return double(s.supply.production.project_lead_time_months); };
  const std::vector<UnitCase> cases = {
      {"supply.production.initial_cap_h100e_per_month=12 MH100e", cap, 1.2e7},
      {"supply.production.initial_cap_h100e_per_month=1200 kH100e", cap, 1.2e6},
      {"supply.production.initial_cap_h100e_per_month=+7e5", cap, 7e5},
      {"supply.production.initial_backlog_h100e=2 MH100e",
       [](const S& s) { return s.supply.production.initial_backlog.value(); }, 2e6},
      {"supply.production.project_lead_time_months=18 months", lead, 18},
      {"supply.production.project_lead_time_months=1.5 years", lead, 18},
      {"supply.datacenter.lead_time_months=6 quarters",
       [](const S& s) { return double(s.supply.datacenter.lead_time_months); }, 18},
      {"supply.power.usd_bn_per_gw=1500 USDm", [](const S& s) { return s.supply.power.usd_bn_per_gw; }, 1.5},
      {"generation.h100.kw_per_h100e=1250 W", [](const S& s) { return s.technology.generations.at(0).kw_per_h100e; },
       1.25},
      {"generation.h100.usd_per_h100e=45 kUSD", [](const S& s) { return s.technology.generations.at(0).usd_per_h100e; },
       45000},
      {"firm.cloudco.initial_h100e=2 MH100e", [](const S& s) { return s.firms.at(1).initial_h100e.value(); }, 2e6},
      {"firm.acme-lab.training_budget_usd_bn_per_year.2027=500 USDm",
       [](const S& s) { return s.firms.at(0).training_budget_usd_bn_per_year.at(core::Month(2027, 6)); }, 0.5},
      {"supply.power_price_usd_per_mwh=0.08 USD/kWh", [](const S& s) { return s.supply.power_price_usd_per_mwh; }, 80},
      {"supply.failure_rate_per_year=5%", [](const S& s) { return s.supply.failure_rate_per_year; }, 0.05},
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
  ASSERT_EQ(s.scenario.firms.size(), 2u);
  EXPECT_DOUBLE_EQ(s.scenario.firms[1].initial_h100e.value(), 1.2e6);  // "1200 kH100e"
  const auto it = s.params.find("firm.cloudco.initial_h100e");
  ASSERT_NE(it, s.params.end());
  EXPECT_DOUBLE_EQ(std::get<double>(it->second.value), 1.2e6);
}

TEST(ScenarioLoader, SetOverridesAFileValueAndRecordsWhereItCameFrom) {
  const LoadedScenario file_only = load_or_fail("default");
  // default.toml: the first [[segment]] is "consumer", with markup = 1.3.
  EXPECT_DOUBLE_EQ(file_only.scenario.segments[0].markup, 1.3);
  const LoadedScenario s = load_or_fail("default", {"segment.consumer.markup=2.5"});
  EXPECT_DOUBLE_EQ(s.scenario.segments[0].markup, 2.5);
  expect_pos(s.params, "segment.consumer.markup", "--set", 1, 25);
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
  // minimal.toml has no [market], [technology.edge] or [supply.power] table.
  const LoadedScenario plain = load_or_fail(kMinimal);
  EXPECT_DOUBLE_EQ(plain.scenario.market.stickiness, 1.0);
  EXPECT_EQ(plain.scenario.supply.power.lead_time_months, 48);
  const LoadedScenario s = load_or_fail(
      kMinimal, {"market.stickiness=0.5", "technology.edge.max_share=30%", "supply.power.lead_time_months=5 years"});
  EXPECT_DOUBLE_EQ(s.scenario.market.stickiness, 0.5);
  EXPECT_DOUBLE_EQ(s.scenario.technology.edge.max_share, 0.3);
  EXPECT_EQ(s.scenario.supply.power.lead_time_months, 60);
  expect_pos(s.params, "market.stickiness", "--set", 1, 19);
}

TEST(ScenarioLoader, SchemaDefaultsApplyToOmittedKeys) {
  using S = model::Scenario;
  const LoadedScenario s = load_or_fail(kMinimal);
  // Keys minimal.toml leaves out, each with what the Scenario holds for it.
  const std::vector<std::pair<std::string, std::function<double(const S&)>>> omitted = {
      {"technology.efficiency.trend_per_year", [](const S& x) { return x.technology.efficiency.trend_per_year; }},
      {"technology.edge.midpoint_efficiency", [](const S& x) { return x.technology.edge.midpoint_efficiency; }},
      {"technology.hardware.months_between_generations",
       [](const S& x) { return double(x.technology.hardware.months_between_generations); }},
      {"technology.hardware.kw_per_h100e_multiplier",
       [](const S& x) { return x.technology.hardware.kw_per_h100e_multiplier; }},
      {"technology.training_efficiency.trend_per_year",
       [](const S& x) { return x.technology.training_efficiency.trend_per_year; }},
      {"generation.*.h100e_per_unit", [](const S& x) { return x.technology.generations.at(0).h100e_per_unit; }},
      {"supply.production.initial_backlog_h100e",
       [](const S& x) { return x.supply.production.initial_backlog.value(); }},
      {"supply.production.project_lead_time_months",
       [](const S& x) { return double(x.supply.production.project_lead_time_months); }},
      {"supply.production.expansion_share", [](const S& x) { return x.supply.production.expansion_share; }},
      {"supply.datacenter.lead_time_months", [](const S& x) { return double(x.supply.datacenter.lead_time_months); }},
      {"supply.datacenter.usd_bn_per_gw", [](const S& x) { return x.supply.datacenter.usd_bn_per_gw; }},
      {"supply.power.life_months", [](const S& x) { return double(x.supply.power.life_months); }},
      {"build.expectations_half_life_months", [](const S& x) { return x.build.expectations_half_life_months; }},
      {"build.optimism", [](const S& x) { return x.build.optimism; }},
      {"build.initial_growth_per_year", [](const S& x) { return x.build.initial_growth_per_year; }},
      {"build.max_planning_months", [](const S& x) { return double(x.build.max_planning_months); }},
      {"segment.*.usage_growth_per_year", [](const S& x) { return x.segments.at(0).usage_growth_per_year; }},
      {"segment.*.usage_ceiling_multiple", [](const S& x) { return x.segments.at(0).usage_ceiling_multiple; }},
      {"segment.*.elasticity_long_run", [](const S& x) { return x.segments.at(0).elasticity_long_run; }},
      {"training.budget_growth_per_year", [](const S& x) { return x.training.budget_growth_per_year; }},
      {"market.scarcity_price_cap_usd_per_h100e_hour", [](const S& x) { return x.market.scarcity_price_cap; }},
      {"firm.*.initial_h100e", [](const S& x) { return x.firms.at(0).initial_h100e.value(); }},
      {"firm.*.initial_datacenter_gw", [](const S& x) { return x.firms.at(1).initial_datacenter_gw.value(); }},
      {"firm.*.power_gw_under_construction",
       [](const S& x) { return x.firms.at(1).power_gw_under_construction.value(); }},
      {"firm.*.inference_share", [](const S& x) { return x.firms.at(0).inference_share; }},
      {"firm.*.training_budget_growth_after_per_year",
       [](const S& x) { return x.firms.at(0).training_budget_usd_bn_per_year.growth_after_per_year; }},
      {"contract.*.take_or_pay_share", [](const S& x) { return x.contracts.at(0).take_or_pay_share; }},
      {"contract.*.termination_penalty_months", [](const S& x) { return x.contracts.at(0).termination_penalty_months; }},
      {"firm.*.credit_limit_usd_bn", [](const S& x) { return x.firms.at(0).credit_limit_usd_bn; }},
      {"firm.*.equity_limit_usd_bn_per_year", [](const S& x) { return x.firms.at(1).equity_limit_usd_bn_per_year; }},
      {"finance.default_cost_interfirm", [](const S& x) { return x.finance.default_cost_interfirm; }},
      {"technology.efficiency.jump_rate_spending_elasticity",
       [](const S& x) { return x.technology.efficiency.jump_rate_spending_elasticity; }},
      {"competition.kappa", [](const S& x) { return x.competition.kappa; }},
      {"competition.adjustment_months", [](const S& x) { return x.competition.adjustment_months; }},
      {"competition.initial_stock_months", [](const S& x) { return x.competition.initial_stock_months; }},
  };
  for (const auto& [pattern, get] : omitted) {
    const KeySpec* spec = find_key(pattern);
    ASSERT_NE(spec, nullptr) << pattern;
    ASSERT_TRUE(spec->default_number.has_value()) << pattern;
    EXPECT_DOUBLE_EQ(get(s.scenario), *spec->default_number) << pattern;
  }
  EXPECT_EQ(s.scenario.supply.production.project_lead_time_months, 42);
  EXPECT_TRUE(s.scenario.technology.training_efficiency.follows_inference);
  EXPECT_TRUE(s.scenario.finance.new_money_available);
  EXPECT_EQ(s.scenario.firms[1].shareholders, model::HolderClass::kPublicEquity);
  EXPECT_EQ(s.scenario.description, "");
  EXPECT_EQ(s.scenario.service_unit_name, "million tokens");
  ASSERT_EQ(s.scenario.firms.size(), 2u);
  EXPECT_EQ(s.scenario.firms[0].name, "acme-lab");                           // the name defaults to the id
  EXPECT_TRUE(s.scenario.firms[0].training_budget_usd_bn_per_year.empty());  // a series has no default
  EXPECT_DOUBLE_EQ(s.scenario.firms[0].training_budget_usd_bn_per_year.at(core::Month(2027, 1)), 0.0);
  EXPECT_TRUE(s.scenario.shocks.empty());
}

TEST(ScenarioLoader, InnovationAndCompetitionKeysAreRead) {
  const LoadedScenario s = load_or_fail(kMinimal, {"technology.efficiency.jump_rate_spending_elasticity=0.7", "competition.kappa=1.5",
                                                   "competition.adjustment_months=2 years", "competition.initial_stock_months=6"});
  EXPECT_DOUBLE_EQ(s.scenario.technology.efficiency.jump_rate_spending_elasticity, 0.7);
  EXPECT_DOUBLE_EQ(s.scenario.competition.kappa, 1.5);
  EXPECT_DOUBLE_EQ(s.scenario.competition.adjustment_months, 24.0);
  EXPECT_DOUBLE_EQ(s.scenario.competition.initial_stock_months, 6.0);
}

TEST(ScenarioLoader, ParamsKeepTheLineAndColumnOfEachValue) {
  const LoadedScenario m = load_or_fail(kMinimal);
  expect_pos(m.params, "supply.production.initial_cap_h100e_per_month", kMinimal, 17, 31);
  expect_pos(m.params, "generation.h100.kw_per_h100e", kMinimal, 13, 16);
  expect_pos(m.params, "firm.cloudco.type", kMinimal, 32, 8);
  expect_pos(m.params, "firm.cloudco.initial_h100e", kMinimal, 33, 17);
  expect_pos(m.params, "contract.deal.buyer", kMinimal, 38, 9);
  EXPECT_EQ(m.params.at("contract.deal.buyer").spec->path, "contract.*.buyer");
  EXPECT_EQ(m.params.count("segment.chat.markup"), 0u);  // defaults are not "written" values

  const LoadedScenario d = load_or_fail("default");
  expect_pos(d.params, "supply.production.initial_cap_h100e_per_month", "scenarios/default.toml", default_line("[supply.production]", "initial_cap_h100e_per_month"), 31);
  expect_pos(d.params, "segment.consumer.markup", "scenarios/default.toml", default_line("id = \"consumer\"", "markup"), 10);
  // Each year of a series is a value of its own, at the number written for it.
  expect_pos(d.params, "firm.openai.training_budget_usd_bn_per_year.2027", "scenarios/default.toml", default_line("id = \"openai\"", "training_budget_usd_bn_per_year"), 55);
  EXPECT_EQ(d.params.at("firm.openai.training_budget_usd_bn_per_year.2027").spec->path,
            "firm.*.training_budget_usd_bn_per_year");
}

TEST(ScenarioLoader, ExtendingScenarioKeepsPositionsInBothFiles) {
  const LoadedScenario s = load_or_fail("sudden-100x");
  expect_pos(s.params, "name", "scenarios/sudden-100x.toml", 5, 8);
  expect_pos(s.params, "shock.algorithmic-100x.month", "scenarios/sudden-100x.toml", 11, 9);
  expect_pos(s.params, "shock.algorithmic-100x.multiplier", "scenarios/sudden-100x.toml", 12, 14);
  expect_pos(s.params, "supply.production.initial_cap_h100e_per_month", "scenarios/default.toml", default_line("[supply.production]", "initial_cap_h100e_per_month"), 31);
}

// --- series by year ---------------------------------------------------------------------------

TEST(ScenarioLoader, SeriesIsReadByYearHeldWithinTheYearAndGrowsAfterItsLastYear) {
  const LoadedScenario s = load_or_fail("default");
  // training_budget_usd_bn_per_year = { 2026 = 25, 2027 = 40, 2028 = 55 }, then ×1.15 a year.
  const model::YearSeries& openai = firm(s.scenario, "openai").training_budget_usd_bn_per_year;
  ASSERT_EQ(openai.points.size(), 3u);
  EXPECT_EQ(openai.points[0], (std::pair<int, double>{2026, 25}));
  EXPECT_EQ(openai.points[1], (std::pair<int, double>{2027, 40}));
  EXPECT_EQ(openai.points[2], (std::pair<int, double>{2028, 55}));
  EXPECT_DOUBLE_EQ(openai.growth_after_per_year, 1.15);
  EXPECT_DOUBLE_EQ(openai.at(month("2025-06")), 25);  // before the first year: the first value
  EXPECT_DOUBLE_EQ(openai.at(month("2026-01")), 25);
  EXPECT_DOUBLE_EQ(openai.at(month("2026-12")), 25);
  EXPECT_DOUBLE_EQ(openai.at(month("2027-01")), 40);
  EXPECT_DOUBLE_EQ(openai.at(month("2027-12")), 40);
  EXPECT_DOUBLE_EQ(openai.at(month("2028-07")), 55);
  EXPECT_DOUBLE_EQ(openai.at(month("2029-01")), 55 * 1.15);
  EXPECT_DOUBLE_EQ(openai.at(month("2029-12")), 55 * 1.15);
  EXPECT_DOUBLE_EQ(openai.at(month("2031-03")), 55 * 1.15 * 1.15 * 1.15);

  const model::YearSeries& xai = firm(s.scenario, "xai").training_budget_usd_bn_per_year;
  ASSERT_EQ(xai.points.size(), 2u);
  EXPECT_DOUBLE_EQ(xai.at(month("2028-01")), 12 * 1.1);
  EXPECT_TRUE(firm(s.scenario, "microsoft").training_budget_usd_bn_per_year.empty());
}

TEST(ScenarioLoader, SeriesInAFileIsReadWithUnitsAndInYearOrder) {
  const LoadedScenario m = load_or_fail(kMinimal);
  std::string text = m.text;
  const std::string at = "type = \"lab\"\n";
  text.replace(text.find(at), at.size(),
               at + "training_budget_usd_bn_per_year = { 2030 = 9, 2026 = \"1500 USDm\", 2028 = 4 }\n"
                    "training_budget_growth_after_per_year = 2\n");
  const LoadedScenario s = load_scenario_text(text, "series.toml");
  const model::YearSeries& series = s.scenario.firms.at(0).training_budget_usd_bn_per_year;
  ASSERT_EQ(series.points.size(), 3u);
  EXPECT_EQ(series.points[0], (std::pair<int, double>{2026, 1.5}));
  EXPECT_EQ(series.points[1], (std::pair<int, double>{2028, 4}));
  EXPECT_EQ(series.points[2], (std::pair<int, double>{2030, 9}));
  EXPECT_DOUBLE_EQ(series.at(month("2027-05")), 1.5);  // a year not written holds the one before
  EXPECT_DOUBLE_EQ(series.at(month("2029-05")), 4);
  EXPECT_DOUBLE_EQ(series.at(month("2032-01")), 36);
}

TEST(ScenarioLoader, SetOverridesOneYearOfASeries) {
  const LoadedScenario base = load_or_fail("default");
  const LoadedScenario s = load_or_fail("default", {"firm.anthropic.training_budget_usd_bn_per_year.2027=40",
                                                    "firm.xai.training_budget_usd_bn_per_year.2029=30 USDbn"});
  // anthropic: { 2026 = 12, 2027 = 20, 2028 = 30 } with 2027 replaced.
  const model::YearSeries& anthropic = firm(s.scenario, "anthropic").training_budget_usd_bn_per_year;
  ASSERT_EQ(anthropic.points.size(), 3u);
  EXPECT_EQ(anthropic.points[0], (std::pair<int, double>{2026, 12}));
  EXPECT_EQ(anthropic.points[1], (std::pair<int, double>{2027, 40}));
  EXPECT_EQ(anthropic.points[2], (std::pair<int, double>{2028, 30}));
  EXPECT_DOUBLE_EQ(firm(base.scenario, "anthropic").training_budget_usd_bn_per_year.at(month("2027-06")), 20);
  EXPECT_DOUBLE_EQ(anthropic.at(month("2027-06")), 40);
  expect_pos(s.params, "firm.anthropic.training_budget_usd_bn_per_year.2027", "--set", 1, 53);
  expect_pos(s.params, "firm.anthropic.training_budget_usd_bn_per_year.2028", "scenarios/default.toml", default_line("id = \"anthropic\"", "training_budget_usd_bn_per_year"), 66);
  // xai: { 2026 = 10, 2027 = 12 } plus a year the file does not have.
  const model::YearSeries& xai = firm(s.scenario, "xai").training_budget_usd_bn_per_year;
  ASSERT_EQ(xai.points.size(), 3u);
  EXPECT_EQ(xai.points[2], (std::pair<int, double>{2029, 30}));
  EXPECT_DOUBLE_EQ(xai.at(month("2028-06")), 12);
  EXPECT_DOUBLE_EQ(xai.at(month("2030-06")), 30 * 1.1);
  // The other firms' series are untouched.
  EXPECT_EQ(firm(s.scenario, "openai").training_budget_usd_bn_per_year.points,
            firm(base.scenario, "openai").training_budget_usd_bn_per_year.points);
}

// --- generations, capacity owners ---------------------------------------------------------------

TEST(ScenarioLoader, GenerationsAreExtrapolatedAfterTheLastListedOneThroughTheHorizon) {
  const LoadedScenario s = load_or_fail("default");
  const model::HardwareParams& hw = s.scenario.technology.hardware;
  EXPECT_EQ(hw.months_between_generations, 24);
  EXPECT_DOUBLE_EQ(hw.h100e_per_unit_multiplier, 2.0);
  EXPECT_DOUBLE_EQ(hw.kw_per_h100e_multiplier, 0.7);
  EXPECT_DOUBLE_EQ(hw.usd_per_h100e_multiplier, 0.5);
  const auto& gens = s.scenario.technology.generations;
  ASSERT_GE(gens.size(), 4u);
  EXPECT_EQ(gens[0].id, "h100");
  EXPECT_EQ(gens[1].id, "b200");
  EXPECT_EQ(gens[2].id, "rubin");
  EXPECT_EQ(gens[2].available.str(), "2026-07");
  // rubin+ 2028-07, rubin++ 2030-07, … every 24 months while within the horizon (to 2036-12).
  ASSERT_EQ(gens.size(), 8u);
  for (std::size_t i = 3; i < gens.size(); ++i) {
    const model::Generation& prev = gens[i - 1];
    const model::Generation& g = gens[i];
    EXPECT_EQ(g.id, prev.id + "+") << i;
    EXPECT_TRUE(g.id.ends_with('+')) << g.id;
    EXPECT_EQ(g.available, prev.available + 24) << g.id;
    EXPECT_DOUBLE_EQ(g.kw_per_h100e, prev.kw_per_h100e * 0.7) << g.id;
    EXPECT_DOUBLE_EQ(g.usd_per_h100e, prev.usd_per_h100e * 0.5) << g.id;
    EXPECT_DOUBLE_EQ(g.h100e_per_unit, prev.h100e_per_unit * 2.0) << g.id;
  }
  EXPECT_EQ(gens.back().id, "rubin+++++");
  EXPECT_EQ(gens.back().available.str(), "2036-07");
  EXPECT_LE(gens.back().available, s.scenario.time.end);
  EXPECT_GT(gens.back().available + hw.months_between_generations, s.scenario.time.end);
  EXPECT_DOUBLE_EQ(gens.back().kw_per_h100e, 0.6 * 0.7 * 0.7 * 0.7 * 0.7 * 0.7);
  EXPECT_DOUBLE_EQ(gens.back().usd_per_h100e, 10000 * 0.5 * 0.5 * 0.5 * 0.5 * 0.5);
}

TEST(ScenarioLoader, GenerationsAreSortedByDateAndExtrapolationCanBeSwitchedOff) {
  const LoadedScenario m = load_or_fail(kMinimal);
  std::string text = m.text;
  // A generation listed before h100 but available after it.
  text.replace(text.find("[[generation]]"), 14,
               "[[generation]]\nid = \"next\"\navailable = \"2026-06\"\nkw_per_h100e = 1\nusd_per_h100e = 20000\n\n"
               "[[generation]]");
  const LoadedScenario s = load_scenario_text(text, "gens.toml", {"technology.hardware.months_between_generations=0"});
  const auto& gens = s.scenario.technology.generations;
  ASSERT_EQ(gens.size(), 2u);
  EXPECT_EQ(gens[0].id, "h100");
  EXPECT_EQ(gens[1].id, "next");
  // The extrapolation continues the newest one, on the minimal scenario's horizon (to 2028-12).
  const LoadedScenario e = load_scenario_text(text, "gens.toml", {"technology.hardware.months_between_generations=12"});
  ASSERT_EQ(e.scenario.technology.generations.size(), 4u);
  EXPECT_EQ(e.scenario.technology.generations[2].id, "next+");
  EXPECT_EQ(e.scenario.technology.generations[3].id, "next++");
  EXPECT_EQ(e.scenario.technology.generations[3].available.str(), "2028-06");
  EXPECT_DOUBLE_EQ(e.scenario.technology.generations[3].kw_per_h100e, 0.75 * 0.75);  // schema default multiplier
}

TEST(ScenarioLoader, InitialGenerationIsTheNamedOneElseTheNewestAvailableAYearBeforeTheStart) {
  const LoadedScenario s = load_or_fail("default");
  const auto& gens = s.scenario.technology.generations;
  EXPECT_EQ(gens.at(firm(s.scenario, "meta").initial_generation).id, "h100");       // named
  EXPECT_EQ(gens.at(firm(s.scenario, "microsoft").initial_generation).id, "b200");  // available 2025-01
}

TEST(ScenarioLoader, BuildSharesDefaultToInitialFleetSharesAndSumToOne) {
  const LoadedScenario s = load_or_fail("default");
  double fleet = 0.0;
  for (const model::Firm& f : s.scenario.firms) fleet += f.initial_h100e.value();
  EXPECT_DOUBLE_EQ(fleet, 20e6);
  double shares = 0.0;
  for (const model::Firm& f : s.scenario.firms) {
    EXPECT_DOUBLE_EQ(f.build_share, f.initial_h100e.value() / fleet) << f.id;
    shares += f.build_share;
  }
  EXPECT_NEAR(shares, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(firm(s.scenario, "microsoft").build_share, 0.21);  // 4.2M of 20M
  EXPECT_EQ(firm(s.scenario, "openai").build_share, 0.0);             // labs own no fleet
  EXPECT_FALSE(firm(s.scenario, "openai").owns_capacity());
  EXPECT_TRUE(firm(s.scenario, "oracle").owns_capacity());
}

TEST(ScenarioLoader, BuildSharesGivenAreNormalisedToSumToOne) {
  // Once any firm sets a build share, only those shares count (normalised), not the fleets.
  const LoadedScenario s = load_or_fail("default", {"firm.microsoft.build_share=0.5", "firm.nvidia.build_share=0.25"});
  double shares = 0.0;
  for (const model::Firm& f : s.scenario.firms) shares += f.build_share;
  EXPECT_NEAR(shares, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(firm(s.scenario, "microsoft").build_share, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(firm(s.scenario, "nvidia").build_share, 1.0 / 3.0);
  EXPECT_EQ(firm(s.scenario, "google").build_share, 0.0);
  EXPECT_TRUE(firm(s.scenario, "nvidia").owns_capacity());  // builds, though it owns no fleet at the start
}

// --- financing contracts ------------------------------------------------------------------------

constexpr const char* kContracts = "tests/io/data/contracts.toml";

/// The record with this id in one of the Scenario's contract vectors; else a failure, and the test stops.
template <class Record>
const Record& by_id(const std::vector<Record>& records, const std::string& id) {
  for (const Record& r : records) {
    if (r.id == id) return r;
  }
  ADD_FAILURE() << "no contract '" << id << "'";
  throw std::out_of_range(id);
}

model::FirmId firm_id(std::uint32_t i) { return model::FirmId{i}; }
// Firms of contracts.toml, in file order.
const model::FirmId kAcmeLab = firm_id(0), kCloudco = firm_id(1), kChipco = firm_id(2), kDevco = firm_id(3),
                    kPowerco = firm_id(4), kFund = firm_id(5);

TEST(ScenarioLoader, EveryContractTypeLandsInItsRecord) {
  const LoadedScenario loaded = load_or_fail(kContracts);
  const model::Scenario& s = loaded.scenario;
  ASSERT_EQ(s.firms.size(), 6u);
  EXPECT_EQ(s.firms[kFund.index()].id, "fund");
  EXPECT_EQ(s.contracts.size(), 1u);
  EXPECT_EQ(s.securitisations.size(), 1u);
  EXPECT_EQ(s.leases.size(), 2u);
  EXPECT_EQ(s.debts.size(), 4u);
  EXPECT_EQ(s.equity_investments.size(), 2u);
  EXPECT_EQ(s.stakes.size(), 2u);
  EXPECT_EQ(s.warrants.size(), 2u);
  EXPECT_EQ(s.ppas.size(), 2u);

  const model::ComputeCommitment& deal = by_id(s.contracts, "deal");
  EXPECT_EQ(deal.buyer, kAcmeLab);
  EXPECT_EQ(deal.seller, kCloudco);
  EXPECT_EQ(deal.start, month("2026-06"));
  EXPECT_EQ(deal.end, month("2027-06"));
  EXPECT_DOUBLE_EQ(deal.volume.value(), 100000);
  EXPECT_DOUBLE_EQ(deal.price_usd_per_h100e_hour, 2.4);
  EXPECT_DOUBLE_EQ(deal.take_or_pay_share, 1.0);
  EXPECT_DOUBLE_EQ(deal.termination_penalty_months, 3);  // "1 quarters"

  const model::Securitisation& pool = s.securitisations.at(0);
  EXPECT_EQ(pool.id, "pool");
  EXPECT_EQ(pool.issuer, kDevco);

  const model::Lease& campus = by_id(s.leases, "campus");
  EXPECT_EQ(campus.lessor, kDevco);
  EXPECT_EQ(campus.lessee, kCloudco);
  EXPECT_EQ(campus.start, month("2025-01"));  // before time.start: outstanding
  EXPECT_EQ(campus.term_months, 120);         // "10 years"
  EXPECT_EQ(campus.renewals, 1);
  EXPECT_DOUBLE_EQ(campus.rent_usd_bn_per_year, 2.5);  // "2500 USDm"
  EXPECT_DOUBLE_EQ(campus.datacenter_gw, 1.0);
  EXPECT_DOUBLE_EQ(campus.power_gw, 1.2);  // "1200 MW"
  EXPECT_EQ(campus.build_months, 18);
  EXPECT_DOUBLE_EQ(campus.residual_value_guarantee_usd_bn, 5);
  EXPECT_DOUBLE_EQ(campus.termination_penalty_months, 6);
  EXPECT_FALSE(campus.off_balance_sheet);
  EXPECT_EQ(campus.securitisation, 0u);

  const model::DebtContract& tranche = by_id(s.debts, "pool-a");
  EXPECT_EQ(tranche.kind, model::DebtKind::kAbsTranche);
  EXPECT_EQ(tranche.borrower, kDevco);
  EXPECT_EQ(tranche.lender.cls, model::HolderClass::kAbsHolders);
  EXPECT_FALSE(tranche.lender.is_firm());
  EXPECT_DOUBLE_EQ(tranche.principal_usd_bn, 10);
  EXPECT_DOUBLE_EQ(tranche.rate_per_year, 0.05);
  EXPECT_EQ(tranche.start, month("2025-06"));
  EXPECT_EQ(tranche.maturity, month("2035-06"));
  EXPECT_EQ(tranche.amortisation, model::Amortisation::kLinear);
  EXPECT_EQ(tranche.seniority, 2);
  EXPECT_TRUE(tranche.secured);
  EXPECT_TRUE(tranche.off_balance_sheet);
  EXPECT_EQ(tranche.tranche, "pool-senior");
  EXPECT_DOUBLE_EQ(tranche.min_dscr, 1.2);
  EXPECT_DOUBLE_EQ(tranche.max_ltv, 0.8);  // "80%"
  EXPECT_EQ(tranche.breach, model::BreachAction::kStepUp);
  EXPECT_DOUBLE_EQ(tranche.step_up_per_year, 0.01);  // "1%"
  EXPECT_EQ(tranche.securitisation, 0u);

  const model::DebtContract& notes = by_id(s.debts, "notes");
  EXPECT_EQ(notes.kind, model::DebtKind::kBond);
  EXPECT_EQ(notes.borrower, kCloudco);
  EXPECT_EQ(notes.lender.cls, model::HolderClass::kBondholders);
  EXPECT_DOUBLE_EQ(notes.principal_usd_bn, 1.5);  // "1500 USDm"
  EXPECT_EQ(notes.start, month("2024-01"));
  EXPECT_EQ(notes.maturity, month("2031-01"));
  EXPECT_EQ(notes.seniority, 3);

  const model::DebtContract& vendor = by_id(s.debts, "gpu-credit");
  EXPECT_EQ(vendor.kind, model::DebtKind::kVendorFinancing);
  EXPECT_TRUE(vendor.lender.is_firm());
  EXPECT_EQ(vendor.lender.firm, kChipco);
  EXPECT_EQ(vendor.borrower, kCloudco);
  EXPECT_DOUBLE_EQ(vendor.principal_usd_bn, 3);

  const model::EquityInvestment& round = by_id(s.equity_investments, "round");
  EXPECT_TRUE(round.investor.is_firm());
  EXPECT_EQ(round.investor.firm, kFund);
  EXPECT_EQ(round.investee, kAcmeLab);
  EXPECT_EQ(round.start, month("2026-02"));
  EXPECT_DOUBLE_EQ(round.usd_bn, 10);
  EXPECT_DOUBLE_EQ(round.usd_bn_per_gw, 2);
  EXPECT_DOUBLE_EQ(round.max_usd_bn, 30);
  EXPECT_EQ(round.milestone_firm, kCloudco);

  const model::EquityStake& fund_stake = by_id(s.stakes, "fund-stake");
  EXPECT_EQ(fund_stake.holder.cls, model::HolderClass::kFirm);
  EXPECT_EQ(fund_stake.holder.firm, kFund);
  EXPECT_EQ(fund_stake.issuer, kAcmeLab);
  EXPECT_DOUBLE_EQ(fund_stake.share, 0.3);
  const model::EquityStake& float_stake = by_id(s.stakes, "float");
  EXPECT_EQ(float_stake.holder.cls, model::HolderClass::kPublicEquity);
  EXPECT_EQ(float_stake.issuer, kCloudco);
  EXPECT_DOUBLE_EQ(float_stake.share, 0.4);  // "40%"

  const model::Warrant& warrant = by_id(s.warrants, "chip-warrant");
  EXPECT_EQ(warrant.issuer, kChipco);
  EXPECT_TRUE(warrant.holder.is_firm());
  EXPECT_EQ(warrant.holder.firm, kAcmeLab);
  EXPECT_EQ(warrant.start, month("2026-06"));
  EXPECT_DOUBLE_EQ(warrant.share, 0.1);
  EXPECT_EQ(warrant.tranches, 5);
  EXPECT_DOUBLE_EQ(warrant.gw_per_tranche, 0.5);  // "500 MW"
  EXPECT_DOUBLE_EQ(warrant.strike_usd_bn, 2);
  EXPECT_EQ(warrant.milestone_firm, kCloudco);

  const model::PowerPurchase& power = by_id(s.ppas, "power");
  EXPECT_EQ(power.buyer, kCloudco);
  EXPECT_EQ(power.seller, kPowerco);
  EXPECT_EQ(power.start, month("2026-01"));
  EXPECT_EQ(power.end, month("2035-12"));
  EXPECT_DOUBLE_EQ(power.gw, 1.5);
  EXPECT_DOUBLE_EQ(power.price_usd_per_mwh, 55);
  EXPECT_DOUBLE_EQ(power.take_or_pay_share, 0.9);
}

TEST(ScenarioLoader, ContractKeysLeftOutTakeTheDefaultsOfTheirType) {
  const LoadedScenario loaded = load_or_fail(kContracts);
  const model::Scenario& s = loaded.scenario;

  const model::Lease& lease = by_id(s.leases, "bare-lease");
  EXPECT_EQ(lease.lessor, kDevco);
  EXPECT_EQ(lease.lessee, kAcmeLab);
  EXPECT_EQ(lease.term_months, 60);
  EXPECT_DOUBLE_EQ(lease.rent_usd_bn_per_year, 1);
  EXPECT_EQ(lease.renewals, 0);
  EXPECT_DOUBLE_EQ(lease.datacenter_gw, 0);
  EXPECT_DOUBLE_EQ(lease.power_gw, 0);
  EXPECT_EQ(lease.build_months, 24);
  EXPECT_DOUBLE_EQ(lease.residual_value_guarantee_usd_bn, 0);
  EXPECT_DOUBLE_EQ(lease.termination_penalty_months, 0);
  EXPECT_TRUE(lease.off_balance_sheet);  // the lease default, unlike debt's
  EXPECT_EQ(lease.securitisation, model::kNone);

  const model::DebtContract& loan = by_id(s.debts, "bank-loan");
  EXPECT_EQ(loan.kind, model::DebtKind::kLoan);
  EXPECT_EQ(loan.borrower, kCloudco);
  EXPECT_EQ(loan.lender.cls, model::HolderClass::kBanks);
  EXPECT_DOUBLE_EQ(loan.principal_usd_bn, 5);
  EXPECT_EQ(loan.start, month("2026-03"));
  EXPECT_EQ(loan.maturity, month("2030-12"));
  EXPECT_DOUBLE_EQ(loan.rate_per_year, 0.06);
  EXPECT_EQ(loan.amortisation, model::Amortisation::kBullet);
  EXPECT_EQ(loan.seniority, 1);
  EXPECT_FALSE(loan.secured);
  EXPECT_FALSE(loan.off_balance_sheet);
  EXPECT_EQ(loan.tranche, "bank-loan");  // defaults to the id
  EXPECT_DOUBLE_EQ(loan.min_dscr, 0);
  EXPECT_DOUBLE_EQ(loan.max_ltv, 0);
  EXPECT_EQ(loan.breach, model::BreachAction::kDefault);
  EXPECT_DOUBLE_EQ(loan.step_up_per_year, 0.02);
  EXPECT_EQ(loan.securitisation, model::kNone);
  // The schema's defaults are the model record's.
  const model::DebtContract plain;
  EXPECT_DOUBLE_EQ(loan.rate_per_year, plain.rate_per_year);
  EXPECT_EQ(loan.seniority, plain.seniority);
  EXPECT_DOUBLE_EQ(loan.step_up_per_year, plain.step_up_per_year);
  EXPECT_EQ(loan.lender.cls, plain.lender.cls);
  EXPECT_EQ(lease.build_months, model::Lease{}.build_months);
  EXPECT_EQ(lease.off_balance_sheet, model::Lease{}.off_balance_sheet);

  const model::EquityInvestment& seed = by_id(s.equity_investments, "seed");
  EXPECT_EQ(seed.investor.cls, model::HolderClass::kVenture);
  EXPECT_EQ(seed.investee, kCloudco);
  EXPECT_EQ(seed.start, month("2026-01"));
  EXPECT_DOUBLE_EQ(seed.usd_bn, 1);
  EXPECT_DOUBLE_EQ(seed.usd_bn_per_gw, 0);
  EXPECT_DOUBLE_EQ(seed.max_usd_bn, 1);     // max_usd_bn = 0 (left out): usd_bn only
  EXPECT_EQ(seed.milestone_firm, kCloudco);  // the investee

  const model::Warrant& warrant = by_id(s.warrants, "bare-warrant");
  EXPECT_EQ(warrant.issuer, kCloudco);
  EXPECT_EQ(warrant.holder.firm, kChipco);
  EXPECT_DOUBLE_EQ(warrant.share, 0.05);
  EXPECT_EQ(warrant.tranches, 1);
  EXPECT_DOUBLE_EQ(warrant.gw_per_tranche, 1.0);
  EXPECT_DOUBLE_EQ(warrant.strike_usd_bn, 0);
  EXPECT_EQ(warrant.milestone_firm, kChipco);  // the holder

  const model::PowerPurchase& ppa = by_id(s.ppas, "bare-ppa");
  EXPECT_EQ(ppa.buyer, kDevco);
  EXPECT_DOUBLE_EQ(ppa.gw, 0.5);
  EXPECT_DOUBLE_EQ(ppa.price_usd_per_mwh, 70);  // "0.07 USD/kWh"
  EXPECT_DOUBLE_EQ(ppa.take_or_pay_share, 0.8);  // the ppa default, unlike a compute commitment's 1
}

TEST(ScenarioLoader, FirmAndFinanceKeysOfFinancing) {
  const LoadedScenario loaded = load_or_fail(kContracts);
  const model::Scenario& s = loaded.scenario;
  const model::Firm& cloudco = firm(s, "cloudco");
  EXPECT_DOUBLE_EQ(cloudco.credit_limit_usd_bn, 50);
  EXPECT_DOUBLE_EQ(cloudco.equity_limit_usd_bn_per_year, 5);
  EXPECT_EQ(cloudco.shareholders, model::HolderClass::kVenture);
  const model::Firm& lab = firm(s, "acme-lab");
  EXPECT_DOUBLE_EQ(lab.credit_limit_usd_bn, 1e6);
  EXPECT_DOUBLE_EQ(lab.equity_limit_usd_bn_per_year, 1e6);
  EXPECT_EQ(lab.shareholders, model::HolderClass::kPublicEquity);
  EXPECT_DOUBLE_EQ(s.finance.default_cost_interfirm, 0.2);  // "20%"
  EXPECT_FALSE(s.finance.new_money_available);
}

TEST(ScenarioLoader, EquityClosedFromIsAnOptionalMonth) {
  EXPECT_FALSE(firm(load_or_fail("default").scenario, "openai").equity_closed_from);
  const auto set = firm(load_or_fail("default", {"firm.xai.equity_closed_from=2028-03"}).scenario, "xai").equity_closed_from;
  ASSERT_TRUE(set);
  EXPECT_EQ(*set, month("2028-03"));
}

TEST(ScenarioLoader, WarrantOfShareZeroIsSwitchedOff) {
  EXPECT_EQ(load_or_fail("default").scenario.warrants.size(), 1u);
  EXPECT_TRUE(load_or_fail("default", {"contract.amd-openai-warrant.share=0"}).scenario.warrants.empty());
}

TEST(ScenarioLoader, NoCircularityFinancesEachCircularLinkFromOutsideOnTheSameTerms) {
  const model::Scenario circular = load_or_fail("circular-unwind").scenario;
  const model::Scenario outside = load_or_fail("no-circularity").scenario;
  // Equity investments: same amounts, dates and milestones, bought by outside investors.
  ASSERT_EQ(circular.equity_investments.size(), outside.equity_investments.size());
  for (std::size_t i = 0; i < outside.equity_investments.size(); ++i) {
    const model::EquityInvestment& c = circular.equity_investments[i];
    const model::EquityInvestment& o = outside.equity_investments[i];
    EXPECT_EQ(o.id, c.id);
    EXPECT_TRUE(c.investor.is_firm()) << c.id;
    EXPECT_EQ(o.investor.cls, model::HolderClass::kVenture) << o.id;
    EXPECT_EQ(o.investee, c.investee);
    EXPECT_EQ(o.start, c.start);
    EXPECT_EQ(o.usd_bn, c.usd_bn);
    EXPECT_EQ(o.usd_bn_per_gw, c.usd_bn_per_gw);
    EXPECT_EQ(o.max_usd_bn, c.max_usd_bn);
    EXPECT_EQ(o.milestone_firm, c.milestone_firm);
  }
  // Stakes: the same shares; only the sponsor's stake in its own SPV stays with a firm.
  ASSERT_EQ(circular.stakes.size(), outside.stakes.size());
  for (std::size_t i = 0; i < outside.stakes.size(); ++i) {
    EXPECT_EQ(outside.stakes[i].share, circular.stakes[i].share) << outside.stakes[i].id;
    EXPECT_EQ(outside.stakes[i].issuer, circular.stakes[i].issuer) << outside.stakes[i].id;
    EXPECT_EQ(outside.stakes[i].holder.is_firm(), outside.stakes[i].id == "hyperion-meta-stake") << outside.stakes[i].id;
  }
  // Vendor financing: a bank loan on the same terms.
  ASSERT_EQ(circular.debts.size(), outside.debts.size());
  for (std::size_t i = 0; i < outside.debts.size(); ++i) {
    const model::DebtContract& c = circular.debts[i];
    const model::DebtContract& o = outside.debts[i];
    EXPECT_NE(o.kind, model::DebtKind::kVendorFinancing) << o.id;
    if (c.kind != model::DebtKind::kVendorFinancing) continue;
    EXPECT_EQ(o.kind, model::DebtKind::kLoan);
    EXPECT_EQ(o.lender.cls, model::HolderClass::kBanks);
    EXPECT_EQ(o.borrower, c.borrower);
    EXPECT_EQ(o.principal_usd_bn, c.principal_usd_bn);
    EXPECT_EQ(o.rate_per_year, c.rate_per_year);
    EXPECT_EQ(o.start, c.start);
    EXPECT_EQ(o.maturity, c.maturity);
    EXPECT_EQ(o.amortisation, c.amortisation);
    EXPECT_EQ(o.seniority, c.seniority);
    EXPECT_EQ(o.secured, c.secured);
  }
  // Warrants: none.
  EXPECT_FALSE(circular.warrants.empty());
  EXPECT_TRUE(outside.warrants.empty());
  // The shock is the same: the largest lab's market closes in 2027-01.
  ASSERT_TRUE(firm(circular, "openai").equity_closed_from);
  EXPECT_EQ(*firm(circular, "openai").equity_closed_from, month("2027-01"));
  EXPECT_EQ(firm(outside, "openai").equity_closed_from, firm(circular, "openai").equity_closed_from);
}

TEST(ScenarioLoader, SetReachesTheKeysOfEveryContractType) {
  const LoadedScenario s = load_or_fail(
      kContracts, {"contract.campus.rent_usd_bn_per_year=3 USDbn", "contract.bank-loan.lender=private-credit",
                   "contract.notes.lender=fund", "contract.bank-loan.amortisation=linear",
                   "contract.bare-lease.off_balance_sheet=false", "contract.bare-lease.securitisation=pool",
                   "contract.round.milestone_firm=devco", "contract.bare-ppa.take_or_pay_share=50%",
                   "contract.float.holder=venture", "contract.bare-warrant.tranches=4",
                   "contract.deal.termination_penalty_months=2", "firm.acme-lab.shareholders=venture",
                   "firm.acme-lab.credit_limit_usd_bn=7", "finance.new_money_available=true"});
  const model::Scenario& m = s.scenario;
  EXPECT_DOUBLE_EQ(by_id(m.leases, "campus").rent_usd_bn_per_year, 3);
  EXPECT_EQ(by_id(m.debts, "bank-loan").lender.cls, model::HolderClass::kPrivateCredit);
  EXPECT_EQ(by_id(m.debts, "notes").lender.cls, model::HolderClass::kFirm);
  EXPECT_EQ(by_id(m.debts, "notes").lender.firm, kFund);
  EXPECT_EQ(by_id(m.debts, "bank-loan").amortisation, model::Amortisation::kLinear);
  EXPECT_FALSE(by_id(m.leases, "bare-lease").off_balance_sheet);
  EXPECT_EQ(by_id(m.leases, "bare-lease").securitisation, 0u);
  EXPECT_EQ(by_id(m.equity_investments, "round").milestone_firm, kDevco);
  EXPECT_DOUBLE_EQ(by_id(m.ppas, "bare-ppa").take_or_pay_share, 0.5);
  EXPECT_EQ(by_id(m.stakes, "float").holder.cls, model::HolderClass::kVenture);
  EXPECT_EQ(by_id(m.warrants, "bare-warrant").tranches, 4);
  EXPECT_DOUBLE_EQ(by_id(m.contracts, "deal").termination_penalty_months, 2);
  EXPECT_EQ(firm(m, "acme-lab").shareholders, model::HolderClass::kVenture);
  EXPECT_DOUBLE_EQ(firm(m, "acme-lab").credit_limit_usd_bn, 7);
  EXPECT_TRUE(m.finance.new_money_available);
  expect_pos(s.params, "contract.bank-loan.lender", "--set", 2, 27);
}

TEST(ScenarioLoader, ContractKeysKnowTheTypesTheyApplyTo) {
  const KeySpec* volume = find_key("contract.*.volume_h100e");
  ASSERT_NE(volume, nullptr);
  EXPECT_TRUE(volume->required);
  EXPECT_TRUE(volume->required_for_type("compute_commitment"));
  EXPECT_FALSE(volume->applies_to("lease"));
  EXPECT_FALSE(volume->required_for_type("lease"));
  const KeySpec* pool = find_key("contract.*.securitisation");
  ASSERT_NE(pool, nullptr);
  EXPECT_TRUE(pool->required_for_type("abs_tranche"));
  EXPECT_FALSE(pool->required_for_type("lease"));
  EXPECT_TRUE(pool->applies_to("lease"));
  EXPECT_FALSE(pool->applies_to("loan"));
  const KeySpec* take_or_pay = find_key("contract.*.take_or_pay_share");
  ASSERT_NE(take_or_pay, nullptr);
  EXPECT_EQ(take_or_pay->default_number_for("compute_commitment"), 1.0);
  EXPECT_EQ(take_or_pay->default_number_for("ppa"), 0.8);
  // Every contract key but id and type names the types it applies to, and each is a valid type.
  const KeySpec* type = find_key("contract.*.type");
  ASSERT_NE(type, nullptr);
  for (const KeySpec& k : scenario_keys()) {
    if (k.path.rfind("contract.*.", 0) != 0 || k.path == "contract.*.id" || k.path == "contract.*.type") continue;
    EXPECT_FALSE(k.for_types.empty()) << k.path;
    for (const std::string& t : k.for_types) {
      EXPECT_NE(std::find(type->choices.begin(), type->choices.end(), t), type->choices.end()) << k.path << " " << t;
    }
  }
  // Parties that may be an investor class accept exactly the model's classes, in its order.
  for (const char* party : {"contract.*.lender", "contract.*.investor", "contract.*.holder"}) {
    const KeySpec* spec = find_key(party);
    ASSERT_NE(spec, nullptr) << party;
    ASSERT_EQ(spec->choices.size(), model::kHolderClassCount - 1) << party;
    for (std::size_t c = 1; c < model::kHolderClassCount; ++c) {
      EXPECT_EQ(spec->choices[c - 1], model::holder_class_name(static_cast<model::HolderClass>(c))) << party;
    }
  }
  // The generated reference says which types each contract key applies to.
  const std::string md = schema_markdown();
  EXPECT_NE(md.find("| key | for types | type |"), std::string::npos);
  EXPECT_NE(md.find("| `volume_h100e` | `compute_commitment` |"), std::string::npos);
  EXPECT_NE(md.find("| `securitisation` | `abs_tranche`, `lease` |"), std::string::npos);
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
