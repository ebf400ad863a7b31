#include "technology/technology.h"

#include <algorithm>
#include <cmath>

namespace bsim::technology {
namespace {

/// `step` of a log making up ln E (or the training index), cut so that `log_total + step` stays
/// within ±kMaxLogEfficiency; inside that range it is returned unchanged, bit for bit.
double within_saturation(double log_total, double step) {
  const double after = log_total + step;
  if (after > model::kMaxLogEfficiency) return std::max(0.0, model::kMaxLogEfficiency - log_total);
  if (after < -model::kMaxLogEfficiency) return std::min(0.0, -model::kMaxLogEfficiency - log_total);
  return step;
}

double log_efficiency(const model::World& world) {
  return world.log_efficiency_trend + world.log_efficiency_jumps + world.log_efficiency_shocks;
}

}  // namespace

double edge_share(const model::EdgeParams& edge, double efficiency) {
  return edge.max_share / (1.0 + std::exp(-edge.steepness * (std::log(efficiency) - std::log(edge.midpoint_efficiency))));
}

std::size_t newest_generation(const std::vector<model::Generation>& generations, core::Month month) {
  std::size_t newest = 0;
  for (std::size_t g = 0; g < generations.size(); ++g) {
    if (generations[g].available <= month) newest = g;
  }
  return newest;
}

double jump_rate_per_year(const model::EfficiencyParams& eff, double spend_usd_bn, double spend_at_start_usd_bn) {
  if (eff.jump_rate_spending_elasticity == 0.0 || spend_at_start_usd_bn <= 0.0) return eff.jump_rate_per_year;
  const double ratio = std::max(0.0, spend_usd_bn) / spend_at_start_usd_bn;
  return std::min(kMaxJumpRatePerYear, eff.jump_rate_per_year * std::pow(ratio, eff.jump_rate_spending_elasticity));
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events) {
  const model::EfficiencyParams& eff = scenario.technology.efficiency;
  const model::TrainingEfficiencyParams& training = scenario.technology.training_efficiency;
  // Every log below moves only as far as the index stays within 1e±100 (kMaxLogEfficiency).
  if (world.step > 0) {
    world.log_efficiency_trend += within_saturation(log_efficiency(world), std::log(eff.trend_per_year) / 12.0);
  }
  // Endogenous innovation: technology steps before demand, so the spending it sees is last
  // month's; the reference is the first month's, known from the second month on.
  if (world.step == 1) world.innovation_spend_at_start_usd_bn = world.training_budget.value();
  world.jump_rate_per_year = jump_rate_per_year(eff, world.training_budget.value(), world.innovation_spend_at_start_usd_bn);
  // Draw the jump count every month, even when the rate is zero, so that switching jumps on
  // or off does not shift the other draws of this stream.
  const std::uint64_t jumps = rng.poisson(world.jump_rate_per_year / 12.0);
  for (std::uint64_t i = 0; i < jumps; ++i) {
    const double drawn = rng.lognormal(std::log(eff.jump_median_multiplier), eff.jump_sigma);
    const double log_size = within_saturation(log_efficiency(world), std::log(drawn));
    world.log_efficiency_jumps += log_size;
    const double size = log_size == std::log(drawn) ? drawn : std::exp(log_size);  // the jump as applied
    events.emit({world.month, model::EventKind::kEfficiencyJump, "random", size});
  }
  for (const model::Shock& shock : scenario.shocks) {
    if (shock.month != world.month) continue;
    if (shock.kind == model::ShockKind::kEfficiency) {
      world.log_efficiency_shocks += within_saturation(log_efficiency(world), std::log(shock.multiplier));
    } else {
      const double log_training = (training.follows_inference ? log_efficiency(world) : world.log_training_trend) +
                                  world.log_training_shocks;
      world.log_training_shocks += within_saturation(log_training, std::log(shock.multiplier));
    }
    events.emit({world.month,
                 shock.kind == model::ShockKind::kEfficiency ? model::EventKind::kEfficiencyShock
                                                              : model::EventKind::kTrainingEfficiencyShock,
                 shock.id, shock.multiplier});
  }
  world.efficiency = std::exp(world.log_efficiency_trend + world.log_efficiency_jumps + world.log_efficiency_shocks);
  world.edge_share = edge_share(scenario.technology.edge, world.efficiency);

  // Training efficiency: the inference process (plus training-only shocks), or its own trend.
  if (training.follows_inference) {
    world.log_training_trend = world.log_efficiency_trend;
    world.training_efficiency = world.efficiency * std::exp(world.log_training_shocks);
  } else {
    if (world.step > 0) {
      world.log_training_trend +=
          within_saturation(world.log_training_trend + world.log_training_shocks, std::log(training.trend_per_year) / 12.0);
    }
    world.training_efficiency = std::exp(world.log_training_trend + world.log_training_shocks);
  }
  // Training shocks taken in full while E moved the other way later can leave the product
  // outside the range: the training index saturates too.
  const double log_training = (training.follows_inference ? log_efficiency(world) : world.log_training_trend) +
                              world.log_training_shocks;
  if (std::abs(log_training) > model::kMaxLogEfficiency) {
    world.training_efficiency = std::exp(std::clamp(log_training, -model::kMaxLogEfficiency, model::kMaxLogEfficiency));
  }
  world.current_generation = newest_generation(scenario.technology.generations, world.month);
}

}  // namespace bsim::technology
