#pragma once
/// Template body of market::clear (included by market.h).

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bsim::market {
namespace detail {

/// Solves demand(p) = quantity for p in [lo, hi], demand non-increasing, by bisection on the
/// log of the price (prices span orders of magnitude). Returns the upper end of the final
/// bracket, where demand ≤ quantity.
template <class DemandFn>
double solve_price(const DemandFn& demand, double quantity, double lo, double hi) {
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = lo > 0.0 ? std::sqrt(lo * hi) : 0.5 * (lo + hi);
    if (demand(mid) > quantity) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

}  // namespace detail

template <class DemandFn>
Clearing clear(const DemandFn& demand, std::vector<SupplyStep> steps, double price_cap) {
  Clearing out;
  std::vector<std::size_t> order(steps.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return steps[a].marginal_cost < steps[b].marginal_cost; });
  out.used_h100e.assign(steps.size(), 0.0);

  double below = 0.0;       // capacity of the steps cheaper than the current one
  double prev_cost = 0.0;   // marginal cost of the previous (cheaper) group
  std::size_t k = 0;
  while (k < order.size()) {
    // Group steps with the same marginal cost: they are one step shared pro rata.
    const double cost = steps[order[k]].marginal_cost;
    std::size_t end = k;
    double group = 0.0;
    while (end < order.size() && steps[order[end]].marginal_cost == cost) {
      group += steps[order[end]].capacity_h100e;
      ++end;
    }
    const double d = demand(cost);
    if (d <= below) {
      // Demand fits in the cheaper capacity: the price lies between the two costs.
      out.price = k == 0 ? cost : detail::solve_price(demand, below, prev_cost, cost);
      out.demand_h100e = demand(out.price);
      out.served_h100e = std::min(out.demand_h100e, below);
      // Cheaper steps are fully used (they are all below the price).
      for (std::size_t j = 0; j < k; ++j) out.used_h100e[order[j]] = steps[order[j]].capacity_h100e;
      return out;
    }
    if (d <= below + group) {
      // This step is marginal: the price is its cost and its capacity is shared pro rata.
      out.price = cost;
      out.demand_h100e = d;
      out.served_h100e = d;
      for (std::size_t j = 0; j < k; ++j) out.used_h100e[order[j]] = steps[order[j]].capacity_h100e;
      const double share = group > 0.0 ? (d - below) / group : 0.0;
      for (std::size_t j = k; j < end; ++j) out.used_h100e[order[j]] = steps[order[j]].capacity_h100e * share;
      return out;
    }
    below += group;
    prev_cost = cost;
    k = end;
  }
  // Demand exceeds all capacity at the dearest cost: the price rises towards the cap.
  for (std::size_t j = 0; j < steps.size(); ++j) out.used_h100e[j] = steps[j].capacity_h100e;
  const double lo = std::max(prev_cost, 1e-9);
  if (demand(price_cap) > below) {
    out.price = price_cap;
    out.at_cap = true;
  } else {
    out.price = detail::solve_price(demand, below, lo, price_cap);
  }
  out.demand_h100e = demand(out.price);
  out.served_h100e = std::min(out.demand_h100e, below);
  out.unmet_h100e = std::max(0.0, out.demand_h100e - below);
  return out;
}

}  // namespace bsim::market
