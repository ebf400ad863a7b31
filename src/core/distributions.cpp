#include "core/distributions.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/random.h"

namespace bsim::core {
namespace {

constexpr double kPi = 3.14159265358979323846264338327950288;
constexpr double kHalfLogTwoPi = 0.91893853320467274178032973640562;

std::string format_double(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc{} ? std::string(buffer, end) : std::string("?");
}

[[noreturn]] void throw_invalid(std::string_view what, std::string_view parameter, double value,
                                std::string_view requirement) {
  std::string message(what);
  message.append(": ").append(parameter).append(" must be ").append(requirement);
  message.append(", got ").append(format_double(value));
  throw std::invalid_argument(message);
}

void require_finite(std::string_view what, std::string_view parameter, double value) {
  if (!std::isfinite(value)) throw_invalid(what, parameter, value, "finite");
}

void require_positive(std::string_view what, std::string_view parameter, double value) {
  if (!(value > 0.0) || !std::isfinite(value)) throw_invalid(what, parameter, value, "above 0 and finite");
}

void require_below(std::string_view what, double min, double max) {
  if (!(min < max)) throw_invalid(what, "min", min, "below max (" + format_double(max) + ")");
}

void require_mode_inside(std::string_view what, double min, double mode, double max) {
  require_finite(what, "mode", mode);
  if (!(min <= mode && mode <= max)) {
    throw_invalid(what, "mode", mode, "in [min, max] = [" + format_double(min) + ", " + format_double(max) + "]");
  }
}

// Continued fraction of the incomplete beta function by the modified Lentz method
// (Numerical Recipes §6.4, betacf); converges quickly for x < (a + 1) / (a + b + 2).
double incomplete_beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-16;
  constexpr int kMaxTerms = 100000;  // about sqrt(max(a, b)) terms are needed
  const double qab = a + b;
  const double qap = a + 1.0;
  const double qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxTerms; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) <= kEpsilon) break;
  }
  return h;
}

double log_beta(double a, double b) { return log_gamma(a) + log_gamma(b) - log_gamma(a + b); }

// Numerical Recipes §6.4 (invbetai): a starting point close enough for Newton in most cases.
double inverse_beta_guess(double a, double b, double p) {
  double x;
  if (a >= 1.0 && b >= 1.0) {
    const double pp = p < 0.5 ? p : 1.0 - p;
    const double t = std::sqrt(-2.0 * std::log(pp));
    double z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t;
    if (p < 0.5) z = -z;
    const double al = (z * z - 3.0) / 6.0;
    const double h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
    const double w = z * std::sqrt(al + h) / h -
                     (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
    x = a / (a + b * std::exp(2.0 * w));
  } else {
    const double lna = std::log(a / (a + b));
    const double lnb = std::log(b / (a + b));
    const double t = std::exp(a * lna) / a;
    const double u = std::exp(b * lnb) / b;
    const double w = t + u;
    x = p < t / w ? std::pow(a * w * p, 1.0 / a) : 1.0 - std::pow(b * w * (1.0 - p), 1.0 / b);
  }
  if (!(x > 0.0 && x < 1.0)) x = 0.5;
  return x;
}

}  // namespace

// --- special functions ----------------------------------------------------------------------

