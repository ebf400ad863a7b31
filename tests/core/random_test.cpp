#include "core/random.h"

#include <Random123/philox.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace bsim::core {
namespace {

// Statistical checks use fixed keys, so each one either always passes or always fails; the
// tolerances are wide enough (about 5 standard errors) that a correct generator passes for
// essentially any key, yet a wrong distribution fails by many standard errors.
constexpr int kMomentSamples = 200'000;
constexpr double kStandardErrors = 5.0;
constexpr std::uint64_t kTestSeed = 20240601;

struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};

template <class Draw>
Moments sample_moments(int n, Draw&& draw) {
  // Welford's update, so the variance does not suffer cancellation for large means.
  double mean = 0.0;
  double m2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = static_cast<double>(draw());
    const double delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
  }
  return {mean, m2 / (n - 1)};
}

// The standard error of the sample variance is sigma^2 * sqrt((kurtosis - 1) / n), so heavy-
// tailed distributions get a proportionally wider variance tolerance.
template <class Draw>
void expect_moments(Draw&& draw, double mean, double variance, double kurtosis) {
  const Moments m = sample_moments(kMomentSamples, draw);
  const double mean_tolerance = kStandardErrors * std::sqrt(variance / kMomentSamples);
  const double variance_tolerance =
      kStandardErrors * variance * std::sqrt((kurtosis - 1.0) / kMomentSamples);
  EXPECT_NEAR(m.mean, mean, mean_tolerance);
  EXPECT_NEAR(m.variance, variance, variance_tolerance);
}

std::vector<double> draw_mixed(RandomStream& rng, int n) {
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    switch (i % 12) {
      case 0: values.push_back(static_cast<double>(rng.next_u64())); break;
      case 1: values.push_back(rng.uniform01()); break;
      case 2: values.push_back(rng.uniform(-3.0, 7.0)); break;
      case 3: values.push_back(rng.normal()); break;
      case 4: values.push_back(rng.lognormal(0.5, 1.2)); break;
      case 5: values.push_back(rng.exponential(0.3)); break;
      case 6: values.push_back(static_cast<double>(rng.poisson(3.5))); break;
      case 7: values.push_back(static_cast<double>(rng.poisson(250.0))); break;
      case 8: values.push_back(rng.bernoulli(0.4) ? 1.0 : 0.0); break;
      case 9: values.push_back(rng.gamma(0.7, 2.0)); break;
      case 10: values.push_back(rng.beta(2.0, 5.0)); break;
      default: values.push_back(rng.triangular(0.0, 1.0, 4.0)); break;
    }
  }
  return values;
}

std::vector<std::uint64_t> words(RandomStream rng, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.next_u64());
  return out;
}

double correlation(RandomStream a, RandomStream b, int n) {
  double sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = a.uniform01();
    const double y = b.uniform01();
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  const double cov = sab / n - (sa / n) * (sb / n);
  const double va = saa / n - (sa / n) * (sa / n);
  const double vb = sbb / n - (sb / n) * (sb / n);
  return cov / std::sqrt(va * vb);
}

double poisson_pmf(double mean, int k) {
  return std::exp(-mean + k * std::log(mean) - std::lgamma(k + 1.0));
}

// Upper quantile of chi-square with df degrees of freedom at z standard normal deviates
// (Wilson–Hilferty).
double chi_square_bound(int df, double z) {
  const double h = 2.0 / (9.0 * df);
  return df * std::pow(1.0 - h + z * std::sqrt(h), 3.0);
}

TEST(RandomStream, SameKeyGivesSameNumbers) {
  RandomStream a(7, 11, 13);
  RandomStream b(7, 11, 13);
  const std::vector<double> first = draw_mixed(a, 1000);
  const std::vector<double> second = draw_mixed(b, 1000);
  EXPECT_EQ(first, second);
  EXPECT_EQ(a.draws(), b.draws());
}

TEST(RandomStream, CopyRepeatsTheSameNumbers) {
  RandomStream a(7, 11, 13);
  (void)a.normal();
  RandomStream b = a;
  EXPECT_EQ(draw_mixed(a, 100), draw_mixed(b, 100));
}

