#include "supply/supply.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::supply {
namespace {

TEST(ProductionBacklog, ServesOrdersFirstInFirstOutUpToTheCap) {
  model::ProductionState p;
  p.backlog = {{0, 5.0}, {1, 3.0}, {0, 4.0}};
  p.backlog_h100e = 12.0;
  auto first = serve_backlog(p, 6.0);  // all of order 1, one of order 2
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], (std::pair<std::size_t, double>{0, 5.0}));
  EXPECT_EQ(first[1], (std::pair<std::size_t, double>{1, 1.0}));
  EXPECT_DOUBLE_EQ(p.backlog_h100e, 6.0);
  auto second = serve_backlog(p, 6.0);  // the rest of order 2, then order 3
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0], (std::pair<std::size_t, double>{1, 2.0}));
  EXPECT_EQ(second[1], (std::pair<std::size_t, double>{0, 4.0}));
  EXPECT_DOUBLE_EQ(p.backlog_h100e, 0.0);
  EXPECT_TRUE(serve_backlog(p, 6.0).empty());
}

model::World world_with_queue(std::vector<model::BacklogOrder> queue, std::size_t owners) {
  model::World w;
  w.owners.resize(owners);
  for (const model::BacklogOrder& o : queue) model::place_accelerator_order(w, o.owner, o.h100e);
  return w;
}

TEST(OrderCancellation, CancelsEachOwnersNewestOrdersFirstAndSparesOthers) {
  // Queue, oldest first: A 5, B 3, A 4, B 2, A 6.
  model::World w = world_with_queue({{0, 5.0}, {1, 3.0}, {0, 4.0}, {1, 2.0}, {0, 6.0}}, 2);
  const auto cancelled = model::cancel_accelerator_orders(w, {8.0, 0.0}, 0.0);
  EXPECT_DOUBLE_EQ(cancelled[0], 8.0);
  EXPECT_DOUBLE_EQ(cancelled[1], 0.0);
  // A's newest order (6) goes whole, then 2 of its 4; its oldest and B's orders stay.
  EXPECT_DOUBLE_EQ(w.production.backlog[4].h100e, 0.0);
  EXPECT_DOUBLE_EQ(w.production.backlog[2].h100e, 2.0);
  EXPECT_DOUBLE_EQ(w.production.backlog[0].h100e, 5.0);
  EXPECT_DOUBLE_EQ(w.production.backlog[1].h100e, 3.0);
  EXPECT_DOUBLE_EQ(w.production.backlog[3].h100e, 2.0);
  EXPECT_DOUBLE_EQ(w.owners[0].on_order_h100e, 7.0);
  EXPECT_DOUBLE_EQ(w.owners[1].on_order_h100e, 5.0);
  EXPECT_DOUBLE_EQ(w.production.backlog_h100e, 12.0);
  // Deliveries skip the emptied order and go on first in first out.
  const auto delivered = serve_backlog(w.production, 12.0);
  ASSERT_EQ(delivered.size(), 4u);
  EXPECT_EQ(delivered[2], (std::pair<std::size_t, double>{0, 2.0}));
  EXPECT_EQ(delivered[3], (std::pair<std::size_t, double>{1, 2.0}));
  EXPECT_DOUBLE_EQ(w.production.backlog_h100e, 0.0);
}

TEST(OrderCancellation, TheCommittedFrontOfTheQueueCannotBeCancelled) {
  // Queue: A 5, A 4, A 6; the fabs will deliver 7 within the non-cancellable window, i.e. all
  // of the first order and 2 of the second.
  model::World w = world_with_queue({{0, 5.0}, {0, 4.0}, {0, 6.0}}, 1);
  const auto cancelled = model::cancel_accelerator_orders(w, {100.0}, 7.0);
  EXPECT_DOUBLE_EQ(cancelled[0], 8.0);  // 6 + the 2 of the second order beyond the window
  EXPECT_DOUBLE_EQ(w.production.backlog[0].h100e, 5.0);
  EXPECT_DOUBLE_EQ(w.production.backlog[1].h100e, 2.0);
  EXPECT_DOUBLE_EQ(w.production.backlog[2].h100e, 0.0);
  EXPECT_DOUBLE_EQ(w.owners[0].on_order_h100e, 7.0);
  EXPECT_DOUBLE_EQ(w.production.backlog_h100e, 7.0);
  // A window longer than the queue protects everything; asking for nothing cancels nothing.
  EXPECT_DOUBLE_EQ(model::cancel_accelerator_orders(w, {100.0}, 50.0)[0], 0.0);
  EXPECT_DOUBLE_EQ(model::cancel_accelerator_orders(w, {0.0}, 0.0)[0], 0.0);
  EXPECT_DOUBLE_EQ(w.production.backlog_h100e, 7.0);
}

TEST(Cohorts, FailAtTheAnnualRateCompoundedMonthly) {
  const auto s = io::load_scenario("default", {"supply.failure_rate_per_year=0.1", "supply.production.initial_backlog_h100e=0",
                                               "supply.production.initial_cap_h100e_per_month=1"})
                     .scenario;
  model::World w = sim::initial_world(s);
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  const double start = w.cohorts.front().h100e;
  for (int t = 0; t < 12; ++t) {
    w.step = t;
    w.month = s.time.start + t;
    step(s, w, rng, sink);
  }
  // 12 months at 1 − (1 − 0.1)^(1/12) a month leave exactly 90%.
  EXPECT_NEAR(w.cohorts.front().h100e, 0.9 * start, 1e-9 * start);
}

