// Hand-checkable behaviour of single mechanisms inside a world built from the default scenario.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "demand/demand.h"
#include "finance/finance.h"
#include "io/scenario_loader.h"
#include "market/market.h"
#include "sim/run_path.h"
#include "supply/supply.h"
#include "technology/technology.h"

namespace bsim::sim {
namespace {

struct Fixture {
  model::Scenario s;
  model::World w;
  core::RandomStream rng{1, 0, 0};
  model::NullEventSink sink;
  explicit Fixture(std::vector<std::string> sets = {}) {
    s = io::load_scenario("default", sets).scenario;
    w = initial_world(s);
  }
  void at(int t) {
    w.step = t;
    w.month = s.time.start + t;
  }
};

TEST(Capex, AShellOrderPaysExactlyItsCostOverItsLeadTime) {
  Fixture f;
  for (auto& o : f.w.owners) {
    std::fill(o.datacenter_pipeline_gw.begin(), o.datacenter_pipeline_gw.end(), 0.0);
    std::fill(o.power_pipeline_gw.begin(), o.power_pipeline_gw.end(), 0.0);
  }
  std::fill(f.w.production.project_pipeline.begin(), f.w.production.project_pipeline.end(), 0.0);
  f.w.production.backlog.clear();
  f.w.production.backlog_h100e = 0.0;
  for (auto& l : f.s.leases) l.build_months = 0;  // no lessor's campus under construction
  f.w.owners[0].datacenter_pipeline_gw.back() = 2.0;  // 2 GW ordered now
  const int lead = f.s.supply.datacenter.lead_time_months;
  double paid = 0.0;
  for (int t = 0; t < lead + 6; ++t) {
    f.at(t);
    supply::step(f.s, f.w, f.rng, f.sink);
    finance::step(f.s, f.w, f.rng, f.sink);
    paid += f.w.capex.value() - f.w.delivered_cost.value();
  }
  EXPECT_NEAR(paid, 2.0 * f.s.supply.datacenter.usd_bn_per_gw, 1e-9);
}

TEST(Production, CapInH100eScalesWithUnitsOfTheNewestGeneration) {
  Fixture f;
  const auto& gens = f.s.technology.generations;
  f.w.current_generation = 2;  // rubin: 5 H100e per unit against b200's 2.5 at the start
  EXPECT_DOUBLE_EQ(supply::units_scale(f.s, f.w), gens[2].h100e_per_unit / gens[1].h100e_per_unit);
  EXPECT_DOUBLE_EQ(supply::units_scale(f.s, f.w), 2.0);
}

TEST(StickyPrice, MovesAShareThetaOfTheWayInLogs) {
  auto clear_with = [](double theta) {
    Fixture f({"market.stickiness=" + std::to_string(theta)});
    f.at(1);
    f.w.spot_price = 2.0;  // last month's price
    f.w.steps = {{0, 1, 0.2, 100.0, 0, 0}};
    f.w.demand_curve = {};
    // Demand 25/p H100e against 100 H100e offered at $0.2: it clears at $0.25.
    f.w.demand_curve.training_budget = core::Money{25 * 730 / 1e9};
    market::step(f.s, f.w, f.rng, f.sink);
    return f.w.spot_price;
  };
  const double cleared = clear_with(1.0);
  EXPECT_NEAR(cleared, 0.25, 1e-9);
  const double sticky = clear_with(0.5);
  EXPECT_NEAR(sticky, std::sqrt(2.0 * cleared), 1e-9);
  EXPECT_GT(sticky, cleared);
}

TEST(Usage, GrowsLogisticallyTowardsItsCeiling) {
  Fixture f({"segment.consumer.usage_growth_per_year=3", "segment.consumer.usage_ceiling_multiple=4"});
  double previous = 1.0;
  for (int t = 0; t < 240; ++t) {
    f.at(t);
    demand::prepare(f.s, f.w, f.rng, f.sink);
    const double usage = f.w.segments[0].usage_per_user;
    EXPECT_GE(usage, previous);
    EXPECT_LT(usage, 4.0);
    previous = usage;
  }
  EXPECT_GT(previous, 3.9);
}

TEST(TrainingSavings, OnlySurpriseGainsAreBankedAtTheChosenShare) {
  // A ×10 training-efficiency shock in the first month: budgets shrink to (1 − s) + s/10.
  Fixture f({"training.savings_banked_share=0.8"});
  f.s.shocks.push_back({"t", model::ShockKind::kTrainingEfficiency, f.s.time.start, 10.0});
  f.at(0);
  technology::step(f.s, f.w, f.rng, f.sink);
  demand::prepare(f.s, f.w, f.rng, f.sink);
  EXPECT_NEAR(f.w.demand_curve.training_budget.value(), f.w.training_budget.value() * (0.2 + 0.8 / 10.0), 1e-12);
  // The trend is planned for: without a shock nothing is banked, however far the trend has run.
  Fixture g;
  for (int t = 0; t < 24; ++t) {
    g.at(t);
    technology::step(g.s, g.w, g.rng, g.sink);
  }
  demand::prepare(g.s, g.w, g.rng, g.sink);
  EXPECT_NEAR(g.w.demand_curve.training_budget.value(), g.w.training_budget.value(), 1e-12);
}

}  // namespace
}  // namespace bsim::sim
