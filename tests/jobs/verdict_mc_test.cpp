// Monte Carlo verdicts condition by condition (docs/montecarlo.md): the aggregate counts each
// condition's paths on its own beside the overall busts, merges and saves them exactly, and the
// report gives each its probability and 95% interval; persistence can only lower or delay busts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "analysis/mc_aggregate.h"
#include "analysis/stats.h"
#include "io/scenario_loader.h"
#include "jobs/mc_report.h"
#include "jobs/monte_carlo.h"

namespace bsim::jobs {
namespace {

constexpr std::size_t kEquity = static_cast<std::size_t>(analysis::BustCondition::kEquityDrawdown);
constexpr std::size_t kCapex = static_cast<std::size_t>(analysis::BustCondition::kCapexDrop);
constexpr std::size_t kWriteoffs = static_cast<std::size_t>(analysis::BustCondition::kWriteoffs);

// A path's verdict with the given bust month index and conditions' own month indices (−1: none).
analysis::PathVerdict verdict(core::Month start, int bust, int equity, int capex, int writeoffs) {
  analysis::PathVerdict v;
  const int own[] = {equity, capex, writeoffs};
  for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
    if (own[c] >= 0) v.bust.condition_month[c] = start + own[c];
  }
  if (bust >= 0) {
    v.bust.occurred = true;
    v.bust.month = start + bust;
    v.bust.by_equity_drawdown = equity == bust;
    v.bust.by_capex_drop = capex == bust;
    v.bust.by_writeoffs = writeoffs == bust;
  }
  return v;
}

TEST(McAggregateConditions, CountsEachConditionOnItsOwnAndMergesAndSavesThemExactly) {
  const model::Scenario s = io::load_scenario("default", {"time.end=2029-06"}).scenario;
  const std::vector<model::MonthRecord> months(static_cast<std::size_t>(s.time.months()));
  const core::Month t0 = s.time.start;
  // Four paths, by hand:
  //   A busts in month 3 on the drawdown; its write-offs count on their own in month 10.
  //   B never busts.
  //   C busts in month 5 on capex and write-offs together.
  //   D busts in month 7 on write-offs; its drawdown counts in month 9.
  const std::vector<analysis::PathVerdict> paths = {verdict(t0, 3, 3, -1, 10), verdict(t0, -1, -1, -1, -1),
                                                    verdict(t0, 5, -1, 5, 5), verdict(t0, 7, 9, -1, 7)};
  analysis::McAggregate all(s);
  for (const auto& v : paths) all.add(v, months);
  // Overall: A, C, D bust; first to count: drawdown A, capex C, write-offs C and D.
  EXPECT_EQ(all.busts(), 3u);
  EXPECT_EQ(all.busts_by_equity_drawdown(), 1u);
  EXPECT_EQ(all.busts_by_capex_drop(), 1u);
  EXPECT_EQ(all.busts_by_writeoffs(), 2u);
  // Each on its own: drawdown A, D; capex C; write-offs A, C, D.
  EXPECT_EQ(all.condition_busts(kEquity), 2u);
  EXPECT_EQ(all.condition_busts(kCapex), 1u);
  EXPECT_EQ(all.condition_busts(kWriteoffs), 3u);
  EXPECT_EQ(all.condition_bust_months(kWriteoffs)[5], 1u);
  EXPECT_EQ(all.condition_bust_months(kWriteoffs)[7], 1u);
  EXPECT_EQ(all.condition_bust_months(kWriteoffs)[10], 1u);
  EXPECT_EQ(all.condition_bust_months(kEquity)[9], 1u);

  // Merged from two halves, and read back from its saved form: the same bytes.
  analysis::McAggregate first(s);
  analysis::McAggregate second(s);
  first.add(paths[0], months);
  first.add(paths[1], months);
  second.add(paths[2], months);
  second.add(paths[3], months);
  first.merge(second);
  EXPECT_EQ(first.serialize(), all.serialize());
  analysis::McAggregate restored(s);
  restored.deserialize(all.serialize());
  EXPECT_EQ(restored.condition_busts(kWriteoffs), 3u);
  EXPECT_EQ(restored.serialize(), all.serialize());

  // The report: write-offs in 3 of 4 paths, with the Wilson interval of the overall figure's
  // function, and the lower median of their own months {5, 7, 10}: the 2nd, month 7.
  McRun run{.scenario_name = "hand-built", .parameter_keys = {}, .parameter_distributions = {}, .aggregate = all,
            .failed = {}, .rows = {}};
  const nlohmann::json j = mc_summary_json(run);
  const nlohmann::json& w = j["bust"]["conditions"]["writeoffs"];
  EXPECT_EQ(w["busts"], 3);
  EXPECT_DOUBLE_EQ(w["probability"].get<double>(), 0.75);
  const analysis::Interval ci = analysis::wilson_interval(3, 4);
  EXPECT_DOUBLE_EQ(w["ci95"][0].get<double>(), ci.low);
  EXPECT_DOUBLE_EQ(w["ci95"][1].get<double>(), ci.high);
  EXPECT_EQ(w["median_month"], (t0 + 7).str());
  EXPECT_EQ(j["bust"]["conditions"]["capex_drop"]["median_month"], (t0 + 5).str());
  // The first-to-count figures are unchanged beside them.
  EXPECT_EQ(j["bust"]["by_condition"]["writeoffs"], 2);
  EXPECT_EQ(j["bust"]["busts"], 3);
}

// `default` to 2031-12 with a capex condition at 70%: some paths bust and some do not, and
// the conditions differ in how often they count, so the relations below compare real numbers.
// (At the default 40% every path's capex drop counts by 2031.)
io::LoadedScenario short_default(std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), {"time.end=2031-12", "verdict.bust_capex_drop=0.7"});
  return io::load_scenario("default", sets);
}