TEST(Operable, PoweredHallsRunTheMostEfficientGenerationFirst) {
  const auto s = io::load_scenario("default").scenario;
  model::World w = sim::initial_world(s);
  // One owner with 1M H100 (1.4 kW) and 1M B200-class (0.85 kW) H100e but only 1 GW of power.
  w.cohorts.clear();
  const model::FirmId owner = w.owners[0].firm;
  w.cohorts.push_back({owner, 0, s.time.start - 30, 1e6, 1.4, 25000});
  w.cohorts.push_back({owner, 1, s.time.start - 10, 1e6, 0.85, 14000});
  for (auto& o : w.owners) {
    o.datacenter = {{s.time.end + 1, 5.0}};
    o.power = {{s.time.end + 1, 1.0}};
    std::fill(o.datacenter_pipeline_gw.begin(), o.datacenter_pipeline_gw.end(), 0.0);
    std::fill(o.power_pipeline_gw.begin(), o.power_pipeline_gw.end(), 0.0);
  }
  w.production.backlog.clear();
  w.production.backlog_h100e = 0.0;
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  w.current_generation = 1;
  step(s, w, rng, sink);
  const double survive = 1.0 - core::monthly_hazard(s.supply.failure_rate_per_year);
  // The surviving B200-class accelerators draw 0.85 kW each; the rest of the 1 GW (1e6 kW)
  // runs H100s at 1.4 kW each.
  const double expected = 1e6 * survive + (1e6 - 0.85e6 * survive) / 1.4;
  EXPECT_NEAR(w.owners[0].operable_h100e, expected, 1.0);
  EXPECT_NEAR(w.owners[0].idle_no_power_h100e, 2e6 * survive - expected, 1.0);
}

TEST(Pipelines, ShellsArriveAfterTheirLeadTime) {
  const auto s = io::load_scenario("default").scenario;
  model::World w = sim::initial_world(s);
  for (auto& o : w.owners) std::fill(o.datacenter_pipeline_gw.begin(), o.datacenter_pipeline_gw.end(), 0.0);
  const int lead = s.supply.datacenter.lead_time_months;
  w.owners[0].datacenter_pipeline_gw.back() = 2.0;  // ordered now
  const double before = w.owners[0].datacenter_gw;
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  for (int t = 0; t < lead; ++t) {
    w.step = t;
    w.month = s.time.start + t;
    step(s, w, rng, sink);
    if (t < lead - 1) {
      EXPECT_NEAR(w.owners[0].datacenter_gw, before, 1e-12) << t;
    }
  }
  EXPECT_NEAR(w.owners[0].datacenter_gw, before + 2.0, 1e-12);
}

}  // namespace
}  // namespace bsim::supply

namespace bsim::supply {
namespace {

// The backlog is a stock of orders: never negative, whatever defaults empty from it (a
// defaulter's orders are removed order by order from a running total, which rounding could
// take a hair below zero) and whatever is cancelled. Over scenarios with defaults and with
// cancellable orders, several seeds, at every month.
TEST(ProductionBacklog, NeverNegativeThroughDefaultsAndCancellations) {
  int months_checked = 0;
  for (const char* name : {"sudden-100x", "gradual-10x", "debt-vs-equity"}) {
    const model::Scenario s =
        io::load_scenario(name, {"build.order_cancellation=true", "supply.production.noncancellable_months=0"}).scenario;
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      const sim::PathResult r = sim::run_path(s, 0, seed);
      for (const model::MonthRecord& m : r.months) {
        ASSERT_GE(m.backlog_h100e, 0.0) << name << " seed " << seed << " " << m.month.str();
        ++months_checked;
      }
      EXPECT_GT(r.months.back().defaults_count, 0.0) << name << " seed " << seed << ": the test needs a default";
    }
  }
  EXPECT_GT(months_checked, 0);
}

TEST(RunningCost, OpexIsPerDeviceSoAGenerationOfMoreH100ePerUnitPaysLessPerH100e) {
  auto s = io::load_scenario("default").scenario;
  const model::Generation& b200 = s.technology.generations[1];
  ASSERT_EQ(b200.h100e_per_unit, 2.5);
  ASSERT_EQ(b200.kw_per_h100e, 0.85);
  // $80/MWh × 0.85 kW = $0.068 an H100e-hour of power; $0.15 a device-hour of other opex shared
  // by the device's 2.5 H100e = $0.06: $0.128 an H100e-hour.
  EXPECT_NEAR(model::marginal_cost(s.supply, b200), 0.068 + 0.06, 1e-12);
  // An H100 (one H100e per device) pays the whole $0.15: 0.08 × 1.4 + 0.15 = $0.262.
  EXPECT_NEAR(model::marginal_cost(s.supply, s.technology.generations[0]), 0.112 + 0.15, 1e-12);
  // Switched off, every generation pays $0.15 per H100e-hour: 0.068 + 0.15.
  s.supply.opex_per_device = false;
  EXPECT_NEAR(model::marginal_cost(s.supply, b200), 0.068 + 0.15, 1e-12);
}

}  // namespace
}  // namespace bsim::supply
