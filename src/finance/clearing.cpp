#include "finance/clearing.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
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

/// An obligation as its creditor sees it. Packed (16 bytes) and stored in creditor order so a
/// sweep reads the edges sequentially and touches only the debtor's payment and tier at random.
struct IncomingEdge {
  std::uint32_t debtor = 0;
  std::uint32_t group = 0;  // index into Network::groups
  double amount = 0.0;
};

/// Sparse, index-ordered view of the obligations built once per call.
struct Network {
  std::vector<std::uint32_t> group_of;      // obligation → its TierGroup
  std::vector<TierGroup> groups;            // ordered by (debtor, tier)
  std::vector<double> due;                  // per firm
  std::vector<std::size_t> incoming_begin;  // per creditor firm, CSR offsets into incoming (size n+1)
  std::vector<IncomingEdge> incoming;       // by creditor, in input order within a creditor
};

std::string describe(std::size_t k, const Obligation& o) {
  return "clearing: obligation " + std::to_string(k) + " (debtor " + std::to_string(o.debtor) + ", creditor " +
         std::to_string(o.creditor) + ", tier " + std::to_string(o.tier) + ", amount " + std::to_string(o.amount) + ")";
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
    throw std::invalid_argument("clearing: default costs alpha = " + std::to_string(p.alpha) +
                                " and beta = " + std::to_string(p.beta) + " must lie in [0, 1]");
  }
  if (!std::isfinite(p.tolerance) || p.tolerance < 0.0) {
    throw std::invalid_argument("clearing: tolerance " + std::to_string(p.tolerance) + " must be finite and >= 0");
  }
  if (p.obligations.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("clearing: " + std::to_string(p.obligations.size()) +
                                " obligations exceed the 32-bit edge indices");
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

  // Order by (debtor, tier), stably so that the sums run in input order and the result does not
  // depend on the sort implementation: a counting sort by debtor (O(m + n)), then each debtor's
  // few obligations by tier.
  std::vector<std::size_t> debtor_begin(p.n + 1, 0);
  for (const Obligation& o : p.obligations) ++debtor_begin[o.debtor + 1];
  for (std::size_t i = 0; i < p.n; ++i) debtor_begin[i + 1] += debtor_begin[i];
  std::vector<std::size_t> order(m);
  {
    std::vector<std::size_t> cursor(debtor_begin.begin(), debtor_begin.end() - 1);
    for (std::size_t j = 0; j < m; ++j) order[cursor[p.obligations[j].debtor]++] = j;
  }
  for (std::size_t i = 0; i < p.n; ++i) {
    std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(debtor_begin[i]),
                     order.begin() + static_cast<std::ptrdiff_t>(debtor_begin[i + 1]),
                     [&](std::size_t a, std::size_t b) { return p.obligations[a].tier < p.obligations[b].tier; });
  }
  std::size_t k = 0;
  while (k < m) {
    const std::uint32_t debtor = p.obligations[order[k]].debtor;
    double running = 0.0;  // the debtor's dues in the tiers done so far
    while (k < m && p.obligations[order[k]].debtor == debtor) {
      const int tier = p.obligations[order[k]].tier;
      TierGroup g;
      g.senior_before = running;
      const auto group = static_cast<std::uint32_t>(net.groups.size());
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
    const Obligation& o = p.obligations[j];
    if (o.creditor < p.n) net.incoming[cursor[o.creditor]++] = {o.debtor, net.group_of[j], o.amount};
  }
  return net;
}

double obligation_payment(const TierGroup& group, double amount, double debtor_paid) {
  const double f = tier_fraction(group, debtor_paid);
  return f == 1.0 ? amount : amount * f;
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
        const IncomingEdge& edge = net.incoming[q];
        received += obligation_payment(net.groups[edge.group], edge.amount, paid[edge.debtor]);
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
    const Obligation& o = p.obligations[k];
    out.payment[k] = obligation_payment(net.groups[net.group_of[k]], o.amount, paid[o.debtor]);
    const std::uint32_t c = o.creditor;
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
