#include "analysis/sobol.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/random.h"

namespace bsim::analysis {
namespace {

/// Each base row's share of the estimators' sums, so that the full sample and every bootstrap
/// replicate are sums of these over a multiset of rows. Outputs are centred on the mean m of
/// the A and B rows first (c = f − m), which keeps the variance sum free of cancellation and
/// lowers the first-order estimator's variance without changing its expectation. Row j holds
/// width() values: c_A + c_B, c_A² + c_B², then for each parameter c_B (c_ABi − c_A), then for
/// each parameter (c_A − c_ABi)².
class RowTerms {
 public:
  RowTerms(const SobolDesign& design, std::span<const double> outputs)
      : parameters_(design.parameters), terms_(design.base_rows * width()) {
    const std::size_t n_rows = design.base_rows;
    double sum = 0.0;
    for (std::size_t j = 0; j < 2 * n_rows; ++j) sum += outputs[j];
    const double m = sum / (2.0 * static_cast<double>(n_rows));
    for (std::size_t j = 0; j < n_rows; ++j) {
      double* row = &terms_[j * width()];
      const double a = outputs[j] - m;
      const double b = outputs[n_rows + j] - m;
      row[0] = a + b;
      row[1] = a * a + b * b;
      for (std::size_t i = 0; i < parameters_; ++i) {
        const double ab = outputs[(2 + i) * n_rows + j] - m;
        row[2 + i] = b * (ab - a);
        row[2 + parameters_ + i] = (a - ab) * (a - ab);
      }
    }
  }
  [[nodiscard]] std::size_t width() const { return 2 + 2 * parameters_; }
  [[nodiscard]] const double* row(std::size_t j) const { return &terms_[j * width()]; }

 private:
  std::size_t parameters_;
  std::vector<double> terms_;
};

struct Estimate {
  std::vector<double> first_order;
  std::vector<double> total;
  double variance;
};

/// The estimators over the rows drawn (rows[j] is the base row of the j-th draw), summed in
/// draw order.
Estimate estimate(const RowTerms& terms, std::size_t parameters, std::span<const std::size_t> rows) {
  const std::size_t width = terms.width();
  std::vector<double> sums(width, 0.0);
  double* acc = sums.data();
  const double* first_row = terms.row(0);
  for (const std::size_t j : rows) {
    const double* row = first_row + j * width;
    for (std::size_t c = 0; c < width; ++c) acc[c] += row[c];
  }
  const double n = static_cast<double>(rows.size());
  const double variance = (sums[1] - sums[0] * sums[0] / (2.0 * n)) / (2.0 * n - 1.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Estimate e{std::vector<double>(parameters, nan), std::vector<double>(parameters, nan), variance};
  if (variance > 0.0) {
    for (std::size_t i = 0; i < parameters; ++i) {
      e.first_order[i] = sums[2 + i] / n / variance;
      e.total[i] = sums[2 + parameters + i] / (2.0 * n) / variance;
    }
  }
  return e;
}

/// The percentile interval of the replicates, [value of rank floor(tail (n − 1)), value of rank
/// floor((1 − tail) (n − 1))]; NaN if any replicate was NaN.
Interval percentile_interval(std::vector<double>& replicates, double tail) {
  if (std::any_of(replicates.begin(), replicates.end(), [](double v) { return std::isnan(v); })) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan};
  }
  std::sort(replicates.begin(), replicates.end());
  const auto at = [&](double p) {
    return replicates[static_cast<std::size_t>(std::floor(p * static_cast<double>(replicates.size() - 1)))];
  };
  return {at(tail), at(1.0 - tail)};
}

}  // namespace

