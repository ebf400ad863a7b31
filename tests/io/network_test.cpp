// The contract network of a path (network.json): a hand-made three-firm cycle of contracts is
// flagged circular and listed as a loop while a one-way contract is not; every contract is an
// edge between listed nodes, sized by its terms; defaulters carry the month firms.csv first
// shows them defaulted.
#include "io/network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::io {
namespace {

using nlohmann::json;

// `default` plus three firms whose contracts close a loop alpha → beta → gamma → alpha:
// alpha buys shares of beta, beta lends to gamma (vendor financing), gamma rents a campus from
// alpha. Nvidia also invests in alpha and the banks lend to alpha: money into the loop that
// never comes back to its payer.
constexpr const char* kThreeFirmCycle = R"(
schema_version = 1
extends = "default"
name = "three-firm-cycle"

[[firm]]
id = "alpha"
name = "Alpha"
type = "developer"
cash_usd_bn = 5

[[firm]]
id = "beta"
name = "Beta"
type = "chipmaker"
cash_usd_bn = 5

[[firm]]
id = "gamma"
name = "Gamma"
type = "lab"
cash_usd_bn = 5

[[contract]]
id = "alpha-buys-beta"
type = "equity_investment"
investor = "alpha"
investee = "beta"
start = "2026-03"
usd_bn = 4

[[contract]]
id = "beta-lends-gamma"
type = "vendor_financing"
lender = "beta"
borrower = "gamma"
principal_usd_bn = 3
start = "2026-01"
maturity = "2030-12"

[[contract]]
id = "gamma-rents-alpha"
type = "lease"
lessor = "alpha"
lessee = "gamma"
start = "2026-01"
term_months = 60
rent_usd_bn_per_year = 2

[[contract]]
id = "nvidia-buys-alpha"
type = "equity_investment"
investor = "nvidia"
investee = "alpha"
start = "2026-06"
usd_bn = 1

[[contract]]
id = "banks-lend-alpha"
type = "loan"
borrower = "alpha"
principal_usd_bn = 2
start = "2026-01"
maturity = "2031-12"
)";

const json& edge(const json& net, const std::string& id) {
  for (const json& e : net["edges"]) {
    if (e["id"] == id) return e;
  }
  ADD_FAILURE() << "no edge " << id;
  static const json none;
  return none;
}

const json& node(const json& net, const std::string& id) {
  for (const json& n : net["nodes"]) {
    if (n["id"] == id) return n;
  }
  ADD_FAILURE() << "no node " << id;
  static const json none;
  return none;
}

void expect_edges_join_nodes(const json& net) {
  std::set<std::string> ids;
  for (const json& n : net["nodes"]) EXPECT_TRUE(ids.insert(n["id"].get<std::string>()).second) << n["id"];
  std::set<std::string> edge_ids;
  for (const json& e : net["edges"]) {
    EXPECT_TRUE(edge_ids.insert(e["id"].get<std::string>()).second) << e["id"];
    EXPECT_EQ(ids.count(e["from"].get<std::string>()), 1u) << e["id"] << " from " << e["from"];
    EXPECT_EQ(ids.count(e["to"].get<std::string>()), 1u) << e["id"] << " to " << e["to"];
    EXPECT_NE(e["from"], e["to"]) << e["id"];
  }
}