// Lanczos approximation with g = 7 and nine coefficients; reflection below 0.5.
double log_gamma(double x) {
  if (!(x > 0.0)) throw_invalid("log_gamma", "x", x, "above 0");
  if (x < 0.5) return std::log(kPi / std::sin(kPi * x)) - log_gamma(1.0 - x);
  static constexpr double kCoefficients[] = {0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
                                             771.32342877765313,   -176.61502916214059,   12.507343278686905,
                                             -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  const double y = x - 1.0;
  double sum = kCoefficients[0];
  for (int i = 1; i < 9; ++i) sum += kCoefficients[i] / (y + i);
  const double t = y + 7.5;
  return kHalfLogTwoPi + (y + 0.5) * std::log(t) - t + std::log(sum);
}

double regularized_incomplete_beta(double a, double b, double x) {
  require_positive("regularized_incomplete_beta", "a", a);
  require_positive("regularized_incomplete_beta", "b", b);
  if (!(x >= 0.0 && x <= 1.0)) throw_invalid("regularized_incomplete_beta", "x", x, "in [0, 1]");
  if (x == 0.0) return 0.0;
  if (x == 1.0) return 1.0;
  const double log_front = a * std::log(x) + b * std::log1p(-x) - log_beta(a, b);
  const double front = std::exp(log_front);
  // The fraction converges fast on the side of the mean it is evaluated on; the symmetry
  // I_x(a, b) = 1 - I_{1-x}(b, a) covers the other side.
  if (x < (a + 1.0) / (a + b + 2.0)) return std::clamp(front * incomplete_beta_fraction(a, b, x) / a, 0.0, 1.0);
  return std::clamp(1.0 - front * incomplete_beta_fraction(b, a, 1.0 - x) / b, 0.0, 1.0);
}

double inverse_regularized_incomplete_beta(double a, double b, double p) {
  require_positive("inverse_regularized_incomplete_beta", "a", a);
  require_positive("inverse_regularized_incomplete_beta", "b", b);
  if (!(p >= 0.0 && p <= 1.0)) throw_invalid("inverse_regularized_incomplete_beta", "p", p, "in [0, 1]");
  if (p == 0.0) return 0.0;
  if (p == 1.0) return 1.0;
  // Solved in the lower half, where quantiles close to 0 keep their precision: an upper
  // quantile is 1 minus the lower quantile 1 - p of Beta(b, a) (1 - p is exact for p >= 1/2).
  if (p > 0.5) return 1.0 - inverse_regularized_incomplete_beta(b, a, 1.0 - p);
  const double lbeta = log_beta(a, b);
  double lo = 0.0;
  double hi = 1.0;
  double x = inverse_beta_guess(a, b, p);
  constexpr int kMaxSteps = 2000;  // bisection alone narrows the bracket below 1e-300 in about 1000
  for (int step = 0; step < kMaxSteps; ++step) {
    const double error = regularized_incomplete_beta(a, b, x) - p;
    if (error == 0.0) return x;
    if (error < 0.0) {
      lo = x;
    } else {
      hi = x;
    }
    const double density = std::exp((a - 1.0) * std::log(x) + (b - 1.0) * std::log1p(-x) - lbeta);
    double next = x - error / density;
    if (!(density > 0.0) || !std::isfinite(next) || next <= lo || next >= hi) {
      next = lo + 0.5 * (hi - lo);             // Newton would leave the bracket: bisect it
      if (next <= lo || next >= hi) return x;  // no double left between the bounds
    }
    if (std::fabs(next - x) <= 2.0 * std::numeric_limits<double>::epsilon() * x) return next;
    x = next;
  }
  return x;
}

// --- Distribution ---------------------------------------------------------------------------

Distribution Distribution::fixed(double value) {
  require_finite("fixed", "value", value);
  Distribution d;
  d.kind_ = DistributionKind::kFixed;
  d.a_ = value;
  d.min_ = value;
  d.max_ = value;
  return d;
}

Distribution Distribution::uniform(double min, double max) {
  require_finite("uniform", "min", min);
  require_finite("uniform", "max", max);
  require_below("uniform", min, max);
  Distribution d;
  d.kind_ = DistributionKind::kUniform;
  d.min_ = min;
  d.max_ = max;
  return d;
}

Distribution Distribution::triangular(double min, double mode, double max) {
  require_finite("triangular", "min", min);
  require_finite("triangular", "max", max);
  require_below("triangular", min, max);
  require_mode_inside("triangular", min, mode, max);
  Distribution d;
  d.kind_ = DistributionKind::kTriangular;
  d.a_ = mode;
  d.min_ = min;
  d.max_ = max;
  return d;
}

namespace {

// Sets the tail probabilities of a normal(mean, sd) truncated to [min, max]; throws when the
// truncation leaves no representable probability.
void truncate_normal(std::string_view what, double mean, double sd, double min, double max, bool& upper_tail,
                     double& p_lo, double& p_hi) {
  const double alpha = (min - mean) / sd;
  const double beta = (max - mean) / sd;
  // Above the mean the upper-tail probabilities keep their precision where 1 - p would not.
  upper_tail = alpha > 0.0;
  if (upper_tail) {
    p_lo = normal_cdf(-alpha);
    p_hi = normal_cdf(-beta);
  } else {
    p_lo = normal_cdf(alpha);
    p_hi = normal_cdf(beta);
  }
  const double mass = upper_tail ? p_lo - p_hi : p_hi - p_lo;
  if (!(mass > 0.0)) {
    throw std::invalid_argument(std::string(what) + ": the truncation to [" + format_double(min) + ", " +
                                format_double(max) + "] leaves no probability (it lies too far in the tail)");
  }
}

double truncated_normal_quantile(double u, double mean, double sd, bool upper_tail, double p_lo, double p_hi) {
  constexpr double kLowest = std::numeric_limits<double>::min();
  if (upper_tail) {
    const double q = std::clamp(p_lo - u * (p_lo - p_hi), kLowest, kLargestUniform01);
    return mean - sd * normal_quantile(q);
  }
  const double q = std::clamp(p_lo + u * (p_hi - p_lo), kLowest, kLargestUniform01);
  return mean + sd * normal_quantile(q);
}

}  // namespace

Distribution Distribution::normal(double mean, double sd, double min, double max) {
  require_finite("normal", "mean", mean);
  require_positive("normal", "sd", sd);
  if (std::isnan(min) || min == kInf) throw_invalid("normal", "min", min, "finite or -inf");
  if (std::isnan(max) || max == -kInf) throw_invalid("normal", "max", max, "finite or +inf");
  require_below("normal", min, max);
  Distribution d;
  d.kind_ = DistributionKind::kNormal;
  d.a_ = mean;
  d.b_ = sd;
  d.min_ = min;
  d.max_ = max;
  truncate_normal("normal", mean, sd, min, max, d.upper_tail_, d.p_lo_, d.p_hi_);
  return d;
}

Distribution Distribution::lognormal(double median, double sigma, double min, double max) {
  require_positive("lognormal", "median", median);
  require_positive("lognormal", "sigma", sigma);
  if (!(min >= 0.0) || min == kInf) throw_invalid("lognormal", "min", min, "at least 0 and finite");
  if (std::isnan(max)) throw_invalid("lognormal", "max", max, "a number");
  require_below("lognormal", min, max);
  Distribution d;
  d.kind_ = DistributionKind::kLognormal;
  d.a_ = median;
  d.b_ = sigma;
  d.min_ = min;
  d.max_ = max;
  const double log_min = min > 0.0 ? std::log(min) : -kInf;
  const double log_max = std::log(max);
  truncate_normal("lognormal", std::log(median), sigma, log_min, log_max, d.upper_tail_, d.p_lo_, d.p_hi_);
  return d;
}

Distribution Distribution::beta(double alpha, double beta, double min, double max) {
  require_positive("beta", "alpha", alpha);
  require_positive("beta", "beta", beta);
  require_finite("beta", "min", min);
  require_finite("beta", "max", max);
  require_below("beta", min, max);
  Distribution d;
  d.kind_ = DistributionKind::kBeta;
  d.a_ = alpha;
  d.b_ = beta;
  d.alpha_ = alpha;
  d.beta_ = beta;
  d.min_ = min;
  d.max_ = max;
  return d;
}

Distribution Distribution::pert(double min, double mode, double max, double lambda) {
  require_finite("pert", "min", min);
  require_finite("pert", "max", max);
  require_below("pert", min, max);
  require_mode_inside("pert", min, mode, max);
  require_positive("pert", "lambda", lambda);
  Distribution d;
  d.kind_ = DistributionKind::kPert;
  d.a_ = mode;
  d.b_ = lambda;
  d.min_ = min;
  d.max_ = max;
  const double width = max - min;
  d.alpha_ = 1.0 + lambda * (mode - min) / width;
  d.beta_ = 1.0 + lambda * (max - mode) / width;
  return d;
}

Distribution Distribution::discrete(std::vector<double> values, std::vector<double> weights) {
  if (values.empty()) throw std::invalid_argument("discrete: needs at least one value");
  if (weights.size() != values.size()) {
    throw std::invalid_argument("discrete: " + std::to_string(values.size()) + " values but " +
                                std::to_string(weights.size()) + " weights; give one weight per value");
  }
  for (double v : values) require_finite("discrete", "each value", v);
  for (double w : weights) {
    if (!(w >= 0.0) || !std::isfinite(w)) throw_invalid("discrete", "each weight", w, "at least 0 and finite");
  }
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
  Distribution d;
  d.kind_ = DistributionKind::kDiscrete;
  double total = 0.0;
  for (std::size_t i : order) {
    d.values_.push_back(values[i]);
    d.weights_.push_back(weights[i]);
    total += weights[i];
    d.cumulative_.push_back(total);
  }
  if (!(total > 0.0) || !std::isfinite(total))
    throw_invalid("discrete", "the sum of the weights", total, "above 0 and finite");
  // The support: the smallest and largest values that can be drawn (positive weight).
  d.min_ = kInf;
  d.max_ = -kInf;
  for (std::size_t i = 0; i < d.values_.size(); ++i) {
    if (d.weights_[i] > 0.0) {
      d.min_ = std::min(d.min_, d.values_[i]);
      d.max_ = std::max(d.max_, d.values_[i]);
    }
  }
  return d;
}

double Distribution::quantile(double u) const {
  if (!(u > 0.0 && u < 1.0)) throw_invalid("Distribution::quantile", "u", u, "in (0, 1)");
  switch (kind_) {
    case DistributionKind::kFixed:
      return a_;
    case DistributionKind::kUniform:
      return std::clamp(min_ + (max_ - min_) * u, min_, max_);
    case DistributionKind::kTriangular: {
      const double width = max_ - min_;
      const double left_share = (a_ - min_) / width;
      const double x = u < left_share ? min_ + std::sqrt(u * width * (a_ - min_))
                                      : max_ - std::sqrt((1.0 - u) * width * (max_ - a_));
      return std::clamp(x, min_, max_);
    }
    case DistributionKind::kNormal:
      return std::clamp(truncated_normal_quantile(u, a_, b_, upper_tail_, p_lo_, p_hi_), min_, max_);
    case DistributionKind::kLognormal: {
      const double log_x = truncated_normal_quantile(u, std::log(a_), b_, upper_tail_, p_lo_, p_hi_);
      return std::clamp(std::exp(log_x), min_, max_);
    }
    case DistributionKind::kBeta:
    case DistributionKind::kPert: {
      const double x = inverse_regularized_incomplete_beta(alpha_, beta_, u);
      return std::clamp(min_ + (max_ - min_) * x, min_, max_);
    }
    case DistributionKind::kDiscrete: {
      const double target = u * cumulative_.back();
      const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), target);
      const std::size_t i =
          it == cumulative_.end() ? cumulative_.size() - 1 : static_cast<std::size_t>(it - cumulative_.begin());
      return values_[i];
    }
  }
  return a_;
}

