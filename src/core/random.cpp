#include "core/random.h"

#include <Random123/philox.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace bsim::core {
namespace {

// Below this mean, sequential-search inversion needs few steps and exp(-mean) keeps full
// relative precision; at and above it PTRS is fast (Hormann requires mean >= 10).
constexpr double kPoissonPtrsMinMean = 30.0;

constexpr double kHalfLogTwoPi = 0.91893853320467274178032973640562;
constexpr double kSqrtHalf = 0.70710678118654752440084436210485;

// Shortest round-trip formatting, so messages show exactly the value that was rejected.
std::string format_double(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc{} ? std::string(buffer, end) : std::string("?");
}

[[noreturn]] void throw_invalid(std::string_view function, std::string_view parameter, double value,
                                std::string_view requirement) {
  std::string message(function);
  message.append(": ").append(parameter).append(" must be ").append(requirement);
  message.append(", got ").append(format_double(value));
  throw std::invalid_argument(message);
}

void require_positive_finite(std::string_view function, std::string_view parameter, double value) {
  if (!(value > 0.0) || !std::isfinite(value)) throw_invalid(function, parameter, value, "> 0 and finite");
}

void require_non_negative(std::string_view function, std::string_view parameter, double value) {
  if (!(value >= 0.0)) throw_invalid(function, parameter, value, ">= 0");
}

void require_finite(std::string_view function, std::string_view parameter, double value) {
  if (!std::isfinite(value)) throw_invalid(function, parameter, value, "finite");
}

// log(k!) without std::lgamma, which writes the global signgam and so races between threads.
double log_factorial(double k) {
  // Factorials up to 20! have at most 53 significant bits, so these doubles are exact.
  constexpr auto kFactorials = [] {
    std::array<double, 21> table{};
    double f = 1.0;
    for (int i = 0; i < 21; ++i) {
      if (i > 0) f *= i;
      table[static_cast<std::size_t>(i)] = f;
    }
    return table;
  }();
  if (k < 21.0) return std::log(kFactorials[static_cast<std::size_t>(k)]);
  // Stirling series for lgamma(x); with x >= 22 the first omitted term is below 1e-15.
  const double x = k + 1.0;
  const double r = 1.0 / x;
  const double r2 = r * r;
  const double series = r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0)));
  return (x - 0.5) * std::log(x) - x + kHalfLogTwoPi + series;
}

}  // namespace

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t path, std::uint64_t stream)
    : key_{seed, path}, counter_{stream, 0, 0, 0} {}

std::uint64_t RandomStream::next_u64() {
  const auto position = static_cast<std::size_t>(draws_ & 3U);
  if (position == 0) {
    counter_[1] = draws_ >> 2;
    const r123::Philox4x64::ctr_type counter = {{counter_[0], counter_[1], counter_[2], counter_[3]}};
    const r123::Philox4x64::key_type key = {{key_[0], key_[1]}};
    const r123::Philox4x64::ctr_type block = r123::Philox4x64()(counter, key);
    for (std::size_t i = 0; i < 4; ++i) buffer_[i] = block[i];
  }
  ++draws_;
  return buffer_[position];
}

double uniform01_from_bits(std::uint64_t bits) {
  const std::uint64_t k = bits >> 11;
  // Half a grid step instead of 0 keeps the interval open without a data-dependent redraw,
  // which would misalign streams; the 2^-53 chance of this value makes the bias irrelevant.
  if (k == 0) return 0x1p-54;
  return static_cast<double>(k) * 0x1p-53;
}

double RandomStream::uniform01() { return uniform01_from_bits(next_u64()); }

double RandomStream::uniform(double lo, double hi) {
  require_finite("RandomStream::uniform", "lo", lo);
  require_finite("RandomStream::uniform", "hi", hi);
  if (!(lo <= hi)) throw_invalid("RandomStream::uniform", "lo", lo, "<= hi (" + format_double(hi) + ")");
  const double u = uniform01();
  const double width = hi - lo;
  // hi - lo overflows for bounds of opposite sign near the double limit.
  const double x = std::isfinite(width) ? lo + width * u : lo * (1.0 - u) + hi * u;
  return std::clamp(x, lo, hi);
}

double RandomStream::normal() { return normal_quantile(uniform01()); }

double RandomStream::normal(double mean, double sd) {
  require_non_negative("RandomStream::normal", "sd", sd);
  const double z = normal();
  return mean + sd * z;
}

double RandomStream::lognormal(double mu, double sigma) {
  require_non_negative("RandomStream::lognormal", "sigma", sigma);
  const double z = normal();
  return std::exp(mu + sigma * z);
}

double RandomStream::exponential(double rate) {
  if (!(rate > 0.0)) throw_invalid("RandomStream::exponential", "rate", rate, "> 0");
  const double u = uniform01();
  return -std::log(u) / rate;
}

std::uint64_t RandomStream::poisson(double mean) {
  require_non_negative("RandomStream::poisson", "mean", mean);
  require_finite("RandomStream::poisson", "mean", mean);
  return mean < kPoissonPtrsMinMean ? poisson_inversion(mean) : poisson_ptrs(mean);
}

std::uint64_t RandomStream::poisson_inversion(double mean) {
  const double u = uniform01();
  std::uint64_t k = 0;
  double probability = std::exp(-mean);
  double cdf = probability;
  while (u > cdf) {
    ++k;
    probability *= mean / static_cast<double>(k);
    const double next = cdf + probability;
    // Rounding can leave the summed CDF just below a u that is within an ulp of 1; stop once
    // the remaining terms no longer change it rather than loop forever.
    if (next == cdf) break;
    cdf = next;
  }
  return k;
}