TEST(RandomStream, DifferentSeedPathOrStreamGivesDifferentNumbers) {
  const std::vector<std::uint64_t> base = words(RandomStream(1, 2, 3), 64);
  const RandomStream others[] = {RandomStream(2, 2, 3), RandomStream(1, 3, 3), RandomStream(1, 2, 4),
                                 RandomStream(2, 1, 3), RandomStream(3, 2, 1)};
  for (const RandomStream& other : others) {
    const std::vector<std::uint64_t> w = words(other, 64);
    for (std::size_t i = 0; i < w.size(); ++i) {
      EXPECT_NE(w[i], base[i]) << "key (" << other.seed() << ", " << other.path() << ", " << other.stream()
                               << ") word " << i;
    }
  }
}

TEST(RandomStream, NeighbouringKeysGiveUncorrelatedStreams) {
  constexpr int kPairs = 100'000;
  EXPECT_LT(std::fabs(correlation(RandomStream(42, 0, 0), RandomStream(42, 1, 0), kPairs)), 0.02);
  EXPECT_LT(std::fabs(correlation(RandomStream(42, 0, 0), RandomStream(42, 0, 1), kPairs)), 0.02);
  EXPECT_LT(std::fabs(correlation(RandomStream(42, 0, 0), RandomStream(43, 0, 0), kPairs)), 0.02);
}

TEST(RandomStream, WordsArePhiloxBlocksConsumedInCounterOrder) {
  RandomStream rng(5, 6, 7);
  const r123::Philox4x64::key_type key = {{5, 6}};
  for (std::uint64_t block = 0; block < 3; ++block) {
    const r123::Philox4x64::ctr_type counter = {{7, block, 0, 0}};
    const r123::Philox4x64::ctr_type expected = r123::Philox4x64()(counter, key);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(rng.next_u64(), expected[i]) << "block " << block << " word " << i;
    }
  }
  EXPECT_EQ(rng.draws(), 12U);
}

TEST(RandomStream, ReportsItsKeyAndConsumedWords) {
  RandomStream rng(42, 9, 3);
  EXPECT_EQ(rng.seed(), 42U);
  EXPECT_EQ(rng.path(), 9U);
  EXPECT_EQ(rng.stream(), 3U);
  EXPECT_EQ(rng.draws(), 0U);
  (void)rng.next_u64();
  (void)rng.uniform01();
  (void)rng.uniform(1.0, 2.0);
  (void)rng.normal();
  (void)rng.normal(1.0, 0.0);
  (void)rng.lognormal(0.0, 1.0);
  (void)rng.exponential(2.0);
  (void)rng.poisson(0.0);
  (void)rng.poisson(29.0);
  (void)rng.bernoulli(0.5);
  (void)rng.triangular(0.0, 0.0, 1.0);
  // Each fixed-cost draw consumes exactly one word, whatever its value.
  EXPECT_EQ(rng.draws(), 11U);
  EXPECT_THROW((void)rng.gamma(-1.0, 1.0), std::invalid_argument);
  EXPECT_EQ(rng.draws(), 11U) << "a rejected call must not consume words";
}

TEST(RandomStream, PinnedFirstValuesForSeed42) {
  // These pin the stream format (Philox4x64-10, key {seed, path}, counter {stream, block, 0, 0},
  // top 53 bits to (0,1)). Changing them changes every simulation result.
  EXPECT_EQ(RandomStream(42, 0, 0).next_u64(), 0xa7687e2d34c89dc6ULL);  // 12063030334536064454
  EXPECT_EQ(RandomStream(42, 0, 0).uniform01(), 0.653938184773127);     // exactly 0x1.4ed0fc5a69913p-1
  // Key and counter all zero reproduce Random123's published Philox4x64-10 known-answer vector.
  RandomStream zero(0, 0, 0);
  EXPECT_EQ(zero.next_u64(), 0x16554d9eca36314cULL);
  EXPECT_EQ(zero.next_u64(), 0xdb20fe9d672d0fdcULL);
  EXPECT_EQ(zero.next_u64(), 0xd7e772cee186176bULL);
  EXPECT_EQ(zero.next_u64(), 0x7e68b68aec7ba23bULL);
}