double Distribution::support_min() const { return min_; }

double Distribution::support_max() const { return max_; }

std::string Distribution::describe() const {
  const auto f = format_double;
  switch (kind_) {
    case DistributionKind::kFixed:
      return "fixed(" + f(a_) + ")";
    case DistributionKind::kUniform:
      return "uniform(" + f(min_) + ", " + f(max_) + ")";
    case DistributionKind::kTriangular:
      return "triangular(" + f(min_) + ", " + f(a_) + ", " + f(max_) + ")";
    case DistributionKind::kNormal:
    case DistributionKind::kLognormal: {
      const bool normal = kind_ == DistributionKind::kNormal;
      std::string out = (normal ? "normal(" : "lognormal(") + f(a_) + ", " + f(b_);
      if (normal ? min_ != -kInf : min_ != 0.0) out += ", min=" + f(min_);
      if (max_ != kInf) out += ", max=" + f(max_);
      return out + ")";
    }
    case DistributionKind::kBeta: {
      std::string out = "beta(" + f(a_) + ", " + f(b_);
      if (min_ != 0.0 || max_ != 1.0) out += ", min=" + f(min_) + ", max=" + f(max_);
      return out + ")";
    }
    case DistributionKind::kPert: {
      std::string out = "pert(" + f(min_) + ", " + f(a_) + ", " + f(max_);
      if (b_ != 4.0) out += ", lambda=" + f(b_);
      return out + ")";
    }
    case DistributionKind::kDiscrete: {
      std::string values;
      std::string weights;
      for (std::size_t i = 0; i < values_.size(); ++i) {
        values += (i ? ", " : "") + f(values_[i]);
        weights += (i ? ", " : "") + f(weights_[i]);
      }
      return "discrete([" + values + "], [" + weights + "])";
    }
  }
  return "?";
}

