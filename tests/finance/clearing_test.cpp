#include "finance/clearing.h"

#include <gtest/gtest.h>

#include "support/lcg.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace bsim::finance {
namespace {

// ---------------------------------------------------------------------------------------------
// Reference: the definition iterated literally (Jacobi on per-obligation payments, dense n × tiers
// table of dues), independent of the solver's grouping, CSR layout and Gauss–Seidel order.
// ---------------------------------------------------------------------------------------------

struct Reference {
  std::vector<double> payment;
  std::vector<bool> defaulted;
};

Reference brute_force_clearing(const ClearingProblem& p) {
  const std::size_t n = p.n;
  int tiers = 1;
  for (const Obligation& o : p.obligations) tiers = std::max(tiers, o.tier + 1);
  const auto t_count = static_cast<std::size_t>(tiers);
  std::vector<double> tier_due(n * t_count, 0.0);  // firm-major dense table
  for (const Obligation& o : p.obligations) tier_due[o.debtor * t_count + static_cast<std::size_t>(o.tier)] += o.amount;
  std::vector<double> due(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < t_count; ++t) due[i] += tier_due[i * t_count + t];
  }

  std::vector<double> x(p.obligations.size());
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = p.obligations[k].amount;  // full payment
  std::vector<double> pay(n, 0.0);
  std::vector<double> tier_paid(n * t_count, 0.0);
  for (int sweep = 0; sweep < 1000000; ++sweep) {
    std::vector<double> received(n, 0.0);
    for (std::size_t k = 0; k < x.size(); ++k) {
      if (p.obligations[k].creditor < n) received[p.obligations[k].creditor] += x[k];
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double e = p.external_assets[i];
      const bool solvent = e + received[i] >= due[i] - kSolvencySlack * due[i];
      pay[i] = solvent ? due[i] : std::min(due[i], (1.0 - p.alpha) * e + (1.0 - p.beta) * received[i]);
      double left = pay[i];
      for (std::size_t t = 0; t < t_count; ++t) {
        const double d = tier_due[i * t_count + t];
        tier_paid[i * t_count + t] = std::clamp(left, 0.0, d);
        left -= d;
      }
    }
    double change = 0.0;
    for (std::size_t k = 0; k < x.size(); ++k) {
      const Obligation& o = p.obligations[k];
      const std::size_t cell = o.debtor * t_count + static_cast<std::size_t>(o.tier);
      // A covered tier (including an empty one) pays amounts exactly.
      const double next = tier_paid[cell] >= tier_due[cell] ? o.amount : o.amount * (tier_paid[cell] / tier_due[cell]);
      if (o.amount > 0.0) change = std::max(change, std::abs(next - x[k]) / o.amount);
      x[k] = next;
    }
    if (change <= 1e-15) break;
  }
  Reference ref;
  ref.payment = x;
  ref.defaulted.resize(n);
  for (std::size_t i = 0; i < n; ++i) ref.defaulted[i] = pay[i] < due[i];
  return ref;
}

using testing::Lcg;  // deterministic on every platform

ClearingProblem random_problem(std::size_t n, std::uint64_t seed, int tiers, double alpha, double beta) {
  Lcg rng(seed);
  ClearingProblem p;
  p.n = n;
  p.alpha = alpha;
  p.beta = beta;
  std::vector<double> due(n, 0.0);
  const auto firms = static_cast<std::uint32_t>(n);
  for (std::uint32_t i = 0; i < firms; ++i) {
    const std::uint32_t count = rng.uniform() < 0.1 ? 0 : 1 + rng.below(4);
    for (std::uint32_t c = 0; c < count; ++c) {
      std::uint32_t creditor = firms;  // the outside world
      if (rng.uniform() >= 0.15) {
        creditor = rng.below(firms - 1);
        if (creditor >= i) ++creditor;  // anyone but i
      }
      const int tier = static_cast<int>(rng.below(static_cast<std::uint32_t>(tiers)));
      const double amount = rng.uniform() < 0.05 ? 0.0 : 1.0 + 99.0 * rng.uniform();
      p.obligations.push_back({i, creditor, tier, amount});
      due[i] += amount;
    }
  }
  p.external_assets.resize(n);
  for (std::size_t i = 0; i < n; ++i) p.external_assets[i] = (rng.uniform() < 0.2 ? 0.0 : 0.9 * rng.uniform()) * due[i];
  return p;
}

