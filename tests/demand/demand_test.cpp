#include <gtest/gtest.h>

#include <cmath>

#include "demand/demand.h"
#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::demand {
namespace {

model::Scenario one_segment(const std::vector<std::string>& sets) { return io::load_scenario("default", sets).scenario; }

TEST(Demand, BassAdoptionMatchesHandComputedStep) {
  const model::Scenario s = one_segment({});
  model::World w = sim::initial_world(s);
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  w.efficiency = 1.0;
  prepare(s, w, rng, sink);
  const model::Segment& seg = s.segments[0];
  const double n0 = seg.initial_users;
  const double m = seg.market_potential_users;
  const double expected = n0 + (seg.bass_innovation_per_year / 12 + seg.bass_imitation_per_year / 12 * n0 / m) * (m - n0);
  EXPECT_DOUBLE_EQ(w.segments[0].users, expected);
}

TEST(Demand, ConvergesToLongRunDemandAtRateLambda) {
  // No adoption, no growth, a constant price: only the catch-up term moves Q, closing
  // λ = 1 − exp(−1/τ) of the log gap each month while the speed limit does not bind.
  const model::Scenario s = one_segment({"segment.consumer.bass_innovation_per_year=0", "segment.consumer.bass_imitation_per_year=0",
                                         "segment.consumer.usage_growth_per_year=1", "segment.consumer.initial_gap=1.1",
                                         "segment.consumer.diffusion_limit_per_year=1000", "segment.consumer.adjustment_months=12"});
  model::World w = sim::initial_world(s);
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  const double gap0 = w.segments[0].log_target - w.segments[0].log_demand;
  prepare(s, w, rng, sink);
  settle(s, w, rng, sink);  // same spot price as before: the price terms cancel
  const double gap1 = w.segments[0].log_target - w.segments[0].log_demand;
  EXPECT_NEAR(gap1, gap0 * std::exp(-1.0 / 12.0), 1e-12);
}

TEST(Demand, DiffusionSpeedLimitCapsCatchUp) {
  const model::Scenario s = one_segment({"segment.consumer.bass_innovation_per_year=0", "segment.consumer.bass_imitation_per_year=0",
                                         "segment.consumer.usage_growth_per_year=1", "segment.consumer.initial_gap=100",
                                         "segment.consumer.diffusion_limit_per_year=2", "segment.consumer.adjustment_months=1"});
  model::World w = sim::initial_world(s);
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  const double q0 = w.segments[0].log_demand;
  prepare(s, w, rng, sink);
  settle(s, w, rng, sink);
  EXPECT_NEAR(w.segments[0].log_demand - q0, std::log(2.0) / 12.0, 1e-12);
}

TEST(Demand, SurprisesAreSplitBetweenQualityAndComputeByTheirOwnShare) {
  // A trend of ×8 and a jump of ×5 and a shock of ×2 so far. Compute per unit is
  // c0 / (E_trend^(1 − φ) · (E_jumps · E_shocks)^(1 − φ_s)):
  //   φ = 0.7, φ_s = 0.5:  c0 / (8^0.3 · 10^0.5) = c0 / (1.866 · 3.162)
  //   φ = 0.7, φ_s = 0:    c0 / (8^0.3 · 10)       — surprises cut compute in full (the old rule).
  for (const double phi_s : {0.5, 0.0}) {
    const model::Scenario s = one_segment({"segment.consumer.quality_share=0.7",
                                           "segment.consumer.surprise_quality_share=" + std::to_string(phi_s)});
    model::World w = sim::initial_world(s);
    core::RandomStream rng(1, 0, 0);
    model::NullEventSink sink;
    w.log_efficiency_trend = std::log(8.0);
    w.log_efficiency_jumps = std::log(5.0);
    w.log_efficiency_shocks = std::log(2.0);
    w.efficiency = 80.0;
    prepare(s, w, rng, sink);
    const double c0 = s.segments[0].compute_h100e_hours_per_unit;
    const double expected = c0 / (std::pow(8.0, 0.3) * std::pow(10.0, 1.0 - phi_s));
    EXPECT_NEAR(w.segments[0].compute_per_unit / expected, 1.0, 1e-12) << "φ_s = " << phi_s;
  }
}

TEST(Demand, CheaperComputeRaisesServiceDemandInTheShortRun) {
  const model::Scenario s = one_segment({});
  model::World w = sim::initial_world(s);
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  prepare(s, w, rng, sink);
  EXPECT_GT(w.demand_curve.inference_h100e(0.5), w.demand_curve.inference_h100e(2.0));
  EXPECT_GT(w.demand_curve.training_h100e(0.5), w.demand_curve.training_h100e(2.0));
}

}  // namespace
}  // namespace bsim::demand
