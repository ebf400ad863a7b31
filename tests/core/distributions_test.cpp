// Distributions of uncertain parameters (quantiles against known values, monotone, within their
// support, moments of many inversions) and the Gaussian copula's rank correlations.

#include "core/distributions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.h"

namespace bsim::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Exact references: closed forms, or quantiles of integer-shape betas found by bisection on the
// binomial-sum CDF in 50-digit decimal arithmetic (printed to 17 digits).
TEST(Distribution, QuantilesMatchKnownValues) {
  EXPECT_EQ(Distribution::fixed(2.5).quantile(0.3), 2.5);
  EXPECT_DOUBLE_EQ(Distribution::uniform(50, 150).quantile(0.25), 75.0);
  // Triangular(0, 1, 4): below the mode x = sqrt(u · 4 · 1); above, 4 - sqrt((1 - u) · 4 · 3).
  EXPECT_DOUBLE_EQ(Distribution::triangular(0, 1, 4).quantile(0.1), std::sqrt(0.4));
  EXPECT_DOUBLE_EQ(Distribution::triangular(0, 1, 4).quantile(0.5), 4.0 - std::sqrt(6.0));

  EXPECT_NEAR(Distribution::normal(0, 1).quantile(0.975), 1.9599639845400536, 1e-14);
  EXPECT_NEAR(Distribution::normal(10, 2).quantile(0.975), 10 + 2 * 1.9599639845400536, 1e-13);
  // Half-normal: u maps to the normal's (1 + u) / 2.
  EXPECT_NEAR(Distribution::normal(0, 1, 0.0).quantile(0.5), 0.6744897501960817, 1e-14);
  // Truncated wholly above the mean (upper-tail branch) and on both sides.
  EXPECT_NEAR(Distribution::normal(0, 1, 1.0).quantile(0.5), 1.409608709293454, 1e-13);
  EXPECT_NEAR(Distribution::normal(10, 2, 11, 13).quantile(0.5), 11.773012677322036, 1e-12);

  EXPECT_NEAR(Distribution::lognormal(2.8, 0.4).quantile(0.5), 2.8, 1e-14);
  EXPECT_NEAR(Distribution::lognormal(2.8, 0.4).quantile(0.975), 2.8 * std::exp(0.4 * 1.9599639845400536), 1e-13);

  // Beta(2, 5) on [0, 1].
  const Distribution b25 = Distribution::beta(2, 5);
  EXPECT_NEAR(b25.quantile(0.05), 0.062849891708354380, 1e-14);
  EXPECT_NEAR(b25.quantile(0.5), 0.26444998329565996, 1e-14);
  EXPECT_NEAR(b25.quantile(0.9), 0.51031630655149164, 1e-14);
  EXPECT_NEAR(b25.quantile(0.999), 0.81861386691913397, 1e-14);
  // Scaled to [10, 20].
  EXPECT_NEAR(Distribution::beta(2, 5, 10, 20).quantile(0.5), 12.6444998329565996, 1e-13);
  // Closed forms: Beta(a, 1) has CDF x^a; Beta(1/2, 1/2) is the arcsine law, x = sin²(πu/2).
  EXPECT_NEAR(Distribution::beta(2.5, 1).quantile(0.3), std::pow(0.3, 1 / 2.5), 1e-14);
  EXPECT_NEAR(Distribution::beta(0.5, 0.5).quantile(0.2), std::pow(std::sin(std::numbers::pi * 0.1), 2), 1e-14);

  // PERT(0, 1, 4) is Beta(1 + 4·1/4, 1 + 4·3/4) = Beta(2, 4) on [0, 4]; PERT(0, 2, 4) is Beta(3, 3).
  const Distribution p014 = Distribution::pert(0, 1, 4);
  EXPECT_NEAR(p014.quantile(0.05), 4 * 0.076440391412328886, 1e-13);
  EXPECT_NEAR(p014.quantile(0.5), 4 * 0.31381017045569744, 1e-13);
  EXPECT_NEAR(p014.quantile(0.999), 4 * 0.87798617038852154, 1e-13);
  const Distribution p024 = Distribution::pert(0, 2, 4);
  EXPECT_NEAR(p024.quantile(0.5), 2.0, 1e-13);
  EXPECT_NEAR(p024.quantile(0.9), 4 * 0.75336354671153341, 1e-13);
  // lambda = 0 would be uniform; lambda = 2 on (0, 1, 4) is Beta(1.5, 2.5).
  EXPECT_NEAR(Distribution::pert(0, 1, 4, 2).quantile(0.5), 4 * Distribution::beta(1.5, 2.5).quantile(0.5), 1e-13);

  // Discrete: values are sorted with their weights; the CDF steps at 0.25 and 0.75.
  const Distribution d = Distribution::discrete({3, 1, 2}, {1, 1, 2});
  EXPECT_EQ(d.quantile(0.2), 1.0);
  EXPECT_EQ(d.quantile(0.25), 1.0);
  EXPECT_EQ(d.quantile(0.3), 2.0);
  EXPECT_EQ(d.quantile(0.8), 3.0);
}

