// The contract network in the engine (DESIGN §1.6–1.7): milestone tranches and warrant vesting
// in the exact month, a securitisation's waterfall through a lessee's default, and a power
// purchase agreement paying its seller until the buyer defaults.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::finance {
namespace {

std::size_t index_of(const model::Scenario& s, const std::string& id) {
  for (std::size_t f = 0; f < s.firms.size(); ++f) {
    if (s.firms[f].id == id) return f;
  }
  ADD_FAILURE() << "no firm " << id;
  return 0;
}

// One firm's rows, in month order.
std::vector<model::FirmMonth> rows_of(const sim::PathResult& r, std::size_t firm) {
  std::vector<model::FirmMonth> out;
  for (const model::FirmMonth& m : r.firms) {
    if (m.firm == firm) out.push_back(m);
  }
  return out;
}

TEST(Milestones, NvidiasTranchesAndAmdsWarrantsFollowOpenAisComputeMonthByMonth) {
  const auto s = io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=0"}).scenario;
  const auto r = sim::run_path(s, 0, 1);
  const auto openai = rows_of(r, index_of(s, "openai"));
  const model::EquityInvestment* inv = nullptr;
  for (const auto& k : s.equity_investments) {
    if (k.id == "nvidia-openai-investment") inv = &k;
  }
  const model::Warrant* war = nullptr;
  for (const auto& k : s.warrants) {
    if (k.id == "amd-openai-warrant") war = &k;
  }
  ASSERT_NE(inv, nullptr);
  ASSERT_NE(war, nullptr);
  std::map<std::string, double> paid;  // month → tranche paid
  std::map<std::string, int> vested;   // month → tranches vested
  for (const auto& e : r.events) {
    if (e.kind == model::EventKind::kEquityTranche && e.subject == "openai" && e.counterparty == "nvidia") paid[e.month.str()] += e.value;
    if (e.kind == model::EventKind::kWarrantVested && e.subject == "amd" && e.counterparty == "openai") ++vested[e.month.str()];
  }
  // Replay the milestones from the reported compute in use: a milestone reached by the end of
  // one month is paid (vested) in the next, and never earlier.
  double peak = 0.0;
  double paid_total = 0.0;
  int vested_total = 0;
  int months_with_tranches = 0;
  for (std::size_t i = 0; i < openai.size(); ++i) {
    const core::Month m = openai[i].month;
    const double growth = i == 0 ? 0.0 : peak - openai[0].compute_gw;  // as known when m settles
    if (m >= inv->start) {
      const double due = std::min(inv->max_usd_bn, inv->usd_bn + std::floor(growth + 1e-9) * inv->usd_bn_per_gw);
      const double expected = due - paid_total;
      EXPECT_NEAR(paid[m.str()], expected, 1e-9) << m.str();
      paid_total = due;
      months_with_tranches += expected > 0.0;
    }
    if (m >= war->start) {
      const int reached = std::min(war->tranches, static_cast<int>(std::floor(growth / war->gw_per_tranche + 1e-9)));
      EXPECT_EQ(vested[m.str()], reached - vested_total) << m.str();
      vested_total = reached;
    }
    peak = std::max(peak, openai[i].compute_gw);
  }
  // The milestones are reached along the way, not all at once: several tranches, and the
  // warrant fully vested well before the end.
  EXPECT_GE(months_with_tranches, 3);
  EXPECT_EQ(vested_total, war->tranches);
  EXPECT_GT(paid_total, inv->usd_bn);
}

TEST(SecuritisationInTheEngine, TheLesseesDefaultsWipeOutJuniorTranchesBeforeTheSeniorLosesAnything) {
  // Both lessees are forced into default after the shock: since the demand recalibration
  // neither CoreWeave nor the other clouds default in sudden-100x on their own, and the test is
  // about the waterfall, not about what brings the lessees down.
  const auto s = io::load_scenario("sudden-100x", {"technology.efficiency.jump_rate_per_year=0",
                                                   "firm.coreweave.forced_default_month=2027-10",
                                                   "firm.other-clouds.forced_default_month=2027-10"})
                     .scenario;
  const auto r = sim::run_path(s, 0, 1);
  std::map<std::string, double> principal;
  for (const auto& d : s.debts) principal[d.id] = d.principal_usd_bn;
  // Cumulative losses by tranche, month by month, from the creditor_loss events.
  std::map<std::string, double> lost;
  std::map<std::string, std::map<std::string, double>> by_month;
  for (const auto& e : r.events) {
    if (e.kind == model::EventKind::kCreditorLoss && e.counterparty.rfind("dc-abs-2025-", 0) == 0) {
      by_month[e.month.str()][e.counterparty] += e.value;
    }
  }
  bool senior_hit = false;
  for (const auto& [month, losses] : by_month) {
    for (const auto& [tranche, loss] : losses) lost[tranche] += loss;
    // At the end of any month in which a tranche has lost something, every tranche junior to
    // it is written off in full.
    if (lost["dc-abs-2025-a"] > 0.0) {
      senior_hit = true;
      EXPECT_NEAR(lost["dc-abs-2025-b"], principal["dc-abs-2025-b"], 1e-6) << month;
    }
    if (lost["dc-abs-2025-b"] > 0.0) {
      EXPECT_NEAR(lost["dc-abs-2025-c"], principal["dc-abs-2025-c"], 1e-6) << month;
    }
  }
  // Both lessees default in this path, so the pool loses more than the juniors can absorb.
  EXPECT_TRUE(senior_hit);
  EXPECT_LT(lost["dc-abs-2025-a"], principal["dc-abs-2025-a"]);
  double by_label = 0.0;
  for (const auto& [label, loss] : r.losses.by_tranche) {
    if (label.rfind("dc-abs", 0) == 0) by_label += loss;
  }
  EXPECT_NEAR(by_label, lost["dc-abs-2025-a"] + lost["dc-abs-2025-b"] + lost["dc-abs-2025-c"], 1e-9);
}

// The default world plus a utility selling 0.5 GW to CoreWeave under a take-or-pay PPA.
io::LoadedScenario with_ppa(std::vector<std::string> sets) {
  std::string text = io::load_scenario("default").text;
  text += R"(
[[firm]]
id = "gridco"
name = "GridCo"
type = "utility"
cash_usd_bn = 1

[[contract]]
id = "coreweave-ppa"
type = "ppa"
buyer = "coreweave"
seller = "gridco"
start = "2026-03"
end = "2035-12"
gw = 0.5
price_usd_per_mwh = 60
take_or_pay_share = 1.0
)";
  sets.insert(sets.begin(), "technology.efficiency.jump_rate_per_year=0");
  return io::load_scenario_text(text, "default+ppa", sets);
}

