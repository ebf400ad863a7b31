#pragma once
/// Distributions of uncertain scenario numbers, sampled by inversion, and the Gaussian copula
/// that gives them rank correlations.
///
///   const core::Distribution d = core::Distribution::pert(0.7, 1.2, 1.6);
///   double x = d.quantile(stream.uniform01());          // one uniform, one value
///
///   core::GaussianCopula copula(2, {{0, 1, -0.3}});      // Spearman rho between 0 and 1
///   std::array<double, 2> u{stream.uniform01(), stream.uniform01()};
///   copula.correlate(u);                                 // still uniform, now rank-correlated
///
/// Everything here is implemented in the project (no <random>, no std::lgamma), so the same
/// uniforms give the same values with any conforming compiler and library, up to last-bit
/// differences in the math library (log, exp, pow, erfc, sin).

#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bsim::core {

/// The smallest and largest values RandomStream::uniform01 (and GaussianCopula::correlate)
/// give: quantiles at these probabilities bound every value a sampler draws.
inline constexpr double kSmallestUniform01 = 0x1p-54;
inline constexpr double kLargestUniform01 = 1.0 - 0x1p-53;

enum class DistributionKind { kFixed, kUniform, kTriangular, kNormal, kLognormal, kBeta, kPert, kDiscrete };

/// A one-dimensional distribution sampled by inversion, so one uniform (or one copula
/// coordinate) maps to one value and streams stay aligned.
///
/// A value type: cheap to copy for every kind but `discrete`, which holds its values.
/// Factories check their parameters and throw std::invalid_argument naming the distribution,
/// the parameter and the value that was rejected.
class Distribution {
 public:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  /// Always `value` (finite).
  static Distribution fixed(double value);
  /// Uniform on [min, max]; finite, min < max.
  static Distribution uniform(double min, double max);
  /// Triangular on [min, max] with its peak at mode; finite, min < max, min <= mode <= max.
  static Distribution triangular(double min, double mode, double max);
  /// Normal(mean, sd^2), sd > 0, truncated to [min, max] (min < max; infinite bounds mean no
  /// truncation). Throws if the truncation leaves no probability the doubles can represent.
  static Distribution normal(double mean, double sd, double min = -kInf, double max = kInf);
  /// exp(Normal(ln median, sigma^2)), median > 0, sigma > 0, truncated to [min, max] with
  /// 0 <= min < max.
  static Distribution lognormal(double median, double sigma, double min = 0.0, double max = kInf);
  /// Beta(alpha, beta) scaled from [0, 1] to [min, max]; alpha, beta > 0, finite min < max.
  static Distribution beta(double alpha, double beta, double min = 0.0, double max = 1.0);
  /// PERT: the beta on [min, max] with mode `mode` and shape lambda (4 is the classical PERT):
  /// alpha = 1 + lambda (mode - min) / (max - min), beta = 1 + lambda (max - mode) / (max - min).
  static Distribution pert(double min, double mode, double max, double lambda = 4.0);
  /// `values[i]` with probability weights[i] / sum(weights); at least one value, as many
  /// weights as values, weights finite and >= 0 with a positive sum. Values are sorted (with
  /// their weights) so that the quantile is monotone.
  static Distribution discrete(std::vector<double> values, std::vector<double> weights);

  /// The value at probability u in (0, 1): the smallest x with CDF(x) >= u. Monotone
  /// non-decreasing in u and within [support_min(), support_max()]. Deterministic.
  /// Throws std::invalid_argument unless 0 < u < 1.
  [[nodiscard]] double quantile(double u) const;

  /// The bounds of the values quantile can return (-inf / +inf for an untruncated normal).
  [[nodiscard]] double support_min() const;
  [[nodiscard]] double support_max() const;
  [[nodiscard]] DistributionKind kind() const { return kind_; }

  /// Stable text for outputs: "pert(0.7, 1.2, 1.6)", "normal(1, 0.5, min=0)",
  /// "discrete([1, 2], [0.25, 0.75])". Numbers in shortest round-trip form; optional
  /// parameters appear only when they differ from their defaults.
  [[nodiscard]] std::string describe() const;

 private:
  Distribution() = default;

  DistributionKind kind_ = DistributionKind::kFixed;
  // Meaning by kind — fixed: a = value; uniform: min, max; triangular: min, mode (a), max;
  // normal: a = mean, b = sd; lognormal: a = median, b = sigma; beta: a = alpha, b = beta;
  // pert: a = mode, b = lambda (alpha_, beta_ derived).
  double a_ = 0.0;
  double b_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
  double alpha_ = 0.0;  ///< beta and pert: the shapes
  double beta_ = 0.0;
  // Truncated normal (and lognormal in log space): the standardised bounds' tail probabilities.
  bool upper_tail_ = false;  ///< work with upper-tail probabilities (truncation wholly above the mean)
  double p_lo_ = 0.0;
  double p_hi_ = 1.0;
  std::vector<double> values_;      ///< discrete, sorted
  std::vector<double> cumulative_;  ///< discrete: cumulative weights, last = total
  std::vector<double> weights_;     ///< discrete: as given (after sorting), for describe()
};

/// log Gamma(x) for x > 0 (Lanczos, relative error about 1e-15). Unlike std::lgamma it writes
/// no global state, so it is safe on several threads.
double log_gamma(double x);

/// The regularized incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1].
/// Continued fraction (modified Lentz), accurate to about 1e-14 absolute.
/// Throws std::invalid_argument on bad arguments.
double regularized_incomplete_beta(double a, double b, double x);

/// The x in [0, 1] with I_x(a, b) = p, for a, b > 0 and p in [0, 1]: Newton steps kept inside
/// a shrinking bracket, bisecting when a step would leave it. Throws std::invalid_argument on
/// bad arguments.
double inverse_regularized_incomplete_beta(double a, double b, double p);

/// Gaussian copula: turns independent uniforms into uniforms with the given Spearman rank
/// correlations (converted to the normal copula's Pearson correlation by 2 sin(pi rho / 6)).
///
/// Dimensions with no correlation to an earlier dimension keep their uniform exactly; the
/// others go through normal_quantile, the Cholesky factor and normal_cdf.
class GaussianCopula {
 public:
  struct Pair {
    std::size_t a;
    std::size_t b;
    double rank_correlation;  ///< Spearman rho in (-1, 1)
  };

  /// Throws std::invalid_argument if an index is out of range, a == b, a pair is given twice,
  /// |rho| >= 1, or the correlation matrix is not positive definite (the message says so and
  /// names the first dimension at which the Cholesky factorisation fails).
  GaussianCopula(std::size_t dims, const std::vector<Pair>& pairs);

  /// The first dimension at which the Cholesky factorisation of the pairs' normal correlation
  /// matrix fails (the leading block up to it is not positive definite), or nothing if it is
  /// positive definite. Does not check the pairs otherwise.
  static std::optional<std::size_t> first_failing_dimension(std::size_t dims, const std::vector<Pair>& pairs);

  /// Correlates u in place; u.size() must equal dims() (throws std::invalid_argument) and each
  /// value lie in (0, 1). Results stay in [2^-54, 1 - 2^-53].
  void correlate(std::span<double> u) const;

  [[nodiscard]] std::size_t dims() const { return dims_; }

 private:
  std::size_t dims_ = 0;
  std::vector<double> lower_;      ///< Cholesky factor, row-major dims × dims (lower triangle)
  std::vector<bool> independent_;  ///< row i of the factor is the unit vector e_i
};

}  // namespace bsim::core
