#include "finance/clearing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace bsim::finance {
namespace {

/// The obligations of one debtor in one tier: they share what is left after the senior tiers.
struct TierGroup {
  double senior_before = 0.0;  // the debtor's dues in more senior tiers
  double total = 0.0;          // this tier's dues
  double senior_end = 0.0;     // senior_before + total, as the running sum computes it
};

/// Fraction of a tier's dues paid when its debtor pays `paid` in total. Exactly 1 when the tier
/// is covered, so a solvent debtor's creditors receive the amounts bit for bit (a rounded 0.999…
/// could otherwise push a creditor into default and trigger the default costs).
double tier_fraction(const TierGroup& g, double paid) {
  if (paid >= g.senior_end) return 1.0;
  if (paid <= g.senior_before) return 0.0;
  // Here senior_before < paid < senior_end, hence total > 0.
  return (paid - g.senior_before) / g.total;
}

/// Sparse, index-ordered view of the obligations built once per call.
struct Network {
  std::vector<std::size_t> group_of;        // obligation → its TierGroup
  std::vector<TierGroup> groups;            // ordered by (debtor, tier)
  std::vector<double> due;                  // per firm
  std::vector<std::size_t> incoming_begin;  // per creditor firm, CSR offsets into incoming (size n+1)
  std::vector<std::size_t> incoming;        // obligation indices by creditor, in input order
};

std::string describe(std::size_t k, const Obligation& o) {
  return "clearing: obligation " + std::to_string(k) + " (debtor " + std::to_string(o.debtor) + ", creditor " +
         std::to_string(o.creditor) + ", tier " + std::to_string(o.tier) + ", amount " + std::to_string(o.amount) +
         ")";
}

void validate(const ClearingProblem& p) {
  if (p.n >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("clearing: n = " + std::to_string(p.n) +
                                " firms does not leave room for the outside world's index in 32 bits");
  }
  if (p.external_assets.size() != p.n) {
    throw std::invalid_argument("clearing: external_assets has " + std::to_string(p.external_assets.size()) +
                                " entries for n = " + std::to_string(p.n) + " firms");
  }
  for (std::size_t i = 0; i < p.n; ++i) {
    const double e = p.external_assets[i];
    if (!std::isfinite(e) || e < 0.0) {
      throw std::invalid_argument("clearing: firm " + std::to_string(i) + " has external assets " + std::to_string(e) +
                                  "; they must be finite and >= 0");
    }
  }
  if (!(p.alpha >= 0.0 && p.alpha <= 1.0) || !(p.beta >= 0.0 && p.beta <= 1.0)) {
    throw std::invalid_argument("clearing: default costs alpha = " + std::to_string(p.alpha) + " and beta = " +
                                std::to_string(p.beta) + " must lie in [0, 1]");
  }
  if (!std::isfinite(p.tolerance) || p.tolerance < 0.0) {
    throw std::invalid_argument("clearing: tolerance " + std::to_string(p.tolerance) + " must be finite and >= 0");
  }
  if (p.max_sweeps == 0) throw std::invalid_argument("clearing: max_sweeps must be >= 1");
  for (std::size_t k = 0; k < p.obligations.size(); ++k) {
    const Obligation& o = p.obligations[k];
    if (o.debtor >= p.n) throw std::invalid_argument(describe(k, o) + ": debtor must be a firm index < n");
    if (o.creditor > p.n) throw std::invalid_argument(describe(k, o) + ": creditor must be < n, or n for outside");
    if (o.debtor == o.creditor) throw std::invalid_argument(describe(k, o) + ": a firm cannot owe itself");
    if (o.tier < 0) throw std::invalid_argument(describe(k, o) + ": tier must be >= 0 (0 is most senior)");
    if (!std::isfinite(o.amount) || o.amount < 0.0) {
      throw std::invalid_argument(describe(k, o) + ": amount must be finite and >= 0");
    }
  }
}

Network build_network(const ClearingProblem& p) {
  const std::size_t m = p.obligations.size();
  Network net;
  net.due.assign(p.n, 0.0);
  net.group_of.assign(m, 0);

  // Group by (debtor, tier); stable so that the sums run in input order and the result does not
  // depend on the sort implementation.
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Obligation& x = p.obligations[a];
    const Obligation& y = p.obligations[b];
    return x.debtor != y.debtor ? x.debtor < y.debtor : x.tier < y.tier;
  });
  std::size_t k = 0;
  while (k < m) {
    const std::uint32_t debtor = p.obligations[order[k]].debtor;
    double running = 0.0;  // the debtor's dues in the tiers done so far
    while (k < m && p.obligations[order[k]].debtor == debtor) {
      const int tier = p.obligations[order[k]].tier;
      TierGroup g;
      g.senior_before = running;
      const std::size_t group = net.groups.size();
      for (; k < m && p.obligations[order[k]].debtor == debtor && p.obligations[order[k]].tier == tier; ++k) {
        g.total += p.obligations[order[k]].amount;
        net.group_of[order[k]] = group;
      }
      running += g.total;
      g.senior_end = running;
      net.groups.push_back(g);
    }
    // Equal to the last group's senior_end, so a debtor paying `due` covers every tier exactly.
    net.due[debtor] = running;
  }

  // Incoming obligations per creditor firm (counting sort keeps input order within a creditor).
  net.incoming_begin.assign(p.n + 1, 0);
  for (const Obligation& o : p.obligations) {
    if (o.creditor < p.n) ++net.incoming_begin[o.creditor + 1];
  }
  for (std::size_t i = 0; i < p.n; ++i) net.incoming_begin[i + 1] += net.incoming_begin[i];
  net.incoming.resize(net.incoming_begin[p.n]);
  std::vector<std::size_t> cursor(net.incoming_begin.begin(), net.incoming_begin.end() - 1);
  for (std::size_t j = 0; j < m; ++j) {
    const std::uint32_t c = p.obligations[j].creditor;
    if (c < p.n) net.incoming[cursor[c]++] = j;
  }
  return net;
}

