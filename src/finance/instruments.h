#pragma once
/// Cash-flow rules of single instruments, as pure functions: a securitisation's tranche
/// waterfall and milestone schedules (equity tranches paid, warrants vesting, per GW deployed).
///
///   std::vector<Tranche> t = {{"A", 70, 0.05 / 12}, {"B", 20, 0.08 / 12}, {"equity", 10, 0}};
///   WaterfallResult r = pay_waterfall(t, /*collections=*/3.0, /*pool_loss=*/0.0);
///
/// finance::step runs each securitisation's pool through `pay_waterfall` every month; the
/// milestone schedules of equity investments and warrants are computed inline there.

#include <string>
#include <vector>

namespace bsim::finance {

/// One tranche, most senior first in any list. Balances in USD bn; coupon per month.
struct Tranche {
  std::string name;
  double balance = 0.0;
  double coupon_per_month = 0.0;
};

struct WaterfallResult {
  std::vector<double> interest_paid;    ///< per tranche, this period
  std::vector<double> principal_paid;   ///< per tranche
  std::vector<double> losses;           ///< per tranche: pool losses written off its balance
  std::vector<double> interest_short;   ///< per tranche: interest due but not paid
  double residual = 0.0;                ///< cash left after every tranche (to the equity holder)
};

/// One period of a sequential-pay securitisation. First `pool_loss` (defaulted collateral) is
/// written off the tranches from the most junior up; then `collections` pay interest in order of
/// seniority, then principal in the same order; what is left is the residual. Updates the
/// balances in `tranches`. Throws std::invalid_argument on negative inputs.
WaterfallResult pay_waterfall(std::vector<Tranche>& tranches, double collections, double pool_loss);

/// A milestone: when the tracked quantity (e.g. GW deployed) first reaches `threshold`,
/// `amount` becomes due (an equity tranche paid, or warrants vesting).
struct Milestone {
  double threshold = 0.0;
  double amount = 0.0;
};

/// The amounts falling due as the tracked quantity moves from `before` to `now`: every
/// milestone with before < threshold ≤ now, each exactly once over any monotone path.
/// Milestones need not be sorted. A quantity that falls and rises again does not pay twice
/// if the caller passes the running maximum as `before`.
double milestones_reached(const std::vector<Milestone>& schedule, double before, double now);

}  // namespace bsim::finance