// Checks the solver against the reference and its own bookkeeping; returns the number of defaults
// so the caller can make sure the cases are not trivial.
std::size_t expect_matches_reference(const ClearingProblem& p) {
  const ClearingResult r = clear_obligations(p);
  const Reference ref = brute_force_clearing(p);
  EXPECT_TRUE(r.converged);
  std::vector<double> paid_by_debtor(p.n, 0.0);
  for (std::size_t k = 0; k < p.obligations.size(); ++k) {
    const double amount = p.obligations[k].amount;
    EXPECT_NEAR(r.payment[k], ref.payment[k], 1e-9 * amount) << "obligation " << k;
    EXPECT_GE(r.payment[k], 0.0);
    EXPECT_LE(r.payment[k], amount);
    paid_by_debtor[p.obligations[k].debtor] += r.payment[k];
  }
  std::size_t defaults = 0;
  for (std::size_t i = 0; i < p.n; ++i) {
    EXPECT_EQ(r.defaulted[i], ref.defaulted[i]) << "firm " << i;
    EXPECT_NEAR(paid_by_debtor[i], r.paid[i], 1e-9 * r.due[i]) << "firm " << i;
    EXPECT_DOUBLE_EQ(r.shortfall[i], r.due[i] - r.paid[i]);
    if (r.defaulted[i]) ++defaults;
  }
  return defaults;
}

struct Costs {
  double alpha;
  double beta;
};
constexpr Costs kCostCases[] = {{0.0, 0.0}, {0.3, 0.1}, {0.5, 0.5}, {0.1, 0.0}, {0.0, 0.2}};

void check_random_networks(std::size_t n, int cases, std::uint64_t first_seed) {
  std::size_t defaults = 0;
  for (int c = 0; c < cases; ++c) {
    const Costs costs = kCostCases[static_cast<std::size_t>(c) % std::size(kCostCases)];
    const ClearingProblem p =
        random_problem(n, first_seed + static_cast<std::uint64_t>(c), 1 + c % 4, costs.alpha, costs.beta);
    SCOPED_TRACE(::testing::Message() << "n = " << n << ", case " << c);
    defaults += expect_matches_reference(p);
  }
  EXPECT_GT(defaults, 0U) << "the random cases should exercise default";
}

// A 4-obligation ring A → B → C → A in which C also owes the outside world (index 3) and only C
// has external assets (5): the example of the header.
ClearingProblem short_ring(double alpha, double beta) {
  ClearingProblem p;
  p.n = 3;
  p.external_assets = {0.0, 0.0, 5.0};
  p.obligations = {{0, 1, 0, 10.0}, {1, 2, 0, 10.0}, {2, 0, 0, 10.0}, {2, 3, 0, 10.0}};
  p.alpha = alpha;
  p.beta = beta;
  return p;
}

TEST(Clearing, SolventChainPaysEveryObligationInFullExactly) {
  ClearingProblem p;
  p.n = 3;
  p.external_assets = {10.0, 0.0, 0.0};
  p.obligations = {{0, 1, 0, 10.0}, {1, 2, 0, 10.0}};
  p.alpha = 0.3;
  p.beta = 0.1;
  const ClearingResult r = clear_obligations(p);
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.payment, (std::vector<double>{10.0, 10.0}));
  EXPECT_EQ(r.defaulted, (std::vector<bool>{false, false, false}));
  EXPECT_EQ(r.received, (std::vector<double>{0.0, 10.0, 10.0}));
  EXPECT_EQ(r.shortfall, (std::vector<double>{0.0, 0.0, 0.0}));
}

TEST(Clearing, RingWithOneShortFirmClearsAtHandSolvedVector) {
  // C pays x = min(20, 5 + x/2) → x = 10, half to A, half outside; A and B pass 5 along.
  const ClearingResult r = clear_obligations(short_ring(0.0, 0.0));
  EXPECT_TRUE(r.converged);
  for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(r.payment[k], 5.0, 1e-10) << "obligation " << k;
  EXPECT_NEAR(r.paid[2], 10.0, 1e-10);
  EXPECT_NEAR(r.shortfall[2], 10.0, 1e-10);
  EXPECT_NEAR(r.paid_to_outside, 5.0, 1e-10);  // all the external assets leave the network
  EXPECT_EQ(r.defaulted, (std::vector<bool>{true, true, true}));
}

