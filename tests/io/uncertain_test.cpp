// Uncertain parameters: [uncertain] and [[uncertain_correlation]] parse into distributions,
// every bad entry is reported at once at its own line and column, `instantiate` gives the same
// scenario as `--set`, and the sampler's draws are a pure function of (seed, path).

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "analysis/sampler.h"
#include "core/diagnostics.h"
#include "io/output.h"
#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::io {
namespace {

// `default` with one key of every distribution. Line numbers on the right.
const std::string kEveryDistribution = R"(schema_version = 1
extends = "default"
name = "uncertain"
[uncertain]
"technology.efficiency.trend_per_year" = { dist = "lognormal", median = "2.8x", sigma = 0.4 }
"segment.consumer.elasticity_long_run" = { dist = "pert", min = 0.7, mode = 1.2, max = 1.6 }
"firm.openai.cash_usd_bn" = { dist = "uniform", min = "20 USDbn", max = 60 }
"supply.power_price_usd_per_mwh" = { dist = "normal", mean = 80, sd = 20, min = 30, max = 200 }
"supply.failure_rate_per_year" = { dist = "triangular", min = "2%", mode = "5%", max = "10%" }
"build.optimism" = { dist = "beta", alpha = 2, beta = 5 }
"supply.datacenter.lead_time_months" = { dist = "discrete", values = [18, 24, "3 years"], weights = [1, 2, 1] }
"segment.consumer.markup" = { dist = "fixed", value = 2.5 }
"firm.openai.training_budget_usd_bn_per_year.2027" = { dist = "uniform", min = 30, max = 50 }
[uncertain.segment.enterprise]
markup = { dist = "pert", min = 1.3, mode = 2, max = 4, lambda = 6 }
[[uncertain_correlation]]
a = "technology.efficiency.trend_per_year"
b = "segment.consumer.elasticity_long_run"
rho = -0.3
[[uncertain_correlation]]
a = "segment.consumer.elasticity_long_run"
b = "segment.enterprise.markup"
rho = 0.5
)";

// Shortest text that reads back to the same double, as a --set value.
std::string fmt_value(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

LoadedScenario load_or_fail(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    return load_scenario_text(text, "uncertain.toml", overrides);
  } catch (const core::InputError& e) {
    ADD_FAILURE() << e.diagnostics().str();
    throw;
  }
}

TEST(Uncertain, EveryDistributionParsesInDeclarationOrder) {
  const LoadedScenario s = load_or_fail(kEveryDistribution);
  std::vector<std::pair<std::string, std::string>> got;
  for (const analysis::UncertainParameter& p : s.uncertain) got.emplace_back(p.key, p.distribution.describe());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"technology.efficiency.trend_per_year", "lognormal(2.8, 0.4)"},
      {"segment.consumer.elasticity_long_run", "pert(0.7, 1.2, 1.6)"},
      {"firm.openai.cash_usd_bn", "uniform(20, 60)"},
      {"supply.power_price_usd_per_mwh", "normal(80, 20, min=30, max=200)"},
      {"supply.failure_rate_per_year", "triangular(0.02, 0.05, 0.1)"},
      {"build.optimism", "beta(2, 5)"},
      {"supply.datacenter.lead_time_months", "discrete([18, 24, 36], [1, 2, 1])"},
      {"segment.consumer.markup", "fixed(2.5)"},
      {"firm.openai.training_budget_usd_bn_per_year.2027", "uniform(30, 50)"},
      {"segment.enterprise.markup", "pert(1.3, 2, 4, lambda=6)"},
  };
  // default's own entries for the keys this file does not redeclare come first, then the
  // file's in declaration order; the file's distribution replaces default's for the same key.
  ASSERT_GE(got.size(), expected.size());
  EXPECT_EQ(std::vector(got.end() - static_cast<std::ptrdiff_t>(expected.size()), got.end()), expected);
  const LoadedScenario base = load_scenario("default");
  std::size_t inherited = 0;
  for (const analysis::UncertainParameter& p : base.uncertain) {
    const bool redeclared = std::any_of(expected.begin(), expected.end(), [&](const auto& e) { return e.first == p.key; });
    if (!redeclared) {
      EXPECT_EQ(got.at(inherited++).first, p.key);
    }
  }
  EXPECT_EQ(inherited + expected.size(), got.size());
  ASSERT_EQ(s.correlations.size(), base.correlations.size() + 2);
  const analysis::RankCorrelation& first = s.correlations[s.correlations.size() - 2];
  EXPECT_EQ(first.a, "technology.efficiency.trend_per_year");
  EXPECT_EQ(first.b, "segment.consumer.elasticity_long_run");
  EXPECT_EQ(first.rho, -0.3);
  EXPECT_EQ(s.correlations.back().b, "segment.enterprise.markup");
}

