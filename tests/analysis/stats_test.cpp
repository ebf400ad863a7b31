// Small exact statistics (src/analysis/stats.h): the Wilson interval against published values
// and by its coverage, and the exact quantile's rank convention.
#include "analysis/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/random.h"

namespace bsim::analysis {
namespace {

TEST(WilsonInterval, MatchesKnownValues) {
  const Interval none = wilson_interval(0, 10);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.2775327998628892, 1e-12);
  const Interval half = wilson_interval(5, 10);
  EXPECT_NEAR(half.low, 0.2365930905125640, 1e-12);
  EXPECT_NEAR(half.high, 0.7634069094874361, 1e-12);
  const Interval fifty = wilson_interval(50, 100);
  EXPECT_NEAR(fifty.low, 0.4038315303659956, 1e-12);
  EXPECT_NEAR(fifty.high, 0.5961684696340044, 1e-12);
  const Interval all = wilson_interval(10, 10);
  EXPECT_NEAR(all.low, 0.7224672001371107, 1e-12);
  EXPECT_EQ(all.high, 1.0);
  const Interval rare = wilson_interval(1, 1000);
  EXPECT_NEAR(rare.low, 0.00017654637062607852, 1e-15);
  EXPECT_NEAR(rare.high, 0.0056425585979579355, 1e-15);
  const Interval wider = wilson_interval(50, 100, 2.5758293035489004);  // 99%
  EXPECT_LT(wider.low, fifty.low);
  EXPECT_GT(wider.high, fifty.high);
}

TEST(WilsonInterval, NoTrialsGiveTheUnitIntervalAndBadInputThrows) {
  const Interval nothing = wilson_interval(0, 0);
  EXPECT_EQ(nothing.low, 0.0);
  EXPECT_EQ(nothing.high, 1.0);
  EXPECT_THROW(wilson_interval(11, 10), std::invalid_argument);
  EXPECT_THROW(wilson_interval(1, 10, 0.0), std::invalid_argument);
  EXPECT_THROW(wilson_interval(1, 10, std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST(WilsonInterval, CoversTheTrueProportionAbout95PercentOfTheTime) {
  constexpr double kP = 0.3;
  constexpr int kTrials = 200;
  constexpr int kExperiments = 2000;
  int covered = 0;
  for (int e = 0; e < kExperiments; ++e) {
    core::RandomStream rng(77, static_cast<std::uint64_t>(e), 0);
    std::uint64_t successes = 0;
    for (int t = 0; t < kTrials; ++t) successes += rng.bernoulli(kP) ? 1 : 0;
    const Interval ci = wilson_interval(successes, kTrials);
    covered += (ci.low <= kP && kP <= ci.high) ? 1 : 0;
  }
  const double coverage = static_cast<double>(covered) / kExperiments;
  EXPECT_GE(coverage, 0.93);
  EXPECT_LE(coverage, 0.97);
}

TEST(ExactQuantile, TakesTheLowerRankOfTheSortedSample) {
  const std::vector<double> values = {5.0, 1.0, 4.0, 2.0, 3.0};
  EXPECT_EQ(exact_quantile(values, 0.0), 1.0);
  EXPECT_EQ(exact_quantile(values, 1.0), 5.0);
  EXPECT_EQ(exact_quantile(values, 0.5), 3.0);
  EXPECT_EQ(exact_quantile(values, 0.74), 3.0);  // floor(0.74 · 4) = 2
  EXPECT_EQ(exact_quantile(values, 0.75), 4.0);
  EXPECT_EQ(exact_quantile({7.0}, 0.3), 7.0);
  EXPECT_TRUE(std::isnan(exact_quantile({}, 0.5)));
  EXPECT_THROW(exact_quantile(values, -0.1), std::invalid_argument);
  EXPECT_THROW(exact_quantile({1.0, std::numeric_limits<double>::quiet_NaN()}, 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace bsim::analysis