TEST(Clearing, DefaultCostsOnTheRingMatchHandSolution) {
  // α = 0.2, β = 0.5, everyone defaults: p_A = 0.5·p_C/2, p_B = 0.5·p_A, p_C = 0.8·5 + 0.5·p_B
  // → p_C = 4 / (1 − 1/16) = 64/15.
  const ClearingResult r = clear_obligations(short_ring(0.2, 0.5));
  const double p_c = 64.0 / 15.0;
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.paid[2], p_c, 1e-10);
  EXPECT_NEAR(r.payment[2], p_c / 2.0, 1e-10);
  EXPECT_NEAR(r.payment[3], p_c / 2.0, 1e-10);
  EXPECT_NEAR(r.payment[0], p_c / 4.0, 1e-10);
  EXPECT_NEAR(r.payment[1], p_c / 8.0, 1e-10);
}

TEST(Clearing, MutualDebtWithoutExternalAssetsClearsAtGreatestFixedPoint) {
  // Paying 10 each and paying 0 each are both clearing vectors; the greatest pays in full and
  // nobody defaults, so no default costs are incurred either.
  ClearingProblem p;
  p.n = 2;
  p.external_assets = {0.0, 0.0};
  p.obligations = {{0, 1, 0, 10.0}, {1, 0, 0, 10.0}};
  for (const Costs costs : kCostCases) {
    p.alpha = costs.alpha;
    p.beta = costs.beta;
    const ClearingResult r = clear_obligations(p);
    EXPECT_EQ(r.payment, (std::vector<double>{10.0, 10.0}));
    EXPECT_EQ(r.defaulted, (std::vector<bool>{false, false}));
  }
}

TEST(Clearing, LeakingCycleConvergesFromAboveToPartialPayment) {
  // A ↔ B owe 10 each, A also owes 1 outside and holds 0.5. B pays what it gets, 10/11 of p_A;
  // A pays 0.5 + p_B → p_A = 5.5, p_B = 5. Iterates fall by a factor 10/11 per sweep.
  ClearingProblem p;
  p.n = 2;
  p.external_assets = {0.5, 0.0};
  p.obligations = {{0, 1, 0, 10.0}, {0, 2, 0, 1.0}, {1, 0, 0, 10.0}};
  const ClearingResult r = clear_obligations(p);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.paid[0], 5.5, 1e-9);
  EXPECT_NEAR(r.payment[0], 5.0, 1e-9);
  EXPECT_NEAR(r.payment[1], 0.5, 1e-9);
  EXPECT_NEAR(r.payment[2], 5.0, 1e-9);
  EXPECT_NEAR(r.paid_to_outside, 0.5, 1e-9);
}

TEST(Clearing, ReportsNonConvergenceAtTheSweepCapWithAnUpperBound) {
  ClearingProblem p;
  p.n = 2;
  p.external_assets = {0.5, 0.0};
  p.obligations = {{0, 1, 0, 10.0}, {0, 2, 0, 1.0}, {1, 0, 0, 10.0}};
  p.max_sweeps = 3;
  const ClearingResult r = clear_obligations(p);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.sweeps, 3U);
  // Iterating from above never undershoots the greatest clearing vector.
  EXPECT_GT(r.paid[0], 5.5);
  EXPECT_GT(r.paid[1], 5.0);
  EXPECT_LT(r.paid[0], 11.0);
}

TEST(Clearing, SeniorTierIsPaidInFullBeforeJuniorTierGetsAnything) {
  // Firm 0 holds 30 and owes 20 senior (to 1), then 30 and 10 junior (to 2 and 3).
  ClearingProblem p;
  p.n = 4;
  p.external_assets = {30.0, 0.0, 0.0, 0.0};
  p.obligations = {{0, 1, 0, 20.0}, {0, 2, 1, 30.0}, {0, 3, 1, 10.0}};
  ClearingResult r = clear_obligations(p);
  EXPECT_DOUBLE_EQ(r.payment[0], 20.0);
  EXPECT_DOUBLE_EQ(r.payment[1], 7.5);  // the remaining 10 pro rata, 3 : 1
  EXPECT_DOUBLE_EQ(r.payment[2], 2.5);
  EXPECT_TRUE(r.defaulted[0]);

  p.external_assets[0] = 15.0;  // not even the senior tier is covered
  r = clear_obligations(p);
  EXPECT_DOUBLE_EQ(r.payment[0], 15.0);
  EXPECT_EQ(r.payment[1], 0.0);
  EXPECT_EQ(r.payment[2], 0.0);
}