McRun run(const io::LoadedScenario& s, std::uint64_t paths) {
  McOptions o;
  o.paths = paths;
  o.seed = 11;
  o.threads = 2;
  return run_monte_carlo(s, o);
}

TEST(McVerdicts, EachConditionBoundsTheOverallBustAndLiesInItsInterval) {
  const McRun mc = run(short_default(), 80);
  const analysis::McAggregate& a = mc.aggregate;
  ASSERT_EQ(a.paths(), 80u);
  ASSERT_GT(a.busts(), 0u) << "no bust: the relations below would compare zeros";
  ASSERT_LT(a.busts(), a.paths()) << "every path busts: the relations below would compare totals";
  const std::uint64_t first[] = {a.busts_by_equity_drawdown(), a.busts_by_capex_drop(), a.busts_by_writeoffs()};
  std::uint64_t largest = 0;
  std::uint64_t sum = 0;
  const nlohmann::json j = mc_summary_json(mc);
  for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
    // A condition that counted first in a path counts in it on its own.
    EXPECT_GE(a.condition_busts(c), first[c]) << c;
    largest = std::max(largest, a.condition_busts(c));
    sum += a.condition_busts(c);
    const nlohmann::json& cj = j["bust"]["conditions"][std::string(analysis::bust_condition_name(c))];
    const double p = cj["probability"].get<double>();
    EXPECT_LE(cj["ci95"][0].get<double>(), p);
    EXPECT_GE(cj["ci95"][1].get<double>(), p);
    // The drivers' fifths hold every path once, so their busts of the condition add up to it.
    for (const nlohmann::json& d : j["drivers"]) {
      std::uint64_t in_fifths = 0;
      for (const nlohmann::json& f : d["fifths"]) {
        in_fifths += f["busts_by_condition"][std::string(analysis::bust_condition_name(c))].get<std::uint64_t>();
      }
      EXPECT_EQ(in_fifths, a.condition_busts(c)) << d["key"];
      const nlohmann::json& swing = d["conditions"][std::string(analysis::bust_condition_name(c))];
      EXPECT_NEAR(swing["swing"].get<double>(),
                  std::fabs(swing["bust_probability_high"].get<double>() - swing["bust_probability_low"].get<double>()), 1e-15);
    }
  }
  // A path busts iff some condition counts in it: at least as many as the commonest condition,
  // at most all conditions' paths together.
  EXPECT_GE(a.busts(), largest);
  EXPECT_LE(a.busts(), sum);
  EXPECT_EQ(j["bust"]["persist_months"], 1);
}

TEST(McVerdicts, WithTheOtherConditionsOffOneConditionsOwnCountIsTheBustCount) {
  const McRun mc = run(short_default({"verdict.bust_capex_drop=0", "verdict.bust_writeoffs_usd_bn=0"}), 40);
  const analysis::McAggregate& a = mc.aggregate;
  ASSERT_GT(a.busts(), 0u);
  EXPECT_EQ(a.condition_busts(kEquity), a.busts());
  EXPECT_EQ(a.busts_by_equity_drawdown(), a.busts());
  EXPECT_EQ(a.condition_busts(kCapex), 0u);
  EXPECT_EQ(a.condition_busts(kWriteoffs), 0u);
}

TEST(McVerdicts, PersistenceOnlyLowersOrDelaysBusts) {
  const io::LoadedScenario one = short_default();
  const io::LoadedScenario three = short_default({"verdict.persist_months=3"});
  ASSERT_EQ(three.scenario.verdict.persist_months, 3);
  const McRun mc1 = run(one, 80);
  const McRun mc3 = run(three, 80);
  ASSERT_GT(mc1.aggregate.busts(), 0u);
  ASSERT_LT(mc1.aggregate.busts(), mc1.aggregate.paths());
  EXPECT_LE(mc3.aggregate.busts(), mc1.aggregate.busts());
  for (std::size_t c = 0; c < analysis::kBustConditionCount; ++c) {
    EXPECT_LE(mc3.aggregate.condition_busts(c), mc1.aggregate.condition_busts(c)) << c;
  }
  EXPECT_EQ(mc_summary_json(mc3)["bust"]["persist_months"], 3);
  // Path by path (the verdict does not feed back into the path, so both see the same months):
  // a path that busts with 3 months busts with 1, at least two months earlier.
  for (std::uint64_t id = 0; id < 20; ++id) {
    const analysis::PathVerdict v1 = analysis::evaluate_path(one.scenario, id, 11).verdict;
    const analysis::PathVerdict v3 = analysis::evaluate_path(three.scenario, id, 11).verdict;
    if (!v3.bust.occurred) continue;
    ASSERT_TRUE(v1.bust.occurred) << "path " << id;
    EXPECT_GE(v3.bust.month - v1.bust.month, 2) << "path " << id;
  }
}

}  // namespace
}  // namespace bsim::jobs
