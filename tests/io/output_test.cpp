// firms.csv and events.csv: their exact headers, one row per firm per month and per event, the
// firm rows agreeing with the ledger of the same path run month by month, receipts counted
// gross, and CSV quoting of text fields; `run --out` folders replaced as a whole under a lock.
// Runs from the repository root.
#include "io/output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/summary.h"
#include "core/diagnostics.h"
#include "io/output_folder.h"
#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::io {
namespace {

constexpr const char* kFirmsHeader =
    "month,firm,name,type,cash_usd_bn,debt_usd_bn,equity_usd_bn,revenue_usd_bn,status,installed_h100e,"
    "operable_h100e,capex_usd_bn,compute_revenue_usd_bn,debtrank,equity_issued_usd_bn,accelerators_book_usd_bn,"
    "accelerators_value_usd_bn,equity_economic_usd_bn,compute_gw,circular_revenue_share,inference_share,"
    "training_compute_h100e_months,training_budget_usd_bn,equity_value_usd_bn";
constexpr const char* kEventsHeader = "month,kind,firm,amount,counterparty,cause";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// Splits a CSV line without quoted fields (the built-in scenarios need none).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out(1);
  for (const char c : line) {
    if (c == ',') out.emplace_back();
    else out.back() += c;
  }
  return out;
}

double parse(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

/// sudden-100x has a scripted shock, so its events.csv is not empty.
struct SuddenRun {
  model::Scenario s = load_scenario("sudden-100x").scenario;
  sim::PathResult r = sim::run_path(s, 0, 7);
};

const SuddenRun& sudden() {
  static const SuddenRun run;
  return run;
}

TEST(FirmsCsv, ExactHeaderAndOneRowPerFirmPerMonthInOrder) {
  const SuddenRun& run = sudden();
  const std::size_t n = run.s.firms.size();
  ASSERT_GT(n, 0u);
  ASSERT_EQ(run.r.firms.size(), run.r.months.size() * n);
  const auto rows = lines(firms_csv(run.s, run.r.firms));
  ASSERT_EQ(rows.size(), 1 + run.r.months.size() * n);
  EXPECT_EQ(rows.front(), kFirmsHeader);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto f = fields(rows[i]);
    // 24 = the names of kFirmsHeader above, 10 + 6 + 5 + 3 by its lines (the last added is
    // equity_value_usd_bn).
    ASSERT_EQ(f.size(), 24u) << rows[i];
    const std::size_t month = (i - 1) / n;
    const model::Firm& firm = run.s.firms[(i - 1) % n];
    EXPECT_EQ(f[0], run.r.months[month].month.str()) << rows[i];
    EXPECT_EQ(f[1], firm.id) << rows[i];
    EXPECT_EQ(f[2], firm.name) << rows[i];
    EXPECT_EQ(f[8], model::firm_status_name(run.r.firms[i - 1].status)) << rows[i];
    EXPECT_TRUE(f[8] == "active" || f[8] == "defaulted") << rows[i];
    // A defaulted lab serves no one (OpenAI defaults in this run).
    if (f[8] == "defaulted") {
      EXPECT_EQ(f[20], "0") << rows[i];
    }
  }
}

