#include "finance/debtrank.h"

#include <gtest/gtest.h>

#include "support/lcg.h"

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace bsim::finance {
namespace {

// The header's example: W(A → B) = 50/100 = 0.5, W(B → C) = min(1, 30/20) = 1, nobody holds C.
ExposureNetwork chain() {
  ExposureNetwork net;
  net.n = 3;
  net.exposures = {{1, 0, 50.0}, {2, 1, 30.0}};
  net.equity = {100.0, 100.0, 20.0};
  return net;
}

TEST(DebtRank, ChainMatchesHandComputedValues) {
  const std::vector<double> r = debtrank_by_firm(chain());
  ASSERT_EQ(r.size(), 3U);
  EXPECT_DOUBLE_EQ(r[0], 1.0 / 3.0);  // B loses half, then C loses half: (0.5 + 0.5)/3
  EXPECT_DOUBLE_EQ(r[1], 1.0 / 3.0);  // C loses everything
  EXPECT_EQ(r[2], 0.0);

  const DebtRankRun run = debtrank(chain(), {1.0, 0.0, 0.0});
  EXPECT_DOUBLE_EQ(run.debtrank, 1.0 / 3.0);
  EXPECT_EQ(run.distress, (std::vector<double>{1.0, 0.5, 0.5}));
  EXPECT_EQ(run.steps, 4U);  // t = 1 shock, 2 reaches B, 3 reaches C, 4 nobody left to propagate
}

TEST(DebtRank, EconomicValueWeightsScaleLosses) {
  ExposureNetwork net = chain();
  net.economic_value = {1.0, 2.0, 1.0};  // B is half the system
  const std::vector<double> r = debtrank_by_firm(net);
  EXPECT_DOUBLE_EQ(r[0], (2.0 * 0.5 + 1.0 * 0.5) / 4.0);
  EXPECT_DOUBLE_EQ(r[1], 1.0 / 4.0);
}

TEST(DebtRank, StarHubIsSystemicAndLeavesAreNot) {
  // Three leaves each hold 40 of the hub's debt against equity 100: W(hub → leaf) = 0.4.
  ExposureNetwork net;
  net.n = 4;
  net.exposures = {{1, 0, 40.0}, {2, 0, 40.0}, {3, 0, 40.0}};
  net.equity = {100.0, 100.0, 100.0, 100.0};
  const std::vector<double> r = debtrank_by_firm(net);
  EXPECT_DOUBLE_EQ(r[0], 3.0 * 0.4 / 4.0);
  EXPECT_EQ(r[1], 0.0);
  EXPECT_EQ(r[2], 0.0);
  EXPECT_EQ(r[3], 0.0);
}

TEST(DebtRank, DistressOfAHolderIsCappedAtOne) {
  // The hub holds 30 of each leaf's debt against equity 50: W(leaf → hub) = 0.6.
  ExposureNetwork net;
  net.n = 4;
  net.exposures = {{0, 1, 30.0}, {0, 2, 30.0}, {0, 3, 30.0}};
  net.equity = {50.0, 100.0, 100.0, 100.0};
  const std::vector<double> r = debtrank_by_firm(net);
  EXPECT_EQ(r[0], 0.0);
  EXPECT_DOUBLE_EQ(r[1], 0.6 / 4.0);
  const DebtRankRun all_leaves = debtrank(net, {0.0, 1.0, 1.0, 1.0});
  EXPECT_EQ(all_leaves.distress[0], 1.0);  // 3 × 0.6 = 1.8, capped
  EXPECT_DOUBLE_EQ(all_leaves.debtrank, 1.0 / 4.0);
}

TEST(DebtRank, ParallelExposuresAreSummedBeforeCapping) {
  ExposureNetwork net;
  net.n = 2;
  net.exposures = {{1, 0, 60.0}, {1, 0, 60.0}};
  net.equity = {100.0, 100.0};
  EXPECT_DOUBLE_EQ(debtrank_by_firm(net)[0], 0.5);  // W = min(1, 120/100), weight 1/2
}

TEST(DebtRank, DistressDoesNotReverberateAroundACycle) {
  // A and B each hold 50 of the other against equity 100 (W = 0.5 both ways). Once A has passed
  // its distress on it is inactive: B's distress comes back to A but goes no further.
  ExposureNetwork net;
  net.n = 2;
  net.exposures = {{0, 1, 50.0}, {1, 0, 50.0}};
  net.equity = {100.0, 100.0};
  const std::vector<double> r = debtrank_by_firm(net);
  EXPECT_DOUBLE_EQ(r[0], 0.25);
  EXPECT_DOUBLE_EQ(r[1], 0.25);

  // Partial shock ψ_A = 0.4: h_B = 0.2 at t = 2, then h_A = 0.4 + 0.5·0.2 = 0.5 at t = 3 (an
  // inactive firm still books losses, as in the paper), so R = (0.5 + 0.2)/2 − 0.4/2.
  const DebtRankRun run = debtrank(net, {0.4, 0.0});
  EXPECT_DOUBLE_EQ(run.distress[0], 0.5);
  EXPECT_DOUBLE_EQ(run.distress[1], 0.2);
  EXPECT_DOUBLE_EQ(run.debtrank, 0.15);
}

TEST(DebtRank, FirmNobodyIsExposedToHasZeroDebtRank) {
  ExposureNetwork net;
  net.n = 3;
  net.exposures = {{0, 1, 80.0}, {1, 0, 10.0}};  // firm 2 holds nothing and nobody holds firm 2
  net.equity = {10.0, 10.0, 10.0};
  const std::vector<double> r = debtrank_by_firm(net);
  EXPECT_EQ(r[2], 0.0);
  EXPECT_GT(r[0], 0.0);
}

using testing::Lcg;

TEST(DebtRank, ValuesLieInUnitIntervalAndMatchSingleFirmRuns) {
  Lcg rng(7);
  ExposureNetwork net;
  net.n = 200;
  for (std::uint32_t k = 0; k < 800; ++k) {
    const std::uint32_t holder = rng.below(150);  // firms 150.. hold nothing
    std::uint32_t issuer = rng.below(199);
    if (issuer >= holder) ++issuer;
    if (issuer >= 190) continue;  // and nobody holds firms 190..
    net.exposures.push_back({holder, issuer, 100.0 * rng.uniform()});
  }
  for (std::size_t i = 0; i < net.n; ++i) {
    net.equity.push_back(20.0 + 200.0 * rng.uniform());
    net.economic_value.push_back(1.0 + 9.0 * rng.uniform());
  }
  double value_total = 0.0;
  for (const double v : net.economic_value) value_total += v;

  const std::vector<double> r = debtrank_by_firm(net);
  for (std::size_t i = 0; i < net.n; ++i) {
    EXPECT_GE(r[i], 0.0) << i;
    EXPECT_LE(r[i], 1.0 - net.economic_value[i] / value_total + 1e-12) << i;
    if (i >= 190) {
      EXPECT_EQ(r[i], 0.0) << i;
    }
  }
  for (std::size_t i = 0; i < net.n; i += 37) {
    std::vector<double> psi(net.n, 0.0);
    psi[i] = 1.0;
    EXPECT_DOUBLE_EQ(debtrank(net, psi).debtrank, r[i]) << i;
  }
  const DebtRankRun everyone_half = debtrank(net, std::vector<double>(net.n, 0.5));
  EXPECT_GE(everyone_half.debtrank, 0.0);
  EXPECT_LE(everyone_half.debtrank, 0.5);  // at most the undistressed half of the value is left to lose
  for (const double h : everyone_half.distress) {
    EXPECT_GE(h, 0.5);
    EXPECT_LE(h, 1.0);
  }
}

TEST(DebtRank, RejectsMalformedInput) {
  EXPECT_NO_THROW(debtrank_by_firm(chain()));
  auto expect_rejected = [](const ExposureNetwork& net) { EXPECT_THROW(debtrank_by_firm(net), std::invalid_argument); };
  ExposureNetwork net = chain();
  net.equity[1] = 0.0;
  expect_rejected(net);
  net = chain();
  net.equity.pop_back();
  expect_rejected(net);
  net = chain();
  net.exposures[0].issuer = 3;
  expect_rejected(net);
  net = chain();
  net.exposures[0].holder = net.exposures[0].issuer;
  expect_rejected(net);
  net = chain();
  net.exposures[1].amount = -1.0;
  expect_rejected(net);
  net = chain();
  net.economic_value = {1.0, 1.0};
  expect_rejected(net);
  net = chain();
  net.economic_value = {0.0, 0.0, 0.0};
  expect_rejected(net);
  EXPECT_THROW(debtrank(chain(), {1.5, 0.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(debtrank(chain(), {1.0, 0.0}), std::invalid_argument);
}

}  // namespace
}  // namespace bsim::finance