double obligation_payment(const ClearingProblem& p, const Network& net, const std::vector<double>& paid,
                          std::size_t k) {
  const Obligation& o = p.obligations[k];
  const double f = tier_fraction(net.groups[net.group_of[k]], paid[o.debtor]);
  return f == 1.0 ? o.amount : o.amount * f;
}

}  // namespace

ClearingResult clear_obligations(const ClearingProblem& problem) {
  validate(problem);
  const ClearingProblem& p = problem;
  const Network net = build_network(p);
  const double keep_external = 1.0 - p.alpha;
  const double keep_receipts = 1.0 - p.beta;

  ClearingResult out;
  // Total payment per firm is the whole state: obligation payments follow from it by the
  // waterfall, so a sweep costs O(m + n) and needs no per-obligation storage.
  std::vector<double> paid = net.due;
  while (out.sweeps < p.max_sweeps) {
    ++out.sweeps;
    bool settled = true;
    for (std::size_t i = 0; i < p.n; ++i) {
      const double due = net.due[i];
      if (due == 0.0) continue;
      double received = 0.0;
      for (std::size_t q = net.incoming_begin[i]; q < net.incoming_begin[i + 1]; ++q) {
        received += obligation_payment(p, net, paid, net.incoming[q]);
      }
      const double value = p.external_assets[i] + received;
      double next = due;
      if (value < due - kSolvencySlack * due) {
        next = std::min(due, keep_external * p.external_assets[i] + keep_receipts * received);
      }
      // The map is monotone even in floating point (rounding is monotone), so next ≤ paid[i]
      // already; the min guards the invariant "iterates never rise" against any slip.
      next = std::min(next, paid[i]);
      if (paid[i] - next > p.tolerance * due) settled = false;
      paid[i] = next;
    }
    if (settled) {
      out.converged = true;
      break;
    }
  }

  const std::size_t m = p.obligations.size();
  out.payment.resize(m);
  out.received.assign(p.n, 0.0);
  for (std::size_t k = 0; k < m; ++k) {
    out.payment[k] = obligation_payment(p, net, paid, k);
    const std::uint32_t c = p.obligations[k].creditor;
    if (c < p.n) {
      out.received[c] += out.payment[k];
    } else {
      out.paid_to_outside += out.payment[k];
    }
  }
  out.due = net.due;
  out.paid = paid;
  out.shortfall.resize(p.n);
  out.defaulted.resize(p.n);
  for (std::size_t i = 0; i < p.n; ++i) {
    out.shortfall[i] = net.due[i] - paid[i];
    // A solvent firm is set to exactly its dues, so any shortfall at all means default.
    out.defaulted[i] = paid[i] < net.due[i];
  }
  return out;
}

}  // namespace bsim::finance