TEST(FirmsCsv, EveryMonthAgreesWithTheLedgerOfTheSamePath) {
  // Step the same path month by month and compare each month's rows, read back from the text
  // (shortest round-trip output parses to the same double), with that month's books.
  const SuddenRun& run = sudden();
  const std::size_t n = run.s.firms.size();
  const auto rows = lines(firms_csv(run.s, run.r.firms));
  ASSERT_EQ(rows.size(), 1 + run.r.months.size() * n);
  sim::PathRunner runner(run.s, 0, 7);
  model::NullEventSink sink;
  std::size_t line = 1;
  while (!runner.done()) {
    runner.step(sink);
    const model::Ledger& ledger = runner.world().ledger;
    for (std::size_t f = 0; f < n; ++f, ++line) {
      const auto row = fields(rows[line]);
      ASSERT_EQ(row[0], runner.world().month.str());
      ASSERT_EQ(row[1], run.s.firms[f].id);
      const model::BalanceSheet& b = ledger.sheet(f);
      const double cash = parse(row[4]);
      const double debt = parse(row[5]);
      const double equity = parse(row[6]);
      ASSERT_EQ(cash, b.assets[static_cast<std::size_t>(model::Asset::kDeposits)]) << rows[line];
      ASSERT_EQ(debt, b.liabilities[static_cast<std::size_t>(model::Liability::kDebt)]) << rows[line];
      // equity = cash + other assets − debt − other liabilities, summed here, not via net_worth().
      double other_assets = 0.0;
      for (std::size_t a = 0; a < model::kAssetCount; ++a) {
        if (a != static_cast<std::size_t>(model::Asset::kDeposits)) other_assets += b.assets[a];
      }
      double other_liabilities = 0.0;
      for (std::size_t l = 0; l < model::kLiabilityCount; ++l) {
        // Shareholders' equity: everything but debt and the shares themselves.
        if (l != static_cast<std::size_t>(model::Liability::kDebt) &&
            l != static_cast<std::size_t>(model::Liability::kIssuedEquity)) {
          other_liabilities += b.liabilities[l];
        }
      }
      ASSERT_NEAR(equity, cash + other_assets - debt - other_liabilities, 1e-9 * (1.0 + std::fabs(equity)))
          << rows[line];
      ASSERT_EQ(parse(row[7]), ledger.receipts(model::Flow::kServiceRevenue, f) +
                                   ledger.receipts(model::Flow::kComputeRent, f) +
                                   ledger.receipts(model::Flow::kTakeOrPay, f))
          << rows[line];
      ASSERT_EQ(parse(row[23]), runner.world().valuation.firm_value_usd_bn[f]) << rows[line];
    }
  }
  EXPECT_EQ(line, rows.size());
}

TEST(FirmsCsv, OwnersAddUpToTheTimeSeriesAndOthersAreZero) {
  const SuddenRun& run = sudden();
  const std::size_t n = run.s.firms.size();
  for (std::size_t m = 0; m < run.r.months.size(); ++m) {
    double installed = 0.0, operable = 0.0, compute_revenue = 0.0;
    for (std::size_t f = 0; f < n; ++f) {
      const model::FirmMonth& row = run.r.firms[m * n + f];
      ASSERT_EQ(row.firm, f);
      ASSERT_EQ(row.month.str(), run.r.months[m].month.str());
      installed += row.installed_h100e;
      operable += row.operable_h100e;
      compute_revenue += row.compute_revenue_usd_bn;
      if (!run.s.firms[f].owns_capacity()) {
        EXPECT_EQ(row.installed_h100e, 0.0) << run.s.firms[f].id;
        EXPECT_EQ(row.capex_usd_bn, 0.0) << run.s.firms[f].id;
      }
      EXPECT_GE(row.revenue_usd_bn, 0.0) << run.s.firms[f].id << ' ' << row.month.str();
    }
    const model::MonthRecord& r = run.r.months[m];
    EXPECT_NEAR(installed, r.installed_h100e, 1e-9 * r.installed_h100e) << r.month.str();
    EXPECT_NEAR(operable, r.operable_h100e, 1e-9 * r.operable_h100e) << r.month.str();
    EXPECT_NEAR(compute_revenue, r.compute_revenue_usd_bn, 1e-9 * (1.0 + r.compute_revenue_usd_bn)) << r.month.str();
  }
}

TEST(FirmsCsv, RevenueCountsReceiptsNotNetOfRentPaid) {
  const model::Scenario s = load_scenario("default").scenario;
  model::World w = sim::initial_world(s);
  std::size_t owner = s.firms.size(), lab = s.firms.size(), other = s.firms.size();
  for (std::size_t f = 0; f < s.firms.size(); ++f) {
    if (s.firms[f].owns_capacity() && owner == s.firms.size()) owner = f;
    else if (s.firms[f].owns_capacity() && other == s.firms.size()) other = f;
    if (s.firms[f].type == model::FirmType::kLab && lab == s.firms.size()) lab = f;
  }
  ASSERT_LT(owner, s.firms.size());
  ASSERT_LT(other, s.firms.size());
  ASSERT_LT(lab, s.firms.size());
  w.ledger.begin_month();
  w.ledger.pay(w.ledger.households(), owner, model::Flow::kServiceRevenue, 2.0);
  w.ledger.pay(lab, owner, model::Flow::kComputeRent, 3.0);
  w.ledger.pay(owner, other, model::Flow::kComputeRent, 1.0);
  std::vector<model::FirmMonth> rows;
  sim::record_firms(s, w, rows);
  ASSERT_EQ(rows.size(), s.firms.size());
  EXPECT_DOUBLE_EQ(rows[owner].revenue_usd_bn, 2.0 + 3.0);  // not 4: the rent it paid is not netted
  EXPECT_DOUBLE_EQ(rows[other].revenue_usd_bn, 1.0);
  EXPECT_DOUBLE_EQ(rows[lab].revenue_usd_bn, 0.0);
  EXPECT_DOUBLE_EQ(rows[lab].cash_usd_bn, s.firms[lab].cash.value() - 3.0);
  const double stakes = w.ledger.sheet(lab).assets[static_cast<std::size_t>(model::Asset::kEquityHoldings)];
  EXPECT_DOUBLE_EQ(rows[lab].equity_usd_bn, s.firms[lab].cash.value() - s.firms[lab].debt.value() + stakes - 3.0);
}