TEST(RandomStream, Uniform01NeverReturnsZeroOrOne) {
  EXPECT_EQ(uniform01_from_bits(0), 0x1p-54);
  EXPECT_EQ(uniform01_from_bits((std::uint64_t{1} << 11) - 1), 0x1p-54);
  EXPECT_EQ(uniform01_from_bits(std::uint64_t{1} << 11), 0x1p-53);
  EXPECT_EQ(uniform01_from_bits(~std::uint64_t{0}), 1.0 - 0x1p-53);
  EXPECT_LT(uniform01_from_bits(~std::uint64_t{0}), 1.0);

  RandomStream rng(kTestSeed, 1, 0);
  const Moments m = sample_moments(kMomentSamples, [&] {
    const double u = rng.uniform01();
    EXPECT_GT(u, 0.0);
    EXPECT_LT(u, 1.0);
    return u;
  });
  EXPECT_NEAR(m.mean, 0.5, kStandardErrors * std::sqrt(1.0 / 12.0 / kMomentSamples));
  EXPECT_NEAR(m.variance, 1.0 / 12.0, kStandardErrors * (1.0 / 12.0) * std::sqrt(0.8 / kMomentSamples));
}

TEST(RandomStreamMoments, UniformMatchesMeanAndVariance) {
  RandomStream rng(kTestSeed, 2, 0);
  expect_moments([&] { return rng.uniform(-2.0, 3.0); }, 0.5, 25.0 / 12.0, 1.8);
}

TEST(RandomStreamMoments, NormalMatchesMeanAndVariance) {
  RandomStream rng(kTestSeed, 3, 0);
  expect_moments([&] { return rng.normal(1.5, 2.0); }, 1.5, 4.0, 3.0);
}

TEST(RandomStreamMoments, LognormalMatchesMeanAndVariance) {
  RandomStream rng(kTestSeed, 4, 0);
  const double mu = 0.1;
  const double s2 = 0.4 * 0.4;
  const double kurtosis = std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 3;
  expect_moments([&] { return rng.lognormal(mu, 0.4); }, std::exp(mu + s2 / 2),
                 (std::exp(s2) - 1) * std::exp(2 * mu + s2), kurtosis);
}

TEST(RandomStreamMoments, ExponentialMatchesMeanAndVariance) {
  RandomStream rng(kTestSeed, 5, 0);
  expect_moments([&] { return rng.exponential(2.0); }, 0.5, 0.25, 9.0);
}

TEST(RandomStreamMoments, PoissonMatchesMeanAndVarianceAtSmallMediumAndLargeMeans) {
  std::uint64_t path = 6;
  for (const double mean : {0.5, 4.0, 80.0}) {
    SCOPED_TRACE(mean);
    RandomStream rng(kTestSeed, path++, 0);
    expect_moments([&] { return rng.poisson(mean); }, mean, mean, 3.0 + 1.0 / mean);
  }
}

TEST(RandomStreamMoments, BernoulliMatchesMeanAndVariance) {
  RandomStream rng(kTestSeed, 9, 0);
  const double p = 0.3;
  const double pq = p * (1 - p);
  expect_moments([&] { return rng.bernoulli(p) ? 1.0 : 0.0; }, p, pq, 3.0 + (1 - 6 * pq) / pq);
}

TEST(RandomStreamMoments, GammaMatchesMeanAndVarianceForShapeBelowAndAboveOne) {
  std::uint64_t path = 10;
  for (const double shape : {0.5, 3.0}) {
    SCOPED_TRACE(shape);
    RandomStream rng(kTestSeed, path++, 0);
    const double scale = 2.0;
    expect_moments([&] { return rng.gamma(shape, scale); }, shape * scale, shape * scale * scale,
                   3.0 + 6.0 / shape);
  }
}

TEST(RandomStreamMoments, BetaMatchesMeanAndVariance) {
  RandomStream rng(kTestSeed, 12, 0);
  const double a = 2.0;
  const double b = 5.0;
  const double excess =
      6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) / (a * b * (a + b + 2) * (a + b + 3));
  expect_moments([&] { return rng.beta(a, b); }, a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1)),
                 3.0 + excess);
}