TEST(PowerPurchase, TheBuyerPaysTheUtilityEveryMonthUntilItDefaults) {
  // A default forced in 2028-01 takes effect after that month's settlement: the PPA is paid
  // through 2028-01 and ends.
  const auto s = with_ppa({"firm.coreweave.forced_default_month=2028-01"}).scenario;
  const auto r = sim::run_path(s, 0, 1);
  const auto grid = rows_of(r, index_of(s, "gridco"));
  const double monthly = 0.5 * 730.0 * 1000.0 * 60.0 / 1e9;  // take-or-pay on the full 0.5 GW
  for (std::size_t i = 1; i < grid.size(); ++i) {
    const core::Month m = grid[i].month;
    const double received = grid[i].cash_usd_bn - grid[i - 1].cash_usd_bn;
    const bool in_force = m >= *core::Month::parse("2026-03") && m <= *core::Month::parse("2028-01");
    EXPECT_NEAR(received, in_force ? monthly : 0.0, 1e-9) << m.str();
  }
  bool ended = false;
  for (const auto& e : r.events) ended |= e.kind == model::EventKind::kContractTerminated && e.subject == "coreweave-ppa";
  EXPECT_TRUE(ended);
  // The PPA's power replaces grid power: in the PPA's first month CoreWeave (which runs far
  // more than 0.5 GW) pays 60 USD/MWh to GridCo for 0.5 GW it no longer buys at the grid's 80.
  // The PPA also moves the firms' values and with them AI equity value, whose fall from its peak
  // sets part of next month's credit-line spread (credit.collateral_spread_per_year): CoreWeave's
  // interest would differ by a few USD thousand. That spread is switched off in both runs here,
  // so the difference in cash is the PPA's alone.
  const auto s_alone = with_ppa({"firm.coreweave.forced_default_month=2028-01", "credit.collateral_spread_per_year=0"}).scenario;
  const auto r_alone = sim::run_path(s_alone, 0, 1);
  const auto base = sim::run_path(
      io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=0", "credit.collateral_spread_per_year=0"}).scenario, 0, 1);
  const std::size_t cw = index_of(s, "coreweave");
  auto cash = [&](const sim::PathResult& x, const char* month) {
    for (const model::FirmMonth& m : x.firms) {
      if (m.firm == cw && m.month.str() == month) return m.cash_usd_bn;
    }
    return 0.0;
  };
  const double delta = (cash(r_alone, "2026-03") - cash(r_alone, "2026-02")) - (cash(base, "2026-03") - cash(base, "2026-02"));
  EXPECT_NEAR(delta, 0.5 * 730.0 * 1000.0 * (s.supply.power_price_usd_per_mwh - 60.0) / 1e9, 1e-9);
}

// What a lessor pays each month while it builds the campus of lease `id`.
double monthly_campus_build(const model::Scenario& s, const std::string& id) {
  for (const auto& l : s.leases) {
    if (l.id == id) {
      return (l.datacenter_gw * s.supply.datacenter.usd_bn_per_gw + l.power_gw * s.supply.power.usd_bn_per_gw) / l.build_months;
    }
  }
  ADD_FAILURE() << "no lease " << id;
  return 0.0;
}

TEST(UnpaidInterest, IsClaimedAtItsDebtsSeniorityByItsHolder) {
  // Hyperion's SPV with no cash and no new money misses its first month's dues and defaults;
  // with α = 1 its assets fetch nothing, so every claim is written off in full. The month's
  // unpaid coupon is added to each bond, not filed as a trade payable.
  const auto s = io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=0", "firm.hyperion-spv.cash_usd_bn=0",
                                               "finance.new_money_available=false", "finance.default_cost_external=1"})
                     .scenario;
  const auto r = sim::run_path(s, 0, 1);
  std::map<std::string, double> lost;
  for (const auto& e : r.events) {
    if (e.kind == model::EventKind::kCreditorLoss && e.counterparty == "hyperion-spv") lost[e.subject] += e.value;
  }
  const double coupon = core::monthly_rate(0.0658);
  EXPECT_NEAR(lost["private-credit"], 18.0 * (1.0 + coupon), 1e-9);
  EXPECT_NEAR(lost["bondholders"], 9.0 * (1.0 + coupon), 1e-9);
  // The suppliers lose the month's construction bill, and nothing of the coupons.
  EXPECT_NEAR(lost["suppliers"], monthly_campus_build(s, "hyperion-lease"), 1e-9);
}

