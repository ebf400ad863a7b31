// Sensitivity analyses (DESIGN §1.11): the tornado ranks a key that decides the bust above one
// that cannot matter and reports its 5th and 95th percentiles; its base is a plain Monte Carlo
// run of the same paths; a grid moves P(bust) the way the threshold says and rejects bad input
// before running; Sobol indices put a dead key at 0; every analysis is the same on 1 and 2
// threads and its rows go through the results database unchanged.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "core/diagnostics.h"
#include "io/results_db.h"
#include "io/scenario_loader.h"
#include "jobs/monte_carlo.h"
#include "jobs/sensitivity.h"

namespace bsim::jobs {
namespace {

// `default` without its own [uncertain] table (the last part of default.toml), so a test sets
// exactly the uncertain keys it means to.
std::string default_without_uncertainty() {
  const std::string text = io::load_scenario("default").text;
  return text.substr(0, text.find("\n[uncertain]"));
}

constexpr const char* kDecisive = "verdict.bust_equity_drawdown";
constexpr const char* kDead = "verdict.post_bust_months";

// The bust rests on the equity drawdown alone. Since the demand recalibration a path without a
// random efficiency jump falls only about 2% below its AI-equity peak by mid-2029, under every
// threshold, so the horizon runs to 2031-12, by when it has fallen about 44%, mid-way through
// the thresholds' range [0.05, 0.95]; a path with a jump falls most of the way (80–100%).
// Jumps at 0.05 a year keep paths differing (one or more in six years with probability
// q = 1 − e^(−0.3) ≈ 0.26) while leaving the threshold decisive: with a = P(threshold ≤ 0.44)
// ≈ 0.43, P(bust) = p = a + (1 − a)·q ≈ 0.58 and the threshold's first-order share of the bust's
// variance is a(1 − a)(1 − q)² / (p(1 − p)) ≈ 0.55. (At the former 0.2 a year it would be ≈ 0.16.)
const std::vector<std::string> kSets = {"time.end=2031-12", "technology.efficiency.jump_rate_per_year=0.05",
                                        "verdict.bust_capex_drop=0", "verdict.bust_writeoffs_usd_bn=0"};

// `default` with two uncertain keys: the post-bust window only changes a post-bust average price
// (not the bust, not the losses); the drawdown threshold decides the bust.
io::LoadedScenario two_key_scenario() {
  std::string text = default_without_uncertainty();
  text += "\n[uncertain]\n";
  text += "\"verdict.post_bust_months\" = { dist = \"normal\", mean = 12, sd = 3, min = 1, max = 120 }\n";
  text += "\"verdict.bust_equity_drawdown\" = { dist = \"uniform\", min = 0.05, max = 0.95 }\n";
  return io::load_scenario_text(text, "two-keys.toml", kSets);
}

SweepOptions options(std::uint64_t paths, int threads) {
  SweepOptions o;
  o.paths = paths;
  o.seed = 11;
  o.threads = threads;
  return o;
}

// Bit-equal values, NaN equal to NaN (a row's value may be NaN).
bool same_value(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

void expect_same_rows(std::vector<io::SensitivityRow> a, std::vector<io::SensitivityRow> b) {
  const auto key = [](const io::SensitivityRow& r) { return std::tie(r.analysis, r.keys, r.setting, r.statistic); };
  const auto by_key = [&](const io::SensitivityRow& x, const io::SensitivityRow& y) { return key(x) < key(y); };
  std::sort(a.begin(), a.end(), by_key);
  std::sort(b.begin(), b.end(), by_key);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(key(a[i]), key(b[i])) << "row " << i;
    EXPECT_TRUE(same_value(a[i].value, b[i].value))
        << a[i].analysis << " " << a[i].keys << " " << a[i].setting << " " << a[i].statistic << ": " << a[i].value
        << " vs " << b[i].value;
  }
}

double row_value(const std::vector<io::SensitivityRow>& rows, const std::string& keys, const std::string& setting,
                 const std::string& statistic) {
  for (const io::SensitivityRow& r : rows) {
    if (r.keys == keys && r.setting == setting && r.statistic == statistic) return r.value;
  }
  ADD_FAILURE() << "no row " << keys << " / " << setting << " / " << statistic;
  return std::nan("");
}

std::string temp_db(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() / ("bsim_sens_" + name + "_" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(path);
  return path.string();
}

// The two-key model's tornado and Sobol indices, each run once per process (CTest runs every
// test in its own process, so each is made only where a test asks for it).
class SensitivityTwoKeys : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kPaths = 8;
  static constexpr std::size_t kBaseRows = 12;
  static const io::LoadedScenario& scenario() {
    static const io::LoadedScenario s = two_key_scenario();
    return s;
  }
  static const Tornado& tornado() {
    static const Tornado t = run_tornado(scenario(), options(kPaths, 2));
    return t;
  }
  static const SobolResult& sobol() {
    static const SobolResult s = run_sobol(scenario(), kBaseRows, options(0, 2));
    return s;
  }
};

TEST_F(SensitivityTwoKeys, TornadoPutsTheDecisiveKeyFirstAndGivesTheDeadKeyNoSwing) {
  const Tornado& t = tornado();
  ASSERT_EQ(t.bars.size(), 2u);
  EXPECT_EQ(t.bars[0].key, kDecisive);
  EXPECT_EQ(t.bars[1].key, kDead);
  // A low threshold is crossed on more paths than a high one.
  EXPECT_GT(t.bars[0].low.busts, t.bars[0].high.busts);
  EXPECT_GT(t.bars[0].swing(), 0.0);
  EXPECT_DOUBLE_EQ(t.bars[0].swing(), t.bars[0].low.bust_probability() - t.bars[0].high.bust_probability());
  // The post-bust window changes neither the bust nor the losses: with the same paths, both its
  // settings are the base exactly.
  EXPECT_EQ(t.bars[1].swing(), 0.0);
  for (const SettingResult* r : {&t.bars[1].low, &t.bars[1].high}) {
    EXPECT_EQ(r->busts, t.base.busts);
    EXPECT_EQ(r->paths, kPaths);
    EXPECT_EQ(r->mean_capital_destroyed_usd_bn, t.base.mean_capital_destroyed_usd_bn);
  }
}

TEST_F(SensitivityTwoKeys, TornadoSettingsAreTheFifthAndNinetyFifthPercentiles) {
  const Tornado& t = tornado();
  ASSERT_EQ(t.bars.size(), 2u);
  // uniform(0.05, 0.95): 0.05 + 0.05 · 0.9 and 0.05 + 0.95 · 0.9.
  EXPECT_NEAR(t.bars[0].low_value, 0.095, 1e-12);
  EXPECT_NEAR(t.bars[0].high_value, 0.905, 1e-12);
  EXPECT_NE(t.bars[0].distribution.find("uniform"), std::string::npos) << t.bars[0].distribution;
  // normal(12, 3) cut at 1 and 120 (which moves the percentiles by ~0.003): 12 ∓ 1.6449 · 3.
  EXPECT_NEAR(t.bars[1].low_value, 12 - 1.644854 * 3, 0.01);
  EXPECT_NEAR(t.bars[1].high_value, 12 + 1.644854 * 3, 0.01);
}

TEST_F(SensitivityTwoKeys, TornadoBaseIsAPlainMonteCarloRunOfTheSamePaths) {
  std::string text = default_without_uncertainty();
  const io::LoadedScenario plain = io::load_scenario_text(text, "plain.toml", kSets);
  ASSERT_TRUE(plain.uncertain.empty());
  McOptions o;
  o.paths = kPaths;
  o.seed = 11;
  o.threads = 2;
  const McRun mc = run_monte_carlo(plain, o);
  EXPECT_EQ(tornado().base.paths, mc.aggregate.paths());
  EXPECT_EQ(tornado().base.busts, mc.aggregate.busts());
  // Paths differ (the jumps are random), so the base is neither all busts nor none: the test
  // would otherwise not tell the settings apart.
  EXPECT_GT(tornado().bars[0].low.busts, 0u);
  EXPECT_LT(tornado().bars[0].high.busts, kPaths);
}

TEST_F(SensitivityTwoKeys, SobolGivesTheDeadKeyZeroAndTheDecisiveKeyAPositiveIndex) {
  const SobolResult& s = sobol();
  ASSERT_EQ(s.keys, (std::vector<std::string>{kDead, kDecisive}));
  EXPECT_EQ(s.base_rows, kBaseRows);
  // Changing the dead key alone leaves every output as it was, so both its estimators sum zeros.
  EXPECT_EQ(s.bust.total[0], 0.0);
  EXPECT_EQ(s.bust.first_order[0], 0.0);
  EXPECT_GT(s.bust.variance, 0.0);
  EXPECT_GT(s.bust.first_order[1], 0.3);
  EXPECT_GT(s.bust.total[1], 0.3);
  EXPECT_GT(s.bust.first_order_ci[1].low, 0.0);
  // Neither key changes the path, only how it is judged: capital destroyed varies from row to
  // row (the paths differ) but not with either key.
  EXPECT_GT(s.capital_destroyed.variance, 0.0);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(s.capital_destroyed.first_order[i], 0.0);
    EXPECT_EQ(s.capital_destroyed.total[i], 0.0);
  }
  EXPECT_GT(s.bust_probability, 0.0);
  EXPECT_LT(s.bust_probability, 1.0);
}

TEST_F(SensitivityTwoKeys, EveryAnalysisIsTheSameOnOneAndTwoThreads) {
  // Small runs: what is checked is that the work split between threads does not reach the result.
  const Tornado t1 = run_tornado(scenario(), options(4, 1));
  const Tornado t2 = run_tornado(scenario(), options(4, 2));
  EXPECT_EQ(tornado_text(t1), tornado_text(t2));
  expect_same_rows(tornado_rows(t1), tornado_rows(t2));
  const SobolResult s1 = run_sobol(scenario(), 4, options(0, 1));
  const SobolResult s2 = run_sobol(scenario(), 4, options(0, 2));
  EXPECT_EQ(sobol_text(s1), sobol_text(s2));
  expect_same_rows(sobol_rows(s1), sobol_rows(s2));
  const std::vector<GridAxis> axes = {{kDecisive, {0.2, 0.6}}};
  const std::vector<GridCell> g1 = run_grid(scenario(), axes, options(3, 1));
  const std::vector<GridCell> g2 = run_grid(scenario(), axes, options(3, 2));
  EXPECT_EQ(grid_text(axes, g1), grid_text(axes, g2));
  expect_same_rows(grid_rows(axes, g1), grid_rows(axes, g2));
}

TEST_F(SensitivityTwoKeys, RowsGoThroughTheResultsDatabaseUnchanged) {
  // Small runs: the rows' shape matters here, not their figures.
  const Tornado t = run_tornado(scenario(), options(2, 2));
  const SobolResult sob = run_sobol(scenario(), 2, options(0, 2));
  const std::vector<GridAxis> axes = {{kDecisive, {0.2, 0.6}}, {kDead, {6, 18}}};
  const std::vector<GridCell> cells = run_grid(scenario(), axes, options(1, 2));
  const std::string path = temp_db("rows");
  io::McRunMeta meta;
  meta.scenario_name = "two-keys.toml";
  meta.scenario_text = scenario().text;
  meta.seed = 11;
  {
    io::ResultsDb db = io::ResultsDb::create(path, meta);
    db.write_sensitivity(tornado_rows(t));
    db.write_sensitivity(grid_rows(axes, cells));
    db.write_sensitivity(sobol_rows(sob));
  }
  std::vector<io::SensitivityRow> all = tornado_rows(t);
  for (const auto& rows : {grid_rows(axes, cells), sobol_rows(sob)}) all.insert(all.end(), rows.begin(), rows.end());
  const std::vector<io::SensitivityRow> back = io::ResultsDb::open_existing(path).read_sensitivity();
  expect_same_rows(back, all);
  // Every statistic a reader looks up by name, for each kind of row.
  const std::string grid_keys = std::string(kDecisive) + "," + kDead;
  for (const char* statistic : {"paths", "failed", "bust_probability", "bust_probability_ci_low", "bust_probability_ci_high",
                                "mean_capital_destroyed_usd_bn", "mean_claims_written_off_usd_bn"}) {
    EXPECT_FALSE(std::isnan(row_value(back, "", "base", statistic))) << statistic;
    EXPECT_FALSE(std::isnan(row_value(back, kDecisive, "high", statistic))) << statistic;
    EXPECT_FALSE(std::isnan(row_value(back, grid_keys, "0.6,18", statistic))) << statistic;
  }
  EXPECT_EQ(row_value(back, "", "base", "paths"), 2.0);
  EXPECT_EQ(row_value(back, kDecisive, "low", "value"), t.bars[0].low_value);
  EXPECT_EQ(row_value(back, kDead, "", "swing"), 0.0);
  for (const char* setting : {"bust", "capital_destroyed_usd_bn"}) {
    for (const char* statistic : {"first_order", "first_order_ci_low", "first_order_ci_high", "total", "total_ci_low", "total_ci_high"}) {
      (void)row_value(back, kDead, setting, statistic);  // present (NaN when the output did not vary)
    }
  }
  EXPECT_EQ(row_value(back, "", "bust", "bust_probability"), sob.bust_probability);
  std::filesystem::remove(path);
}

TEST(SensitivityGrid, BustProbabilityDoesNotRiseAsTheDrawdownThresholdRises) {
  const io::LoadedScenario s = io::load_scenario_text(default_without_uncertainty(), "default-fixed.toml", kSets);
  const std::vector<GridAxis> axes = {parse_grid_axis("verdict.bust_equity_drawdown=0.05,0.15,0.3,0.5,0.9")};
  ASSERT_EQ(axes[0].values.size(), 5u);
  const std::vector<GridCell> cells = run_grid(s, axes, options(6, 2));
  ASSERT_EQ(cells.size(), 5u);
  for (std::size_t c = 0; c < cells.size(); ++c) {
    EXPECT_EQ(cells[c].values, std::vector<double>{axes[0].values[c]});
    EXPECT_EQ(cells[c].result.paths, 6u);
    if (c > 0) {
      EXPECT_LE(cells[c].result.busts, cells[c - 1].result.busts) << "at " << cells[c].values[0];
    }
  }
  // The ends differ, so "does not rise" is not met trivially by a flat line.
  EXPECT_GT(cells.front().result.busts, cells.back().result.busts);
}

TEST(SensitivityGrid, TwoAxesGiveEveryCombinationFirstAxisSlowest) {
  const io::LoadedScenario s = io::load_scenario_text(default_without_uncertainty(), "default-fixed.toml", kSets);
  const std::vector<GridAxis> axes = {parse_grid_axis("verdict.bust_equity_drawdown=0.1,0.9"),
                                      parse_grid_axis("verdict.bust_capex_drop=0,0.3,0.6")};
  const std::vector<GridCell> cells = run_grid(s, axes, options(1, 2));
  ASSERT_EQ(cells.size(), 6u);
  const std::vector<std::vector<double>> expected = {{0.1, 0}, {0.1, 0.3}, {0.1, 0.6}, {0.9, 0}, {0.9, 0.3}, {0.9, 0.6}};
  for (std::size_t c = 0; c < cells.size(); ++c) {
    EXPECT_EQ(cells[c].values, expected[c]);
    EXPECT_EQ(cells[c].result.paths, 1u);
  }
  const std::vector<io::SensitivityRow> rows = grid_rows(axes, cells);
  EXPECT_EQ(rows.front().keys, "verdict.bust_equity_drawdown,verdict.bust_capex_drop");
  // The settings are written as the values were given, shortest round trip.
  EXPECT_EQ(row_value(rows, rows.front().keys, "0.1,0.3", "paths"), 1.0);
  EXPECT_EQ(row_value(rows, rows.front().keys, "0.9,0", "paths"), 1.0);
}

TEST(SensitivityGrid, BadKeysAndValuesThrowInputErrorBeforeAnythingRuns) {
  const io::LoadedScenario s = io::load_scenario_text(default_without_uncertainty(), "default-fixed.toml", kSets);
  int progress_calls = 0;
  SweepOptions o = options(2, 1);
  o.progress = [&](const McProgress&) { ++progress_calls; };
  const auto grid = [&](std::vector<GridAxis> axes) { (void)run_grid(s, axes, o); };
  EXPECT_THROW(grid({{"verdict.no_such_key", {0.1, 0.2}}}), core::InputError);
  EXPECT_THROW(grid({{"verdict.bust_equity_drawdown", {0.1, 1.5}}}), core::InputError);  // above its maximum 1
  EXPECT_THROW(grid({{"verdict.bust_equity_drawdown", {0.5}}, {"verdict.bust_capex_drop", {0.2, -1}}}), core::InputError);
  EXPECT_THROW(grid({{"name", {1}}}), core::InputError);  // not a number
  EXPECT_THROW(grid({}), core::InputError);
  EXPECT_THROW(grid({{"verdict.bust_equity_drawdown", {0.5}}, {"verdict.bust_capex_drop", {0.2}}, {"verdict.post_bust_months", {6}}}),
               core::InputError);
  // The same key on both axes, or one value twice, would give cells that are not what they say.
  EXPECT_THROW(grid({{"verdict.bust_capex_drop", {0.1, 0.2}}, {"verdict.bust_capex_drop", {0.3}}}), core::InputError);
  EXPECT_THROW(grid({{"verdict.bust_capex_drop", {0.1, 0.2, 0.1}}}), core::InputError);
  EXPECT_EQ(progress_calls, 0);
}

TEST(SensitivityGrid, ParsesAxisTextAndNamesWhatIsWrong) {
  const GridAxis a = parse_grid_axis("segment.consumer.markup=1.5,2,2.5e0");
  EXPECT_EQ(a.key, "segment.consumer.markup");
  EXPECT_EQ(a.values, (std::vector<double>{1.5, 2, 2.5}));
  for (const char* bad : {"segment.consumer.markup", "=1,2", "k=", "k=1,,2", "k=1,2,", "k=1,x", "k=nan", "k=inf", "k=1,1"}) {
    try {
      (void)parse_grid_axis(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const core::InputError& e) {
      EXPECT_NE(e.diagnostics().str().find(bad), std::string::npos) << e.diagnostics().str();
    }
  }
}

TEST(SensitivityTornado, WithoutUncertainKeysThrowsInputError) {
  const io::LoadedScenario s = io::load_scenario_text(default_without_uncertainty(), "default-fixed.toml", kSets);
  EXPECT_THROW((void)run_tornado(s, options(2, 1)), core::InputError);
  EXPECT_THROW((void)run_sobol(s, 4, options(0, 1)), core::InputError);
}

TEST(SensitivityTornado, APercentileThatBreaksARuleBetweenKeysIsBadInputBeforeAnythingRuns) {
  // The 95th percentile of the floor, 4.755, is above the ceiling sentiment.max_index = 3: every
  // path of that setting would fail, so the tornado refuses it and says which setting it was.
  std::string text = default_without_uncertainty();
  text += "\n[uncertain]\n\"sentiment.min_index\" = { dist = \"uniform\", min = 0.1, max = 5 }\n";
  const io::LoadedScenario s = io::load_scenario_text(text, "floor.toml", kSets);
  int progress_calls = 0;
  SweepOptions o = options(2, 1);
  o.progress = [&](const McProgress&) { ++progress_calls; };
  try {
    (void)run_tornado(s, o);
    ADD_FAILURE() << "the tornado ran a setting the scenario rejects";
  } catch (const core::InputError& e) {
    const std::string message = e.diagnostics().str();
    EXPECT_NE(message.find("95th percentile"), std::string::npos) << message;
    EXPECT_NE(message.find("floor.toml:"), std::string::npos) << message;  // located at the [uncertain] entry
  }
  EXPECT_EQ(progress_calls, 0);
}

TEST(SensitivityTornado, AStopRequestThrowsSweepInterrupted) {
  const io::LoadedScenario s = two_key_scenario();
  std::atomic<bool> stop{true};
  SweepOptions o = options(4, 1);
  o.stop = &stop;
  EXPECT_THROW((void)run_tornado(s, o), SweepInterrupted);
}

}  // namespace
}  // namespace bsim::jobs