TEST(SpecialFunctions, LogGammaAndIncompleteBetaMatchClosedForms) {
  EXPECT_NEAR(log_gamma(1.0), 0.0, 1e-15);
  EXPECT_NEAR(log_gamma(0.5), 0.5 * std::log(std::numbers::pi), 1e-14);
  EXPECT_NEAR(log_gamma(10.0), std::log(362880.0), 1e-13);
  EXPECT_NEAR(log_gamma(171.5), 709.1431630309282, 1e-10);
  EXPECT_NEAR(log_gamma(1e-8), -std::log(1e-8) - 0.5772156649015329 * 1e-8, 1e-12);
  // I_x(2, 2) = 3x² - 2x³; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b.
  EXPECT_NEAR(regularized_incomplete_beta(2, 2, 0.3), 3 * 0.09 - 2 * 0.027, 1e-15);
  EXPECT_NEAR(regularized_incomplete_beta(3.5, 1, 0.7), std::pow(0.7, 3.5), 1e-14);
  EXPECT_NEAR(regularized_incomplete_beta(1, 7.25, 0.2), 1 - std::pow(0.8, 7.25), 1e-15);
  EXPECT_EQ(regularized_incomplete_beta(2, 3, 0.0), 0.0);
  EXPECT_EQ(regularized_incomplete_beta(2, 3, 1.0), 1.0);
  EXPECT_THROW(regularized_incomplete_beta(0, 3, 0.5), std::invalid_argument);
  EXPECT_THROW(regularized_incomplete_beta(2, 3, 1.5), std::invalid_argument);
}

TEST(SpecialFunctions, InverseIncompleteBetaRoundTripsOverShapes) {
  const std::vector<double> shapes = {0.05, 0.3, 1.0, 2.5, 17.0, 400.0};
  const std::vector<double> ps = {1e-12, 1e-4, 0.01, 0.3, 0.5, 0.77, 0.99, 1 - 1e-6};
  for (double a : shapes) {
    for (double b : shapes) {
      for (double p : ps) {
        const double x = inverse_regularized_incomplete_beta(a, b, p);
        ASSERT_GE(x, 0.0);
        ASSERT_LE(x, 1.0);
        // x is the quantile to within one double: where the CDF climbs steeply, or the true
        // quantile lies closer to 1 than a double can, p falls between the CDF at x's neighbours.
        const double tolerance = 1e-12 + 1e-9 * p;
        const double below = regularized_incomplete_beta(a, b, std::nextafter(x, 0.0));
        const double above = regularized_incomplete_beta(a, b, std::nextafter(x, 1.0));
        const bool close = std::fabs(regularized_incomplete_beta(a, b, x) - p) <= tolerance;
        EXPECT_TRUE(close || (below <= p + tolerance && above >= p - tolerance))
            << "a=" << a << " b=" << b << " p=" << p << " x=" << x;
      }
    }
  }
}