TEST(Uncertain, RunUsesTheBaseValues) {
  // [uncertain] does not change the scenario that `run`, `compare` and `validate` use.
  const LoadedScenario with = load_or_fail(kEveryDistribution);
  const LoadedScenario without = load_scenario("default");
  EXPECT_EQ(timeseries_csv(sim::run_path(with.scenario, 0, 1).months),
            timeseries_csv(sim::run_path(without.scenario, 0, 1).months));
}

struct ExpectedError {
  int line;
  int col;
  std::string text;  // a part of the message
};

void expect_errors(const std::string& text, const std::vector<ExpectedError>& expected) {
  try {
    load_scenario_text(text, "bad.toml");
    ADD_FAILURE() << "expected core::InputError";
  } catch (const core::InputError& e) {
    const std::vector<core::Diagnostic> got = e.diagnostics().sorted();
    EXPECT_EQ(got.size(), expected.size()) << e.diagnostics().str();
    for (std::size_t i = 0; i < std::min(got.size(), expected.size()); ++i) {
      EXPECT_EQ(got[i].pos.file, "bad.toml");
      EXPECT_EQ(got[i].pos.line, expected[i].line) << got[i].str();
      EXPECT_EQ(got[i].pos.col, expected[i].col) << got[i].str();
      EXPECT_NE(got[i].message.find(expected[i].text), std::string::npos)
          << got[i].str() << "\n  expected to contain: " << expected[i].text;
    }
  }
}

