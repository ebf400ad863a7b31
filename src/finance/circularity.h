#pragma once
/// The circular-revenue share (DESIGN §1.10): how much of a seller's revenue is its own
/// investment outflows (equity, vendor financing, guarantees) coming back to it as purchases,
/// through any chain of firms.
///
/// Every firm's funds are tagged by origin and mix proportionally as they flow. The origins are
/// `external` (households/rest of world, banks, outside investors, and cash a firm held before
/// the window) and each firm k, whose investment outflows start money tagged k. Over a window
/// of months, firm j's pool of funds is
///
///   pool_j = max(T_j, U_j),   T_j = E_j + Σ_k I_kj + Σ_i X_ij   (what it received)
///                             U_j = O_j + Σ_k I_jk + Σ_k X_jk   (what it paid out)
///
/// with E external inflows, I investment outflows (investor → recipient), X ordinary payments
/// (payer → payee) and O payments to the outside sectors. When a firm paid out more than it
/// received, the difference P_j = pool_j − T_j came from cash it held before the window, and
/// counts as external. Its origin mix m_j (a row of shares over the n + 1 origins) solves
///
///   pool_j · m_j = (E_j + P_j) · e_ext + Σ_k I_kj · e_k + Σ_i X_ij · m_i
///
/// — a Leontief system (diag(pool) − Xᵀ) M = S over all origins at once. A seller s's circular
/// revenue is Σ_i R_is · m_i[s], R_is its operating revenue paid by firm i; its circular share
/// divides that by all its operating revenue, from firms and from households. Example: a
/// chipmaker C invests 10 in a lab L that also earns 30 from users; L pays a cloud 20, the cloud
/// (earning 20 from users) pays C 16 for chips; C also sells 24 elsewhere. Then m_L[C] = 10/40,
/// m_cloud[C] = (20 · 0.25)/40 and C's circular share is 16 · 0.125 / 40 = 5%.
///
///   model::FirmFlows window = …;                  // e.g. the last 12 months, summed
///   const Circularity c = circularity(window);
///   double nvidia = c.share[nvidia_index];        // in [0, 1]
///
/// Firms that neither receive nor pay anything, and money that only circulates among firms that
/// receive nothing from outside that circle (its origin cannot be traced within the window),
/// count as external.

#include <cstddef>
#include <vector>

#include "model/ledger.h"

namespace bsim::finance {

/// Months in the trailing window the circular-revenue share is computed over.
inline constexpr int kCircularityWindowMonths = 12;

/// The origin mixes and circular revenue of the firms over one window of flows.
struct Circularity {
  std::size_t firms = 0;
  /// Origin mixes, row-major: mix[j * (firms + 1) + o] is the share of firm j's funds whose
  /// origin is firm o's investment outflows (o < firms) or external (o == firms). Each row is in
  /// [0, 1] and sums to 1.
  std::vector<double> mix;
  std::vector<double> revenue;           ///< per seller: operating revenue from firms and households, USD bn
  std::vector<double> circular_revenue;  ///< per seller: the part of it whose origin is the seller, USD bn
  std::vector<double> share;             ///< per seller: circular_revenue ÷ revenue (0 without revenue)
  /// All firms together: Σ circular_revenue ÷ Σ revenue (0 without revenue).
  double overall_share = 0.0;

  /// The share of firm j's funds that came from origin o (o == firms: external).
  [[nodiscard]] double origin_share(std::size_t j, std::size_t o) const { return mix[j * (firms + 1) + o]; }
};

/// Solves the origin mixes of `flows` and each seller's circular-revenue share. Negative entries
/// (rounding in netted flows) count as zero; diagonal entries (a firm paying itself) are ignored.
/// Throws std::invalid_argument when a vector's size does not match `flows.firms`.
Circularity circularity(const model::FirmFlows& flows);

}  // namespace bsim::finance
