#pragma once
/// The financing network of a path as JSON (`network.json`, the report's network chart and the
/// server's): firms and outside investor classes as nodes, each contract as an edge, the edges
/// that lie on a circular loop flagged, and the loops themselves.
///
/// An edge points the way the money goes under the contract's main leg: from the party that
/// pays, lends or invests to the party that receives the money (and owes the service, the debt
/// or the shares). So `nvidia → openai` for Nvidia's equity investment in OpenAI, `openai →
/// oracle` for OpenAI's compute commitment with Oracle, `private-credit → coreweave` for a loan.
/// An edge is circular when both its ends lie in one strongly connected component (of two or
/// more firms) of the firm-to-firm graph of these edges: money a firm pays out under one
/// contract can come back to it under others. Investor classes (`banks`, `venture`, …) only pay
/// in, so they never close a loop. docs/outputs.md gives the size measure of each contract type.
///
///   const sim::PathResult path = sim::run_path(scenario, 0, 1);
///   nlohmann::json net = io::network_json(scenario, path);
///   net["loops"];  // e.g. [["openai", "microsoft"], ["anthropic", "microsoft"]]

#include <cstddef>

#include <nlohmann/json.hpp>

#include "model/scenario.h"
#include "sim/run_path.h"

namespace bsim::io {

/// The most loops network_json lists (the shortest first); edges are flagged circular whatever
/// the count.
inline constexpr std::size_t kNetworkLoopLimit = 20;

/// The financing network of a path: firms as nodes (defaulters marked), contracts as edges
/// (circular ones flagged), and the circular loops.
///
/// `{"nodes": [{"id", "name", "type", "defaulted", "default_month"}], "edges": [{"id", "type",
/// "from", "to", "usd_bn", "circular"}], "loops": [[firm id, …]]}`: nodes are the firms in
/// scenario order, then the investor classes that are a party to some contract (type
/// `"investor-class"`); `default_month` is the first month `path.firms` shows the firm
/// defaulted ("YYYY-MM"), null when it never does or when `path.firms` is empty (a path run
/// without firm rows, or the scenario alone). Edges come grouped by contract type in the order
/// compute commitments, debt, leases, equity investments, equity stakes, warrants, PPAs, each
/// in scenario order; securitisations are not edges (their tranches are). A loop [a, b, c] is
/// the cycle a → b → c → a; loops are elementary, listed shortest first, then in scenario order
/// of their firms, each starting at its firm that comes first in the scenario, at most
/// kNetworkLoopLimit of them.
nlohmann::json network_json(const model::Scenario& scenario, const sim::PathResult& path);

}  // namespace bsim::io