std::vector<Distribution> one_of_each() {
  return {Distribution::fixed(3),
          Distribution::uniform(-1, 2),
          Distribution::triangular(0.7, 1.2, 1.6),
          Distribution::normal(5, 2),
          Distribution::normal(0.2, 0.3, 0.0, 1.0),
          Distribution::normal(0, 1, 3.0),
          Distribution::lognormal(2.8, 0.4),
          Distribution::lognormal(2.8, 1.2, 1.5, 10.0),
          Distribution::beta(0.4, 3),
          Distribution::beta(2, 5, 100, 200),
          Distribution::pert(0.7, 1.2, 1.6),
          Distribution::pert(0, 0, 10, 6),
          Distribution::discrete({1, 5, 2, 8}, {0.1, 0.0, 0.6, 0.3})};
}

TEST(Distribution, QuantileIsMonotoneAndWithinSupport) {
  std::vector<double> us = {kSmallestUniform01, 1e-12, 1e-6};
  for (int i = 1; i < 1000; ++i) us.push_back(i / 1000.0);
  us.insert(us.end(), {1 - 1e-6, 1 - 1e-12, kLargestUniform01});
  for (const Distribution& d : one_of_each()) {
    double previous = -kInf;
    for (double u : us) {
      const double x = d.quantile(u);
      ASSERT_TRUE(std::isfinite(x)) << d.describe() << " at u=" << u;
      ASSERT_GE(x, d.support_min()) << d.describe() << " at u=" << u;
      ASSERT_LE(x, d.support_max()) << d.describe() << " at u=" << u;
      ASSERT_GE(x, previous) << d.describe() << " decreases at u=" << u;
      previous = x;
    }
    EXPECT_THROW((void)d.quantile(0.0), std::invalid_argument);
    EXPECT_THROW((void)d.quantile(1.0), std::invalid_argument);
  }
  // Discrete support is the values with positive weight: 5 has none.
  const Distribution d = Distribution::discrete({1, 5, 2, 8}, {0.1, 0.0, 0.6, 0.3});
  EXPECT_EQ(d.support_min(), 1.0);
  EXPECT_EQ(d.support_max(), 8.0);
  EXPECT_EQ(Distribution::normal(0, 1).support_min(), -kInf);
  EXPECT_EQ(Distribution::lognormal(1, 1).support_min(), 0.0);
  EXPECT_EQ(Distribution::lognormal(1, 1).support_max(), kInf);
}

struct Expected {
  Distribution distribution;
  double mean;
  double variance;
};

// Mean within 5 standard errors and variance within 5% after 100,000 inversions of one stream.
TEST(Distribution, MomentsOfManyInversionsMatchTheory) {
  constexpr int kSamples = 100'000;
  const double pi = std::numbers::pi;
  auto beta_var = [](double a, double b) { return a * b / ((a + b) * (a + b) * (a + b + 1)); };
  const double s2 = 0.16;  // lognormal sigma^2
  // Normal truncated to [0, 1] around mean 0.2, sd 0.3: mean μ + σ(φ(α) - φ(β))/Z, etc.
  const double alpha = (0.0 - 0.2) / 0.3;
  const double beta = (1.0 - 0.2) / 0.3;
  auto phi = [&](double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * pi); };
  const double z = normal_cdf(beta) - normal_cdf(alpha);
  const double tn_shift = (phi(alpha) - phi(beta)) / z;
  const double tn_var = 0.09 * (1 + (alpha * phi(alpha) - beta * phi(beta)) / z - tn_shift * tn_shift);
  // PERT(0.7, 1.2, 1.6): alpha = 1 + 4·0.5/0.9, beta = 1 + 4·0.4/0.9 on a width of 0.9.
  const double pa = 1 + 4 * 0.5 / 0.9;
  const double pb = 1 + 4 * 0.4 / 0.9;
  const std::vector<Expected> cases = {
      {Distribution::uniform(-1, 2), 0.5, 9.0 / 12},
      {Distribution::triangular(0.7, 1.2, 1.6), 3.5 / 3, (0.49 + 1.44 + 2.56 - 0.7 * 1.2 - 0.7 * 1.6 - 1.2 * 1.6) / 18},
      {Distribution::normal(5, 2), 5, 4},
      {Distribution::normal(0, 1, 0.0), std::sqrt(2 / pi), 1 - 2 / pi},
      {Distribution::normal(0.2, 0.3, 0.0, 1.0), 0.2 + 0.3 * tn_shift, tn_var},
      {Distribution::lognormal(2.8, 0.4), 2.8 * std::exp(s2 / 2), (std::exp(s2) - 1) * 2.8 * 2.8 * std::exp(s2)},
      {Distribution::beta(0.4, 3), 0.4 / 3.4, beta_var(0.4, 3)},
      {Distribution::beta(2, 5, 100, 200), 100 + 100 * 2.0 / 7, 1e4 * beta_var(2, 5)},
      {Distribution::pert(0.7, 1.2, 1.6), (0.7 + 4 * 1.2 + 1.6) / 6, 0.81 * beta_var(pa, pb)},
      {Distribution::discrete({1, 2, 8}, {0.1, 0.6, 0.3}), 0.1 + 1.2 + 2.4, 0.1 + 2.4 + 19.2 - 3.7 * 3.7},
  };
  for (const Expected& c : cases) {
    RandomStream stream(11, 3, 7);
    double mean = 0.0;
    double m2 = 0.0;
    for (int i = 0; i < kSamples; ++i) {
      const double x = c.distribution.quantile(stream.uniform01());
      const double delta = x - mean;
      mean += delta / (i + 1);
      m2 += delta * (x - mean);
    }
    const double variance = m2 / (kSamples - 1);
    EXPECT_NEAR(mean, c.mean, 5 * std::sqrt(c.variance / kSamples)) << c.distribution.describe();
    EXPECT_NEAR(variance, c.variance, 0.05 * c.variance) << c.distribution.describe();
  }
}