TEST(Uncertain, EveryBadEntryIsReportedAtOnceWhereItIsWritten) {
  const std::string text = R"(schema_version = 1
extends = "default"
name = "bad"
[uncertain]
"technology.efficiency.trend_per_yer" = { dist = "lognormal", median = 2.8, sigma = 0.4 }
"segment.consumer.elasticity_long_run" = { dist = "pret", min = 0.7, mode = 1.2, max = 1.6 }
"firm.openai.cash_usd_bn" = { dist = "uniform", min = 150, max = 50 }
"supply.power_price_usd_per_mwh" = { dist = "normal", mean = 80, sd = -2 }
"supply.failure_rate_per_year" = { dist = "normal", mean = 0.05, sd = 0.02 }
"build.optimism" = { dist = "pert", min = 0, mode = 2, max = 1 }
"supply.datacenter.lead_time_months" = { dist = "discrete", values = [18, 24], weights = [-1, 1] }
"segment.consumer.markup" = { dist = "uniform", min = 1, maxx = 3 }
"name" = { dist = "fixed", value = 1 }
"segment.enterprise.markup" = { dist = "triangular", min = 1, max = 3 }
"segment.internal.markup" = 3
"build.reserve_margin" = { dist = "lognormal", median = 0.2, sigma = 0 }
"build.price_response" = { dist = "discrete", values = [1, 2], weights = [0, 0] }
"technology.edge.max_share" = { dist = "uniform", min = "1 GW", max = 0.8 }
segment.enterprise.markup = { dist = "fixed", value = 2 }
"firm.openai.training_budget_usd_bn_per_year" = { dist = "fixed", value = 2 }
[[uncertain_correlation]]
a = "segment.consumer.markup"
b = "build.optimism"
rho = 0.5
)";
  expect_errors(
      text,
      {
          {5, 1,
           "unknown parameter path 'technology.efficiency.trend_per_yer' in [uncertain]; did you mean "
           "'technology.efficiency.trend_per_year'?"},
          {6, 51, "unknown distribution 'pret'; did you mean 'pert'?"},
          {7, 66, "'max' (50) must be above 'min' (150)"},
          {8, 71, "'sd' must be above 0, not -2"},
          {9, 43,
           "normal(0.05, 0.02) can give 'supply.failure_rate_per_year' values as low as -0.115847, below its "
           "allowed minimum 0 fraction per year; truncate it with min = 0"},
          {10, 53, "'mode' (2) must lie in [min, max] = [0, 1]"},
          {11, 91, "each weight must be at least 0, not -1"},
          {12, 1, "a uniform distribution needs 'max' (it takes min, max)"},
          {12, 58, "'maxx' is not a parameter of a uniform distribution (it takes min, max); did you mean 'max'?"},
          {13, 1, "'name' is a string: only numbers can have a distribution"},
          {14, 1, "a triangular distribution needs 'mode'"},
          {15, 29, "'segment.internal.markup' in [uncertain] must be a distribution: an inline table with 'dist'"},
          {16, 70, "'sigma' must be above 0, not 0"},
          {17, 74, "the weights add up to 0"},
          {18, 60, "unknown unit 'GW' for a share"},
          {19, 20, "'segment.enterprise.markup' is given a distribution twice in [uncertain] (first at line 14)"},
          {20, 1, "'firm.openai.training_budget_usd_bn_per_year' is a series by year: give one year a distribution"},
          // The correlation's keys are both valid entries, but 'segment.consumer.markup' was rejected:
          // only its own error is reported, and the correlation is not.
      });
}

TEST(Uncertain, BoundsOutsideTheKeysRangeAreReportedAtTheBound) {
  // A PERT with max = 1e308 on a share used to stop `validate` with an unlocated error from the
  // beta function's arithmetic (exit 1); the bound itself is out of the key's range [0, 1].
  const std::string text = R"(schema_version = 1
extends = "default"
name = "bad"
[uncertain]
"segment.consumer.quality_share" = { dist = "pert", min = 0, mode = 0.5, max = 1e308 }
"segment.enterprise.quality_share" = { dist = "uniform", min = -1, max = 0.5 }
)";
  expect_errors(text, {
                          {5, 80, "'max' = 1e+308 of the distribution of 'segment.consumer.quality_share' is above the key's allowed maximum 1"},
                          {6, 64, "'min' = -1 of the distribution of 'segment.enterprise.quality_share' is below the key's allowed minimum 0"},
                      });
}

TEST(Uncertain, BadCorrelationsAreReportedWhereTheyAreWritten) {
  const std::string text = R"(schema_version = 1
extends = "default"
name = "bad"
[uncertain]
"build.reserve_margin" = { dist = "uniform", min = 0.1, max = 0.3 }
"build.price_response" = { dist = "uniform", min = 0.1, max = 0.3 }
"technology.edge.max_share" = { dist = "uniform", min = 0.2, max = 0.8 }
[[uncertain_correlation]]
a = "build.reserve_margin"
b = "segment.internal.markup"
rho = 0.5
[[uncertain_correlation]]
a = "build.reserve_margin"
b = "build.reserve_margin"
rho = 0.5
[[uncertain_correlation]]
a = "build.reserve_margin"
b = "build.price_response"
rho = 1.2
[[uncertain_correlation]]
a = "build.reserve_margin"
b = "build.price_response"
rho = 0.9
[[uncertain_correlation]]
a = "build.price_response"
b = "technology.edge.max_share"
rho = 0.9
[[uncertain_correlation]]
a = "build.reserve_margin"
b = "technology.edge.max_share"
rho = -0.9
[[uncertain_correlation]]
b = "build.reserve_margin"
a = "build.price_response"
rho = 0.1
[[uncertain_correlation]]
a = "build.reserve_margin"
rh = 0.1
)";
  expect_errors(
      text, {
                {10, 5, "'segment.internal.markup' has no distribution in [uncertain]"},
                {14, 5, "'build.reserve_margin' is correlated with itself"},
                {19, 7, "'rho' = 1.2 must lie strictly between -1 and 1"},
                {31, 7,
                 "cannot all hold together (their correlation matrix is not positive definite)"},
                {32, 1, "'build.price_response' and 'build.reserve_margin' are correlated twice (first at line 20)"},
                {36, 1, "[[uncertain_correlation]] needs 'b'"},
                {36, 1, "[[uncertain_correlation]] needs 'rho'"},
                {38, 1, "unknown key 'rh' in [[uncertain_correlation]] (it takes a, b and rho); did you mean 'rho'?"},
            });
}

