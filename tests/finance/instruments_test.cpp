#include "finance/instruments.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace bsim::finance {
namespace {

std::vector<Tranche> abs_deal() { return {{"senior", 70.0, 0.005}, {"mezzanine", 20.0, 0.008}, {"junior", 10.0, 0.012}}; }

TEST(Securitisation, JuniorTranchesAbsorbLossesBeforeSeniorOnes) {
  auto t = abs_deal();
  const WaterfallResult r = pay_waterfall(t, 0.0, 15.0);
  EXPECT_DOUBLE_EQ(r.losses[2], 10.0);  // junior wiped out first
  EXPECT_DOUBLE_EQ(r.losses[1], 5.0);   // then the mezzanine
  EXPECT_DOUBLE_EQ(r.losses[0], 0.0);   // senior untouched
  EXPECT_DOUBLE_EQ(t[0].balance, 70.0);
  EXPECT_DOUBLE_EQ(t[1].balance, 15.0);
  EXPECT_DOUBLE_EQ(t[2].balance, 0.0);
  // A loss larger than the junior and mezzanine together reaches the senior tranche.
  auto u = abs_deal();
  const WaterfallResult big = pay_waterfall(u, 0.0, 45.0);
  EXPECT_DOUBLE_EQ(big.losses[0], 15.0);
}

TEST(Securitisation, CollectionsPayInterestInOrderThenPrincipal) {
  auto t = abs_deal();
  // Interest due: 0.35 + 0.16 + 0.12 = 0.63; 0.4 covers the senior in full, part of the mezzanine.
  const WaterfallResult short_cash = pay_waterfall(t, 0.4, 0.0);
  EXPECT_DOUBLE_EQ(short_cash.interest_paid[0], 0.35);
  EXPECT_NEAR(short_cash.interest_paid[1], 0.05, 1e-12);
  EXPECT_DOUBLE_EQ(short_cash.interest_paid[2], 0.0);
  EXPECT_NEAR(short_cash.interest_short[1], 0.11, 1e-12);
  EXPECT_DOUBLE_EQ(short_cash.principal_paid[0], 0.0);
  // Plenty of cash: all interest, then principal senior first, then the residual.
  auto u = abs_deal();
  const WaterfallResult rich = pay_waterfall(u, 80.63, 0.0);
  EXPECT_DOUBLE_EQ(rich.principal_paid[0], 70.0);
  EXPECT_NEAR(rich.principal_paid[1], 10.0, 1e-9);
  EXPECT_DOUBLE_EQ(rich.principal_paid[2], 0.0);
  EXPECT_NEAR(rich.residual, 0.0, 1e-9);
}

TEST(Securitisation, RejectsNegativeInputs) {
  auto t = abs_deal();
  EXPECT_THROW(pay_waterfall(t, -1.0, 0.0), std::invalid_argument);
  t[1].balance = -1.0;
  EXPECT_THROW(pay_waterfall(t, 1.0, 0.0), std::invalid_argument);
}

TEST(Milestones, EachTranchePaysExactlyWhenItsMilestoneIsReached) {
  // $10bn per GW deployed, up to 10 GW (the Nvidia–OpenAI letter of intent, cal. 1.1).
  std::vector<Milestone> per_gw;
  for (int gw = 1; gw <= 10; ++gw) per_gw.push_back({static_cast<double>(gw), 10.0});
  EXPECT_DOUBLE_EQ(milestones_reached(per_gw, 0.0, 0.99), 0.0);
  EXPECT_DOUBLE_EQ(milestones_reached(per_gw, 0.99, 1.0), 10.0);   // exactly at 1 GW
  EXPECT_DOUBLE_EQ(milestones_reached(per_gw, 1.0, 3.5), 20.0);    // 2 and 3 GW
  EXPECT_DOUBLE_EQ(milestones_reached(per_gw, 3.5, 3.5), 0.0);     // no double payment
  double paid = 0.0;
  double reached = 0.0;
  for (double gw : {0.5, 1.2, 1.1, 2.0, 6.0, 5.0, 12.0}) {  // a path that falls back at times
    const double high = std::max(reached, gw);
    paid += milestones_reached(per_gw, reached, high);
    reached = high;
  }
  EXPECT_DOUBLE_EQ(paid, 100.0);  // every tranche once, none twice
}

TEST(Milestones, WarrantsVestInTranchesFromTheFirstGw) {
  // 160M shares vesting in six tranches, one per GW (the AMD–OpenAI warrant, cal. 1.1).
  std::vector<Milestone> warrant;
  for (int gw = 1; gw <= 6; ++gw) warrant.push_back({static_cast<double>(gw), 160.0 / 6.0});
  EXPECT_DOUBLE_EQ(milestones_reached(warrant, 0.0, 0.5), 0.0);
  EXPECT_NEAR(milestones_reached(warrant, 0.0, 6.0), 160.0, 1e-9);
}

}  // namespace
}  // namespace bsim::finance