TEST(RandomStreamMoments, TriangularMatchesMeanAndVariance) {
  RandomStream rng(kTestSeed, 13, 0);
  const double lo = 1.0, mode = 2.0, hi = 5.0;
  expect_moments([&] { return rng.triangular(lo, mode, hi); }, (lo + mode + hi) / 3,
                 (lo * lo + mode * mode + hi * hi - lo * mode - lo * hi - mode * hi) / 18, 2.4);
}

TEST(RandomStream, NormalPassesKolmogorovSmirnovAgainstNormalCdf) {
  constexpr int kDraws = 100'000;
  RandomStream rng(kTestSeed, 14, 0);
  std::vector<double> x(kDraws);
  for (double& v : x) v = rng.normal();
  std::sort(x.begin(), x.end());
  double d = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double f = normal_cdf(x[static_cast<std::size_t>(i)]);
    d = std::max({d, static_cast<double>(i + 1) / kDraws - f, f - static_cast<double>(i) / kDraws});
  }
  // 1.63 / sqrt(n) is the 1% critical value of the KS statistic.
  EXPECT_LT(d, 1.63 / std::sqrt(static_cast<double>(kDraws)));
}

TEST(RandomStream, PoissonMatchesProbabilitiesOnBothSidesOfTheMethodSwitch) {
  constexpr int kDraws = 100'000;
  std::uint64_t path = 15;
  for (const double mean : {0.5, 4.0, 29.5, 30.0, 80.0, 1000.0}) {
    SCOPED_TRACE(mean);
    RandomStream rng(kTestSeed, path++, 0);
    const int max_k = static_cast<int>(mean + 20.0 * std::sqrt(mean) + 20.0);
    std::vector<double> observed(static_cast<std::size_t>(max_k) + 1, 0.0);
    for (int i = 0; i < kDraws; ++i) {
      const std::uint64_t k = rng.poisson(mean);
      observed[std::min<std::size_t>(k, static_cast<std::size_t>(max_k))] += 1.0;
    }
    // Group adjacent k into cells with expected count >= 5; the last cell takes the tail.
    std::vector<double> cell_expected, cell_observed;
    double expected = 0.0, seen = 0.0, mass = 0.0;
    for (int k = 0; k <= max_k; ++k) {
      const double pk = k == max_k ? 1.0 - mass : poisson_pmf(mean, k);
      mass += pk;
      expected += kDraws * pk;
      seen += observed[static_cast<std::size_t>(k)];
      if (expected >= 5.0 && kDraws * (1.0 - mass) >= 5.0) {
        cell_expected.push_back(expected);
        cell_observed.push_back(seen);
        expected = seen = 0.0;
      }
    }
    cell_expected.push_back(expected);
    cell_observed.push_back(seen);
    double chi2 = 0.0;
    for (std::size_t i = 0; i < cell_expected.size(); ++i) {
      const double diff = cell_observed[i] - cell_expected[i];
      chi2 += diff * diff / cell_expected[i];
    }
    const int df = static_cast<int>(cell_expected.size()) - 1;
    ASSERT_GE(df, 3);
    EXPECT_LT(chi2, chi_square_bound(df, 4.0)) << df << " degrees of freedom";
  }
}

TEST(RandomStream, BetaWithTinyShapesStaysInUnitInterval) {
  RandomStream rng(kTestSeed, 21, 0);
  double ones = 0.0;
  constexpr int kDraws = 20'000;
  for (int i = 0; i < kDraws; ++i) {
    const double x = rng.beta(1e-3, 3e-3);
    ASSERT_GE(x, 0.0);
    ASSERT_LE(x, 1.0);
    ones += x;
  }
  // Beta(a, b) with tiny shapes is nearly Bernoulli(a / (a + b)) on {0, 1}.
  EXPECT_NEAR(ones / kDraws, 0.25, kStandardErrors * std::sqrt(0.25 * 0.75 / kDraws));
}

