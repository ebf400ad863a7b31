#include "analysis/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace bsim::analysis {

Interval wilson_interval(std::uint64_t successes, std::uint64_t trials, double z) {
  if (successes > trials) {
    throw std::invalid_argument("wilson_interval: " + std::to_string(successes) + " successes in " +
                                std::to_string(trials) + " trials");
  }
  if (!(std::isfinite(z) && z > 0.0)) throw std::invalid_argument("wilson_interval: z must be finite and > 0");
  if (trials == 0) return {0.0, 1.0};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / n;
  const double centre = (p + z2 / (2.0 * n)) / denominator;
  const double half_width = z / denominator * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
  // At 0 or n successes one end is exactly 0 or 1; rounding must not move it.
  const double low = successes == 0 ? 0.0 : std::max(0.0, centre - half_width);
  const double high = successes == trials ? 1.0 : std::min(1.0, centre + half_width);
  return {low, high};
}

double exact_quantile(std::vector<double> values, double q) {
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("exact_quantile: q must be in [0, 1]");
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
    throw std::invalid_argument("exact_quantile: the sample contains NaN");
  }
  const auto rank = static_cast<std::size_t>(std::floor(q * static_cast<double>(values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
  return values[rank];
}

}  // namespace bsim::analysis