// A few paths with units, a series year and a key of whole numbers.
const std::vector<std::pair<std::string, double>> kValues = {
    {"segment.consumer.markup", 2.5},           {"technology.efficiency.trend_per_year", 3.25},
    {"firm.openai.cash_usd_bn", 42.5},          {"firm.openai.training_budget_usd_bn_per_year.2027", 40},
    {"supply.datacenter.lead_time_months", 30}, {"contract.openai-oracle.volume_h100e", 1.5e6},
};

TEST(Instantiate, EqualsLoadingWithSet) {
  std::vector<std::string> sets;
  for (const auto& [key, value] : kValues) sets.push_back(key + "=" + fmt_value(value));
  const LoadedScenario base = load_or_fail(kEveryDistribution);
  const model::Scenario instantiated = instantiate(base, kValues);
  const model::Scenario with_set = load_or_fail(kEveryDistribution, sets).scenario;
  // Byte-identical outputs of a whole path, firms and events included.
  const sim::PathResult a = sim::run_path(instantiated, 3, 17);
  const sim::PathResult b = sim::run_path(with_set, 3, 17);
  EXPECT_EQ(timeseries_csv(a.months), timeseries_csv(b.months));
  EXPECT_EQ(firms_csv(instantiated, a.firms), firms_csv(with_set, b.firms));
  EXPECT_EQ(events_csv(a.events), events_csv(b.events));
  // And the values landed where --set puts them.
  EXPECT_EQ(instantiated.segments[0].markup, 2.5);
  EXPECT_EQ(instantiated.supply.datacenter.lead_time_months, 30);
  EXPECT_EQ(instantiated.technology.efficiency.trend_per_year, 3.25);
  // The base is untouched, and instantiating twice gives the same.
  EXPECT_EQ(base.scenario.segments[0].markup, load_scenario("default").scenario.segments[0].markup);
  EXPECT_EQ(timeseries_csv(sim::run_path(instantiate(base, kValues), 3, 17).months), timeseries_csv(a.months));
}

TEST(Instantiate, KeepsTheSetsTheScenarioWasLoadedWith) {
  const LoadedScenario base = load_or_fail(kEveryDistribution, {"segment.enterprise.markup=3"});
  const model::Scenario s = instantiate(base, {{"segment.consumer.markup", 2.5}});
  EXPECT_EQ(s.segments[0].markup, 2.5);
  EXPECT_EQ(s.segments[1].markup, 3.0);
}

TEST(Instantiate, RoundsKeysOfWholeNumbers) {
  const LoadedScenario base = load_or_fail(kEveryDistribution);
  EXPECT_EQ(instantiate(base, {{"supply.datacenter.lead_time_months", 23.6}}).supply.datacenter.lead_time_months, 24);
}