TEST(FirmsCsv, NumbersAsInTimeseriesAndNamesWithCommasOrQuotesAreQuoted) {
  model::Scenario s = load_scenario("default").scenario;
  s.firms[0].name = "OpenAI, Inc.";
  s.firms[1].name = "The \"A\" lab";
  model::FirmMonth a;
  a.month = s.time.start;
  a.firm = 0;
  a.cash_usd_bn = 0.1 + 0.2;
  a.debt_usd_bn = -0.0;
  a.equity_usd_bn = 1500000;
  model::FirmMonth b = a;
  b.firm = 1;
  const auto rows = lines(firms_csv(s, {a, b}));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], "2026-01," + s.firms[0].id + ",\"OpenAI, Inc.\",lab,0.30000000000000004,0,1500000,0,active,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0");
  EXPECT_NE(rows[2].find(",\"The \"\"A\"\" lab\","), std::string::npos) << rows[2];
  // The same text as timeseries.csv gives the same numbers.
  model::MonthRecord m;
  m.month = s.time.start;
  m.efficiency_index = 0.1 + 0.2;
  EXPECT_EQ(fields(lines(timeseries_csv({m}))[1])[1], "0.30000000000000004");
}

TEST(EventsCsv, ExactHeaderOneRowPerEventAndTheCauseOfEachKind) {
  const SuddenRun& run = sudden();
  ASSERT_FALSE(run.r.events.empty());
  const auto rows = lines(events_csv(run.r.events));
  ASSERT_EQ(rows.size(), 1 + run.r.events.size());
  EXPECT_EQ(rows.front(), kEventsHeader);
  for (std::size_t i = 0; i < run.r.events.size(); ++i) {
    const model::Event& e = run.r.events[i];
    const auto f = fields(rows[i + 1]);
    ASSERT_EQ(f.size(), 6u) << rows[i + 1];
    EXPECT_EQ(f[0], e.month.str());
    EXPECT_EQ(f[1], model::event_kind_name(e.kind));
    EXPECT_EQ(f[2], e.subject);
    EXPECT_EQ(parse(f[3]), e.value);
    EXPECT_EQ(f[4], e.counterparty);
    EXPECT_EQ(f[5], model::event_kind_cause(e.kind));
  }
  EXPECT_NE(std::find(rows.begin(), rows.end(), "2027-06,efficiency_shock,algorithmic-100x,100,,scripted shock"), rows.end());
  for (int k = 0; k <= static_cast<int>(model::EventKind::kLeaseEnded); ++k) {
    const auto kind = static_cast<model::EventKind>(k);
    EXPECT_STRNE(model::event_kind_name(kind), "unknown");
    const std::string cause = model::event_kind_cause(kind);
    EXPECT_FALSE(cause.empty());
    EXPECT_NE(cause, "unknown");
    EXPECT_EQ(cause.find_first_of(",\""), std::string::npos) << cause;
  }
}

TEST(EventsCsv, SubjectsWithCommasOrQuotesAreQuoted) {
  const std::vector<model::Event> events = {
      {core::Month(2027, 3), model::EventKind::kScarcityPricing, "Smith, Jones & Co", 0.25, "a, b"},
      {core::Month(2027, 4), model::EventKind::kEfficiencyShock, "the \"big\" one", -0.0},
      {core::Month(2027, 5), model::EventKind::kEfficiencyJump, "random", 2.5}};
  const auto rows = lines(events_csv(events));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1], "2027-03,scarcity_pricing,\"Smith, Jones & Co\",0.25,\"a, b\",price at the scarcity cap");
  EXPECT_EQ(rows[2], "2027-04,efficiency_shock,\"the \"\"big\"\" one\",0,,scripted shock");
  EXPECT_EQ(rows[3], "2027-05,efficiency_jump,random,2.5,,random breakthrough");
}


namespace fs = std::filesystem;