TEST(Distribution, BadParametersThrowNamingTheParameter) {
  auto message = [](auto&& make) {
    try {
      make();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no exception)");
  };
  EXPECT_EQ(message([] { Distribution::normal(1, -0.5); }), "normal: sd must be above 0 and finite, got -0.5");
  EXPECT_EQ(message([] { Distribution::lognormal(2, 0); }), "lognormal: sigma must be above 0 and finite, got 0");
  EXPECT_EQ(message([] { Distribution::uniform(3, 1); }), "uniform: min must be below max (1), got 3");
  EXPECT_EQ(message([] { Distribution::pert(0, 5, 4); }), "pert: mode must be in [min, max] = [0, 4], got 5");
  EXPECT_EQ(message([] {
              Distribution::discrete({1, 2}, {1, -1});
            }),
            "discrete: each weight must be at least 0 and finite, got -1");
  EXPECT_EQ(message([] {
              Distribution::discrete({1, 2}, {0, 0});
            }),
            "discrete: the sum of the weights must be above 0 and finite, got 0");
  EXPECT_EQ(message([] {
              Distribution::discrete({1, 2}, {1});
            }),
            "discrete: 2 values but 1 weights; give one weight per value");
  EXPECT_THROW(Distribution::discrete({}, {}), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal(-1, 0.5), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal(1, 0.5, -1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::beta(0, 1), std::invalid_argument);
  EXPECT_THROW(Distribution::triangular(0, -1, 1), std::invalid_argument);
  EXPECT_THROW(Distribution::fixed(kInf), std::invalid_argument);
  EXPECT_THROW(Distribution::pert(0, 1, 2, 0), std::invalid_argument);
  // Fifty standard deviations out: no probability a double can hold.
  EXPECT_EQ(message([] { Distribution::normal(0, 1, 50, 51); }),
            "normal: the truncation to [50, 51] leaves no probability (it lies too far in the tail)");
}

TEST(Distribution, DescribeIsStable) {
  EXPECT_EQ(Distribution::fixed(2.5).describe(), "fixed(2.5)");
  EXPECT_EQ(Distribution::uniform(50, 150).describe(), "uniform(50, 150)");
  EXPECT_EQ(Distribution::triangular(0.7, 1.2, 1.6).describe(), "triangular(0.7, 1.2, 1.6)");
  EXPECT_EQ(Distribution::normal(1, 0.5).describe(), "normal(1, 0.5)");
  EXPECT_EQ(Distribution::normal(1, 0.5, 0.0).describe(), "normal(1, 0.5, min=0)");
  EXPECT_EQ(Distribution::lognormal(2.8, 0.4).describe(), "lognormal(2.8, 0.4)");
  EXPECT_EQ(Distribution::lognormal(2.8, 0.4, 1.0, 10.0).describe(), "lognormal(2.8, 0.4, min=1, max=10)");
  EXPECT_EQ(Distribution::beta(2, 5).describe(), "beta(2, 5)");
  EXPECT_EQ(Distribution::beta(2, 5, 1, 3).describe(), "beta(2, 5, min=1, max=3)");
  EXPECT_EQ(Distribution::pert(0.7, 1.2, 1.6).describe(), "pert(0.7, 1.2, 1.6)");
  EXPECT_EQ(Distribution::pert(0.7, 1.2, 1.6, 6).describe(), "pert(0.7, 1.2, 1.6, lambda=6)");
  EXPECT_EQ(Distribution::discrete({2, 1}, {3, 1}).describe(), "discrete([1, 2], [1, 3])");
}

// Spearman's rho: the Pearson correlation of the ranks (no ties among continuous draws).
double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = static_cast<double>(i);
    return r;
  };
  const std::vector<double> rx = ranks(x);
  const std::vector<double> ry = ranks(y);
  const double n = static_cast<double>(x.size());
  const double mean = (n - 1) / 2;
  double sxy = 0.0;
  double sxx = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
  }
  return sxy / sxx;  // the ranks of x and y have the same spread
}

