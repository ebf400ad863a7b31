#pragma once
/// The financing contracts between firms and outside investors (DESIGN §1.6), as plain records
/// read from `[[contract]]` tables of every `type` except `compute_commitment` (see
/// model::ComputeCommitment). Each record holds its terms; finance:: gives each one its monthly
/// cash-flow rule, and settlement clears what they make due.
///
///   type = "loan" | "bond" | "vendor_financing" | "abs_tranche"  → DebtContract
///   type = "lease"                                               → Lease
///   type = "equity_investment"                                   → EquityInvestment
///   type = "equity_stake"                                        → EquityStake (opening position)
///   type = "warrant"                                             → Warrant
///   type = "ppa"                                                 → PowerPurchase
///   type = "securitisation"                                      → Securitisation

#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "core/ids.h"

namespace bsim::model {

struct FirmTag {};
using FirmId = core::Id<FirmTag>;

/// Who holds a claim: a firm of the scenario, or a class of outside investors (held in the
/// households/rest-of-world sector, or by the banks for `kBanks`). Losses are reported by class.
enum class HolderClass : std::size_t {
  kFirm,          ///< a firm of the scenario (its type decides its reporting class)
  kPublicEquity,  ///< listed shareholders
  kVenture,       ///< venture capital and private equity
  kBanks,         ///< bank loans and credit lines
  kPrivateCredit, ///< private-credit funds
  kBondholders,   ///< public bond investors
  kAbsHolders,    ///< holders of securitised (ABS/CMBS) tranches
  kSuppliers,     ///< trade creditors outside the model (the grid, builders) owed unpaid bills
  kCount
};
inline constexpr std::size_t kHolderClassCount = static_cast<std::size_t>(HolderClass::kCount);

/// "public-equity", "venture", "banks", "private-credit", "bondholders", "abs-holders" ("firm").
std::string_view holder_class_name(HolderClass c);

struct Holder {
  HolderClass cls = HolderClass::kBanks;
  FirmId firm;  ///< valid only when cls == kFirm
  [[nodiscard]] bool is_firm() const { return cls == HolderClass::kFirm; }
};

inline constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

enum class DebtKind { kLoan, kBond, kVendorFinancing, kAbsTranche };
enum class Amortisation { kBullet, kLinear };
/// What breaching a covenant triggers: an event of default (debt accelerated), or a step-up in
/// the interest rate while the breach lasts.
enum class BreachAction { kDefault, kStepUp };

/// A loan, bond, vendor financing or ABS tranche (`contract.<id>.*`).
struct DebtContract {
  std::string id;
  DebtKind kind = DebtKind::kLoan;
  FirmId borrower;                  ///< borrower
  Holder lender;                    ///< lender: a firm id or an investor class
  core::Month start;                ///< start: month drawn (before time.start = outstanding at the start)
  core::Month maturity;             ///< maturity: last payment month
  double principal_usd_bn = 0.0;    ///< principal_usd_bn
  double rate_per_year = 0.06;      ///< rate_per_year (coupon, compounded monthly)
  Amortisation amortisation = Amortisation::kBullet;  ///< amortisation
  int seniority = 1;                ///< seniority: 1 = most senior
  bool secured = false;             ///< secured: paid first from the liquidation of the borrower's assets
  bool off_balance_sheet = false;   ///< off_balance_sheet: financing kept off the sponsor's balance sheet
  std::string tranche;              ///< tranche: label for losses by tranche (defaults to the id)
  double min_dscr = 0.0;            ///< covenant_min_dscr (0 = none)
  double max_ltv = 0.0;             ///< covenant_max_ltv: debt ÷ assets at book (0 = none)
  BreachAction breach = BreachAction::kDefault;  ///< breach
  double step_up_per_year = 0.02;   ///< step_up_per_year: added to the rate while in breach
  std::size_t securitisation = kNone;  ///< ABS tranche: index into Scenario::securitisations
};

/// A data-centre lease (`type = "lease"`): the lessor's campus (shells and power) put at the
/// lessee's disposal for rent; the lessor builds it over `build_months` before the start.
struct Lease {
  std::string id;
  FirmId lessor;
  FirmId lessee;
  core::Month start;                  ///< start: first month of rent
  int term_months = 60;               ///< term_months
  int renewals = 0;                   ///< renewals: further terms the lessee takes while active
  double rent_usd_bn_per_year = 0.0;  ///< rent_usd_bn_per_year
  double datacenter_gw = 0.0;         ///< datacenter_gw: shells leased
  double power_gw = 0.0;              ///< power_gw: grid power leased with them
  int build_months = 24;              ///< build_months: the lessor builds the campus before start
  /// residual_value_guarantee_usd_bn: when the lease ends (or the lessee defaults), the lessee
  /// pays the lessor the amount by which the campus's value falls short of this.
  double residual_value_guarantee_usd_bn = 0.0;
  /// termination_penalty_months and termination_claim_share: when the lessee defaults, the
  /// lessor claims the next `termination_penalty_months` of rent in full and
  /// `termination_claim_share` of the rent left on the current term after them (accelerated
  /// dues less what re-letting is expected to recover), plus the guarantee shortfall.
  double termination_penalty_months = 0.0;
  double termination_claim_share = 0.0;
  bool off_balance_sheet = true;      ///< off_balance_sheet: an operating lease of the lessee
  std::size_t securitisation = kNone; ///< securitisation: the pool its rent is sold into
};

/// New equity paid in tranches (`type = "equity_investment"`): `usd_bn` at the start, then
/// `usd_bn_per_gw` each time the milestone firm's compute in use has grown by another GW since
/// the start, up to `max_usd_bn` in all, and committed funding called on a schedule:
/// `calls_usd_bn_per_year` = { year = USD bn }, called in equal monthly parts over the months
/// of each listed year from `start` on. A firm investor that has defaulted, or whose deposits
/// plus new-money headroom fall short of what is due, misses the call: it lapses.
struct EquityInvestment {
  std::string id;
  Holder investor;
  FirmId investee;
  core::Month start;
  double usd_bn = 0.0;
  double usd_bn_per_gw = 0.0;
  double max_usd_bn = 0.0;
  FirmId milestone_firm;  ///< whose GW deployed count (defaults to the investee)
  std::vector<std::pair<int, double>> calls_usd_bn_per_year;  ///< (year, USD bn), sorted by year
  /// The scheduled call due in `month`, USD bn: the year's amount spread evenly over that
  /// year's months from `start` on (0 before `start` and in years not listed).
  [[nodiscard]] double call_due(core::Month month) const {
    if (month < start) return 0.0;
    for (const auto& [year, usd_bn] : calls_usd_bn_per_year) {
      if (year != month.year()) continue;
      const int first = year == start.year() ? start.month() : 1;
      return usd_bn / (12 - first + 1);
    }
    return 0.0;
  }
};

/// An opening ownership stake (`type = "equity_stake"`): `share` of the issuer's shares held
/// by the holder at the start. Shares not held by any stake belong to the issuer's outside
/// shareholders (firm.<id>.shareholders).
struct EquityStake {
  std::string id;
  Holder holder;
  FirmId issuer;
  double share = 0.0;
};

/// A warrant (`type = "warrant"`): up to `share` of the issuer's shares (after dilution),
/// vesting in `tranches` equal parts, one each time the milestone firm's compute in use has
/// grown by `gw_per_tranche` GW since the start; exercised on vesting at `strike_usd_bn` in all.
struct Warrant {
  std::string id;
  FirmId issuer;
  Holder holder;
  core::Month start;
  double share = 0.0;
  int tranches = 1;
  double gw_per_tranche = 1.0;
  double strike_usd_bn = 0.0;
  FirmId milestone_firm;  ///< defaults to the holder
};

/// A power purchase agreement (`type = "ppa"`): the buyer takes up to `gw` from the seller (a
/// utility) at a fixed price, and pays for at least `take_or_pay_share` of it.
struct PowerPurchase {
  std::string id;
  FirmId buyer;
  FirmId seller;
  core::Month start;
  core::Month end;
  double gw = 0.0;
  double price_usd_per_mwh = 60.0;
  double take_or_pay_share = 0.8;
};

/// A securitisation (`type = "securitisation"`): the rents of the leases that name it pay its
/// `abs_tranche` contracts through a sequential waterfall; the tranches have recourse to those
/// rents only, so a shortfall is a loss of the tranches, not a default of the issuer.
struct Securitisation {
  std::string id;
  FirmId issuer;  ///< the lessor whose rents are sold
};

}  // namespace bsim::model
