// The circular-revenue share (DESIGN §1.10): origin mixes solved by hand on small networks (a
// three-firm cycle, a direct pair, a chain of four), degenerate networks, a randomized property
// test; then the ledger's record of the firms' cash flows, checked against every change in
// deposits of a path with defaults, and the shares of the built-in scenario.
#include "finance/circularity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/scenario_loader.h"
#include "sim/run_path.h"
#include "support/lcg.h"

namespace bsim::finance {
namespace {

constexpr double kTight = 1e-12;

/// A network under construction: firms by index, amounts in USD bn.
struct Net {
  model::FirmFlows f;
  explicit Net(std::size_t n) : f(n) {}
  /// An ordinary payment; `revenue` when it buys goods or services from the payee.
  Net& pay(std::size_t from, std::size_t to, double x, bool revenue = true) {
    f.transfer[from * f.firms + to] += x;
    if (revenue) f.revenue[from * f.firms + to] += x;
    return *this;
  }
  Net& invest(std::size_t from, std::size_t to, double x) {
    f.investment[from * f.firms + to] += x;
    return *this;
  }
  /// Money from households/banks; `revenue` when end users buy from the firm.
  Net& external(std::size_t to, double x, bool revenue = true) {
    f.external_inflow[to] += x;
    if (revenue) f.external_revenue[to] += x;
    return *this;
  }
  Net& outside(std::size_t from, double x) {
    f.outside_payment[from] += x;
    return *this;
  }
};

/// Every mix is a distribution over the origins; every share is in [0, 1].
void expect_valid(const Circularity& c, double tolerance = kTight) {
  const std::size_t n = c.firms;
  ASSERT_EQ(c.mix.size(), n * (n + 1));
  for (std::size_t j = 0; j < n; ++j) {
    double sum = 0.0;
    for (std::size_t o = 0; o <= n; ++o) {
      EXPECT_GE(c.origin_share(j, o), 0.0) << j << ' ' << o;
      EXPECT_LE(c.origin_share(j, o), 1.0) << j << ' ' << o;
      sum += c.origin_share(j, o);
    }
    EXPECT_NEAR(sum, 1.0, tolerance) << "firm " << j;
    EXPECT_GE(c.share[j], 0.0);
    EXPECT_LE(c.share[j], 1.0);
    EXPECT_LE(c.circular_revenue[j], c.revenue[j] * (1.0 + tolerance));
  }
  EXPECT_GE(c.overall_share, 0.0);
  EXPECT_LE(c.overall_share, 1.0);
}

TEST(Circularity, ThreeFirmCycleMatchesHandComputation) {
  // The reference cycle of DESIGN §1.10. A chipmaker C (0) invests 10 in a lab L (1), which
  // also earns 30 from end users. L rents compute from a cloud K (2) for 20; K also earns 20
  // from end users and 4 from C (a backstop, an ordinary purchase), and buys chips from C for
  // 16; C also sells 24 to outside buyers. Every firm pays the rest of its inflow outside, so
  // no one spends cash held before the window:
  //   L: in 30 + 10 = 40, out 20 + 20;   K: in 20 + 20 + 4 = 44, out 16 + 28;
  //   C: in 24 + 16 = 40, out 10 + 4 + 26.
  // Only C invests, so only C's origin (and the external one) appears. With a = m_L[C],
  // b = m_K[C], c = m_C[C]:
  //   40 a = 10                        → a = 1/4
  //   44 b = 20 a + 4 c                  (L's and C's payments carry their mixes)
  //   40 c = 16 b                      → c = 2b/5
  //   44 b = 5 + 8b/5  → b = 25/212,  c = 5/106.
  // C's circular revenue is 16 b = 100/53 of its revenue 16 + 24 = 40: a share of 5/106 ≈ 4.7%,
  // although no firm C invested in pays C directly. K and L have no investment outflows: 0.
  // All firms: (100/53) / (40 + 44 + 30) = 100/6042.
  Net net(3);
  net.invest(0, 1, 10).external(1, 30).pay(1, 2, 20).external(2, 20).pay(0, 2, 4).pay(2, 0, 16).external(0, 24);
  net.outside(1, 20).outside(2, 28).outside(0, 26);
  const Circularity c = circularity(net.f);
  expect_valid(c);
  EXPECT_NEAR(c.origin_share(1, 0), 0.25, kTight);
  EXPECT_NEAR(c.origin_share(2, 0), 25.0 / 212.0, kTight);
  EXPECT_NEAR(c.origin_share(0, 0), 5.0 / 106.0, kTight);
  EXPECT_NEAR(c.origin_share(2, 3), 187.0 / 212.0, kTight);
  EXPECT_NEAR(c.origin_share(0, 3), 101.0 / 106.0, kTight);
  EXPECT_NEAR(c.revenue[0], 40.0, kTight);
  EXPECT_NEAR(c.revenue[1], 30.0, kTight);  // the investment is not revenue
  EXPECT_NEAR(c.revenue[2], 44.0, kTight);
  EXPECT_NEAR(c.circular_revenue[0], 100.0 / 53.0, kTight);
  EXPECT_NEAR(c.share[0], 5.0 / 106.0, kTight);
  EXPECT_EQ(c.share[1], 0.0);
  EXPECT_EQ(c.share[2], 0.0);
  EXPECT_NEAR(c.overall_share, 100.0 / 6042.0, kTight);
}

TEST(Circularity, HeaderExampleWithoutFeedbackIsFivePercent) {
  // circularity.h: as above without C's purchase from K. m_L[C] = 10/40, m_K[C] = 20 · 0.25/40,
  // C's circular revenue 16 · 0.125 = 2 of 40.
  Net net(3);
  net.invest(0, 1, 10).external(1, 30).pay(1, 2, 20).external(2, 20).pay(2, 0, 16).external(0, 24);
  net.outside(1, 20).outside(2, 24).outside(0, 30);
  const Circularity c = circularity(net.f);
  expect_valid(c);
  EXPECT_NEAR(c.origin_share(2, 0), 0.125, kTight);
  EXPECT_NEAR(c.share[0], 0.05, kTight);
}

TEST(Circularity, DirectPairReturnsTheInvestedShareOfTheCustomersFunds) {
  // C (0) invests 10 in L (1), which earns 10 from end users: half of L's funds are C's. L buys
  // 8 of chips from C, who sells 32 elsewhere: circular 8 · 0.5 = 4 of 40 = 10%.
  Net net(2);
  net.invest(0, 1, 10).external(1, 10).pay(1, 0, 8).outside(1, 12).external(0, 32).outside(0, 30);
  const Circularity c = circularity(net.f);
  expect_valid(c);
  EXPECT_NEAR(c.origin_share(1, 0), 0.5, kTight);
  EXPECT_NEAR(c.circular_revenue[0], 4.0, kTight);
  EXPECT_NEAR(c.share[0], 0.1, kTight);
  EXPECT_EQ(c.share[1], 0.0);
  EXPECT_NEAR(c.overall_share, 4.0 / (40.0 + 10.0), kTight);  // L's revenue is its 10 from end users
}

TEST(Circularity, ChainOfFourPassesTheShareThroughIntermediaries) {
  // A (0) invests 12 in B (1); B → C (2) → D (3) → A, each also earning as much from end users
  // as it receives from its customer, so each step halves A's part:
  //   m_B[A] = 12/24 = 1/2,  m_C[A] = 10 · (1/2)/20 = 1/4,  m_D[A] = 8 · (1/4)/16 = 1/8.
  // D, which never received anything from A, pays A 8: circular 1 of A's revenue 8 + 12 = 20.
  Net net(4);
  net.invest(0, 1, 12).external(1, 12).pay(1, 2, 10).outside(1, 14);
  net.external(2, 10).pay(2, 3, 8).outside(2, 12);
  net.external(3, 8).pay(3, 0, 8).outside(3, 8);
  net.external(0, 12).outside(0, 8);
  const Circularity c = circularity(net.f);
  expect_valid(c);
  EXPECT_NEAR(c.origin_share(1, 0), 0.5, kTight);
  EXPECT_NEAR(c.origin_share(2, 0), 0.25, kTight);
  EXPECT_NEAR(c.origin_share(3, 0), 0.125, kTight);
  EXPECT_NEAR(c.share[0], 0.05, kTight);
  for (std::size_t f = 1; f < 4; ++f) EXPECT_EQ(c.share[f], 0.0) << f;
  // Break the chain in the middle and nothing comes back.
  net.f.transfer[2 * 4 + 3] = 0.0;
  net.f.revenue[2 * 4 + 3] = 0.0;
  net.external(3, 8);
  const Circularity broken = circularity(net.f);
  expect_valid(broken);
  EXPECT_EQ(broken.share[0], 0.0);
}

TEST(Circularity, NoInvestmentMeansEveryFundIsExternalAndNoShare) {
  Net net(4);
  net.external(0, 50).pay(0, 1, 20).pay(1, 2, 15).pay(2, 0, 10).pay(2, 3, 5).pay(3, 1, 5).outside(0, 40);
  const Circularity c = circularity(net.f);
  expect_valid(c);
  for (std::size_t j = 0; j < 4; ++j) {
    EXPECT_NEAR(c.origin_share(j, 4), 1.0, kTight) << j;
    EXPECT_EQ(c.share[j], 0.0) << j;
  }
  EXPECT_EQ(c.overall_share, 0.0);
}

TEST(Circularity, FirmsWithoutInflowsAndClosedCirclesCountAsExternal) {
  // Firm 0 receives and pays nothing; firms 1 and 2 only pass 5 back and forth (no origin can
  // be traced); firm 3 receives an investment from firm 2 out of that circle's money.
  Net net(4);
  net.pay(1, 2, 5).pay(2, 1, 5);
  const Circularity closed = circularity(net.f);
  expect_valid(closed);
  for (std::size_t j = 0; j < 4; ++j) EXPECT_EQ(closed.origin_share(j, 4), 1.0) << j;
  for (std::size_t j = 0; j < 4; ++j) EXPECT_EQ(closed.share[j], 0.0) << j;
  // An investment out of the circle: firm 2 now pays out more than it receives, the rest from
  // cash it held before the window, so the circle is traced again.
  net.invest(2, 3, 2).pay(3, 2, 1);
  const Circularity opened = circularity(net.f);
  expect_valid(opened);
  EXPECT_NEAR(opened.origin_share(3, 2), 1.0, kTight);
  // Firm 2's pool: 5 + 1 received, 5 + 2 paid out → 7; its revenue 5 + 1, of which 1 · 1 from 3.
  EXPECT_NEAR(opened.circular_revenue[2], 1.0 + 5.0 * opened.origin_share(1, 2), kTight);
  EXPECT_GT(opened.share[2], 0.0);
  EXPECT_EQ(opened.share[0], 0.0);
}

TEST(Circularity, SpendingCashHeldBeforeTheWindowDilutesTheInvestedShare) {
  // L (1) receives 10 from C (0) and pays K (2) 40: 30 came from cash it already held, so only
  // a quarter of what it paid is C's (not all of it). K pays all 40 to C for chips.
  Net net(3);
  net.invest(0, 1, 10).pay(1, 2, 40).pay(2, 0, 40).outside(0, 30);
  const Circularity c = circularity(net.f);
  expect_valid(c);
  EXPECT_NEAR(c.origin_share(1, 0), 0.25, kTight);
  EXPECT_NEAR(c.origin_share(2, 0), 0.25, kTight);
  EXPECT_NEAR(c.share[0], 0.25, kTight);
}

TEST(Circularity, RejectsFlowsOfTheWrongSize) {
  model::FirmFlows f(3);
  f.revenue.pop_back();
  EXPECT_THROW((void)circularity(f), std::invalid_argument);
  EXPECT_NO_THROW((void)circularity(model::FirmFlows(0)));
}

/// Cash paid out by firm j: to firms, as investments and outside.
double paid_out(const model::FirmFlows& f, std::size_t j) {
  double out = f.outside_payment[j];
  for (std::size_t k = 0; k < f.firms; ++k) out += f.transfer[j * f.firms + k] + f.investment[j * f.firms + k];
  return out;
}

/// Cash received by firm j from firms (ordinary payments and investments).
double received_from_firms(const model::FirmFlows& f, std::size_t j) {
  double in = 0.0;
  for (std::size_t i = 0; i < f.firms; ++i) in += f.transfer[i * f.firms + j] + f.investment[i * f.firms + j];
  return in;
}

TEST(Circularity, RandomNetworksGiveDistributionsAndSharesGrowWithTheInvestment) {
  testing::Lcg rng(20260101);
  int grew = 0;
  constexpr int kTrials = 300;
  for (int trial = 0; trial < kTrials; ++trial) {
    const std::size_t n = 2 + rng.below(24);
    const double density = rng.uniform(0.05, 0.6);
    Net net(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        if (rng.uniform() < density) net.pay(i, j, rng.uniform(0.0, 10.0), false);
        net.f.revenue[i * n + j] = net.f.transfer[i * n + j] * rng.uniform();
        if (rng.uniform() < 0.08) net.invest(i, j, rng.uniform(0.0, 15.0));
      }
      if (rng.uniform() < 0.7) net.external(i, rng.uniform(0.0, 30.0), false);
      net.f.external_revenue[i] = net.f.external_inflow[i] * rng.uniform();
      if (rng.uniform() < 0.7) net.outside(i, rng.uniform(0.0, 20.0));
    }
    const Circularity before = circularity(net.f);
    expect_valid(before, 1e-9);
    if (HasFailure()) return;

    // More investment from k into j: k's share cannot fall. Give every firm enough outside
    // money that no one spends cash held before the window, before or after (a firm spending
    // such cash would dilute its own mix as its outflows grow).
    const std::size_t k = rng.below(static_cast<std::uint32_t>(n));
    const std::size_t j = (k + 1 + rng.below(static_cast<std::uint32_t>(n - 1))) % n;
    model::FirmFlows more = net.f;
    more.investment[k * n + j] += rng.uniform(1.0, 20.0);
    for (std::size_t f = 0; f < n; ++f) {
      const double need = paid_out(more, f) - received_from_firms(net.f, f) + 1.0;
      net.f.external_inflow[f] = std::max(net.f.external_inflow[f], need);
      more.external_inflow[f] = net.f.external_inflow[f];
    }
    const Circularity base = circularity(net.f);
    const Circularity after = circularity(more);
    expect_valid(base, 1e-9);
    expect_valid(after, 1e-9);
    EXPECT_GE(after.share[k], base.share[k] - 1e-12) << "trial " << trial << " k " << k << " j " << j;
    EXPECT_GE(after.origin_share(j, k), base.origin_share(j, k) - 1e-12) << "trial " << trial;
    if (after.share[k] > base.share[k] + 1e-12) ++grew;
    if (HasFailure()) return;
  }
  EXPECT_GT(grew, kTrials / 10);  // not vacuous: often some of it comes back
}

// ------------------------------------------------------------------------------ in the engine

TEST(SparseFirmFlows, WindowSumsAreTheSameDoublesAsSummingWholeRecords) {
  testing::Lcg rng(20260315);
  for (int trial = 0; trial < 50; ++trial) {
    const std::size_t n = 1 + rng.below(12);
    model::FirmFlows dense(n);
    model::FirmFlows sparse(n);
    model::SparseFirmFlows month;
    for (int m = 0; m < 12; ++m) {
      model::FirmFlows flows(n);
      for (std::vector<double>* field : {&flows.transfer, &flows.investment, &flows.revenue, &flows.external_inflow,
                                         &flows.external_revenue, &flows.outside_payment}) {
        for (double& x : *field) {
          const double u = rng.uniform();
          // Mostly zeros (of both signs), some amounts of either sign that cancel to zero.
          x = u < 0.6 ? 0.0 : u < 0.7 ? -0.0 : u < 0.85 ? rng.uniform(-1.0, 1.0) : 0.1 * static_cast<double>(m % 3) - 0.1;
        }
      }
      dense += flows;
      month.assign(flows);
      month.add_to(sparse);
    }
    for (std::size_t i = 0; i < n * n; ++i) {
      ASSERT_EQ(std::signbit(dense.transfer[i]), std::signbit(sparse.transfer[i])) << trial << ' ' << i;
      ASSERT_EQ(dense.transfer[i], sparse.transfer[i]);
      ASSERT_EQ(dense.investment[i], sparse.investment[i]);
      ASSERT_EQ(dense.revenue[i], sparse.revenue[i]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(dense.external_inflow[i], sparse.external_inflow[i]);
      ASSERT_EQ(dense.external_revenue[i], sparse.external_revenue[i]);
      ASSERT_EQ(std::signbit(dense.outside_payment[i]), std::signbit(sparse.outside_payment[i]));
      ASSERT_EQ(dense.outside_payment[i], sparse.outside_payment[i]);
    }
  }
}

TEST(SparseFirmFlows, RejectsARecordSmallerThanTheFlows) {
  model::FirmFlows flows(3);
  flows.outside_payment[2] = 1.0;
  model::SparseFirmFlows month;
  month.assign(flows);
  model::FirmFlows smaller(2);
  EXPECT_THROW(month.add_to(smaller), std::invalid_argument);
}

TEST(FirmFlows, LedgerClassifiesEachKindOfTransaction) {
  // Firms: chipmaker 0, lab 1, cloud 2; then households (3) and banks (4).
  model::Ledger ledger(3);
  const std::size_t hh = ledger.households();
  ledger.open_asset(0, model::Asset::kDeposits, 100);
  ledger.open_asset(1, model::Asset::kDeposits, 100);
  ledger.open_asset(2, model::Asset::kDeposits, 100);
  ledger.begin_month();
  ledger.pay(hh, 1, model::Flow::kServiceRevenue, 9);  // external revenue
  ledger.issue_equity(1, 0, 10);                       // equity investment 0 → 1
  ledger.pay(1, 2, model::Flow::kComputeRent, 5);      // revenue 1 → 2 …
  ledger.extend_trade_credit(2, 1, 2);                 // … of which 2 left unpaid
  ledger.lend(0, 2, 3);                                // vendor financing 0 → 2
  ledger.lend(0, 2, -1);                               // repaid: an ordinary payment 2 → 0
  ledger.buy_asset(2, 0, model::Flow::kCapexAccelerators, model::Asset::kAccelerators, 7);
  ledger.borrow(2, 4);                                // external inflow
  ledger.pay(2, hh, model::Flow::kOperatingCost, 1);  // outside payment
  ledger.pay(2, 0, model::Flow::kInterest, 0.5);      // ordinary, not revenue
  ledger.pay_guarantee(1, 2, 0.25);                   // a guarantee: investment 1 → 2
  ledger.issue_equity(1, hh, 6);                      // outside investors: external
  const model::FirmFlows& f = ledger.firm_flows();
  auto at = [](const std::vector<double>& m, std::size_t i, std::size_t j) { return m[i * 3 + j]; };
  EXPECT_EQ(at(f.investment, 0, 1), 10.0);
  EXPECT_EQ(at(f.investment, 0, 2), 3.0);
  EXPECT_EQ(at(f.investment, 1, 2), 0.25);
  EXPECT_EQ(at(f.transfer, 1, 2), 3.0);  // 5 posted, 2 unpaid
  EXPECT_EQ(at(f.revenue, 1, 2), 5.0);   // revenue as posted
  EXPECT_EQ(at(f.transfer, 2, 0), 1.0 + 7.0 + 0.5);
  EXPECT_EQ(at(f.revenue, 2, 0), 7.0);
  EXPECT_EQ(f.external_inflow[1], 9.0 + 6.0);
  EXPECT_EQ(f.external_revenue[1], 9.0);
  EXPECT_EQ(f.external_inflow[2], 4.0);
  EXPECT_EQ(f.outside_payment[2], 1.0);
  EXPECT_EQ(at(f.transfer, 1, 0) + at(f.transfer, 0, 1) + at(f.transfer, 0, 2) + at(f.transfer, 2, 1), 0.0);
  // The accounts are those of the same postings without the record.
  EXPECT_TRUE(ledger.check(core::Month(2026, 1), 1e-9).empty());
  ledger.end_month();
  ledger.begin_month();
  for (const std::vector<double>* v :
       {&f.transfer, &f.investment, &f.revenue, &f.external_inflow, &f.external_revenue, &f.outside_payment}) {
    for (double x : *v) EXPECT_EQ(x, 0.0);
  }
}

TEST(FirmFlows, AccountForEveryChangeInDepositsAndEveryReceiptOfRevenue) {
  // sudden-100x has defaults, unpaid dues, liquidation sales and equity draws: each firm's
  // recorded inflows less outflows must equal its change in deposits every month, and its
  // recorded revenue its receipts of revenue in the ledger.
  const model::Scenario s = io::load_scenario("sudden-100x").scenario;
  sim::PathRunner runner(s, 0, 7);
  model::NullEventSink sink;
  const std::size_t n = s.firms.size();
  std::vector<double> deposits(n);
  while (!runner.done()) {
    for (std::size_t f = 0; f < n; ++f)
      deposits[f] = runner.world().ledger.sheet(f).assets[static_cast<std::size_t>(model::Asset::kDeposits)];
    runner.step(sink);
    const model::Ledger& ledger = runner.world().ledger;
    const model::FirmFlows& flows = ledger.firm_flows();
    for (std::size_t f = 0; f < n; ++f) {
      const double change = ledger.sheet(f).assets[static_cast<std::size_t>(model::Asset::kDeposits)] - deposits[f];
      const double net = flows.external_inflow[f] + received_from_firms(flows, f) - paid_out(flows, f);
      ASSERT_NEAR(net, change, 1e-9 * (1.0 + std::fabs(change))) << s.firms[f].id << ' ' << runner.world().month.str();
      double revenue = flows.external_revenue[f];
      for (std::size_t i = 0; i < n; ++i) revenue += flows.revenue[i * n + f];
      double receipts = 0.0;
      for (std::size_t k = 0; k < model::kFlowCount; ++k) {
        if (model::is_operating_revenue(static_cast<model::Flow>(k)))
          receipts += ledger.receipts(static_cast<model::Flow>(k), f);
      }
      ASSERT_NEAR(revenue, receipts, 1e-9 * (1.0 + receipts)) << s.firms[f].id << ' ' << runner.world().month.str();
    }
  }
}

TEST(CircularRevenue, NvidiasInvestmentsComeBackThroughItsCustomersInDefault) {
  const model::Scenario s = io::load_scenario("default").scenario;
  const sim::PathResult r = sim::run_path(s, 0, 1);
  std::size_t nvidia = s.firms.size();
  for (std::size_t f = 0; f < s.firms.size(); ++f) {
    if (s.firms[f].id == "nvidia") nvidia = f;
  }
  ASSERT_LT(nvidia, s.firms.size());
  double nvidia_peak = 0.0;
  for (const model::FirmMonth& row : r.firms) {
    EXPECT_GE(row.circular_revenue_share, 0.0);
    EXPECT_LE(row.circular_revenue_share, 1.0);
    if (row.firm == nvidia) nvidia_peak = std::max(nvidia_peak, row.circular_revenue_share);
    // A firm that never invests has no circular revenue.
    if (s.firms[row.firm].type == model::FirmType::kLab && s.firms[row.firm].id != "openai") {
      EXPECT_EQ(row.circular_revenue_share, 0.0) << s.firms[row.firm].id;
    }
  }
  EXPECT_GT(nvidia_peak, 0.0);
  for (const model::MonthRecord& m : r.months) {
    EXPECT_GE(m.circular_revenue_share, 0.0);
    EXPECT_LE(m.circular_revenue_share, 1.0);
  }
}

}  // namespace
}  // namespace bsim::finance