TEST(ContractNetwork, AThreeFirmCycleIsCircularAndAOneWayContractIsNot) {
  const LoadedScenario loaded = load_scenario_text(kThreeFirmCycle, "three-firm-cycle.toml");
  const json net = network_json(loaded.scenario, sim::PathResult{});
  expect_edges_join_nodes(net);

  // Direction: from the party that pays, lends or invests to the party that receives the money.
  EXPECT_EQ(edge(net, "alpha-buys-beta")["from"], "alpha");
  EXPECT_EQ(edge(net, "alpha-buys-beta")["to"], "beta");
  EXPECT_EQ(edge(net, "beta-lends-gamma")["from"], "beta");
  EXPECT_EQ(edge(net, "beta-lends-gamma")["to"], "gamma");
  EXPECT_EQ(edge(net, "gamma-rents-alpha")["from"], "gamma");
  EXPECT_EQ(edge(net, "gamma-rents-alpha")["to"], "alpha");
  for (const char* id : {"alpha-buys-beta", "beta-lends-gamma", "gamma-rents-alpha"}) {
    EXPECT_EQ(edge(net, id)["circular"], true) << id;
  }
  EXPECT_EQ(edge(net, "nvidia-buys-alpha")["circular"], false);
  EXPECT_EQ(edge(net, "banks-lend-alpha")["circular"], false);
  EXPECT_EQ(edge(net, "banks-lend-alpha")["from"], "banks");
  EXPECT_EQ(node(net, "banks")["type"], "investor-class");

  // Sizes: the investment, the principal, the rent over the term.
  EXPECT_DOUBLE_EQ(edge(net, "alpha-buys-beta")["usd_bn"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(edge(net, "beta-lends-gamma")["usd_bn"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(edge(net, "gamma-rents-alpha")["usd_bn"].get<double>(), 10.0);
  // OpenAI's commitment with Oracle: H100e a month × USD an hour × 730 hours × months.
  for (const model::ComputeCommitment& c : loaded.scenario.contracts) {
    if (c.id != "openai-oracle") continue;
    const double value = c.volume.value() * c.price_usd_per_h100e_hour * 730.0 * (c.end - c.start + 1) / 1e9;
    EXPECT_NEAR(edge(net, "openai-oracle")["usd_bn"].get<double>(), value, 1e-9 * value);
  }

  // The loop, starting at its firm that comes first in the scenario; default's own two-firm
  // loops come before it (shortest first).
  const json loops = net["loops"];
  const json cycle = json::array({"alpha", "beta", "gamma"});
  EXPECT_NE(std::find(loops.begin(), loops.end(), cycle), loops.end()) << loops.dump();
  EXPECT_EQ(loops[0], json::array({"openai", "microsoft"})) << loops.dump();
  for (std::size_t k = 1; k < loops.size(); ++k) EXPECT_LE(loops[k - 1].size(), loops[k].size()) << loops.dump();
  EXPECT_LE(loops.size(), kNetworkLoopLimit);

  // Every contract is an edge; a securitisation is not (its tranches are).
  const model::Scenario& s = loaded.scenario;
  EXPECT_EQ(net["edges"].size(), s.contracts.size() + s.debts.size() + s.leases.size() + s.equity_investments.size() +
                                     s.stakes.size() + s.warrants.size() + s.ppas.size());
  // Without a path, no firm is marked.
  for (const json& n : net["nodes"]) {
    EXPECT_EQ(n["defaulted"], false) << n["id"];
    EXPECT_TRUE(n["default_month"].is_null()) << n["id"];
  }
}

TEST(ContractNetwork, BreakingTheCycleClearsItsFlags) {
  // Without gamma's lease no money comes back to alpha: the three contracts are one-way.
  std::string text = kThreeFirmCycle;
  text.replace(text.find("lessor = \"alpha\""), 16, "lessor = \"meta\"");
  const LoadedScenario loaded = load_scenario_text(text, "no-cycle.toml");
  const json net = network_json(loaded.scenario, sim::PathResult{});
  for (const char* id : {"alpha-buys-beta", "beta-lends-gamma", "gamma-rents-alpha"}) {
    EXPECT_EQ(edge(net, id)["circular"], false) << id;
  }
  for (const json& loop : net["loops"]) EXPECT_EQ(std::count(loop.begin(), loop.end(), "alpha"), 0) << loop.dump();
}

TEST(ContractNetwork, LoopsAreListedShortestFirstUpToTheLimit) {
  // Six firms each investing in every other: 409 elementary cycles, 15 of them of two firms.
  std::string text = "schema_version = 1\nextends = \"default\"\nname = \"clique\"\n";
  const std::vector<std::string> ids = {"f1", "f2", "f3", "f4", "f5", "f6"};
  for (const std::string& id : ids) text += "[[firm]]\nid = \"" + id + "\"\nname = \"" + id + "\"\ntype = \"investor\"\n";
  for (const std::string& a : ids) {
    for (const std::string& b : ids) {
      if (a == b) continue;
      text += "[[contract]]\nid = \"" + a + "-" + b + "\"\ntype = \"equity_investment\"\ninvestor = \"" + a +
              "\"\ninvestee = \"" + b + "\"\nstart = \"2026-01\"\nusd_bn = 1\n";
    }
  }
  const json net = network_json(load_scenario_text(text, "clique.toml").scenario, sim::PathResult{});
  const json loops = net["loops"];
  ASSERT_EQ(loops.size(), kNetworkLoopLimit);
  // default's two two-firm loops, then the clique's 15 pairs, then three-firm loops.
  std::size_t pairs = 0;
  for (const json& loop : loops) pairs += loop.size() == 2 ? 1 : 0;
  EXPECT_EQ(pairs, 17u) << loops.dump();
  EXPECT_EQ(loops[2], json::array({"f1", "f2"})) << loops.dump();
  EXPECT_EQ(loops[17], json::array({"f1", "f2", "f3"})) << loops.dump();
  EXPECT_EQ(loops[18], json::array({"f1", "f2", "f4"})) << loops.dump();
  for (const json& e : net["edges"]) {
    if (std::find(ids.begin(), ids.end(), e["from"].get<std::string>()) != ids.end()) {
      EXPECT_EQ(e["circular"], true) << e["id"];
    }
  }
}

TEST(ContractNetwork, DefaultersCarryTheMonthFirmsCsvShowsThemDefaulted) {
  // sudden-100x, seed 1, with the other clouds forced into default in 2028-06: a defaulter whose
  // month is known beforehand (they do not default on their own in this path; CoreWeave, OpenAI
  // and xAI do, their months checked against the firm rows below); Nvidia never defaults.
  const LoadedScenario loaded = load_scenario("sudden-100x", {"firm.other-clouds.forced_default_month=2028-06"});
  const sim::PathResult path = sim::run_path(loaded.scenario, 0, 1);
  const json net = network_json(loaded.scenario, path);
  expect_edges_join_nodes(net);
  EXPECT_EQ(node(net, "openai")["defaulted"], true);
  EXPECT_EQ(node(net, "other-clouds")["defaulted"], true);
  EXPECT_EQ(node(net, "other-clouds")["default_month"], "2028-06");
  EXPECT_EQ(node(net, "nvidia")["defaulted"], false);
  EXPECT_TRUE(node(net, "nvidia")["default_month"].is_null());

  // Every firm: the first month its row has status "defaulted", or none.
  std::map<std::string, std::string> first_default;
  for (const model::FirmMonth& r : path.firms) {
    if (r.status == model::FirmStatus::kDefaulted) first_default.emplace(loaded.scenario.firms[r.firm].id, r.month.str());
  }
  ASSERT_GE(first_default.size(), 2u);
  for (const model::Firm& f : loaded.scenario.firms) {
    const json& n = node(net, f.id);
    const auto found = first_default.find(f.id);
    EXPECT_EQ(n["defaulted"], found != first_default.end()) << f.id;
    if (found != first_default.end()) {
      EXPECT_EQ(n["default_month"], found->second) << f.id;
    }
  }
  EXPECT_EQ(network_json(loaded.scenario, path).dump(), net.dump());  // the same path, the same bytes
}

}  // namespace
}  // namespace bsim::io
