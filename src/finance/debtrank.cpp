#include "finance/debtrank.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace bsim::finance {
namespace {

enum class State : std::uint8_t { kUndistressed, kDistressed, kInactive };

/// Who loses how much of their equity when an issuer is fully distressed: CSR by issuer.
struct ImpactGraph {
  std::vector<std::size_t> begin;     // size n + 1
  std::vector<std::uint32_t> holder;  // per impact edge
  std::vector<double> impact;         // W(issuer → holder) in [0, 1]
  std::vector<double> weight;         // economic value share per firm, sums to 1
};

void validate(const ExposureNetwork& net) {
  if (net.n > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("debtrank: n = " + std::to_string(net.n) + " firms do not fit 32-bit indices");
  }
  if (net.equity.size() != net.n) {
    throw std::invalid_argument("debtrank: equity has " + std::to_string(net.equity.size()) +
                                " entries for n = " + std::to_string(net.n) + " firms");
  }
  for (std::size_t i = 0; i < net.n; ++i) {
    if (!std::isfinite(net.equity[i]) || net.equity[i] <= 0.0) {
      throw std::invalid_argument("debtrank: firm " + std::to_string(i) + " has equity " +
                                  std::to_string(net.equity[i]) + "; it must be finite and > 0");
    }
  }
  if (!net.economic_value.empty()) {
    if (net.economic_value.size() != net.n) {
      throw std::invalid_argument("debtrank: economic_value has " + std::to_string(net.economic_value.size()) +
                                  " entries for n = " + std::to_string(net.n) + " firms (or leave it empty)");
    }
    double total = 0.0;
    for (std::size_t i = 0; i < net.n; ++i) {
      const double v = net.economic_value[i];
      if (!std::isfinite(v) || v < 0.0) {
        throw std::invalid_argument("debtrank: firm " + std::to_string(i) + " has economic value " + std::to_string(v) +
                                    "; it must be finite and >= 0");
      }
      total += v;
    }
    if (!(total > 0.0) || !std::isfinite(total)) {
      throw std::invalid_argument("debtrank: economic values must have a positive, finite sum");
    }
  }
  for (std::size_t k = 0; k < net.exposures.size(); ++k) {
    const Exposure& x = net.exposures[k];
    // The message is built only when an exposure is wrong: this runs for every exposure every month.
    auto fail = [&](const char* what) {
      throw std::invalid_argument("debtrank: exposure " + std::to_string(k) + " (holder " + std::to_string(x.holder) + ", issuer " +
                                  std::to_string(x.issuer) + ", amount " + std::to_string(x.amount) + "): " + what);
    };
    if (x.holder >= net.n || x.issuer >= net.n) fail("firm index must be < n");
    if (x.holder == x.issuer) fail("a firm cannot be exposed to itself");
    if (!std::isfinite(x.amount) || x.amount < 0.0) fail("amount must be finite and >= 0");
  }
}

ImpactGraph build_impact_graph(const ExposureNetwork& net) {
  validate(net);
  ImpactGraph g;
  const std::size_t m = net.exposures.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable, so parallel exposures are summed in input order.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Exposure& x = net.exposures[a];
    const Exposure& y = net.exposures[b];
    return x.issuer != y.issuer ? x.issuer < y.issuer : x.holder < y.holder;
  });
  g.begin.assign(net.n + 1, 0);
  std::size_t k = 0;
  while (k < m) {
    const Exposure& first = net.exposures[order[k]];
    double amount = 0.0;
    for (; k < m && net.exposures[order[k]].issuer == first.issuer && net.exposures[order[k]].holder == first.holder;
         ++k) {
      amount += net.exposures[order[k]].amount;
    }
    // Summed before capping: two loans that each eat 60% of the buffer wipe it out together.
    g.holder.push_back(first.holder);
    g.impact.push_back(std::min(1.0, amount / net.equity[first.holder]));
    ++g.begin[first.issuer + 1];
  }
  for (std::size_t i = 0; i < net.n; ++i) g.begin[i + 1] += g.begin[i];

  if (net.economic_value.empty()) {
    g.weight.assign(net.n, net.n == 0 ? 0.0 : 1.0 / static_cast<double>(net.n));
  } else {
    const double total = std::accumulate(net.economic_value.begin(), net.economic_value.end(), 0.0);
    g.weight.resize(net.n);
    for (std::size_t i = 0; i < net.n; ++i) g.weight[i] = net.economic_value[i] / total;
  }
  return g;
}

/// Scratch state for repeated runs on one graph; only the firms a run touches are reset, so a
/// run costs O(what it reaches), not O(n), which matters for `debtrank_by_firm`.
class Cascade {
 public:
  explicit Cascade(const ImpactGraph& graph)
      : graph_(graph),
        distress_(graph.weight.size(), 0.0),
        initial_(graph.weight.size(), 0.0),
        state_(graph.weight.size(), State::kUndistressed),
        touched_flag_(graph.weight.size(), 0) {}

