// The bust rule condition by condition (DESIGN §1.10; docs/model.md §10): each condition's own
// first month, independently of the others, and persistence (verdict.persist_months). The
// series are built by hand and every expected month is derived in the comment beside it.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "analysis/summary.h"
#include "model/record.h"
#include "model/scenario.h"
#include "support/lcg.h"

namespace bsim::analysis {
namespace {

constexpr std::size_t kEquity = static_cast<std::size_t>(BustCondition::kEquityDrawdown);
constexpr std::size_t kCapex = static_cast<std::size_t>(BustCondition::kCapexDrop);
constexpr std::size_t kWriteoffs = static_cast<std::size_t>(BustCondition::kWriteoffs);

// `n` quiet months from 2026-01: AI equity value 100 and capex 10 a month throughout, nothing
// written off, so no condition holds until a test changes a month.
std::vector<model::MonthRecord> quiet_months(std::size_t n) {
  std::vector<model::MonthRecord> m(n);
  for (std::size_t i = 0; i < n; ++i) {
    m[i].month = core::Month(2026, 1) + static_cast<int>(i);
    m[i].ai_equity_value_usd_bn = 100.0;
    m[i].capex_usd_bn = 10.0;
  }
  return m;
}

model::VerdictParams persisting(int months) {
  model::VerdictParams v;  // the default thresholds: 50% drawdown, 40% capex drop, USD 100bn
  v.persist_months = months;
  return v;
}

// Capex that is ≥ 40% below its trailing-12-month peak for exactly two months (indices 16, 17).
// Window sums W_i = capex[i−11] + … + capex[i]: 120 from i = 11 on, the peak P = 120.
// capex[12..16] = 0 → W_15 = 120 − 4·10 = 80 > 0.6·P = 72 (not yet), W_16 = 70 ≤ 72 (holds).
// capex[17] = 11 → W_17 = 70 − capex[5] + 11 = 71 ≤ 72 (holds).
// capex[18] = 20 → W_18 = 71 − 10 + 20 = 81 > 72 (over). Later the zeros leave the window and
// W climbs to 131 (the new peak, i = 28), then settles at 120 ≥ 0.6·131 = 78.6: never again.
std::vector<model::MonthRecord> two_month_capex_drop() {
  auto m = quiet_months(40);
  for (std::size_t i = 12; i <= 16; ++i) m[i].capex_usd_bn = 0.0;
  m[17].capex_usd_bn = 11.0;
  m[18].capex_usd_bn = 20.0;
  return m;
}

TEST(BustPersistence, ACapexDropOfTwoMonthsBustsWithOneOrTwoMonthsButNotThree) {
  const auto m = two_month_capex_drop();

  const Bust one = find_bust(m, persisting(1));
  ASSERT_TRUE(one.occurred);
  EXPECT_EQ(one.month, m[16].month);  // the first month it holds
  EXPECT_TRUE(one.by_capex_drop);
  EXPECT_FALSE(one.by_equity_drawdown);
  EXPECT_FALSE(one.by_writeoffs);
  EXPECT_EQ(one.condition_month[kCapex], m[16].month);
  EXPECT_FALSE(one.condition_month[kEquity]);
  EXPECT_FALSE(one.condition_month[kWriteoffs]);

  const Bust two = find_bust(m, persisting(2));
  ASSERT_TRUE(two.occurred);
  EXPECT_EQ(two.month, m[17].month);  // held in 16 and 17: two months by 17
  EXPECT_EQ(two.condition_month[kCapex], m[17].month);
  EXPECT_NE(two.trigger.find("2 months running"), std::string::npos) << two.trigger;

  const Bust three = find_bust(m, persisting(3));
  EXPECT_FALSE(three.occurred);  // month 18 breaks the run at two
  EXPECT_FALSE(three.condition_month[kCapex]);
  EXPECT_TRUE(three.trigger.empty());
}

// Equity falls to 50% below its peak for one month only; write-offs reach the threshold later
// and, being cumulative, hold from then on.
// Equity: peak 200 at index 5, then 102 (1 − 102/200 = 49% below: not a bust) except index 9 at
// 100 (exactly 50% below: holds). Write-offs: 60 at index 3 and 40 at index 20, so the
// cumulative sum reaches 100 at index 20 and stays there.
std::vector<model::MonthRecord> brief_drawdown_then_writeoffs() {
  auto m = quiet_months(36);
  m[5].ai_equity_value_usd_bn = 200.0;
  for (std::size_t i = 6; i < m.size(); ++i) m[i].ai_equity_value_usd_bn = 102.0;
  m[9].ai_equity_value_usd_bn = 100.0;
  m[3].debt_losses_usd_bn = 60.0;
  m[20].debt_losses_usd_bn = 40.0;
  return m;
}

TEST(BustConditions, EachConditionHasItsOwnFirstMonthWhicheverCameFirst) {
  const auto m = brief_drawdown_then_writeoffs();
  const Bust b = find_bust(m, persisting(1));
  ASSERT_TRUE(b.occurred);
  EXPECT_EQ(b.month, m[9].month);  // the drawdown comes first and decides the overall verdict
  EXPECT_TRUE(b.by_equity_drawdown);
  EXPECT_FALSE(b.by_writeoffs);
  // ... but the write-offs' own month is still found, after the bust.
  EXPECT_EQ(b.condition_month[kEquity], m[9].month);
  EXPECT_EQ(b.condition_month[kWriteoffs], m[20].month);
  EXPECT_FALSE(b.condition_month[kCapex]);  // capex is 10 every month: no drop
}

TEST(BustPersistence, AOneMonthDrawdownNoLongerCountsAndTheWriteoffsBustThreeMonthsLate) {
  const auto m = brief_drawdown_then_writeoffs();
  const Bust b = find_bust(m, persisting(3));
  ASSERT_TRUE(b.occurred);
  // The drawdown held one month (index 9): never three. The write-offs hold from index 20 on,
  // so they have held three months at index 22.
  EXPECT_EQ(b.month, m[22].month);
  EXPECT_FALSE(b.by_equity_drawdown);
  EXPECT_TRUE(b.by_writeoffs);
  EXPECT_FALSE(b.condition_month[kEquity]);
  EXPECT_EQ(b.condition_month[kWriteoffs], m[22].month);
  EXPECT_NE(b.trigger.find("USD 100.0bn of claims written off in defaults, 3 months running"), std::string::npos)
      << b.trigger;
}

TEST(BustConditions, ADisabledConditionNeverCounts) {
  const auto m = brief_drawdown_then_writeoffs();
  model::VerdictParams v = persisting(1);
  v.equity_drawdown = 0.0;
  const Bust b = find_bust(m, v);
  ASSERT_TRUE(b.occurred);
  EXPECT_EQ(b.month, m[20].month);  // the write-offs alone
  EXPECT_FALSE(b.condition_month[kEquity]);
}

TEST(BustRuleText, NamesThePersistenceOnlyWhenItIsMoreThanOneMonth) {
  EXPECT_EQ(bust_rule_text(persisting(1)).find("consecutive"), std::string::npos) << bust_rule_text(persisting(1));
  const std::string three = bust_rule_text(persisting(3));
  EXPECT_NE(three.find("each held for 3 consecutive months"), std::string::npos) << three;
  // The rule itself is unchanged in front of it.
  EXPECT_EQ(three.rfind(bust_rule_text(persisting(1)), 0), 0u) << three;
}

// Relations over random series, whatever the numbers:
// - a path busts iff some condition counts on its own, and the bust month is the earliest of
//   the conditions' own months; the conditions flagged for the bust month are exactly those
//   whose own month it is;
// - one more month of persistence never makes a condition count earlier, and a condition that
//   counts with N + 1 months counts with N, at least a month earlier.
TEST(BustConditions, RelationsBetweenOverallAndOwnMonthsAndAcrossPersistenceHoldOnRandomSeries) {
  testing::Lcg rng(20261207);
  for (int world = 0; world < 300; ++world) {
    auto m = quiet_months(48);
    double value = 100.0;
    for (auto& r : m) {
      value *= rng.uniform(0.75, 1.3);
      r.ai_equity_value_usd_bn = value;
      r.capex_usd_bn = rng.uniform() < 0.2 ? 0.0 : rng.uniform(5.0, 15.0);
      r.debt_losses_usd_bn = rng.uniform() < 0.05 ? rng.uniform(0.0, 60.0) : 0.0;
    }
    for (int n = 1; n <= 4; ++n) {
      const Bust b = find_bust(m, persisting(n));
      std::optional<core::Month> earliest;
      for (const auto& own : b.condition_month) {
        if (own && (!earliest || *own < *earliest)) earliest = own;
      }
      ASSERT_EQ(b.occurred, earliest.has_value()) << "world " << world << ", N = " << n;
      if (b.occurred) {
        EXPECT_EQ(b.month, *earliest);
        EXPECT_EQ(b.by_equity_drawdown, b.condition_month[kEquity] == b.month);
        EXPECT_EQ(b.by_capex_drop, b.condition_month[kCapex] == b.month);
        EXPECT_EQ(b.by_writeoffs, b.condition_month[kWriteoffs] == b.month);
      }
      const Bust longer = find_bust(m, persisting(n + 1));
      for (std::size_t c = 0; c < kBustConditionCount; ++c) {
        if (!longer.condition_month[c]) continue;
        ASSERT_TRUE(b.condition_month[c]) << "world " << world << ", condition " << c << ", N = " << n;
        EXPECT_GE(*longer.condition_month[c] - *b.condition_month[c], 1);
      }
      if (longer.occurred) {
        ASSERT_TRUE(b.occurred);
        EXPECT_GT(longer.month, b.month);
      }
    }
  }
}

}  // namespace
}  // namespace bsim::analysis