TEST(RandomStream, DegenerateParametersGiveTheirLimit) {
  RandomStream rng(kTestSeed, 22, 0);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(rng.bernoulli(0.0));
    EXPECT_TRUE(rng.bernoulli(1.0));
    EXPECT_EQ(rng.normal(3.0, 0.0), 3.0);
    EXPECT_EQ(rng.uniform(2.0, 2.0), 2.0);
    EXPECT_EQ(rng.triangular(4.0, 4.0, 4.0), 4.0);
    EXPECT_EQ(rng.poisson(0.0), 0U);
    const double t = rng.triangular(1.0, 1.0, 2.0);
    EXPECT_GE(t, 1.0);
    EXPECT_LE(t, 2.0);
  }
}

TEST(RandomStream, InvalidParametersThrow) {
  RandomStream rng(1, 2, 3);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW((void)rng.uniform(2.0, 1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.uniform(0.0, inf), std::invalid_argument);
  EXPECT_THROW((void)rng.normal(0.0, -1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.normal(0.0, nan), std::invalid_argument);
  EXPECT_THROW((void)rng.lognormal(0.0, -0.1), std::invalid_argument);
  EXPECT_THROW((void)rng.exponential(0.0), std::invalid_argument);
  EXPECT_THROW((void)rng.exponential(-2.0), std::invalid_argument);
  EXPECT_THROW((void)rng.poisson(-1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.poisson(inf), std::invalid_argument);
  EXPECT_THROW((void)rng.poisson(nan), std::invalid_argument);
  EXPECT_THROW((void)rng.bernoulli(-0.1), std::invalid_argument);
  EXPECT_THROW((void)rng.bernoulli(1.1), std::invalid_argument);
  EXPECT_THROW((void)rng.bernoulli(nan), std::invalid_argument);
  EXPECT_THROW((void)rng.gamma(0.0, 1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.gamma(1.0, 0.0), std::invalid_argument);
  EXPECT_THROW((void)rng.gamma(-1.0, 1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.beta(0.0, 1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.beta(1.0, -1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.triangular(2.0, 1.5, 1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.triangular(0.0, 2.0, 1.0), std::invalid_argument);
  EXPECT_THROW((void)rng.triangular(0.0, -0.5, 1.0), std::invalid_argument);
  EXPECT_EQ(rng.draws(), 0U);
}

TEST(RandomStream, InvalidParameterMessageNamesParameterAndValue) {
  RandomStream rng(1, 2, 3);
  try {
    (void)rng.gamma(-2.5, 1.0);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("shape"), std::string::npos) << message;
    EXPECT_NE(message.find("-2.5"), std::string::npos) << message;
  }
}

TEST(NormalQuantile, InvertsNormalCdf) {
  for (int i = -600; i <= 600; ++i) {
    const double x = i / 100.0;
    // Rounding the CDF to a double alone moves x by up to eps / pdf(x), which exceeds 1e-9
    // in the upper tail beyond x ≈ 5.5, where p is within 1e-8 of 1.
    const double pdf = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
    const double p = normal_cdf(x);
    const double tolerance = 1e-9 + (x > 0.0 ? std::numeric_limits<double>::epsilon() / pdf : 0.0);
    EXPECT_NEAR(normal_quantile(p), x, tolerance) << "x = " << x;
  }
}

TEST(NormalQuantile, MatchesKnownValues) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-14);
  EXPECT_EQ(normal_quantile(0.5), 0.0);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167814, 1e-13);
  EXPECT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-12);
  EXPECT_NEAR(normal_quantile(0x1p-54), -8.292361075813596, 1e-12);
}

TEST(NormalQuantile, RejectsPOutsideOpenUnitInterval) {
  EXPECT_THROW((void)normal_quantile(0.0), std::invalid_argument);
  EXPECT_THROW((void)normal_quantile(1.0), std::invalid_argument);
  EXPECT_THROW((void)normal_quantile(-0.5), std::invalid_argument);
  EXPECT_THROW((void)normal_quantile(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
}

TEST(NormalCdf, MatchesKnownValues) {
  EXPECT_EQ(normal_cdf(0.0), 0.5);
  EXPECT_NEAR(normal_cdf(1.959963984540054), 0.975, 1e-15);
  EXPECT_NEAR(normal_cdf(-1.0), 0.15865525393145705, 1e-16);
  EXPECT_NEAR(normal_cdf(-6.0) / 9.8658764503769814e-10, 1.0, 1e-14);
}

}  // namespace
}  // namespace bsim::core