SobolDesign sobol_design(std::size_t base_rows, std::size_t parameters, std::uint64_t seed) {
  if (base_rows < 2) throw std::invalid_argument("sobol_design: need at least 2 base rows");
  if (parameters < 1) throw std::invalid_argument("sobol_design: need at least 1 parameter");
  if (base_rows > (std::uint64_t{1} << 32)) throw std::invalid_argument("sobol_design: at most 2^32 base rows");
  if (parameters > std::numeric_limits<std::size_t>::max() / 2 - 2 ||
      base_rows > std::numeric_limits<std::size_t>::max() / (parameters + 2)) {
    throw std::invalid_argument("sobol_design: too many evaluations");
  }
  return SobolDesign{base_rows, parameters, seed};
}

std::vector<double> sobol_point(const SobolDesign& design, std::size_t index) {
  if (index >= design.evaluations()) {
    throw std::out_of_range("sobol_point: index " + std::to_string(index) + " outside a design of " +
                            std::to_string(design.evaluations()) + " evaluations");
  }
  const std::size_t block = index / design.base_rows;
  const std::size_t row = index % design.base_rows;
  const std::size_t k = design.parameters;
  core::RandomStream stream(design.seed, row, kSobolDesignStream);
  std::vector<double> a(k);
  for (double& u : a) u = stream.uniform01();
  if (block == 0) return a;
  std::vector<double> b(k);
  for (double& u : b) u = stream.uniform01();
  if (block == 1) return b;
  a[block - 2] = b[block - 2];
  return a;
}

SobolIndices sobol_indices(const SobolDesign& design, std::span<const double> outputs,
                           const SobolBootstrap& bootstrap) {
  if (outputs.size() != design.evaluations()) {
    throw std::invalid_argument("sobol_indices: " + std::to_string(outputs.size()) + " outputs for a design of " +
                                std::to_string(design.evaluations()) + " evaluations");
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!std::isfinite(outputs[i])) {
      throw std::invalid_argument("sobol_indices: output " + std::to_string(i) + " is not finite");
    }
  }
  if (bootstrap.replicates < 2) throw std::invalid_argument("sobol_indices: need at least 2 bootstrap replicates");
  if (!(bootstrap.confidence > 0.0 && bootstrap.confidence < 1.0)) {
    throw std::invalid_argument("sobol_indices: confidence must be in (0, 1)");
  }

  const std::size_t n_rows = design.base_rows;
  const std::size_t k = design.parameters;
  const RowTerms terms(design, outputs);
  std::vector<std::size_t> rows(n_rows);
  for (std::size_t j = 0; j < n_rows; ++j) rows[j] = j;
  const Estimate full = estimate(terms, k, rows);

  // replicate_first[i][r], replicate_total[i][r]
  std::vector<std::vector<double>> replicate_first(k, std::vector<double>(bootstrap.replicates));
  std::vector<std::vector<double>> replicate_total(k, std::vector<double>(bootstrap.replicates));
  for (std::size_t r = 0; r < bootstrap.replicates; ++r) {
    // Each 64-bit word gives two draws, from its high and low halves: row = (half · N) / 2^32,
    // exact in integers and uniform to within N / 2^32 (base_rows <= 2^32).
    core::RandomStream stream(design.seed, r, kSobolBootstrapStream);
    const std::uint64_t n = n_rows;
    for (std::size_t j = 0; j < n_rows; j += 2) {
      const std::uint64_t word = stream.next_u64();
      rows[j] = static_cast<std::size_t>(((word >> 32) * n) >> 32);
      if (j + 1 < n_rows) rows[j + 1] = static_cast<std::size_t>(((word & 0xFFFFFFFFu) * n) >> 32);
    }
    const Estimate e = estimate(terms, k, rows);
    for (std::size_t i = 0; i < k; ++i) {
      replicate_first[i][r] = e.first_order[i];
      replicate_total[i][r] = e.total[i];
    }
  }

  const double tail = (1.0 - bootstrap.confidence) / 2.0;
  SobolIndices result{full.first_order, full.total, {}, {}, full.variance};
  for (std::size_t i = 0; i < k; ++i) {
    result.first_order_ci.push_back(percentile_interval(replicate_first[i], tail));
    result.total_ci.push_back(percentile_interval(replicate_total[i], tail));
  }
  return result;
}

}  // namespace bsim::analysis
