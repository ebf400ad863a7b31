#pragma once
/// One path: the monthly step order of DESIGN §1, run from the scenario's start to its end.
///
///   sim::PathResult r = sim::run_path(scenario, /*path_id=*/0, /*seed=*/42);
///   r.months.back().installed_h100e;
///   r.firms.back().equity_usd_bn;  // the last firm in the last month
///
/// A path is a pure function of (scenario, path id, seed): the Monte Carlo runner and the
/// server call this same function.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.h"
#include "model/events.h"
#include "model/record.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::sim {

/// The random stream numbers of the mechanisms; fixed, so adding a mechanism never shifts
/// another's draws.
enum class Stream : std::uint64_t { kTechnology = 1, kSupply = 2, kDemand = 3, kMarket = 4, kFinance = 5, kBehaviour = 6 };

/// Losses of the path from defaults, USD bn, cumulative: debt written off and equity wiped out,
/// by who held them. Each list is (name, loss), in a fixed order; zero entries are kept for
/// the investor classes and dropped for firms and tranches.
struct HolderLosses {
  std::vector<std::pair<std::string, double>> by_class;    ///< investor classes, then "firms"
  std::vector<std::pair<std::string, double>> by_firm;     ///< firm id (as holder or creditor)
  std::vector<std::pair<std::string, double>> by_tranche;  ///< debt contract id: its tranche's losses
  std::vector<std::pair<std::string, double>> vendor_financing;  ///< firm id: losses on vendor loans it made
};

/// Reads the losses out of a world at the end of a path.
HolderLosses holder_losses(const model::Scenario& scenario, const model::World& world);

/// What is physically left at the end of a path (DESIGN §1.10 legacy ledger): capacity added
/// since the start and still in service, and the accelerators installed.
struct LegacyState {
  double power_gw_added = 0.0;       ///< grid power completed after the start, not retired (owners' and leased campuses')
  double datacenter_gw_added = 0.0;  ///< data-centre shells likewise
  double production_h100e_per_month_added = 0.0;  ///< fab capacity likewise, in start-of-horizon H100e a month
  double replacement_value_usd_bn = 0.0;  ///< what building them again would cost at the scenario's unit costs
  double accelerators_h100e = 0.0;        ///< installed at the end (all vintages)
  double accelerators_book_usd_bn = 0.0;
  double accelerators_value_usd_bn = 0.0;
};

/// Reads the legacy out of a world at the end of a path.
LegacyState legacy_state(const model::Scenario& scenario, const model::World& world);

struct PathResult {
  std::uint64_t path_id = 0;
  std::uint64_t seed = 0;
  std::vector<model::MonthRecord> months;
  std::vector<model::Event> events;
  /// One row per firm per month: month by month, firms in scenario order within a month.
  std::vector<model::FirmMonth> firms;
  HolderLosses losses;
  LegacyState legacy;
};

/// Runs the path, keeping every event and every firm's month.
PathResult run_path(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed);

/// Runs the path, sending events to `events` (e.g. a NullEventSink for Monte Carlo); keeps
/// only the months (no per-firm rows).
std::vector<model::MonthRecord> run_path(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed,
                                         model::EventSink& events);

/// DESIGN §1.9: the absolute floor of the stock-flow tolerance (USD bn). Residuals above
/// stock_flow_tolerance() stop the run.
inline constexpr double kStockFlowTolerance = 1e-6;
/// The stock-flow tolerance relative to the largest stock in the ledger: rounding in sums of
/// doubles grows with their size (about 1e-16 of it per operation), so balance sheets of
/// USD 10^6 bn after a century of growth leave residuals near 1e-6 that are not errors.
/// See docs/decisions/0006-relative-stock-flow-tolerance.md.
inline constexpr double kStockFlowRelativeTolerance = 1e-9;

/// The month's stock-flow tolerance (USD bn): max(1e-6, 1e-9 × the largest stock in the ledger).
/// An infinite or NaN stock leaves the floor, so that it cannot switch the check off.
[[nodiscard]] inline double stock_flow_tolerance(double largest_stock_usd_bn) {
  if (!std::isfinite(largest_stock_usd_bn)) return kStockFlowTolerance;
  return std::max(kStockFlowTolerance, kStockFlowRelativeTolerance * largest_stock_usd_bn);
}

/// Thrown when the stock-flow check fails: names the month, the sector and the entry.
class StockFlowError : public std::runtime_error {
 public:
  /// `tolerance_usd_bn` is the month's tolerance that the residual exceeded.
  StockFlowError(model::StockFlowViolation violation, std::string sector_name, double tolerance_usd_bn);
  [[nodiscard]] const model::StockFlowViolation& violation() const { return violation_; }

 private:
  model::StockFlowViolation violation_;
};

/// A quantity of the world became NaN or infinite: the run stops naming the month, the mechanism
/// that wrote it and the quantity (exit code 1), instead of writing `nan` into the outputs.
class NonFiniteError : public std::runtime_error {
 public:
  NonFiniteError(core::Month month, std::string mechanism, std::string quantity, double value);
  [[nodiscard]] const std::string& mechanism() const { return mechanism_; }
  [[nodiscard]] const std::string& quantity() const { return quantity_; }

 private:
  std::string mechanism_;
  std::string quantity_;
};

/// Checks that what `mechanism` has just written is finite; throws NonFiniteError otherwise.
void check_finite(const model::Scenario& scenario, const model::World& world, const char* mechanism);

/// Checks the month's ledger (rows, columns, net worth) and that the accelerator register
/// agrees with the books; throws StockFlowError on the first violation, else closes the month.
void check_stock_flow(const model::Scenario& scenario, model::World& world);

/// Display name of a ledger sector (a firm, households/rest of world, or banks).
std::string sector_name(const model::Scenario& scenario, const model::World& world, std::size_t sector);

/// The starting world (before the first step).
model::World initial_world(const model::Scenario& scenario);

/// The month's indicators from the world after its step.
model::MonthRecord record_month(const model::Scenario& scenario, const model::World& world);

/// Appends one FirmMonth per firm (in scenario order) from the world after its step: cash,
/// debt and equity from the firm's balance sheet, revenue from the ledger's receipts of
/// service revenue and compute rent, and the owner's capacity, capex and compute revenue.
void record_firms(const model::Scenario& scenario, const model::World& world, std::vector<model::FirmMonth>& out);

/// A path advanced one month at a time: the random streams and the world that run_path loops
/// over. `scenario` must outlive the runner.
///
///   sim::PathRunner runner(scenario, path_id, seed);
///   while (!runner.done()) runner.step(sink);
///   runner.world().ledger.sheet(0);  // the first firm at the end of the horizon
class PathRunner {
 public:
  PathRunner(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed);
  /// True when every month of the horizon has been simulated.
  [[nodiscard]] bool done() const { return next_step_ >= scenario_->time.months(); }
  /// Simulates the next month in the step order of DESIGN §1 and checks it (check_stock_flow).
  void step(model::EventSink& events);
  /// The world after the last step (the starting world before the first).
  [[nodiscard]] const model::World& world() const { return world_; }

 private:
  const model::Scenario* scenario_;
  core::RandomStream technology_rng_;
  core::RandomStream supply_rng_;
  core::RandomStream demand_rng_;
  core::RandomStream market_rng_;
  core::RandomStream finance_rng_;
  core::RandomStream behaviour_rng_;
  model::World world_;
  int next_step_ = 0;
};

}  // namespace bsim::sim