// Hormann (1993), "The transformed rejection method for generating Poisson random variables",
// algorithm PTRS. Exact: the squeeze only accepts inside the hat, the final test is the full
// acceptance condition.
std::uint64_t RandomStream::poisson_ptrs(double mean) {
  const double sqrt_mean = std::sqrt(mean);
  const double log_mean = std::log(mean);
  const double b = 0.931 + 2.53 * sqrt_mean;
  const double a = -0.059 + 0.02483 * b;
  const double log_inv_alpha = std::log(1.1239 + 1.1328 / (b - 3.4));
  const double v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = uniform01() - 0.5;
    const double v = uniform01();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= v_r) return static_cast<std::uint64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    const double log_hat = std::log(v) + log_inv_alpha - std::log(a / (us * us) + b);
    if (log_hat <= -mean + k * log_mean - log_factorial(k)) return static_cast<std::uint64_t>(k);
  }
}

bool RandomStream::bernoulli(double p) {
  if (!(p >= 0.0 && p <= 1.0)) throw_invalid("RandomStream::bernoulli", "p", p, "in [0, 1]");
  const double u = uniform01();
  return u < p;
}

// Marsaglia & Tsang (2000), "A simple method for generating gamma variables"; shape >= 1.
double RandomStream::marsaglia_tsang(double shape) {
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = normal();
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = uniform01();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double RandomStream::standard_gamma(double shape) {
  if (shape >= 1.0) return marsaglia_tsang(shape);
  // Gamma(shape) = Gamma(shape + 1) * U^(1/shape), since Marsaglia–Tsang needs shape >= 1.
  const double g = marsaglia_tsang(shape + 1.0);
  const double u = uniform01();
  return g * std::pow(u, 1.0 / shape);
}

// Same words and same variate as standard_gamma, but in log space so small shapes cannot
// underflow to 0 (beta would otherwise divide 0 by 0).
double RandomStream::log_standard_gamma(double shape) {
  if (shape >= 1.0) return std::log(marsaglia_tsang(shape));
  const double g = marsaglia_tsang(shape + 1.0);
  const double u = uniform01();
  return std::log(g) + std::log(u) / shape;
}

double RandomStream::gamma(double shape, double scale) {
  require_positive_finite("RandomStream::gamma", "shape", shape);
  require_positive_finite("RandomStream::gamma", "scale", scale);
  return scale * standard_gamma(shape);
}

double RandomStream::beta(double a, double b) {
  require_positive_finite("RandomStream::beta", "a", a);
  require_positive_finite("RandomStream::beta", "b", b);
  const double log_x = log_standard_gamma(a);
  const double log_y = log_standard_gamma(b);
  // Equal logs (including both -inf for absurdly small shapes) mean X == Y.
  if (log_x == log_y) return 0.5;
  // X / (X + Y) written so that neither X nor Y is ever formed.
  return 1.0 / (1.0 + std::exp(log_y - log_x));
}

double RandomStream::triangular(double lo, double mode, double hi) {
  require_finite("RandomStream::triangular", "lo", lo);
  require_finite("RandomStream::triangular", "mode", mode);
  require_finite("RandomStream::triangular", "hi", hi);
  if (!(lo <= hi)) throw_invalid("RandomStream::triangular", "lo", lo, "<= hi (" + format_double(hi) + ")");
  if (!(lo <= mode && mode <= hi)) {
    throw_invalid("RandomStream::triangular", "mode", mode,
                  "in [lo, hi] = [" + format_double(lo) + ", " + format_double(hi) + "]");
  }
  const double u = uniform01();
  if (lo == hi) return lo;
  const double width = hi - lo;
  const double left_share = (mode - lo) / width;
  const double x = u < left_share ? lo + std::sqrt(u * width * (mode - lo))
                                  : hi - std::sqrt((1.0 - u) * width * (hi - mode));
  return std::clamp(x, lo, hi);
}

// Wichura (1988), "Algorithm AS 241: The percentage points of the normal distribution" (PPND16),
// relative accuracy about 1e-16 over the whole of (0, 1).
double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) {
    throw_invalid("normal_quantile", "p", p, "in (0, 1)");
  }
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    const double num =
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
             45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
          133.14166789178437745) * r + 3.387132872796366608);
    const double den =
        (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
             21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
          42.313330701600911252) * r + 1.0);
    return q * num / den;
  }
  // The tail probability min(p, 1 - p); 1 - p is exact for p >= 0.5.
  double r = std::sqrt(-std::log(q < 0.0 ? p : 1.0 - p));
  double value;
  if (r <= 5.0) {
    r -= 1.6;
    const double num =
        (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) *
                 r + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
          4.6303378461565452959) * r + 1.42343711074968357734);
    const double den =
        (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) *
                 r + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
          2.05319162663775882187) * r + 1.0);
    value = num / den;
  } else {
    r -= 5.0;
    const double num =
        (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) *
                 r + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
          5.4637849111641143699) * r + 6.6579046435011037772);
    const double den =
        (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) *
                 r + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
          0.59983220655588793769) * r + 1.0);
    value = num / den;
  }
  return q < 0.0 ? -value : value;
}

double normal_cdf(double x) {
  // erfc keeps full relative precision in the lower tail, where 1 - erfc(...) would cancel.
  return 0.5 * std::erfc(-x * kSqrtHalf);
}

}  // namespace bsim::core
