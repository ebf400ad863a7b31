// The circular chain on a small hand-built world (DESIGN §1.6–1.7, docs/model.md §6.5): a
// lab's funder misses its calls → the lab defaults → its compute commitment terminates and the
// seller claims the accelerated dues in the lab's seniority waterfall → the seller and a
// chipmaker holding the lab's shares book losses → the seller, without the lab's payments,
// defaults → its bank and the chipmaker's vendor loan lose. Each link is checked in order, with
// the amounts derived by hand beside the assertions.
#include <gtest/gtest.h>

#include <cmath>

#include <string>
#include <utility>
#include <vector>

#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::finance {
namespace {

// One lab that uses none of its committed compute (no demand of its own), so it owes the full
// take-or-pay P = 500,000 H100e × $2.0 × 730 h / 10⁹ = $0.73bn every month. Its only money is
// the fund's calls, $8.76bn a year = $0.73bn a month, and it cannot sell shares to the market
// (equity limit 0). It owes a zero-coupon bond of $10bn (seniority 2, ranking with trade dues)
// and holds $12bn of other assets. The fund holds $4.745bn = 6.5 calls and cannot borrow.
// The cloud owns 700k H100e, with a bank loan and a chipmaker's vendor loan to service.
// Equity is marked at book through ownership (docs/model.md §6.6), which the stake's loss
// below is derived from.
constexpr const char* kWorld = R"(
schema_version = 1
name = "chain"

[time]
start = "2026-01"
end = "2028-12"

[technology.efficiency]
jump_rate_per_year = 0

# Sentiment and credit held still: the chain is about contracts, not investors' mood.
[sentiment]
enabled = false

[credit]
enabled = false

[supply]
opex_per_device = false  # one running cost per H100e-hour for every generation, as derived below

[[generation]]
id = "h100"
available = "2023-01"
kw_per_h100e = 1.4
usd_per_h100e = 25000

[supply.production]
initial_cap_h100e_per_month = 50000

[[segment]]
id = "chat"
initial_users = 1.0e9
market_potential_users = 1.0e9
initial_service_units_per_month = 1.0e8
compute_h100e_hours_per_unit = 1.5

[[firm]]
id = "lab"
type = "lab"
financing = "equity"
equity_limit_usd_bn_per_year = 0
cash_usd_bn = 0.73
other_assets_usd_bn = 12

[[firm]]
id = "fund"
type = "investor"
cash_usd_bn = 4.745
credit_limit_usd_bn = 0

[[firm]]
id = "cloud"
type = "neocloud"
initial_h100e = "700 kH100e"
initial_datacenter_gw = 1.0
initial_power_gw = 1.0
cash_usd_bn = 1
credit_limit_usd_bn = 0

[[firm]]
id = "chipco"
type = "chipmaker"
cash_usd_bn = 10

[[contract]]
id = "lab-cloud"
type = "compute_commitment"
buyer = "lab"
seller = "cloud"
start = "2026-01"
end = "2028-12"
volume_h100e = 500000
price_usd_per_h100e_hour = 2.0
termination_penalty_months = 3
termination_claim_share = 0.5

[[contract]]
id = "lab-bond"
type = "bond"
borrower = "lab"
lender = "bondholders"
principal_usd_bn = 10
rate_per_year = 0
start = "2025-01"
maturity = "2030-01"
seniority = 2

[[contract]]
id = "fund-lab"
type = "equity_investment"
investor = "fund"
investee = "lab"
start = "2026-01"
calls_usd_bn_per_year = { 2026 = 8.76, 2027 = 8.76, 2028 = 8.76 }

[[contract]]
id = "chipco-lab-stake"
type = "equity_stake"
holder = "chipco"
issuer = "lab"
share = 0.2

[[contract]]
id = "cloud-loan"
type = "loan"
borrower = "cloud"
lender = "banks"
principal_usd_bn = 30
rate_per_year = 0.10
start = "2025-01"
maturity = "2029-12"
amortisation = "linear"

[[contract]]
id = "chipco-cloud-vendor"
type = "vendor_financing"
borrower = "cloud"
lender = "chipco"
principal_usd_bn = 2
rate_per_year = 0.08
start = "2025-06"
maturity = "2029-06"
amortisation = "linear"
seniority = 2
)";

sim::PathResult run(const std::vector<std::string>& sets = {}) {
  return sim::run_path(io::load_scenario_text(kWorld, "chain", sets).scenario, 0, 1);
}