  /// Runs from the given (firm, ψ) pairs, firms ascending and distinct, ψ in (0, 1]. Returns the
  /// number of steps; `loss()` and `distress()` read the outcome until the next `reset()`.
  std::size_t run(const std::vector<std::pair<std::uint32_t, double>>& seeds) {
    std::vector<std::uint32_t> active;
    for (const auto& [firm, psi] : seeds) {
      touch(firm);
      distress_[firm] = psi;
      initial_[firm] = psi;
      state_[firm] = State::kDistressed;
      active.push_back(firm);
    }
    std::size_t steps = 1;
    std::vector<double> propagated;
    std::vector<std::uint32_t> receivers;
    while (!active.empty()) {
      ++steps;
      // Synchronous update: what a distressed firm passes on is its distress at t − 1, even if it
      // is hit again in this same step.
      propagated.clear();
      for (const std::uint32_t j : active) propagated.push_back(distress_[j]);
      receivers.clear();
      for (std::size_t a = 0; a < active.size(); ++a) {
        const std::uint32_t j = active[a];
        for (std::size_t e = graph_.begin[j]; e < graph_.begin[j + 1]; ++e) {
          const std::uint32_t i = graph_.holder[e];
          const double hit = graph_.impact[e] * propagated[a];
          if (hit <= 0.0) continue;
          if (touched_flag_[i] == 0) touch(i);
          distress_[i] += hit;
          receivers.push_back(i);
        }
      }
      for (const std::uint32_t j : active) state_[j] = State::kInactive;
      active.clear();
      // Clamping once after summing equals clamping min(1, h + Σ) as in the paper (all terms ≥ 0).
      for (const std::uint32_t i : receivers) {
        distress_[i] = std::min(1.0, distress_[i]);
        if (state_[i] == State::kUndistressed) {
          state_[i] = State::kDistressed;
          active.push_back(i);
        }
      }
      std::sort(active.begin(), active.end());
    }
    return steps;
  }

  /// Σ_j v_j·(h_j(T) − h_j(1)) over the touched firms, summed in index order.
  double loss() {
    std::sort(touched_.begin(), touched_.end());
    double r = 0.0;
    for (const std::uint32_t j : touched_) r += graph_.weight[j] * (distress_[j] - initial_[j]);
    return std::max(0.0, r);
  }

  const std::vector<double>& distress() const { return distress_; }

  void reset() {
    for (const std::uint32_t j : touched_) {
      distress_[j] = 0.0;
      initial_[j] = 0.0;
      state_[j] = State::kUndistressed;
      touched_flag_[j] = 0;
    }
    touched_.clear();
  }

 private:
  void touch(std::uint32_t j) {
    touched_flag_[j] = 1;
    touched_.push_back(j);
  }

  const ImpactGraph& graph_;
  std::vector<double> distress_;
  std::vector<double> initial_;
  std::vector<State> state_;
  std::vector<std::uint8_t> touched_flag_;
  std::vector<std::uint32_t> touched_;
};

}  // namespace

DebtRankRun debtrank(const ExposureNetwork& network, const std::vector<double>& initial_distress) {
  const ImpactGraph graph = build_impact_graph(network);
  if (initial_distress.size() != network.n) {
    throw std::invalid_argument("debtrank: initial distress has " + std::to_string(initial_distress.size()) +
                                " entries for n = " + std::to_string(network.n) + " firms");
  }
  std::vector<std::pair<std::uint32_t, double>> seeds;
  for (std::size_t i = 0; i < network.n; ++i) {
    const double psi = initial_distress[i];
    if (!(psi >= 0.0 && psi <= 1.0)) {
      throw std::invalid_argument("debtrank: initial distress of firm " + std::to_string(i) + " is " +
                                  std::to_string(psi) + "; it must lie in [0, 1]");
    }
    if (psi > 0.0) seeds.emplace_back(static_cast<std::uint32_t>(i), psi);
  }
  Cascade cascade(graph);
  DebtRankRun out;
  out.steps = cascade.run(seeds);
  out.debtrank = cascade.loss();
  out.distress = cascade.distress();
  return out;
}

std::vector<double> debtrank_by_firm(const ExposureNetwork& network) {
  const ImpactGraph graph = build_impact_graph(network);
  Cascade cascade(graph);
  std::vector<double> out(network.n, 0.0);
  for (std::size_t i = 0; i < network.n; ++i) {
    cascade.run({{static_cast<std::uint32_t>(i), 1.0}});
    out[i] = cascade.loss();
    cascade.reset();
  }
  return out;
}

}  // namespace bsim::finance