TEST(GaussianCopula, SampledRankCorrelationsMatchRequested) {
  constexpr int kDraws = 20'000;
  const GaussianCopula copula(4, {{0, 1, 0.6}, {1, 2, -0.3}, {2, 3, 0.85}});
  std::vector<std::vector<double>> columns(4);
  RandomStream stream(5, 0, 7);
  for (int i = 0; i < kDraws; ++i) {
    std::vector<double> u(4);
    for (double& v : u) v = stream.uniform01();
    const std::vector<double> before = u;
    copula.correlate(u);
    EXPECT_EQ(u[0], before[0]);  // no correlation with an earlier dimension: unchanged
    for (std::size_t k = 0; k < 4; ++k) {
      ASSERT_GT(u[k], 0.0);
      ASSERT_LT(u[k], 1.0);
      columns[k].push_back(u[k]);
    }
  }
  EXPECT_NEAR(spearman(columns[0], columns[1]), 0.6, 0.03);
  EXPECT_NEAR(spearman(columns[1], columns[2]), -0.3, 0.03);
  EXPECT_NEAR(spearman(columns[2], columns[3]), 0.85, 0.03);
  EXPECT_NEAR(spearman(columns[0], columns[2]), 0.0, 0.03);  // pairs left out are uncorrelated
  // Still uniform: the mean of each margin is about 1/2 (standard error 0.002).
  for (const auto& c : columns) EXPECT_NEAR(std::accumulate(c.begin(), c.end(), 0.0) / kDraws, 0.5, 0.01);
}

TEST(GaussianCopula, InconsistentCorrelationsAreRejected) {
  // Each pair strongly positive, but 0 and 2 strongly negative: impossible together.
  const std::vector<GaussianCopula::Pair> pairs = {{0, 1, 0.9}, {1, 2, 0.9}, {0, 2, -0.9}};
  EXPECT_EQ(GaussianCopula::first_failing_dimension(3, pairs), std::optional<std::size_t>(2));
  try {
    GaussianCopula copula(3, pairs);
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not positive definite"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(GaussianCopula::first_failing_dimension(3, {{0, 1, 0.9}, {1, 2, 0.9}, {0, 2, 0.8}}).has_value());
  EXPECT_THROW(GaussianCopula(2, {{0, 1, 1.0}}), std::invalid_argument);
  EXPECT_THROW(GaussianCopula(2, {{0, 1, 0.5}, {1, 0, 0.2}}), std::invalid_argument);
  EXPECT_THROW(GaussianCopula(2, {{0, 0, 0.5}}), std::invalid_argument);
  EXPECT_THROW(GaussianCopula(2, {{0, 2, 0.5}}), std::invalid_argument);
  std::vector<double> u(3, 0.5);
  EXPECT_THROW(GaussianCopula(2, {}).correlate(u), std::invalid_argument);
}

}  // namespace
}  // namespace bsim::core