TEST(LeaseBuild, ALessorStopsBuildingForALesseeThatDefaultedBeforeTheLeaseStarts) {
  // dc-developers builds two campuses for neocloud leases starting 2026-07, on its credit line.
  // CoreWeave's default in 2026-02 cancels its lease: from 2026-03 only the other campus is built.
  auto debt = [](const sim::PathResult& r, const model::Scenario& s, const char* month) {
    const std::size_t f = index_of(s, "dc-developers");
    for (const model::FirmMonth& m : r.firms) {
      if (m.firm == f && m.month.str() == month) return m.debt_usd_bn;
    }
    return 0.0;
  };
  const auto s0 = io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=0"}).scenario;
  const auto s1 = io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=0", "firm.coreweave.forced_default_month=2026-02"}).scenario;
  const auto base = sim::run_path(s0, 0, 1);
  const auto cut = sim::run_path(s1, 0, 1);
  const double monthly = monthly_campus_build(s0, "coreweave-campus-lease");
  const double saved = (debt(base, s0, "2026-06") - debt(base, s0, "2026-02")) - (debt(cut, s1, "2026-06") - debt(cut, s1, "2026-02"));
  EXPECT_GT(saved, 4.0 * monthly - 1e-9);     // four months of building not done…
  EXPECT_LT(saved, 4.0 * monthly * 1.03);     // …and the interest it would have cost
}

}  // namespace
}  // namespace bsim::finance
