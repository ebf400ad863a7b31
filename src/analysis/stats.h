#pragma once
/// Small exact statistics for Monte Carlo reports and tests: the Wilson interval of a
/// proportion (such as the probability of a bust) and the exact quantile of a sample.

#include <cstdint>
#include <vector>

namespace bsim::analysis {

/// A two-sided interval [low, high].
struct Interval {
  double low;
  double high;
};

/// Wilson score interval for a binomial proportion successes / trials; z = 1.959963984540054
/// gives 95%. Unlike the normal (Wald) interval it stays inside [0, 1] and is not empty at 0 or
/// n successes: 0 of 10 gives [0, 0.2775]. No trials give [0, 1] (nothing is known).
/// Throws std::invalid_argument if successes > trials or z is not finite and > 0.
Interval wilson_interval(std::uint64_t successes, std::uint64_t trials, double z = 1.959963984540054);

/// Exact quantile of a sample: the value of rank floor(q (n − 1)) of the sorted values (0-based;
/// the lower of the two neighbours, R's type 1 up to the rank convention), the same rank that
/// QuantileSketch::quantile estimates. NaN for an empty sample. Sorts a copy: for tests and small
/// samples. Throws std::invalid_argument unless q is in [0, 1] and every value is a number.
double exact_quantile(std::vector<double> values, double q);

}  // namespace bsim::analysis
