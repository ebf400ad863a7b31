// Lab competition (DESIGN §1.5): shares of inference follow cumulative training compute.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "behaviour/competition.h"
#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::behaviour {
namespace {

TEST(LabCompetition, TargetSharesFollowQualityGainsAndConserveTheCompetitorsTotal) {
  // Two competing labs (0.3 and 0.1) whose quality grew ×2 and ×4, and a third that does not
  // compete. κ = 1: weights 0.3 · 2 = 0.6 and 0.1 · 4 = 0.4 share the current total 0.4.
  const std::vector<double> shares = {0.3, 0.1, 0.05};
  const std::vector<double> quality = {2.0, 4.0, 1.0};
  const std::vector<double> initial_quality = {1.0, 1.0, 1.0};
  const std::vector<bool> competing = {true, true, false};
  const std::vector<double> target = target_shares(1.0, shares, shares, quality, initial_quality, competing);
  EXPECT_NEAR(target[0], 0.24, 1e-15);
  EXPECT_NEAR(target[1], 0.16, 1e-15);
  EXPECT_EQ(target[2], 0.05);
  // κ = 2 sharpens it: 0.3 · 4 = 1.2 against 0.1 · 16 = 1.6.
  const std::vector<double> sharper = target_shares(2.0, shares, shares, quality, initial_quality, competing);
  EXPECT_NEAR(sharper[0], 0.4 * 1.2 / 2.8, 1e-15);
  EXPECT_NEAR(sharper[0] + sharper[1], 0.4, 1e-15);
  // κ = 0 changes nothing, exactly.
  EXPECT_EQ(target_shares(0.0, shares, shares, quality, initial_quality, competing), shares);
}

struct LabRun {
  model::Scenario scenario;
  sim::PathResult result;
};

/// `default` without random jumps, Anthropic's training budget cut to USD 2bn a year from 2027.
LabRun run_with_anthropic_cut(const std::string& kappa, std::vector<std::string> sets = {}) {
  sets.insert(sets.end(), {"technology.efficiency.jump_rate_per_year=0", "competition.kappa=" + kappa,
                           "firm.anthropic.training_budget_usd_bn_per_year.2027=2",
                           "firm.anthropic.training_budget_usd_bn_per_year.2028=2",
                           "firm.anthropic.training_budget_growth_after_per_year=1"});
  LabRun r;
  r.scenario = io::load_scenario("default", sets).scenario;
  r.result = sim::run_path(r.scenario, 0, 1);
  return r;
}

std::size_t firm_index(const model::Scenario& s, const std::string& id) {
  for (std::size_t f = 0; f < s.firms.size(); ++f) {
    if (s.firms[f].id == id) return f;
  }
  ADD_FAILURE() << "no firm " << id;
  return 0;
}

/// A firm's row in a month ("YYYY-MM").
const model::FirmMonth& row(const LabRun& r, const std::string& firm, const std::string& month) {
  const std::size_t f = firm_index(r.scenario, firm);
  for (const model::FirmMonth& m : r.result.firms) {
    if (m.firm == f && m.month.str() == month) return m;
  }
  ADD_FAILURE() << "no row for " << firm << " in " << month;
  return r.result.firms.front();
}

double revenue_over(const LabRun& r, const std::string& firm, int first_year, int last_year) {
  const std::size_t f = firm_index(r.scenario, firm);
  double sum = 0.0;
  for (const model::FirmMonth& m : r.result.firms) {
    if (m.firm == f && m.month.year() >= first_year && m.month.year() <= last_year) sum += m.revenue_usd_bn;
  }
  return sum;
}

TEST(LabCompetition, ALabThatCutsTrainingLosesShareAndRevenueToTheOthers) {
  const LabRun frozen = run_with_anthropic_cut("0");
  const LabRun competing = run_with_anthropic_cut("1", {"competition.adjustment_months=6"});
  const std::vector<std::string> labs = {"openai", "anthropic", "xai"};
  for (const std::string& lab : labs) {
    ASSERT_EQ(row(competing, lab, "2030-12").status, model::FirmStatus::kActive) << lab;
  }
  // Shares: Anthropic falls below its share in the scenario file, the others gain what it
  // loses, month by month (their total stays the file's sum of the three shares).
  const auto& firms_in_file = competing.scenario.firms;
  const double anthropic_start = firms_in_file[firm_index(competing.scenario, "anthropic")].inference_share;
  double labs_total = 0.0;
  for (const std::string& lab : labs) labs_total += firms_in_file[firm_index(competing.scenario, lab)].inference_share;
  EXPECT_EQ(row(competing, "anthropic", "2026-01").inference_share, anthropic_start);
  EXPECT_LT(row(competing, "anthropic", "2030-12").inference_share, 0.9 * anthropic_start);
  EXPECT_GT(row(competing, "openai", "2030-12").inference_share + row(competing, "xai", "2030-12").inference_share,
            labs_total - 0.9 * anthropic_start);
  const std::size_t months = static_cast<std::size_t>(competing.scenario.time.months());
  const std::size_t firms = competing.scenario.firms.size();
  for (std::size_t t = 0; t < months && competing.result.firms[t * firms].month.year() <= 2030; ++t) {
    double total = 0.0;
    for (const std::string& lab : labs) {
      total += competing.result.firms[t * firms + firm_index(competing.scenario, lab)].inference_share;
    }
    EXPECT_NEAR(total, labs_total, 1e-12) << competing.result.firms[t * firms].month.str();
  }
  // Revenue follows: less for Anthropic than with frozen shares, more for its rivals.
  EXPECT_LT(revenue_over(competing, "anthropic", 2028, 2030), revenue_over(frozen, "anthropic", 2028, 2030));
  EXPECT_GT(revenue_over(competing, "openai", 2028, 2030) + revenue_over(competing, "xai", 2028, 2030),
            revenue_over(frozen, "openai", 2028, 2030) + revenue_over(frozen, "xai", 2028, 2030));
}

TEST(LabCompetition, KappaZeroFreezesSharesExactly) {
  // With κ = 0 the other competition keys are inert: the whole path equals the default's.
  const LabRun frozen =
      run_with_anthropic_cut("0", {"competition.adjustment_months=1", "competition.initial_stock_months=3"});
  const LabRun plain = run_with_anthropic_cut("0");
  for (const model::FirmMonth& m : frozen.result.firms) {
    const double expected =
        m.status == model::FirmStatus::kDefaulted ? 0.0 : frozen.scenario.firms[m.firm].inference_share;
    EXPECT_EQ(m.inference_share, expected) << frozen.scenario.firms[m.firm].id << " " << m.month.str();
  }
  ASSERT_EQ(frozen.result.months.size(), plain.result.months.size());
  for (std::size_t t = 0; t < frozen.result.months.size(); ++t) {
    for (const model::Column& c : model::kColumns) {
      EXPECT_EQ(frozen.result.months[t].*c.field, plain.result.months[t].*c.field) << c.name << " month " << t;
    }
  }
  for (std::size_t i = 0; i < frozen.result.firms.size(); ++i) {
    EXPECT_EQ(frozen.result.firms[i].revenue_usd_bn, plain.result.firms[i].revenue_usd_bn);
    EXPECT_EQ(frozen.result.firms[i].cash_usd_bn, plain.result.firms[i].cash_usd_bn);
  }
}

TEST(LabCompetition, QualityStartsWithTheInitialStockAndGrowsByTrainingCompute) {
  const model::Scenario s = io::load_scenario("default", {"competition.initial_stock_months=6"}).scenario;
  const model::World w = sim::initial_world(s);
  const std::size_t openai = firm_index(s, "openai");
  // OpenAI's 2026 budget, USD 25bn a year, at the initial spot price for 6 months.
  const double stock = 6.0 * 25.0 / 12.0 * 1e9 / (s.market.initial_spot_price * 730.0);
  EXPECT_NEAR(w.competition.initial_quality_h100e_months[openai], stock, 1e-6 * stock);
  sim::PathRunner runner(s, 0, 1);
  model::NullEventSink sink;
  runner.step(sink);
  const model::World& after = runner.world();
  const double bought = after.demand_curve.training_budget_by_firm_usd_bn[openai] * 1e9 / (after.spot_price * 730.0);
  const double served =
      std::min(1.0, after.served.value() / (after.inference_demand.value() + after.training_demand.value()));
  EXPECT_NEAR(after.competition.quality_h100e_months[openai], stock + bought * served, 1e-9 * stock);
}

}  // namespace
}  // namespace bsim::behaviour