/// The first event of a kind about a subject (and, when given, a counterparty); null if none.
const model::Event* find(const sim::PathResult& r, model::EventKind kind, const std::string& subject,
                         const std::string& counterparty = "") {
  for (const model::Event& e : r.events) {
    if (e.kind == kind && e.subject == subject && (counterparty.empty() || e.counterparty == counterparty)) return &e;
  }
  return nullptr;
}

double loss_of(const std::vector<std::pair<std::string, double>>& list, const std::string& name) {
  for (const auto& [who, loss] : list) {
    if (who == name) return loss;
  }
  return 0.0;
}

bool defaulted(const sim::PathResult& r, const std::string& firm) {
  return find(r, model::EventKind::kPaymentDefault, firm) || find(r, model::EventKind::kCovenantDefault, firm);
}

constexpr double kP = 0.73;            // the lab's monthly take-or-pay, USD bn
constexpr double kLabAssetsSold = 8.4; // (1 − α) × $12bn of other assets, α = 0.3 (the default)
constexpr double kBond = 10.0;

TEST(Chain, AMissedCallDefaultsTheLabAndItsVendorsAndTheirLendersLoseInOrder) {
  const sim::PathResult r = run();

  // 1. The fund pays six calls (Jan–Jun 2026, 6 × 0.73 = 4.38 of its 4.745) and misses the
  //    seventh: 0.365 left < 0.73.
  const model::Event* missed = find(r, model::EventKind::kMissedCall, "fund-lab", "fund");
  ASSERT_NE(missed, nullptr);
  EXPECT_EQ(missed->month.str(), "2026-07");
  EXPECT_NEAR(missed->value, kP, 1e-9);

  // 2. July's due was paid from June's call; in August the lab has nothing to pay P with, so it
  //    misses the payment to the cloud and defaults through the joint clearing.
  const model::Event* missed_payment = find(r, model::EventKind::kMissedPayment, "lab", "cloud");
  ASSERT_NE(missed_payment, nullptr);
  EXPECT_EQ(missed_payment->month.str(), "2026-08");
  EXPECT_NEAR(missed_payment->value, kP, 1e-9);
  const model::Event* lab_default = find(r, model::EventKind::kPaymentDefault, "lab");
  ASSERT_NE(lab_default, nullptr);
  EXPECT_EQ(lab_default->month.str(), "2026-08");

  // 3. The commitment terminates with the accelerated dues: 28 months are left after August
  //    (2028-12 − 2026-08), R = 28 × 0.73 = 20.44; the claim is 3 penalty months in full plus
  //    half of the rest: 3 × 0.73 + 0.5 × (20.44 − 2.19) = 2.19 + 9.125 = 11.315.
  const model::Event* terminated = find(r, model::EventKind::kContractTerminated, "lab-cloud");
  ASSERT_NE(terminated, nullptr);
  EXPECT_EQ(terminated->month.str(), "2026-08");
  EXPECT_NEAR(terminated->value, 11.315, 1e-9);

  // 4. The lab's waterfall: its assets fetch 8.4 and no claim ranks above tier 2, where the
  //    cloud's unpaid August due and termination claim (0.73 + 11.315 = 12.045) share pro rata
  //    with the bond (10): each recovers 8.4 / 22.045. The cloud loses 12.045 × (1 − 8.4 /
  //    22.045) = 7.45539, the bondholders 10 × (1 − 8.4 / 22.045) = 6.18961.
  const double cloud_claim = kP + 11.315;
  const double recovered_share = kLabAssetsSold / (cloud_claim + kBond);
  const model::Event* cloud_loss = find(r, model::EventKind::kCreditorLoss, "cloud", "lab");
  ASSERT_NE(cloud_loss, nullptr);
  EXPECT_NEAR(cloud_loss->value, cloud_claim * (1.0 - recovered_share), 1e-9);
  const model::Event* bond_loss = find(r, model::EventKind::kCreditorLoss, "bondholders", "lab");
  ASSERT_NE(bond_loss, nullptr);
  EXPECT_NEAR(bond_loss->value, kBond * (1.0 - recovered_share), 1e-9);
  EXPECT_NEAR(loss_of(r.losses.by_tranche, "lab-bond"), kBond * (1.0 - recovered_share), 1e-9);

  // 5. The chipmaker's stake in the lab is wiped out. The lab's book equity is 0.73 + 12 − 10
  //    = 2.73 at every month-end while it is funded; each call of 0.73 buys new shares at that
  //    mark, scaling the other holders by 2.73 / 3.46; after six calls the chipmaker holds
  //    0.2 × (2.73 / 3.46)^6. At the end of July (no call) the lab is worth 0 + 12 − 10 = 2.
  const double chipco_share = 0.2 * std::pow(2.73 / 3.46, 6);
  const double chipco_stake_loss = chipco_share * 2.0;
  const double chipco_vendor_loss = loss_of(r.losses.vendor_financing, "chipco");
  EXPECT_NEAR(loss_of(r.losses.by_firm, "chipco") - chipco_vendor_loss, chipco_stake_loss, 1e-9);

  // 6. The cloud, without the lab's 0.73 a month, cannot service its loans and defaults later;
  //    its bank and the chipmaker's vendor loan lose. (Amounts depend on the spot market;
  //    the link is asserted by its order and sign, and by the control world below.)
  const model::Event* cloud_default = find(r, model::EventKind::kPaymentDefault, "cloud");
  ASSERT_NE(cloud_default, nullptr);
  EXPECT_GT(cloud_default->month, lab_default->month);
  EXPECT_GT(loss_of(r.losses.by_tranche, "cloud-loan"), 0.0);
  EXPECT_GT(chipco_vendor_loss, 0.0);
  const model::Event* bank_loss = find(r, model::EventKind::kCreditorLoss, "banks", "cloud");
  ASSERT_NE(bank_loss, nullptr);
  EXPECT_EQ(bank_loss->month, cloud_default->month);
}