// This process's scratch folders, removed when the tests end.
const fs::path& scratch_root() {
  static const struct Root {
    fs::path path = fs::temp_directory_path() / ("bsim_output_folder_" + std::to_string(::getpid()));
    ~Root() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } root;
  return root.path;
}

// A fresh folder for one test.
fs::path scratch(const std::string& name) {
  const fs::path dir = scratch_root() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(OutputFolder, ReplacesTheWholeFolderAndNamesWhatWentAway) {
  const fs::path root = scratch("replace");
  const fs::path dir = root / "run";
  {
    OutputFolder out(dir);
    EXPECT_TRUE(out.replace_with({{"summary.json", "one"}, {"timeseries.csv", "1"}}).empty());
  }
  std::ofstream(dir / "report.html") << "drawn from run one";
  fs::create_directory(dir / "svg");
  {
    OutputFolder out(dir);
    EXPECT_EQ(out.replace_with({{"summary.json", "two"}, {"events.csv", "2"}}),
              (std::vector<std::string>{"report.html", "svg", "timeseries.csv"}));
  }
  EXPECT_EQ(names_in(dir), (std::vector<std::string>{"events.csv", "summary.json"}));
  EXPECT_EQ(read(dir / "summary.json"), "two");
  // Beside it only the lock file: no temporary or old folder is left.
  EXPECT_EQ(names_in(root), (std::vector<std::string>{"run", "run.lock"}));
}

TEST(OutputFolder, ASecondWriterIsRefusedWhileTheFirstHoldsTheLock) {
  const fs::path dir = scratch("busy") / "run";
  std::optional<OutputFolder> first(std::in_place, dir);
  try {
    OutputFolder second(dir);
    FAIL() << "a second writer took the lock";
  } catch (const OutputFolderBusy& e) {
    EXPECT_NE(std::string(e.what()).find("is being written by another bubblesim run"), std::string::npos) << e.what();
  }
  first.reset();  // the lock goes with the first writer
  OutputFolder third(dir);
  third.replace_with({{"summary.json", "three"}});
  EXPECT_EQ(read(dir / "summary.json"), "three");
}

TEST(OutputFolder, AFailedWriteLeavesThePreviousFolderAsItWas) {
  const fs::path root = scratch("failed");
  const fs::path dir = root / "run";
  OutputFolder out(dir);
  out.replace_with({{"summary.json", "old"}, {"timeseries.csv", "old"}});
  // The second file cannot be written (not a plain name): nothing of the new set lands.
  EXPECT_ANY_THROW(out.replace_with({{"summary.json", "new"}, {"sub/timeseries.csv", "new"}}));
  EXPECT_EQ(names_in(dir), (std::vector<std::string>{"summary.json", "timeseries.csv"}));
  EXPECT_EQ(read(dir / "summary.json"), "old");
  EXPECT_EQ(names_in(root), (std::vector<std::string>{"run", "run.lock"}));
}

TEST(OutputFolder, RefusesFoldersThatNoRunWroteAndTheCurrentFolder) {
  const fs::path dir = scratch("refuse") / "mine";
  fs::create_directories(dir);
  std::ofstream(dir / "notes.txt") << "keep me";
  EXPECT_THROW(OutputFolder{dir}, core::InputError);
  EXPECT_EQ(read(dir / "notes.txt"), "keep me");
  EXPECT_THROW(OutputFolder{"."}, core::InputError);
  EXPECT_THROW(OutputFolder{fs::current_path().parent_path()}, core::InputError);
  std::ofstream(dir.parent_path() / "file") << "x";
  EXPECT_THROW(OutputFolder{dir.parent_path() / "file"}, core::InputError);
}

TEST(SummaryText, SmallValuesHaveNoExponentAndResidueReadsZero) {
  // sudden-100x's service price falls to about 4e-5 USD a unit: the key-figure table prints it
  // in full (0.0000433), as the reports do, never as 4.33e-05.
  const LoadedScenario s = load_scenario("sudden-100x");
  const sim::PathResult r = sim::run_path(s.scenario, 0, 1);
  const std::string text = summary_text(s, r, analysis::summarise(r, s.scenario));
  const std::size_t row = text.find("service_price_usd_per_unit");
  ASSERT_NE(row, std::string::npos);
  const std::string line = text.substr(row, text.find('\n', row) - row);
  EXPECT_NE(line.find(" 0.0000"), std::string::npos) << line;
  for (const char* exponent : {"e-0", "e-1", "e+"}) EXPECT_EQ(text.find(exponent), std::string::npos) << exponent << "\n" << text;
}

}  // namespace
}  // namespace bsim::io
