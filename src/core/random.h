#pragma once
/// Reproducible counter-based random streams keyed by (seed, path, stream), with our own distributions.

#include <array>
#include <cstdint>

namespace bsim::core {

/// A stream of random numbers that depends only on (seed, path, stream) and on how many words
/// have been drawn.
///
/// Words come from Philox4x64-10 with key {seed, path} and counter {stream, block, 0, 0}; each
/// block gives four 64-bit words that are consumed in order. Every distribution is implemented
/// here (not with <random>), so a given key yields the same numbers with any conforming compiler
/// and library, up to last-bit differences in the math library (log, exp, pow, erfc).
///
/// Fixed-cost methods (one word per call) are used where possible so that streams stay aligned:
/// uniform01, uniform, normal, lognormal, exponential, bernoulli, triangular and poisson with
/// mean < 30 each consume exactly one word; poisson with mean >= 30, gamma and beta use
/// rejection and consume a variable number of words. Invalid parameters throw before any word
/// is consumed.
///
/// A stream is a value: copying it gives an independent cursor that repeats the same numbers.
class RandomStream {
 public:
  /// Starts the stream for key (seed, path, stream) at its first word. Any values are allowed.
  RandomStream(std::uint64_t seed, std::uint64_t path, std::uint64_t stream);

  /// The next raw 64-bit word, uniform over [0, 2^64). Consumes one word.
  std::uint64_t next_u64();

  /// Uniform on the open interval (0, 1) on a grid of step 2^-53; never returns 0 or 1.
  /// Consumes one word (see uniform01_from_bits).
  double uniform01();

  /// Uniform on [lo, hi] (hi itself only through rounding; lo == hi returns lo). Consumes one word.
  /// Throws std::invalid_argument unless lo and hi are finite and lo <= hi.
  double uniform(double lo, double hi);

  /// Standard normal, by inversion: normal_quantile(uniform01()). Consumes exactly one word, so
  /// values lie within about ±8.3.
  double normal();

  /// Normal with the given mean and standard deviation sd >= 0 (sd == 0 returns mean but still
  /// consumes a word). Consumes one word. Throws std::invalid_argument if sd < 0 or is NaN.
  double normal(double mean, double sd);

  /// exp(N(mu, sigma^2)), in (0, inf). Consumes one word.
  /// Throws std::invalid_argument if sigma < 0 or is NaN.
  double lognormal(double mu, double sigma);

  /// Exponential with the given rate (mean 1/rate), in (0, inf), by inversion. Consumes one word.
  /// Throws std::invalid_argument unless rate > 0 (NaN rejected).
  double exponential(double rate);

  /// Poisson with the given mean, in {0, 1, 2, ...}. For mean < 30: exact inversion by sequential
  /// search from one uniform (one word, also for mean 0). For mean >= 30: Hormann's PTRS
  /// transformed rejection, exact in distribution (two words per attempt, ~1.1 attempts).
  /// Throws std::invalid_argument unless mean is finite and >= 0.
  std::uint64_t poisson(double mean);

  /// True with probability p in [0, 1]; p == 0 is never true and p == 1 always. Consumes one word.
  /// Throws std::invalid_argument if p is outside [0, 1] or NaN.
  bool bernoulli(double p);

  /// Gamma with the given shape and scale (mean shape*scale), in [0, inf), by Marsaglia–Tsang
  /// rejection; for shape < 1 a Gamma(shape + 1) draw is boosted by U^(1/shape). Consumes a
  /// variable number of words. Throws std::invalid_argument unless shape > 0 and scale > 0 (finite).
  double gamma(double shape, double scale);

  /// Beta(a, b) in [0, 1], as X / (X + Y) with X ~ Gamma(a, 1) then Y ~ Gamma(b, 1).
  /// Consumes a variable number of words. Throws std::invalid_argument unless a > 0 and b > 0 (finite).
  double beta(double a, double b);

  /// Triangular on [lo, hi] with peak at mode, by inversion. Consumes one word.
  /// Throws std::invalid_argument unless the values are finite, lo <= hi and lo <= mode <= hi.
  double triangular(double lo, double mode, double hi);

  /// Number of 64-bit words consumed so far.
  [[nodiscard]] std::uint64_t draws() const { return draws_; }
  /// The seed, path and stream this stream was constructed with.
  [[nodiscard]] std::uint64_t seed() const { return key_[0]; }
  [[nodiscard]] std::uint64_t path() const { return key_[1]; }
  [[nodiscard]] std::uint64_t stream() const { return counter_[0]; }

 private:
  std::uint64_t poisson_inversion(double mean);
  std::uint64_t poisson_ptrs(double mean);
  double marsaglia_tsang(double shape);
  double standard_gamma(double shape);
  double log_standard_gamma(double shape);

  std::array<std::uint64_t, 2> key_;       // {seed, path}
  std::array<std::uint64_t, 4> counter_;   // {stream, index of the block in buffer_, 0, 0}
  std::array<std::uint64_t, 4> buffer_{};  // Philox output for counter_
  std::uint64_t draws_ = 0;
};

/// The mapping uniform01() applies to each word: the top 53 bits k give k * 2^-53, except that
/// k == 0 gives 2^-54, so results lie in [2^-54, 1 - 2^-53] and are never 0 or 1.
double uniform01_from_bits(std::uint64_t bits);

/// Inverse of the standard normal CDF (Wichura's AS241, relative accuracy about 1e-16) for p in
/// (0, 1). Throws std::invalid_argument if p <= 0, p >= 1 or p is NaN.
double normal_quantile(double p);

/// Standard normal CDF, in [0, 1], accurate to a few ulps in both tails; NaN gives NaN.
double normal_cdf(double x);

}  // namespace bsim::core