TEST(Chain, NoLinkBreaksWhenTheFunderCanPayEveryCall) {
  // The same world with a funder that has the money: no missed call, no default, no loss.
  const sim::PathResult r = run({"firm.fund.cash_usd_bn=100"});
  EXPECT_EQ(find(r, model::EventKind::kMissedCall, "fund-lab"), nullptr);
  for (const char* firm : {"lab", "cloud"}) EXPECT_FALSE(defaulted(r, firm)) << firm;
  for (const auto& [who, loss] : r.losses.by_class) EXPECT_EQ(loss, 0.0) << who;
  for (const auto& [who, loss] : r.losses.by_firm) EXPECT_EQ(loss, 0.0) << who;
}

TEST(Chain, WithoutTerminationClaimsTheSellerRecoversLessAndDefaultsSooner) {
  const sim::PathResult with = run();
  const sim::PathResult without =
      run({"contract.lab-cloud.termination_claim_share=0", "contract.lab-cloud.termination_penalty_months=0"});
  // Without the claim the cloud holds only the unpaid August due (0.73) against the bond's 10:
  // it recovers 0.73 × 8.4 / 10.73 = 0.57148 instead of 12.045 × 8.4 / 22.045 = 4.58970, and
  // the bondholders recover more (8.4 × 10 / 10.73 instead of 8.4 × 10 / 22.045).
  const model::Event* loss_without = find(without, model::EventKind::kCreditorLoss, "cloud", "lab");
  ASSERT_NE(loss_without, nullptr);
  const double recovered_without = kP - loss_without->value;
  EXPECT_NEAR(recovered_without, kP * kLabAssetsSold / (kP + kBond), 1e-9);
  const double recovered_with = kP + 11.315 - find(with, model::EventKind::kCreditorLoss, "cloud", "lab")->value;
  EXPECT_NEAR(recovered_with, (kP + 11.315) * kLabAssetsSold / (kP + 11.315 + kBond), 1e-9);
  EXPECT_LT(recovered_without, recovered_with);
  EXPECT_LT(loss_of(without.losses.by_tranche, "lab-bond"), loss_of(with.losses.by_tranche, "lab-bond"));
  // The seller, with less cash from the lab's estate, defaults sooner and its bank loses more.
  const model::Event* default_with = find(with, model::EventKind::kPaymentDefault, "cloud");
  const model::Event* default_without = find(without, model::EventKind::kPaymentDefault, "cloud");
  ASSERT_NE(default_with, nullptr);
  ASSERT_NE(default_without, nullptr);
  EXPECT_LT(default_without->month, default_with->month);
  EXPECT_GT(loss_of(without.losses.by_tranche, "cloud-loan"), loss_of(with.losses.by_tranche, "cloud-loan"));
}

