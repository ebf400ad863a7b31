#pragma once
/// Draws the values of a scenario's uncertain parameters for one Monte Carlo path.
///
///   analysis::ParameterSampler sampler(loaded.uncertain, loaded.correlations);
///   const std::vector<double> values = sampler.draw(seed, path_id);   // one per parameter
///   // pair them with sampler.parameters()[i].key and pass them to io::instantiate
///
/// A path's values are a pure function of (seed, path id): the same on any thread, rank or
/// machine, and independent of how many other paths are drawn.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/distributions.h"

namespace bsim::analysis {

/// The random stream number of the parameter draws. The mechanisms use sim::Stream 1–6
/// (src/sim/run_path.h); 7 is kept apart so that drawing parameters never shifts their numbers.
inline constexpr std::uint64_t kUncertainStream = 7;

/// One scenario number with a distribution: `key` is its concrete parameter path, as `--set`
/// names it (`segment.consumer.markup`); values are in the key's canonical unit.
struct UncertainParameter {
  std::string key;
  core::Distribution distribution;
};

/// A Spearman rank correlation between two uncertain parameters, named by key.
struct RankCorrelation {
  std::string a;
  std::string b;
  double rho = 0.0;
};

/// Draws a path's parameter values: a pure function of (seed, path id).
class ParameterSampler {
 public:
  /// Throws std::invalid_argument if a correlation names a key not among the parameters, or
  /// the correlations are inconsistent (see core::GaussianCopula).
  ParameterSampler(std::vector<UncertainParameter> parameters, const std::vector<RankCorrelation>& correlations);

  /// One value per parameter, in declaration order, from core::RandomStream(seed, path_id,
  /// kUncertainStream): one uniform01 per parameter, then the copula, then each quantile.
  [[nodiscard]] std::vector<double> draw(std::uint64_t seed, std::uint64_t path_id) const;

  /// Values at the given marginal probabilities (no copula), for sweeps and Sobol designs.
  /// Throws std::invalid_argument unless u has one probability in (0, 1) per parameter.
  [[nodiscard]] std::vector<double> at_probabilities(std::span<const double> u) const;

  [[nodiscard]] const std::vector<UncertainParameter>& parameters() const { return parameters_; }
  [[nodiscard]] bool empty() const { return parameters_.empty(); }

 private:
  std::vector<UncertainParameter> parameters_;
  std::optional<core::GaussianCopula> copula_;  ///< none without correlations
};

}  // namespace bsim::analysis
