#pragma once
/// Joint clearing of interfirm dues with seniority tiers and default costs (DESIGN §1.7).
///
/// The model is Eisenberg–Noe (2001) with Elsinger's (2009) seniority tiers and Rogers–Veraart
/// (2013) default costs. Each firm i holds external assets e_i (cash and assets outside the
/// network) and owes a list of obligations, each with a tier (0 = most senior). Given what it
/// receives from other firms, r_i, a firm pays
///
///   solvent   (e_i + r_i ≥ L_i):  its total dues L_i, in full;
///   defaulted (e_i + r_i <  L_i):  V_i = (1 − α)·e_i + (1 − β)·r_i,
///
/// and the amount it pays is split over its obligations by a waterfall: tier 0 is paid in full
/// before tier 1 gets anything, and so on; within the tier where the money runs out, each
/// obligation gets the same fraction of its amount (pro rata). A clearing vector is a fixed point
/// of "payments → receipts → payments"; `clear_obligations` returns the GREATEST one.
///
/// Convention for α and β: they are default COSTS, the fractions LOST when a firm defaults —
/// α of its external assets (fire sales, legal costs) and β of its interfirm receivables
/// (collection haircuts). A defaulter realises (1 − α) and (1 − β). α = β = 0 is plain
/// Eisenberg–Noe; DESIGN's priors are α = 0.3, β = 0.1. A solvent firm loses nothing.
///
/// Worked example (α = β = 0): A, B, C with e = (0, 0, 5); A owes B 10, B owes C 10, C owes A 10
/// and C owes the outside world 10 (creditor index n = 3). If C pays x in total, A receives x/2,
/// pays x/2 to B, who pays x/2 to C, so x = min(20, 5 + x/2) → x = 10: C pays 5 to A and 5 to the
/// outside, A and B pay 5 each, and all three default.
///
///   finance::ClearingProblem p;
///   p.n = 3;
///   p.external_assets = {0.0, 0.0, 5.0};
///   p.obligations = {{0, 1, 0, 10.0}, {1, 2, 0, 10.0}, {2, 0, 0, 10.0}, {2, 3, 0, 10.0}};
///   const finance::ClearingResult r = finance::clear_obligations(p);  // r.payment = {5, 5, 5, 5}

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bsim::finance {

/// One due from `debtor` to `creditor`, in money units (USD; the solver is unit-agnostic).
/// `creditor` is a firm index in [0, n) or exactly n, the outside world (households, bond holders
/// outside the model), which is paid like anyone else but owes nothing and never defaults.
/// Invariants checked by `clear_obligations`: debtor < n, creditor ≤ n, debtor ≠ creditor,
/// tier ≥ 0 (0 = most senior; tiers need not be contiguous), amount finite and ≥ 0.
struct Obligation {
  std::uint32_t debtor = 0;
  std::uint32_t creditor = 0;
  int tier = 0;
  double amount = 0.0;
};

/// Default number of sweeps before `clear_obligations` gives up and reports non-convergence.
inline constexpr std::size_t kDefaultMaxClearingSweeps = 10000;

/// A firm whose value falls short of its dues by no more than this fraction of them counts as
/// solvent, so that rounding in summed receipts cannot trigger the (discontinuous) default costs.
inline constexpr double kSolvencySlack = 1e-12;

/// The month's dues to clear jointly.
struct ClearingProblem {
  /// Number of firms; index n is the outside world. Must be < 2^32 − 1.
  std::size_t n = 0;
  /// Per firm, money outside the network (cash, sellable assets) available for dues; size n,
  /// each finite and ≥ 0.
  std::vector<double> external_assets;
  /// All dues, in any order; results come back in the same order. Fewer than 2^32 − 1.
  std::vector<Obligation> obligations;
  /// Default cost on external assets: a defaulter realises (1 − alpha)·e_i. In [0, 1].
  double alpha = 0.0;
  /// Default cost on interfirm receipts: a defaulter passes on (1 − beta)·r_i. In [0, 1].
  double beta = 0.0;
  /// Stop when no firm's total payment fell by more than `tolerance`·(its dues) in a sweep.
  /// Finite and ≥ 0.
  double tolerance = 1e-12;
  /// Give up after this many sweeps (≥ 1); the result is then an upper bound on the greatest
  /// clearing vector and `converged` is false.
  std::size_t max_sweeps = kDefaultMaxClearingSweeps;
};

/// The clearing payments. Firm vectors have size n (the outside world is reported separately).
struct ClearingResult {
  /// Paid on each obligation, in the order of `ClearingProblem::obligations`; 0 ≤ payment ≤ amount.
  std::vector<double> payment;
  /// Total dues per firm, L_i.
  std::vector<double> due;
  /// Total paid per firm (= the sum of its obligations' payments, up to rounding).
  std::vector<double> paid;
  /// Total received per firm from other firms, r_i (before any default cost).
  std::vector<double> received;
  /// Unpaid dues per firm, due − paid (0 for a solvent firm).
  std::vector<double> shortfall;
  /// True when the firm could not pay all its dues.
  std::vector<bool> defaulted;
  /// Total paid to the outside world (creditor index n).
  double paid_to_outside = 0.0;
  /// Sweeps performed (each sweep costs O(number of obligations + n)).
  std::size_t sweeps = 0;
  /// False when `max_sweeps` was reached before the tolerance was met.
  bool converged = false;
};

/// Computes the greatest clearing vector by monotone iteration downward from full payment.
///
/// Start with every firm paying its dues in full, then repeatedly recompute each firm's payment
/// from what it currently receives (Gauss–Seidel: firms in index order, each using the latest
/// payments of the others). The payment map is monotone (paying more never makes anyone pay less,
/// the default-cost jump included), so the iterates fall monotonically, never below any clearing
/// vector, and converge to the greatest one (Tarski; the map is continuous from above). Starting
/// from above matters: with cycles there can be several clearing vectors (two firms owing each
/// other with no other assets clear at full payment and at zero), and the greatest is the one
/// that does not invent defaults.
///
/// Cost: O(m + n) set-up for m obligations (plus sorting each debtor's own obligations by tier),
/// then O(m + n) per sweep; memory O(m + n), no n×n matrices. For scale: 10^6 firms with 2.2·10^6
/// random obligations take ~0.5 s to set up and ~0.07 s per sweep at -O2 (14 sweeps with
/// α = 0.3, β = 0.1). Among defaulters the iteration contracts by at least (1 − β) per sweep; with β = 0
/// (plain Eisenberg–Noe) long nearly closed cycles converge slowly, and the stopping rule bounds
/// the last step, not the distance to the fixed point. Deterministic: no threads, fixed order.
///
/// Throws std::invalid_argument on malformed input (see the invariants of `Obligation` and
/// `ClearingProblem`); the message names the offending obligation or firm.
ClearingResult clear_obligations(const ClearingProblem& problem);

}  // namespace bsim::finance