TEST(Chain, ForcedDefaultTerminatesWithTheSameClaimFormula) {
  // Forced into default in 2027-03 while fully funded: 21 months are left (2028-12 − 2027-03);
  // with a = 1 the claim is every remaining payment, 21 × 0.73 = 15.33 (at least the 3 penalty
  // months), and with m = 30 > 21 (a = 0.5) it is the penalty alone, 30 × 0.73 + 0.5 × max(0,
  // 15.33 − 21.9) = 21.9.
  const sim::PathResult all = run({"firm.fund.cash_usd_bn=100", "firm.lab.forced_default_month=2027-03",
                                   "contract.lab-cloud.termination_claim_share=1"});
  ASSERT_NE(find(all, model::EventKind::kForcedDefault, "lab"), nullptr);
  EXPECT_NEAR(find(all, model::EventKind::kContractTerminated, "lab-cloud")->value, 21 * kP, 1e-9);
  const sim::PathResult penalty = run({"firm.fund.cash_usd_bn=100", "firm.lab.forced_default_month=2027-03",
                                       "contract.lab-cloud.termination_penalty_months=30"});
  EXPECT_NEAR(find(penalty, model::EventKind::kContractTerminated, "lab-cloud")->value, 30 * kP, 1e-9);
}

TEST(Chain, ADefaultedInvestorMissesEveryLaterCall) {
  // The fund is forced into default in 2026-03: from then on each monthly call is missed.
  const sim::PathResult r = run({"firm.fund.cash_usd_bn=100", "firm.fund.forced_default_month=2026-03"});
  int missed = 0;
  for (const model::Event& e : r.events) missed += e.kind == model::EventKind::kMissedCall && e.subject == "fund-lab";
  // Called in April onwards (March's call came before the default that month): April 2026 …
  // the lab's own default. The lab holds one call's worth, so it pays April from March's call
  // and defaults in May: April and May are missed.
  EXPECT_EQ(missed, 2);
  EXPECT_EQ(find(r, model::EventKind::kPaymentDefault, "lab")->month.str(), "2026-05");
}

TEST(Termination, ALeaseClaimsThePenaltyMonthsAndAShareOfTheRentLeftOnTheTerm) {
  // CoreWeave's campus lease in `default`: $2bn a year from 2026-07 for 120 months (term ends
  // 2036-06), 12 penalty months, no guarantee. Forced into default in 2027-06, 108 months are
  // left (2036-06 − 2027-06); with a = 0.5 the lessor claims 12 × 2/12 + 0.5 × (108 × 2/12 −
  // 12 × 2/12) = 2 + 0.5 × 16 = 10, and with a = 0 the 12 months alone, 2.
  for (const auto& [share, claim] : {std::pair{"0.5", 10.0}, std::pair{"0", 2.0}}) {
    const auto s = io::load_scenario("default", {"technology.efficiency.jump_rate_per_year=0",
                                                 "firm.coreweave.forced_default_month=2027-06",
                                                 std::string("contract.coreweave-campus-lease.termination_claim_share=") + share})
                       .scenario;
    const sim::PathResult r = sim::run_path(s, 0, 1);
    const model::Event* terminated = find(r, model::EventKind::kContractTerminated, "coreweave-campus-lease");
    ASSERT_NE(terminated, nullptr) << share;
    EXPECT_EQ(terminated->month.str(), "2027-06");
    EXPECT_NEAR(terminated->value, claim, 1e-9) << share;
  }
}

TEST(Calls, AYearsAmountIsSpreadOverItsMonthsFromTheStart) {
  model::EquityInvestment k;
  k.start = core::Month(2026, 7);
  k.calls_usd_bn_per_year = {{2026, 6.0}, {2028, 24.0}};
  EXPECT_EQ(k.call_due(core::Month(2026, 6)), 0.0);   // before the start
  EXPECT_EQ(k.call_due(core::Month(2026, 7)), 1.0);   // 6 over July–December
  EXPECT_EQ(k.call_due(core::Month(2026, 12)), 1.0);
  EXPECT_EQ(k.call_due(core::Month(2027, 1)), 0.0);   // a year not listed
  EXPECT_EQ(k.call_due(core::Month(2028, 1)), 2.0);   // 24 over twelve months
}

}  // namespace
}  // namespace bsim::finance