TEST(Clearing, CreditorsWithinATierShareProRata) {
  ClearingProblem p;
  p.n = 4;
  p.external_assets = {30.0, 0.0, 0.0, 0.0};
  p.obligations = {{0, 1, 0, 20.0}, {0, 2, 0, 40.0}, {0, 3, 1, 50.0}};
  const ClearingResult r = clear_obligations(p);
  EXPECT_DOUBLE_EQ(r.payment[0], 10.0);
  EXPECT_DOUBLE_EQ(r.payment[1], 20.0);
  EXPECT_EQ(r.payment[2], 0.0);
}

TEST(Clearing, TierNumbersNeedNotBeContiguousOrInOrder) {
  ClearingProblem p;
  p.n = 3;
  p.external_assets = {25.0, 0.0, 0.0};
  p.obligations = {{0, 2, 7, 10.0}, {0, 1, 2, 20.0}};  // junior listed first
  const ClearingResult r = clear_obligations(p);
  EXPECT_DOUBLE_EQ(r.payment[0], 5.0);
  EXPECT_DOUBLE_EQ(r.payment[1], 20.0);
}

TEST(Clearing, JuniorCreditorDefaultsWhileSeniorCreditorIsMadeWhole) {
  // Firm 0 (holds 10) owes 10 senior to firm 1 and 10 junior to firm 2; each of them owes the
  // outside world and has nothing else.
  ClearingProblem p;
  p.n = 3;
  p.external_assets = {10.0, 0.0, 0.0};
  p.obligations = {{0, 2, 1, 10.0}, {0, 1, 0, 10.0}, {1, 3, 0, 10.0}, {2, 3, 0, 5.0}};
  const ClearingResult r = clear_obligations(p);
  EXPECT_EQ(r.defaulted, (std::vector<bool>{true, false, true}));
  EXPECT_DOUBLE_EQ(r.payment[1], 10.0);
  EXPECT_EQ(r.payment[0], 0.0);
  EXPECT_EQ(r.payment[3], 0.0);
  EXPECT_DOUBLE_EQ(r.paid_to_outside, 10.0);
}

TEST(Clearing, DefaultCostsLowerPaymentsAndLeaveSolventFirmsUnaffected) {
  // The short ring plus firm 3, rich and owing 50 to firm 0 and 50 outside: solvent either way.
  auto problem = [](double alpha, double beta) {
    ClearingProblem p;
    p.n = 4;
    p.external_assets = {0.0, 0.0, 5.0, 200.0};
    p.obligations = {{0, 1, 0, 30.0}, {1, 2, 0, 10.0}, {2, 0, 0, 10.0},
                     {2, 4, 0, 10.0}, {3, 0, 0, 20.0}, {3, 4, 0, 50.0}};
    p.alpha = alpha;
    p.beta = beta;
    return p;
  };
  const ClearingResult free = clear_obligations(problem(0.0, 0.0));
  const ClearingResult costly = clear_obligations(problem(0.3, 0.1));
  for (std::size_t k = 0; k < free.payment.size(); ++k) EXPECT_LE(costly.payment[k], free.payment[k]) << k;
  EXPECT_LT(costly.paid[0], free.paid[0]);
  EXPECT_LT(costly.paid[2], free.paid[2]);
  EXPECT_FALSE(costly.defaulted[3]);
  EXPECT_EQ(costly.payment[4], 20.0);
  EXPECT_EQ(costly.payment[5], 50.0);
  EXPECT_EQ(costly.paid[3], free.paid[3]);
}

TEST(Clearing, FirmExactlyAbleToPayIsSolventAndBearsNoDefaultCost) {
  ClearingProblem p;
  p.n = 2;
  p.external_assets = {100.0, 0.0};
  p.obligations = {{0, 1, 0, 10.0}, {1, 2, 0, 10.0}};
  p.alpha = 0.5;
  p.beta = 0.5;
  const ClearingResult r = clear_obligations(p);
  EXPECT_FALSE(r.defaulted[1]);
  EXPECT_EQ(r.payment[1], 10.0);
}

