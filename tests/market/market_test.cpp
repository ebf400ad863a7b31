#include "market/market.h"

#include <gtest/gtest.h>

#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::market {
namespace {

// A two-firm world: a lab buying from one cloud under a commitment, and a second cloud.
struct TwoClouds {
  model::Scenario s;
  model::World w;
  TwoClouds(double lab_training_usd_bn, double volume) {
    s = io::load_scenario("default").scenario;
    s.market.stickiness = 1.0;
    s.contracts.clear();
    model::ComputeCommitment c;
    c.id = "lab-cloud";
    c.buyer = model::FirmId{0};   // openai
    c.seller = model::FirmId{3};  // microsoft
    c.start = s.time.start;
    c.end = s.time.end;
    c.volume = core::Compute{volume};
    c.price_usd_per_h100e_hour = 3.0;
    s.contracts.push_back(c);
    w = sim::initial_world(s);
    w.month = s.time.start;
    w.spot_price = 1.0;
    // Two owners' steps: microsoft (owner 0) cheap, google (owner 1) dearer.
    w.steps = {{0, 1, 0.2, 100.0, 0, 0}, {1, 1, 0.4, 100.0, 0, 0}};
    w.demand_curve = {};
    w.demand_curve.training_budget_by_firm_usd_bn.assign(s.firms.size(), 0.0);
    w.demand_curve.inference_share_by_firm.assign(s.firms.size(), 0.0);
    w.demand_curve.training_budget_by_firm_usd_bn[0] = lab_training_usd_bn;
    w.demand_curve.training_budget = core::Money{lab_training_usd_bn};
  }
};

TEST(ComputeCommitments, AreServedFirstFromTheSellerAtTheContractPrice) {
  // The lab wants 50 H100e at $1 (0.0365 USD bn a month); 30 are committed.
  TwoClouds t(50 * 1.0 * 730 / 1e9, 30.0);
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  step(t.s, t.w, rng, sink);
  ASSERT_EQ(t.w.contract_used_h100e.size(), 1u);
  EXPECT_NEAR(t.w.contract_used_h100e[0], 30.0, 1e-9);
  EXPECT_NEAR(t.w.steps[0].contract_h100e, 30.0, 1e-9);
  EXPECT_NEAR(t.w.steps[1].contract_h100e, 0.0, 1e-12);
  // The rest of the demand clears on spot; the seller's other 70 H100e are the cheapest offer.
  EXPECT_GT(t.w.steps[0].spot_h100e, 0.0);
  EXPECT_NEAR(t.w.owners[0].compute_revenue_usd_bn,
              (30.0 * 3.0 + t.w.steps[0].spot_h100e * t.w.spot_price) * 730 / 1e9, 1e-12);
}

TEST(ComputeCommitments, UnusedCommittedCapacityIsOfferedOnSpot) {
  // The lab needs only 10 of its 80 committed H100e (at last month's $1); all training budgets
  // together buy 75 H100e at the cheap cloud's $0.2 cost, so spot buyers want 65: they take the
  // seller's unused committed capacity, and the dearer cloud sells nothing.
  TwoClouds t(10 * 1.0 * 730 / 1e9, 80.0);
  t.w.demand_curve.training_budget = core::Money{75 * 0.2 * 730 / 1e9};
  core::RandomStream rng(1, 0, 0);
  model::NullEventSink sink;
  step(t.s, t.w, rng, sink);
  EXPECT_NEAR(t.w.contract_used_h100e[0], 10.0, 1e-9);
  EXPECT_GT(t.w.steps[0].spot_h100e, 0.0);
  EXPECT_NEAR(t.w.steps[1].spot_h100e, 0.0, 1e-9);  // the dear cloud sells nothing
  EXPECT_NEAR(t.w.steps[0].contract_h100e + t.w.steps[0].spot_h100e, t.w.served.value(), 1e-9);
}

TEST(FillCheapestFirst, SharesEqualCostsProRata) {
  const auto used = fill_cheapest_first({{0.5, 20.0}, {0.2, 40.0}, {0.5, 60.0}}, 60.0);
  EXPECT_DOUBLE_EQ(used[1], 40.0);
  EXPECT_DOUBLE_EQ(used[0], 5.0);
  EXPECT_DOUBLE_EQ(used[2], 15.0);
}

}  // namespace
}  // namespace bsim::market