// --- GaussianCopula -------------------------------------------------------------------------

namespace {

// The normal copula's Pearson correlation matrix (row-major) for the given Spearman pairs.
std::vector<double> normal_correlations(std::size_t dims, const std::vector<GaussianCopula::Pair>& pairs) {
  std::vector<double> c(dims * dims, 0.0);
  for (std::size_t i = 0; i < dims; ++i) c[i * dims + i] = 1.0;
  for (const GaussianCopula::Pair& p : pairs) {
    if (p.a >= dims || p.b >= dims) continue;
    const double r = 2.0 * std::sin(kPi * p.rank_correlation / 6.0);
    c[p.a * dims + p.b] = r;
    c[p.b * dims + p.a] = r;
  }
  return c;
}

// Cholesky factorisation in place (lower triangle); the first failing row, if any. A pivot
// this close to 0 would make the factor amplify rounding without bound.
constexpr double kMinPivot = 1e-10;

std::optional<std::size_t> cholesky(std::size_t dims, std::vector<double>& c) {
  for (std::size_t i = 0; i < dims; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double sum = c[i * dims + j];
      for (std::size_t k = 0; k < j; ++k) sum -= c[i * dims + k] * c[j * dims + k];
      if (i == j) {
        if (!(sum > kMinPivot)) return i;
        c[i * dims + i] = std::sqrt(sum);
      } else {
        c[i * dims + j] = sum / c[j * dims + j];
      }
    }
    for (std::size_t j = i + 1; j < dims; ++j) c[i * dims + j] = 0.0;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> GaussianCopula::first_failing_dimension(std::size_t dims, const std::vector<Pair>& pairs) {
  std::vector<double> c = normal_correlations(dims, pairs);
  return cholesky(dims, c);
}

GaussianCopula::GaussianCopula(std::size_t dims, const std::vector<Pair>& pairs) : dims_(dims) {
  std::vector<std::pair<std::size_t, std::size_t>> seen;
  for (const Pair& p : pairs) {
    if (p.a >= dims || p.b >= dims) {
      throw std::invalid_argument("GaussianCopula: pair (" + std::to_string(p.a) + ", " + std::to_string(p.b) +
                                  ") names a dimension beyond " + std::to_string(dims));
    }
    if (p.a == p.b)
      throw std::invalid_argument("GaussianCopula: pair (" + std::to_string(p.a) + ", " + std::to_string(p.b) +
                                  ") correlates a dimension with itself");
    if (!(std::fabs(p.rank_correlation) < 1.0)) {
      throw_invalid("GaussianCopula", "each rank correlation", p.rank_correlation, "strictly between -1 and 1");
    }
    const std::pair<std::size_t, std::size_t> key{std::min(p.a, p.b), std::max(p.a, p.b)};
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      throw std::invalid_argument("GaussianCopula: pair (" + std::to_string(key.first) + ", " +
                                  std::to_string(key.second) + ") given twice");
    }
    seen.push_back(key);
  }
  lower_ = normal_correlations(dims, pairs);
  if (const auto failing = cholesky(dims, lower_)) {
    throw std::invalid_argument(
        "GaussianCopula: the rank correlations are inconsistent: their correlation matrix is not "
        "positive definite (the factorisation fails at dimension " +
        std::to_string(*failing) + ")");
  }
  independent_.assign(dims, true);
  for (std::size_t i = 0; i < dims; ++i) {
    for (std::size_t k = 0; k < i; ++k) {
      if (lower_[i * dims + k] != 0.0) independent_[i] = false;
    }
  }
}

void GaussianCopula::correlate(std::span<double> u) const {
  if (u.size() != dims_) {
    throw std::invalid_argument("GaussianCopula::correlate: " + std::to_string(u.size()) + " values for " +
                                std::to_string(dims_) + " dimensions");
  }
  std::vector<double> z(dims_);
  for (std::size_t i = 0; i < dims_; ++i) z[i] = normal_quantile(u[i]);
  for (std::size_t i = 0; i < dims_; ++i) {
    if (independent_[i]) continue;
    double x = 0.0;
    for (std::size_t k = 0; k <= i; ++k) x += lower_[i * dims_ + k] * z[k];
    u[i] = std::clamp(normal_cdf(x), kSmallestUniform01, kLargestUniform01);
  }
}

}  // namespace bsim::core
