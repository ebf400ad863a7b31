#include "io/network.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/units.h"
#include "io/output.h"

namespace bsim::io {
namespace {

using nlohmann::json;

/// As written in scenarios (`contract.<id>.type`).
const char* debt_type_name(model::DebtKind kind) {
  switch (kind) {
    case model::DebtKind::kLoan: return "loan";
    case model::DebtKind::kBond: return "bond";
    case model::DebtKind::kVendorFinancing: return "vendor_financing";
    case model::DebtKind::kAbsTranche: return "abs_tranche";
  }
  return "unknown";
}

const char* class_display_name(model::HolderClass c) {
  switch (c) {
    case model::HolderClass::kPublicEquity: return "Public equity";
    case model::HolderClass::kVenture: return "Venture and PE";
    case model::HolderClass::kBanks: return "Banks";
    case model::HolderClass::kPrivateCredit: return "Private credit";
    case model::HolderClass::kBondholders: return "Bondholders";
    case model::HolderClass::kAbsHolders: return "ABS holders";
    case model::HolderClass::kSuppliers: return "Suppliers";
    case model::HolderClass::kFirm:
    case model::HolderClass::kCount: break;
  }
  return "unknown";
}

/// One contract as an edge: its parties as a holder each (a firm, or a class paying in).
struct Edge {
  std::string id;
  const char* type;
  model::Holder from;
  model::Holder to;
  double usd_bn;
};

model::Holder firm(model::FirmId f) { return {model::HolderClass::kFirm, f}; }

std::vector<Edge> edges_of(const model::Scenario& s, const std::vector<double>& opening_equity) {
  const auto equity_of = [&](model::FirmId f) { return std::max(0.0, opening_equity.at(f.index())); };
  std::vector<Edge> out;
  for (const model::ComputeCommitment& c : s.contracts) {
    const int months = c.end - c.start + 1;
    out.push_back({c.id, "compute_commitment", firm(c.buyer), firm(c.seller),
                   core::rent_for_month(c.volume, c.price_usd_per_h100e_hour).value() * months});
  }
  for (const model::DebtContract& d : s.debts) {
    out.push_back({d.id, debt_type_name(d.kind), d.lender, firm(d.borrower), d.principal_usd_bn});
  }
  for (const model::Lease& l : s.leases) {
    out.push_back({l.id, "lease", firm(l.lessee), firm(l.lessor),
                   l.rent_usd_bn_per_year * l.term_months * (1 + l.renewals) / 12.0});
  }
  for (const model::EquityInvestment& e : s.equity_investments) {
    out.push_back({e.id, "equity_investment", e.investor, firm(e.investee), std::max(e.usd_bn, e.max_usd_bn)});
  }
  for (const model::EquityStake& st : s.stakes) {
    out.push_back({st.id, "equity_stake", st.holder, firm(st.issuer), st.share * equity_of(st.issuer)});
  }
  for (const model::Warrant& w : s.warrants) {
    out.push_back({w.id, "warrant", w.holder, firm(w.issuer), w.share * equity_of(w.issuer)});
  }
  for (const model::PowerPurchase& p : s.ppas) {
    // GW × 1000 MW × hours × USD per MWh, in USD bn.
    const int months = p.end - p.start + 1;
    out.push_back({p.id, "ppa", firm(p.buyer), firm(p.seller),
                   p.gw * 1000.0 * core::kHoursPerMonth * p.price_usd_per_mwh / 1e9 * months});
  }
  return out;
}

/// Strongly connected components of a directed graph given by sorted adjacency lists
/// (Kosaraju, iterative): component[v] for each vertex.
std::vector<std::size_t> components(const std::vector<std::vector<std::size_t>>& adj) {
  const std::size_t n = adj.size();
  std::vector<std::vector<std::size_t>> reverse(n);
  for (std::size_t v = 0; v < n; ++v) {
    for (const std::size_t w : adj[v]) reverse[w].push_back(v);
  }
  // Vertices in order of finishing a depth-first search.
  std::vector<std::size_t> finished;
  std::vector<bool> seen(n, false);
  for (std::size_t root = 0; root < n; ++root) {
    if (seen[root]) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};  // vertex, next neighbour
    seen[root] = true;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next < adj[v].size()) {
        const std::size_t w = adj[v][next++];
        if (!seen[w]) {
          seen[w] = true;
          stack.emplace_back(w, 0);
        }
      } else {
        finished.push_back(v);
        stack.pop_back();
      }
    }
  }
  constexpr std::size_t kUnset = static_cast<std::size_t>(-1);
  std::vector<std::size_t> component(n, kUnset);
  std::size_t count = 0;
  for (std::size_t k = n; k-- > 0;) {
    const std::size_t root = finished[k];
    if (component[root] != kUnset) continue;
    std::vector<std::size_t> stack{root};
    component[root] = count;
    while (!stack.empty()) {
      const std::size_t v = stack.back();
      stack.pop_back();
      for (const std::size_t w : reverse[v]) {
        if (component[w] == kUnset) {
          component[w] = count;
          stack.push_back(w);
        }
      }
    }
    ++count;
  }
  return component;
}