TEST(Instantiate, RejectsBadValuesWithInputError) {
  const LoadedScenario base = load_or_fail(kEveryDistribution);
  auto message = [&](const std::vector<std::pair<std::string, double>>& values) {
    try {
      (void)instantiate(base, values);
    } catch (const core::InputError& e) {
      return e.diagnostics().str();
    }
    return std::string("(no error)");
  };
  // Located at the key's [uncertain] entry where it has one.
  EXPECT_EQ(message({{"segment.consumer.markup", -1}}),
            "uncertain.toml:12:1: error: 'markup' = -1 is out of range: must be above 0 and at most 100\n");
  EXPECT_NE(message({{"segment.consumer.markupp", 2}})
                .find("unknown parameter path 'segment.consumer.markupp'; did you "
                      "mean 'segment.consumer.markup'?"),
            std::string::npos);
  EXPECT_NE(message({{"name", 2}}).find("'name' is a string: it cannot be set to the number 2"), std::string::npos);
  // A rule between keys, as --set would report it.
  EXPECT_NE(message({{"sentiment.min_index", 2}, {"sentiment.max_index", 1}}).find("is above sentiment.max_index"),
            std::string::npos);
  EXPECT_THROW((void)instantiate(LoadedScenario{}, {}), std::logic_error);
}

std::size_t index_of(const LoadedScenario& s, const std::string& key) {
  for (std::size_t i = 0; i < s.uncertain.size(); ++i) {
    if (s.uncertain[i].key == key) return i;
  }
  ADD_FAILURE() << "no uncertain key " << key;
  return 0;
}

TEST(ParameterSampler, DrawIsAPureFunctionOfSeedAndPath) {
  const LoadedScenario s = load_or_fail(kEveryDistribution);
  const analysis::ParameterSampler sampler(s.uncertain, s.correlations);
  ASSERT_FALSE(sampler.empty());
  const std::vector<double> first = sampler.draw(42, 7);
  EXPECT_EQ(first.size(), s.uncertain.size());
  EXPECT_EQ(sampler.draw(42, 7), first);
  // A copy of the sampler, or one built again, draws the same.
  const analysis::ParameterSampler again(s.uncertain, s.correlations);
  EXPECT_EQ(again.draw(42, 7), first);
  EXPECT_NE(sampler.draw(42, 8), first);
  EXPECT_NE(sampler.draw(43, 7), first);
  for (std::uint64_t path = 0; path < 200; ++path) {
    const std::vector<double> x = sampler.draw(42, path);
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_GE(x[i], s.uncertain[i].distribution.support_min());
      ASSERT_LE(x[i], s.uncertain[i].distribution.support_max());
    }
    EXPECT_EQ(x[index_of(s, "segment.consumer.markup")], 2.5);  // fixed
  }
  // Every drawn set instantiates.
  std::vector<std::pair<std::string, double>> values;
  for (std::size_t i = 0; i < first.size(); ++i) values.emplace_back(s.uncertain[i].key, first[i]);
  EXPECT_NO_THROW((void)instantiate(s, values));
}

TEST(ParameterSampler, AtProbabilitiesUsesTheMarginsWithoutTheCopula) {
  const LoadedScenario s = load_or_fail(kEveryDistribution);
  const analysis::ParameterSampler sampler(s.uncertain, s.correlations);
  const std::vector<double> half(s.uncertain.size(), 0.5);
  const std::vector<double> medians = sampler.at_probabilities(half);
  for (std::size_t i = 0; i < medians.size(); ++i) EXPECT_EQ(medians[i], s.uncertain[i].distribution.quantile(0.5));
  EXPECT_NEAR(medians[index_of(s, "technology.efficiency.trend_per_year")], 2.8, 1e-12);  // the lognormal's median
  const std::vector<double> too_few(2, 0.5);
  EXPECT_THROW((void)sampler.at_probabilities(too_few), std::invalid_argument);
  EXPECT_THROW(analysis::ParameterSampler(s.uncertain, {{"build.optimism", "nope", 0.1}}), std::invalid_argument);
  EXPECT_TRUE(analysis::ParameterSampler({}, {}).empty());
}

}  // namespace
}  // namespace bsim::io
