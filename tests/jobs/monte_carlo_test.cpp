// Monte Carlo runs (DESIGN §1.11): same seed, same bytes on any thread count; an interrupted
// run resumed from its database ends where an uninterrupted one does; a bust probability with
// a known answer lies in the reported interval; failed draws are kept apart.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/stats.h"
#include "io/results_db.h"
#include "io/scenario_loader.h"
#include "jobs/mc_report.h"
#include "jobs/monte_carlo.h"

namespace bsim::jobs {
namespace {

// A short horizon keeps the sanitizer build fast; the random jumps stay on so paths differ.
io::LoadedScenario short_default(std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), {"time.end=2029-06", "technology.efficiency.jump_rate_per_year=1.5"});
  return io::load_scenario("default", sets);
}

std::string temp_db(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() / ("bsim_mc_" + name + "_" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(path);
  return path.string();
}

McRun run(const io::LoadedScenario& s, std::uint64_t paths, int threads, const std::string& db = "") {
  McOptions o;
  o.paths = paths;
  o.seed = 7;
  o.threads = threads;
  o.db_path = db;
  o.checkpoint_seconds = 0.05;
  return run_monte_carlo(s, o);
}

TEST(MonteCarlo, SameSeedSameBytesOnOneTwoAndThreeThreads) {
  const io::LoadedScenario s = short_default();
  const McRun one = run(s, 24, 1);
  const McRun two = run(s, 24, 2);
  const McRun three = run(s, 24, 3);
  EXPECT_EQ(one.aggregate.paths(), 24u);
  EXPECT_EQ(one.aggregate.serialize(), two.aggregate.serialize());
  EXPECT_EQ(one.aggregate.serialize(), three.aggregate.serialize());
  EXPECT_EQ(mc_summary_json(one).dump(), mc_summary_json(three).dump());
  // The paths differ from one another (the jumps are random), so the fan has width.
  const std::size_t price = analysis::McAggregate::column_index("spot_price_usd_per_h100e_hour");
  const auto& last = one.aggregate.fan(price, one.aggregate.months() - 1);
  EXPECT_LT(last.quantile(0.05), last.quantile(0.95));
}

TEST(MonteCarlo, AnotherSeedGivesOtherPaths) {
  const io::LoadedScenario s = short_default();
  McOptions o;
  o.paths = 12;
  o.threads = 2;
  o.seed = 7;
  const McRun a = run_monte_carlo(s, o);
  o.seed = 8;
  const McRun b = run_monte_carlo(s, o);
  EXPECT_NE(a.aggregate.serialize(), b.aggregate.serialize());
}

TEST(MonteCarlo, AnInterruptedRunResumedFromItsDatabaseEndsAsAnUninterruptedOne) {
  // The stop comes from the progress report, which the run makes every 100 ms, so the run must
  // last well beyond that. Since the demand recalibration a short `default` path takes about
  // 2 ms, so 30 paths on two threads end before the first report; 400 take about 0.4 s.
  constexpr std::uint64_t kPaths = 400;
  const io::LoadedScenario s = short_default();
  const std::string full_db = temp_db("full");
  const McRun full = run(s, kPaths, 2, full_db);
  EXPECT_FALSE(full.interrupted);

  const std::string db = temp_db("interrupted");
  std::atomic<bool> stop{false};
  McOptions o;
  o.paths = kPaths;
  o.seed = 7;
  o.threads = 2;
  o.db_path = db;
  o.checkpoint_seconds = 0.05;
  o.stop = &stop;
  o.progress = [&stop](const McProgress& p) {
    if (p.done >= 8) stop.store(true);
  };
  const McRun first = run_monte_carlo(s, o);
  ASSERT_TRUE(first.interrupted);
  ASSERT_LT(first.aggregate.paths(), kPaths);
  {
    // The database opens, says it was interrupted, and holds every completed path.
    const io::ResultsDb opened = io::ResultsDb::open_existing(db);
    EXPECT_EQ(opened.status(), io::McStatus::kInterrupted);
    EXPECT_EQ(opened.paths_done(), first.aggregate.paths());
    EXPECT_GE(opened.paths_done(), 8u);
  }
  McOptions r;
  r.threads = 1;
  r.db_path = db;
  r.resume = true;
  const McRun resumed = run_monte_carlo(scenario_of_database(db), r);
  EXPECT_FALSE(resumed.interrupted);
  EXPECT_EQ(resumed.paths_run + first.aggregate.paths(), kPaths);
  EXPECT_EQ(resumed.aggregate.serialize(), full.aggregate.serialize());
  EXPECT_EQ(mc_summary_json(resumed).dump(), mc_summary_json(full).dump());
  EXPECT_EQ(io::ResultsDb::open_existing(db).status(), io::McStatus::kComplete);
  // Path rows and aggregate state are the same as the uninterrupted run's.
  EXPECT_EQ(io::dump_results_db(db), io::dump_results_db(full_db));
  std::filesystem::remove(db);
  std::filesystem::remove(full_db);
}

// A bust iff an uncertain parameter crosses a threshold: with jumps off every path is the same
// path, whose largest AI-equity drawdown D is fixed; the bust threshold drawn uniformly on
// [0.05, 0.95] (the other conditions off) busts the path iff it is ≤ D, so P(bust) is known.
// The horizon runs to 2030-12: since the demand recalibration AI equity value in `default`
// barely falls before 2030 (D ≈ 2% by mid-2029, below the lowest threshold, so P(bust) would be 0
// and the test would not test the interval); by the end of 2030 it has fallen from its peak by
// a share inside the thresholds' range.
TEST(MonteCarlo, AKnownBustProbabilityLiesInTheReportedInterval) {
  const std::string kScenario = "default";
  const std::vector<std::string> fixed = {"technology.efficiency.jump_rate_per_year=0", "verdict.bust_capex_drop=0",
                                          "verdict.bust_writeoffs_usd_bn=0", "time.end=2030-12"};
  // The scenario without its own [uncertain] table (it comes last in default.toml), plus one key.
  std::string text = io::load_scenario(kScenario).text;
  text = text.substr(0, text.find("\n[uncertain]"));
  const std::string without = text;
  text += "\n[uncertain]\n\"verdict.bust_equity_drawdown\" = { dist = \"uniform\", min = 0.05, max = 0.95 }\n";
  const io::LoadedScenario s = io::load_scenario_text(text, "uncertain-threshold.toml", fixed);
  // D from one path.
  const McRun one = run(io::load_scenario_text(without, "no-uncertainty.toml", fixed), 1, 1);
  const double drawdown = one.aggregate.figure(6).max();  // max_equity_drawdown
  ASSERT_EQ(analysis::path_figure_names()[6], "max_equity_drawdown");
  ASSERT_GT(drawdown, 0.1);
  ASSERT_LT(drawdown, 0.9);
  const double p = (drawdown - 0.05) / 0.9;

  const McRun mc = run(s, 300, 2);
  ASSERT_EQ(mc.aggregate.paths(), 300u);
  const analysis::Interval ci = analysis::wilson_interval(mc.aggregate.busts(), mc.aggregate.paths());
  EXPECT_LE(ci.low, p);
  EXPECT_GE(ci.high, p);
  EXPECT_LT(ci.high - ci.low, 0.12);  // about ±5.5 points at n = 300
  const nlohmann::json j = mc_summary_json(mc);
  EXPECT_DOUBLE_EQ(j["bust"]["ci95"][0].get<double>(), ci.low);
  EXPECT_EQ(j["parameters"][0]["key"], "verdict.bust_equity_drawdown");
  // The drivers: a higher threshold busts less, fifth by fifth, and every path is in one fifth.
  ASSERT_EQ(mc.aggregate.driver_parameters(), 1u);
  std::uint64_t paths = 0;
  double previous = 1.0;
  for (std::size_t b = 0; b < analysis::McAggregate::kDriverBins; ++b) {
    const double share = static_cast<double>(mc.aggregate.driver_busts(0, b)) / static_cast<double>(mc.aggregate.driver_paths(0, b));
    EXPECT_LE(share, previous) << "fifth " << b;
    previous = share;
    paths += mc.aggregate.driver_paths(0, b);
  }
  EXPECT_EQ(paths, 300u);
  EXPECT_GT(j["drivers"][0]["swing"].get<double>(), 0.5);
}

// A scenario that extends one with [uncertain] keys and sets one of them fixes it, as --set
// does: gradual-10x's Monte Carlo keeps its ×10 trend.
TEST(MonteCarlo, AValueSetByAVariantOrSetFixesAnInheritedUncertainKey) {
  auto keys = [](const io::LoadedScenario& s) {
    std::vector<std::string> out;
    for (const auto& p : s.uncertain) out.push_back(p.key);
    return out;
  };
  const auto base = keys(io::load_scenario("default"));
  const auto variant = keys(io::load_scenario("gradual-10x"));
  const auto set = keys(io::load_scenario("default", {"build.optimism=0.5"}));
  const std::string trend = "technology.efficiency.trend_per_year";
  EXPECT_NE(std::find(base.begin(), base.end(), trend), base.end());
  EXPECT_EQ(std::find(variant.begin(), variant.end(), trend), variant.end());
  EXPECT_EQ(variant.size() + 1, base.size());
  EXPECT_EQ(std::find(set.begin(), set.end(), "build.optimism"), set.end());
  EXPECT_EQ(set.size() + 1, base.size());
  // The correlation between the two long-run elasticities survives; it goes with either key.
  EXPECT_EQ(io::load_scenario("gradual-10x").correlations.size(), 1u);
  EXPECT_TRUE(io::load_scenario("default", {"segment.consumer.elasticity_long_run=1"}).correlations.empty());
}

}  // namespace
}  // namespace bsim::jobs