TEST(Clearing, RoundingInSummedReceiptsDoesNotTriggerDefault) {
  // 0.1 + 0.7 = 0.7999999999999999 < 0.8 in binary floating point.
  ClearingProblem p;
  p.n = 3;
  p.external_assets = {1.0, 1.0, 0.0};
  p.obligations = {{0, 2, 0, 0.1}, {1, 2, 0, 0.7}, {2, 3, 0, 0.8}};
  p.beta = 0.5;
  const ClearingResult r = clear_obligations(p);
  EXPECT_FALSE(r.defaulted[2]);
  EXPECT_EQ(r.payment[2], 0.8);
}

TEST(Clearing, OutsideCreditorIsPaidAndNeverDefaults) {
  ClearingProblem p;
  p.n = 2;
  p.external_assets = {4.0, 100.0};
  p.obligations = {{0, 2, 0, 8.0}, {1, 2, 1, 30.0}, {1, 0, 0, 2.0}};
  const ClearingResult r = clear_obligations(p);
  EXPECT_EQ(r.defaulted.size(), 2U);  // the outside world has no entry: it cannot default
  EXPECT_EQ(r.received.size(), 2U);
  EXPECT_DOUBLE_EQ(r.payment[0], 6.0);  // firm 0 pays all it has (4 + 2)
  EXPECT_DOUBLE_EQ(r.payment[1], 30.0);
  EXPECT_DOUBLE_EQ(r.paid_to_outside, 36.0);
  EXPECT_EQ(r.defaulted, (std::vector<bool>{true, false}));
}

TEST(Clearing, NetworkWithoutObligationsClearsInOneSweep) {
  ClearingProblem p;
  p.n = 3;
  p.external_assets = {1.0, 0.0, 2.0};
  const ClearingResult r = clear_obligations(p);
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.sweeps, 1U);
  EXPECT_EQ(r.defaulted, (std::vector<bool>{false, false, false}));
  EXPECT_EQ(r.paid_to_outside, 0.0);
}

TEST(Clearing, RejectsMalformedInput) {
  auto valid = [] {
    ClearingProblem p;
    p.n = 2;
    p.external_assets = {1.0, 1.0};
    p.obligations = {{0, 1, 0, 1.0}};
    return p;
  };
  EXPECT_NO_THROW(clear_obligations(valid()));
  auto expect_rejected = [](const ClearingProblem& p) { EXPECT_THROW(clear_obligations(p), std::invalid_argument); };
  ClearingProblem p = valid();
  p.obligations[0].debtor = 2;  // the outside world owes nothing
  expect_rejected(p);
  p = valid();
  p.obligations[0].creditor = 3;
  expect_rejected(p);
  p = valid();
  p.obligations[0].creditor = 0;  // owes itself
  expect_rejected(p);
  p = valid();
  p.obligations[0].amount = -1.0;
  expect_rejected(p);
  p = valid();
  p.obligations[0].amount = std::nan("");
  expect_rejected(p);
  p = valid();
  p.obligations[0].tier = -1;
  expect_rejected(p);
  p = valid();
  p.external_assets = {1.0};
  expect_rejected(p);
  p = valid();
  p.external_assets[1] = -0.5;
  expect_rejected(p);
  p = valid();
  p.alpha = 1.5;
  expect_rejected(p);
  p = valid();
  p.beta = -0.1;
  expect_rejected(p);
  p = valid();
  p.max_sweeps = 0;
  expect_rejected(p);
}

TEST(Clearing, AgreesWithBruteForceOnRandomNetworksOf5Firms) { check_random_networks(5, 200, 1000); }

TEST(Clearing, AgreesWithBruteForceOnRandomNetworksOf50Firms) { check_random_networks(50, 40, 2000); }

TEST(Clearing, AgreesWithBruteForceOnRandomNetworksOf1000Firms) { check_random_networks(1000, 8, 3000); }

TEST(Clearing, HigherDefaultCostsNeverRaisePaymentsOnRandomNetworks) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const ClearingProblem base = random_problem(50, 4000 + seed, 3, 0.0, 0.0);
    ClearingProblem costly = base;
    costly.alpha = 0.3;
    costly.beta = 0.1;
    const ClearingResult a = clear_obligations(base);
    const ClearingResult b = clear_obligations(costly);
    for (std::size_t k = 0; k < a.payment.size(); ++k) EXPECT_LE(b.payment[k], a.payment[k] + 1e-12 * 100.0);
  }
}

}  // namespace
}  // namespace bsim::finance
