#pragma once
/// Variance-based sensitivity (DESIGN §1.11): first-order indices by Saltelli et al. (2010) and
/// total indices by Jansen (1999), from a sample design whose points are computed on demand, so
/// that a caller can evaluate them in any order on any thread or rank.
///
///   const SobolDesign design = sobol_design(4096, k, seed);
///   std::vector<double> outputs(design.evaluations());
///   parallel_for(0, design.evaluations(), [&](std::size_t i) {   // any order, any split
///     outputs[i] = model(to_parameters(sobol_point(design, i)));
///   });
///   const SobolIndices s = sobol_indices(design, outputs);
///
/// The indices depend only on (base_rows, parameters, seed) and on the outputs by index, so they
/// have the same bits however the evaluations were scheduled.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "analysis/stats.h"

namespace bsim::analysis {

/// The random stream (core::RandomStream's third key) of a design's uniforms; the path key is
/// the base row. Streams 1–6 belong to the simulation's mechanisms.
inline constexpr std::uint64_t kSobolDesignStream = 8;
/// The random stream of the bootstrap over base rows; the path key is the replicate.
inline constexpr std::uint64_t kSobolBootstrapStream = 9;

/// The sample design: base_rows rows of matrices A and B (2k uniforms per row, A's then B's,
/// from core::RandomStream(seed, row, kSobolDesignStream)) and for each parameter i the matrix
/// A_B^i (A with column i taken from B). Points are computed on demand by sobol_point (nothing is
/// stored: each costs one stream of 2k draws), so memory does not grow with the design.
struct SobolDesign {
  std::size_t base_rows = 0;
  std::size_t parameters = 0;
  std::uint64_t seed = 0;
  /// Number of model evaluations, base_rows · (parameters + 2).
  [[nodiscard]] std::size_t evaluations() const { return base_rows * (parameters + 2); }
};

/// Throws std::invalid_argument unless 2 <= base_rows <= 2^32 and parameters >= 1 (and the
/// number of evaluations fits in a size_t).
SobolDesign sobol_design(std::size_t base_rows, std::size_t parameters, std::uint64_t seed);

/// The point of the unit cube (each coordinate in (0, 1)) for evaluation `index` in
/// [0, evaluations()). Evaluations are ordered by block of base_rows: the A rows, the B rows,
/// then the rows of A_B^1, …, A_B^k; index = block · base_rows + row. Throws std::out_of_range
/// for an index outside the design.
std::vector<double> sobol_point(const SobolDesign& design, std::size_t index);

/// How the confidence intervals are computed: a percentile bootstrap over base rows.
struct SobolBootstrap {
  std::size_t replicates = 200;
  double confidence = 0.95;
};

/// Sensitivity indices, one entry per parameter.
struct SobolIndices {
  std::vector<double> first_order;  ///< S_i: share of the variance explained by parameter i alone
  std::vector<double> total;        ///< ST_i: share with all its interactions
  std::vector<Interval> first_order_ci;
  std::vector<Interval> total_ci;
  double variance;  ///< of the output over the A and B rows
};

/// The indices from the outputs in evaluation order (outputs[i] is the model at
/// sobol_point(design, i)), with f centred on the mean of its 2N values on A and B:
///   V     = variance of f over the 2N rows of A and B,
///   S_i   = (1/N) Σ_j f(B)_j (f(A_B^i)_j − f(A)_j) / V            (Saltelli et al. 2010),
///   ST_i  = (1/2N) Σ_j (f(A)_j − f(A_B^i)_j)^2 / V                 (Jansen 1999).
/// Centring leaves ST and the expectation of S unchanged and lowers the variance of S.
/// Intervals: percentile bootstrap, resampling base rows with replacement; replicate r draws its
/// rows from core::RandomStream(design.seed, r, kSobolBootstrapStream) (two rows per word), so
/// the intervals are fixed by the design. When V == 0 the indices and intervals are NaN.
/// Throws std::invalid_argument if outputs.size() != design.evaluations(), an output is not
/// finite (naming its index), replicates < 2 or confidence is not in (0, 1).
SobolIndices sobol_indices(const SobolDesign& design, std::span<const double> outputs,
                           const SobolBootstrap& bootstrap = {});

}  // namespace bsim::analysis
