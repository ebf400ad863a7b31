#include "analysis/sampler.h"

#include <stdexcept>
#include <utility>

#include "core/random.h"

namespace bsim::analysis {

ParameterSampler::ParameterSampler(std::vector<UncertainParameter> parameters,
                                   const std::vector<RankCorrelation>& correlations)
    : parameters_(std::move(parameters)) {
  if (correlations.empty()) return;
  auto index_of = [&](const std::string& key) {
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      if (parameters_[i].key == key) return i;
    }
    throw std::invalid_argument("ParameterSampler: correlation names '" + key + "', which has no distribution");
  };
  std::vector<core::GaussianCopula::Pair> pairs;
  pairs.reserve(correlations.size());
  for (const RankCorrelation& c : correlations) pairs.push_back({index_of(c.a), index_of(c.b), c.rho});
  copula_.emplace(parameters_.size(), pairs);
}

std::vector<double> ParameterSampler::draw(std::uint64_t seed, std::uint64_t path_id) const {
  core::RandomStream stream(seed, path_id, kUncertainStream);
  std::vector<double> u(parameters_.size());
  for (double& value : u) value = stream.uniform01();
  if (copula_) copula_->correlate(u);
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = parameters_[i].distribution.quantile(u[i]);
  return u;
}

std::vector<double> ParameterSampler::at_probabilities(std::span<const double> u) const {
  if (u.size() != parameters_.size()) {
    throw std::invalid_argument("ParameterSampler::at_probabilities: " + std::to_string(u.size()) +
                                " probabilities for " + std::to_string(parameters_.size()) + " parameters");
  }
  std::vector<double> values(u.size());
  for (std::size_t i = 0; i < u.size(); ++i) values[i] = parameters_[i].distribution.quantile(u[i]);
  return values;
}

}  // namespace bsim::analysis