/// Elementary cycles, shortest first, then in lexicographic order of their vertex indices,
/// each starting at its lowest vertex; at most `limit`. The search gives up after a fixed
/// number of steps (dense graphs have exponentially many cycles), listing what it found.
std::vector<std::vector<std::size_t>> shortest_cycles(const std::vector<std::vector<std::size_t>>& adj,
                                                      const std::vector<std::size_t>& component,
                                                      const std::vector<bool>& in_loop, std::size_t limit) {
  const std::size_t n = adj.size();
  std::vector<std::vector<std::size_t>> cycles;
  long budget = 2'000'000;
  std::vector<std::size_t> path;
  std::vector<bool> on_path(n, false);
  // Paths from path.front() of exactly `length` vertices that close back to it.
  const auto search = [&](auto&& self, std::size_t length) -> void {
    if (cycles.size() >= limit || --budget < 0) return;
    const std::size_t start = path.front();
    const std::size_t v = path.back();
    if (path.size() == length) {
      if (std::binary_search(adj[v].begin(), adj[v].end(), start)) cycles.push_back(path);
      return;
    }
    for (const std::size_t w : adj[v]) {
      if (w <= start || on_path[w] || component[w] != component[start]) continue;
      path.push_back(w);
      on_path[w] = true;
      self(self, length);
      on_path[w] = false;
      path.pop_back();
      if (cycles.size() >= limit || budget < 0) return;
    }
  };
  for (std::size_t length = 2; length <= n && cycles.size() < limit && budget >= 0; ++length) {
    for (std::size_t start = 0; start < n && cycles.size() < limit && budget >= 0; ++start) {
      if (!in_loop[start]) continue;
      path = {start};
      on_path[start] = true;
      search(search, length);
      on_path[start] = false;
    }
  }
  return cycles;
}

}  // namespace

json network_json(const model::Scenario& scenario, const sim::PathResult& path) {
  const std::size_t n = scenario.firms.size();
  std::vector<std::optional<core::Month>> default_month(n);
  for (const model::FirmMonth& r : path.firms) {
    if (r.status == model::FirmStatus::kDefaulted && r.firm < n && !default_month[r.firm]) default_month[r.firm] = r.month;
  }
  const std::vector<Edge> edges = edges_of(scenario, sim::initial_world(scenario).fin.equity_value);

  // Node ids: firms by id; investor classes by name, unless a firm has taken the name.
  const auto class_id = [&](model::HolderClass c) {
    std::string name(model::holder_class_name(c));
    const bool taken = std::any_of(scenario.firms.begin(), scenario.firms.end(),
                                   [&](const model::Firm& f) { return f.id == name; });
    return taken ? "investors:" + name : name;
  };
  const auto node_id = [&](const model::Holder& h) {
    return h.is_firm() ? scenario.firms.at(h.firm.index()).id : class_id(h.cls);
  };

  json nodes = json::array();
  for (std::size_t f = 0; f < n; ++f) {
    const model::Firm& firm = scenario.firms[f];
    nodes.push_back({{"id", firm.id},
                     {"name", firm.name},
                     {"type", std::string(firm_type_name(firm.type))},
                     {"defaulted", default_month[f].has_value()},
                     {"default_month", default_month[f] ? json(default_month[f]->str()) : json(nullptr)}});
  }
  std::vector<bool> class_used(model::kHolderClassCount, false);
  for (const Edge& e : edges) {
    for (const model::Holder& h : {e.from, e.to}) {
      if (!h.is_firm()) class_used[static_cast<std::size_t>(h.cls)] = true;
    }
  }
  for (std::size_t c = 0; c < model::kHolderClassCount; ++c) {
    if (!class_used[c]) continue;
    const auto cls = static_cast<model::HolderClass>(c);
    nodes.push_back({{"id", class_id(cls)},
                     {"name", class_display_name(cls)},
                     {"type", "investor-class"},
                     {"defaulted", false},
                     {"default_month", nullptr}});
  }

  // The firm-to-firm money graph: contracts worth something between two firms.
  std::vector<std::vector<std::size_t>> adj(n);
  for (const Edge& e : edges) {
    if (e.from.is_firm() && e.to.is_firm() && e.usd_bn > 0.0) adj[e.from.firm.index()].push_back(e.to.firm.index());
  }
  for (auto& list : adj) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  const std::vector<std::size_t> component = components(adj);
  std::vector<std::size_t> component_size(n, 0);
  for (std::size_t f = 0; f < n; ++f) ++component_size[component[f]];
  std::vector<bool> in_loop(n, false);
  for (std::size_t f = 0; f < n; ++f) in_loop[f] = component_size[component[f]] >= 2;

  json edge_list = json::array();
  for (const Edge& e : edges) {
    const bool circular = e.from.is_firm() && e.to.is_firm() && e.usd_bn > 0.0 && in_loop[e.from.firm.index()] &&
                          component[e.from.firm.index()] == component[e.to.firm.index()];
    edge_list.push_back({{"id", e.id},
                         {"type", e.type},
                         {"from", node_id(e.from)},
                         {"to", node_id(e.to)},
                         {"usd_bn", e.usd_bn},
                         {"circular", circular}});
  }
  json loops = json::array();
  for (const std::vector<std::size_t>& cycle : shortest_cycles(adj, component, in_loop, kNetworkLoopLimit)) {
    json ids = json::array();
    for (const std::size_t f : cycle) ids.push_back(scenario.firms[f].id);
    loops.push_back(std::move(ids));
  }
  return {{"nodes", std::move(nodes)}, {"edges", std::move(edge_list)}, {"loops", std::move(loops)}};
}

}  // namespace bsim::io
