// New money (docs/model.md §6.4): `firm.<id>.equity_closed_from` closes the market for a firm's
// new shares from a month on, while equity investments it has contracted still pay.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::finance {
namespace {

struct ScenarioRun {
  model::Scenario scenario;
  sim::PathResult path;
};

ScenarioRun run(const std::string& name, std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), "technology.efficiency.jump_rate_per_year=0");
  ScenarioRun r{io::load_scenario(name, sets).scenario, {}};
  r.path = sim::run_path(r.scenario, 0, 1);
  return r;
}

std::size_t index_of(const model::Scenario& s, const std::string& id) {
  for (std::size_t f = 0; f < s.firms.size(); ++f) {
    if (s.firms[f].id == id) return f;
  }
  ADD_FAILURE() << "no firm " << id;
  return 0;
}

/// New shares the firm sold each month (firms.csv equity_issued_usd_bn), by month.
std::map<std::string, double> issued(const ScenarioRun& r, const std::string& firm) {
  std::map<std::string, double> out;
  const std::size_t f = index_of(r.scenario, firm);
  for (const model::FirmMonth& m : r.path.firms) {
    if (m.firm == f) out[m.month.str()] = m.equity_issued_usd_bn;
  }
  return out;
}

TEST(EquityClosed, NoNewSharesFromTheMonthTheMarketCloses) {
  // xAI is equity-financed with little cash and no contracted investments: in `default` it
  // sells new shares every month from 2026-05 to 2028-02.
  const ScenarioRun open = run("default");
  const ScenarioRun closed = run("default", {"firm.xai.equity_closed_from=2027-01"});
  const auto before = issued(open, "xai");
  const auto after = issued(closed, "xai");
  const std::size_t xai = index_of(closed.scenario, "xai");
  double sold_before = 0.0;
  for (const auto& [month, x] : after) {
    if (month < "2027-01") {
      EXPECT_DOUBLE_EQ(x, before.at(month)) << month;  // nothing changes before the closure
      sold_before += x;
    } else {
      EXPECT_EQ(x, 0.0) << month;
    }
  }
  EXPECT_GT(sold_before, 5.0);
  EXPECT_GT(before.at("2027-01"), 0.0);  // open, it would have sold shares that month
  // Without new money it cannot pay its dues: it defaults in the month the market closes.
  for (const model::FirmMonth& m : closed.path.firms) {
    if (m.firm == xai && m.month.str() == "2027-01") {
      EXPECT_EQ(m.status, model::FirmStatus::kDefaulted);
    }
  }
}

TEST(EquityClosed, ContractedEquityInvestmentsStillPay) {
  // In `sudden-100x` OpenAI runs out of cash in 2028-02 and sells new shares to its investors;
  // Nvidia's milestone tranches are a contract. With the market closed from 2027-01, the only
  // shares OpenAI issues from then on are those tranches.
  const ScenarioRun open = run("sudden-100x");
  const ScenarioRun closed = run("sudden-100x", {"firm.openai.equity_closed_from=2027-01"});
  auto tranches = [](const ScenarioRun& r) {
    std::map<std::string, double> out;
    for (const model::Event& e : r.path.events) {
      if (e.kind == model::EventKind::kEquityTranche && e.subject == "openai") out[e.month.str()] += e.value;
    }
    return out;
  };
  const auto open_issued = issued(open, "openai");
  const auto open_tranches = tranches(open);
  double sold_to_the_market = 0.0;  // when open, from 2027-01
  for (const auto& [month, x] : open_issued) {
    const auto t = open_tranches.find(month);
    if (month >= "2027-01") sold_to_the_market += x - (t == open_tranches.end() ? 0.0 : t->second);
  }
  EXPECT_GT(sold_to_the_market, 10.0);

  const auto closed_issued = issued(closed, "openai");
  const auto closed_tranches = tranches(closed);
  double tranches_after = 0.0;
  for (const auto& [month, x] : closed_issued) {
    if (month < "2027-01") continue;
    const auto t = closed_tranches.find(month);
    const double contracted = t == closed_tranches.end() ? 0.0 : t->second;
    EXPECT_DOUBLE_EQ(x, contracted) << month;
    tranches_after += contracted;
  }
  EXPECT_GE(tranches_after, 10.0);  // at least Nvidia's 2027-02 tranche is paid after the closure
}

}  // namespace
}  // namespace bsim::finance
