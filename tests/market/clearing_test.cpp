#include <gtest/gtest.h>

#include <cmath>

#include "market/market.h"

namespace bsim::market {
namespace {

// Constant-elasticity demand D(p) = a · p^(−e).
auto iso_elastic(double a, double e) {
  return [a, e](double p) { return a * std::pow(p, -e); };
}

TEST(SpotMarket, ExcessSupplyDrivesPriceToMarginalCostAndLowersUtilization) {
  const auto demand = iso_elastic(100.0, 0.5);  // D(0.25) = 200
  const Clearing c = clear(demand, {{0.25, 1000.0}}, 8.0);
  EXPECT_DOUBLE_EQ(c.price, 0.25);
  EXPECT_DOUBLE_EQ(c.served_h100e, 200.0);
  EXPECT_DOUBLE_EQ(c.unmet_h100e, 0.0);
  EXPECT_NEAR(c.served_h100e / 1000.0, 0.2, 1e-12);  // utilization
  EXPECT_FALSE(c.at_cap);
}

TEST(SpotMarket, ExcessDemandRaisesPriceUntilDemandFits) {
  const auto demand = iso_elastic(100.0, 1.0);  // D(p) = 100/p: fits 50 units at p = 2
  const Clearing c = clear(demand, {{0.25, 50.0}}, 8.0);
  EXPECT_NEAR(c.price, 2.0, 1e-9);
  EXPECT_NEAR(c.served_h100e, 50.0, 1e-9);
  EXPECT_DOUBLE_EQ(c.unmet_h100e, 0.0);
}

TEST(SpotMarket, ScarcityCapRationsTheRest) {
  const auto demand = iso_elastic(1000.0, 1.0);  // D(8) = 125 > 50
  const Clearing c = clear(demand, {{0.25, 30.0}, {0.5, 20.0}}, 8.0);
  EXPECT_DOUBLE_EQ(c.price, 8.0);
  EXPECT_TRUE(c.at_cap);
  EXPECT_DOUBLE_EQ(c.served_h100e, 50.0);
  EXPECT_DOUBLE_EQ(c.unmet_h100e, 75.0);
  EXPECT_DOUBLE_EQ(c.used_h100e[0], 30.0);
  EXPECT_DOUBLE_EQ(c.used_h100e[1], 20.0);
}

TEST(SpotMarket, MarginalStepIsSharedProRata) {
  // Demand at p = 0.5 is 70: the cheap step (40) is full; two owners at 0.5 share 30 of
  // their 20 + 40 capacity in proportion, 10 and 20.
  const auto demand = [](double p) { return p <= 0.5 ? 70.0 : 0.0; };
  const Clearing c = clear(demand, {{0.5, 20.0}, {0.25, 40.0}, {0.5, 40.0}}, 8.0);
  EXPECT_DOUBLE_EQ(c.price, 0.5);
  EXPECT_DOUBLE_EQ(c.used_h100e[1], 40.0);
  EXPECT_DOUBLE_EQ(c.used_h100e[0], 10.0);
  EXPECT_DOUBLE_EQ(c.used_h100e[2], 20.0);
  EXPECT_DOUBLE_EQ(c.served_h100e, 70.0);
}

TEST(SpotMarket, PriceBetweenStepsSolvesDemandEqualsSupply) {
  // 40 units cost 0.25, the next step costs 4; D(p) = 80/p equals 40 at p = 2.
  const auto demand = iso_elastic(80.0, 1.0);
  const Clearing c = clear(demand, {{0.25, 40.0}, {4.0, 100.0}}, 8.0);
  EXPECT_NEAR(c.price, 2.0, 1e-9);
  EXPECT_NEAR(c.served_h100e, 40.0, 1e-9);
  EXPECT_DOUBLE_EQ(c.used_h100e[1], 0.0);
}

TEST(SpotMarket, NoCapacityMeansCapPriceAndAllDemandUnmet) {
  const auto demand = iso_elastic(100.0, 1.0);
  const Clearing c = clear(demand, {}, 8.0);
  EXPECT_DOUBLE_EQ(c.price, 8.0);
  EXPECT_DOUBLE_EQ(c.served_h100e, 0.0);
  EXPECT_DOUBLE_EQ(c.unmet_h100e, 12.5);
}

}  // namespace
}  // namespace bsim::market
