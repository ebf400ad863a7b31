#pragma once
/// DebtRank (Battiston et al. 2012): how much of the system's economic value a firm's distress destroys.
///
/// Convention. An exposure {holder, issuer, amount} says the holder loses up to `amount` (money)
/// if the issuer fails (a loan, bond, receivable or equity stake). Parallel exposures of the same
/// pair are summed. The impact of the issuer j on the holder i is
///
///   W(j → i) = min(1, exposure(i holds j) / equity_i),
///
/// the fraction of i's capital buffer that j's full default wipes out. (The paper writes this
/// W_ji with the issuer first.) Each firm has a distress h_i ∈ [0, 1] (share of equity lost) and a
/// state: undistressed (U), distressed (D) or inactive (I). Starting from h(1) = ψ, with the firms
/// where ψ > 0 in D and the rest in U, each step sets, synchronously,
///
///   h_i(t) = min(1, h_i(t−1) + Σ_{j in D at t−1} W(j → i)·h_j(t−1))   for every firm i,
///   state: D → I;  U → D if h_i(t) > 0;  I stays I,
///
/// until no firm is in D (at most n + 1 steps). A firm passes its distress on only once, which is
/// what stops losses reverberating around cycles. With economic value weights v normalised to sum
/// to 1, the DebtRank of the run is R = Σ_j v_j·h_j(T) − Σ_j v_j·h_j(1): the value lost beyond
/// the initial shock. A firm's own DebtRank is R for ψ = 1 at that firm and 0 elsewhere, so its
/// own value is excluded and R_i ∈ [0, 1 − v_i].
///
/// Worked example (equal weights 1/3). B holds 50 of A's debt and has equity 100, so
/// W(A → B) = 0.5; C holds 30 of B's debt and has equity 20, so W(B → C) = min(1, 1.5) = 1;
/// nobody holds C. Distressing A: t = 1, h = (1, 0, 0); t = 2, h_B = 0.5 (A becomes inactive);
/// t = 3, h_C = 1·0.5 = 0.5 (B inactive); t = 4, C has no holders, the run ends. So
/// R_A = (0.5 + 0.5)/3 = 1/3, R_B = 1/3 (C loses everything), R_C = 0.
///
///   finance::ExposureNetwork net;
///   net.n = 3;
///   net.exposures = {{1, 0, 50.0}, {2, 1, 30.0}};
///   net.equity = {100.0, 100.0, 20.0};
///   const std::vector<double> r = finance::debtrank_by_firm(net);  // {1/3, 1/3, 0}

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bsim::finance {

/// The holder loses up to `amount` (money, ≥ 0, finite) if the issuer is in distress.
/// holder and issuer are firm indices < n and differ.
struct Exposure {
  std::uint32_t holder = 0;
  std::uint32_t issuer = 0;
  double amount = 0.0;
};

/// The exposure network DebtRank runs on.
struct ExposureNetwork {
  /// Number of firms.
  std::size_t n = 0;
  /// Who is exposed to whom, in any order; parallel edges are summed.
  std::vector<Exposure> exposures;
  /// Capital buffer per firm (money); size n, each finite and > 0.
  std::vector<double> equity;
  /// Economic value per firm (e.g. total assets), normalised internally to sum to 1. Empty means
  /// equal weights; otherwise size n, each finite and ≥ 0, with a positive sum.
  std::vector<double> economic_value;
};

/// Outcome of one DebtRank run.
struct DebtRankRun {
  /// Σ_j v_j·h_j(T) − Σ_j v_j·h_j(1), in [0, 1].
  double debtrank = 0.0;
  /// Final distress h_j(T) per firm, in [0, 1].
  std::vector<double> distress;
  /// Steps taken until no firm was distressed-and-active (≤ n + 1).
  std::size_t steps = 0;
};

/// Runs DebtRank from the initial distress ψ = `initial_distress` (size n, each in [0, 1]).
/// Cost O(n + number of exposures). Throws std::invalid_argument on a malformed network or ψ.
DebtRankRun debtrank(const ExposureNetwork& network, const std::vector<double>& initial_distress);

/// Each firm's own DebtRank: R_i from ψ = 1 at firm i alone, excluding i's own value; each in
/// [0, 1 − v_i]. A firm nobody is exposed to has DebtRank 0. Cost O(Σ_i size of what i reaches),
/// at most O(n·(n + exposures)). Throws std::invalid_argument on a malformed network.
std::vector<double> debtrank_by_firm(const ExposureNetwork& network);

}  // namespace bsim::finance
