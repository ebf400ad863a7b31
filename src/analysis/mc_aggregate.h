#pragma once
/// Monte Carlo aggregation (DESIGN §1.11): what one path comes to (its verdict), and the
/// streaming aggregate of many paths — bust counts and timing, a quantile sketch and an exact
/// sum of every indicator in every month, and the distributions of the per-path losses.
///
///   analysis::McAggregate agg(scenario);
///   analysis::PathOutcome out = analysis::evaluate_path(scenario, path_id, seed);
///   agg.add(out.verdict, out.months);
///   agg.bust_probability();  agg.fan("spot_price_usd_per_h100e_hour", 12).quantile(0.5);
///
/// Every part of the aggregate merges exactly (integer counts; sums on a fixed-point grid), so
/// the aggregate of a set of paths does not depend on the order they were added or merged in:
/// one thread, many threads or many MPI ranks give the same bytes.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/sampler.h"
#include "analysis/sketch.h"
#include "analysis/summary.h"
#include "model/record.h"
#include "model/scenario.h"

namespace bsim::analysis {

/// The verdict of one Monte Carlo path: the bust rule, the losses and the legacy.
struct PathVerdict {
  std::uint64_t path_id = 0;
  Bust bust;
  int defaults = 0;
  double claims_written_off_usd_bn = 0.0;
  double equity_wiped_out_usd_bn = 0.0;
  double accelerator_writedown_usd_bn = 0.0;
  double capital_destroyed_usd_bn = 0.0;
  double peak_ai_equity_value_usd_bn = 0.0;
  double max_equity_drawdown = 0.0;  ///< largest fall of AI equity value below its running peak, share (0–1)
  double end_spot_price_usd_per_h100e_hour = 0.0;
  double legacy_power_gw = 0.0;       ///< power added since the start and still in service at the end
  double legacy_datacenter_gw = 0.0;  ///< data-centre shells likewise
  /// Losses by holder type (investor classes, then "firms"), USD bn, in sim::HolderLosses order.
  std::vector<std::pair<std::string, double>> losses_by_holder;
  std::vector<double> parameters;     ///< the drawn values of the scenario's [uncertain] keys
  std::optional<std::string> error;   ///< set when the path failed (then nothing else is meaningful)
};

/// What the checks of `mc --check-paths` saw (PathChecks::kOutputs): counts and the largest
/// stock-flow residual as a share of its month's tolerance. Merging adds counts and keeps the
/// largest share, so the result does not depend on the order of the paths.
struct PathCheckTotals {
  std::uint64_t paths = 0;   ///< paths whose every month was checked and passed
  std::uint64_t months = 0;  ///< months checked (of passing and failing paths)
  std::uint64_t values = 0;  ///< timeseries values found finite
  double worst_residual_share = 0.0;  ///< largest month residual ÷ that month's tolerance (≤ 1 when all passed)
  void merge(const PathCheckTotals& other);
};

/// A path's verdict and its months (the months are not kept by the aggregate).
struct PathOutcome {
  PathVerdict verdict;
  std::vector<model::MonthRecord> months;
  PathCheckTotals checks;  ///< filled with PathChecks::kOutputs
};

/// The checks of PathChecks::kOutputs on one month's record, after the engine's own: they read
/// what goes into timeseries.csv and the Monte Carlo fans, not the state the engine checked.
/// Every column of model::kColumns must be finite and `sfc_max_residual_usd_bn` at most
/// `tolerance_usd_bn` (the month's sim::stock_flow_tolerance); counts go to `totals`. Throws
/// std::runtime_error naming the month and the column, or the residual and the tolerance.
void check_month_record(const model::MonthRecord& record, double tolerance_usd_bn, PathCheckTotals& totals);

/// How much evaluate_path checks beyond the engine's own checks (which every path runs).
enum class PathChecks {
  kEngine,   ///< the engine's: finite state after each mechanism, the stock-flow check each month
  kOutputs,  ///< also each month's record as written: every timeseries value finite, and the
             ///< ledger's largest residual within the month's stock-flow tolerance
};

/// Runs one path without keeping events or firm rows and reads its verdict. A path that throws
/// (a stock-flow violation, say) or, with PathChecks::kOutputs, fails a check comes back with
/// `verdict.error` set (naming the month and the value) and no months.
PathOutcome evaluate_path(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed,
                          PathChecks checks = PathChecks::kEngine);

/// The per-path figures the aggregate keeps distributions of, in output order.
const std::vector<std::string>& path_figure_names();

/// The streaming aggregate of many paths. Memory depends on the horizon and the number of
/// indicators, not on the number of paths.
class McAggregate {
 public:
  /// An empty aggregate for the scenario's horizon and every `timeseries.csv` column, with the
  /// driver bins of the scenario's uncertain parameters (none when the list is empty).
  explicit McAggregate(const model::Scenario& scenario, double relative_accuracy = 0.005,
                       const std::vector<UncertainParameter>& parameters = {});

  /// Bins per uncertain parameter for the drivers: fifths of its distribution.
  static constexpr std::size_t kDriverBins = 5;

  /// Adds one path. A failed path (verdict.error) counts in failed() only.
  void add(const PathVerdict& verdict, const std::vector<model::MonthRecord>& months);
  /// Adds every path of `other` (same horizon, columns and accuracy, else std::invalid_argument).
  void merge(const McAggregate& other);
  /// Back to no paths, keeping the shape.
  void clear();

  [[nodiscard]] std::uint64_t paths() const { return paths_; }  ///< completed, not failed
  [[nodiscard]] std::uint64_t failed() const { return failed_; }
  [[nodiscard]] std::uint64_t busts() const { return busts_; }
  [[nodiscard]] std::uint64_t busts_by_equity_drawdown() const { return by_equity_; }
  [[nodiscard]] std::uint64_t busts_by_capex_drop() const { return by_capex_; }
  [[nodiscard]] std::uint64_t busts_by_writeoffs() const { return by_writeoffs_; }
  [[nodiscard]] std::uint64_t paths_with_defaults() const { return with_defaults_; }
  /// Busts per month index from the start (size months()).
  [[nodiscard]] const std::vector<std::uint64_t>& bust_months() const { return bust_months_; }
  /// Paths in which condition `c` (BustCondition order) counts at some month, on its own
  /// (Bust::condition_month): whether or not another condition came first. At least the busts
  /// it triggered; busts() is the number of paths in which any does.
  [[nodiscard]] std::uint64_t condition_busts(std::size_t c) const { return condition_busts_.at(c); }
  /// Per month index, the paths in which condition `c` first counts that month (size months()).
  [[nodiscard]] const std::vector<std::uint64_t>& condition_bust_months(std::size_t c) const {
    return condition_bust_months_.at(c);
  }

  [[nodiscard]] int months() const { return months_; }
  [[nodiscard]] core::Month start() const { return start_; }
  [[nodiscard]] double relative_accuracy() const { return accuracy_; }

  /// The sketch and exact sum of one column (by index into model::kColumns) in one month.
  [[nodiscard]] const QuantileSketch& fan(std::size_t column, int month) const;
  [[nodiscard]] const ExactSum& fan_sum(std::size_t column, int month) const;
  /// Index of a column by name (std::invalid_argument if unknown).
  static std::size_t column_index(std::string_view name);

  /// The distribution of a per-path figure (path_figure_names() order).
  [[nodiscard]] const QuantileSketch& figure(std::size_t index) const { return figures_.at(index); }
  [[nodiscard]] const ExactSum& figure_sum(std::size_t index) const { return figure_sums_.at(index); }
  /// Losses by holder type: the investor classes then "firms" (sim::HolderLosses::by_class
  /// order), with their distributions.
  [[nodiscard]] const std::vector<std::string>& holder_names() const { return holder_names_; }
  [[nodiscard]] const QuantileSketch& holder_loss(std::size_t i) const { return holder_losses_.at(i); }
  [[nodiscard]] const ExactSum& holder_loss_sum(std::size_t i) const { return holder_sums_.at(i); }

  /// Drivers: paths, busts and capital destroyed with parameter `p` drawn in fifth `bin` (0 =
  /// lowest) of its distribution — the bust probability conditional on each parameter's range,
  /// read off the Monte Carlo sample without further runs.
  [[nodiscard]] std::size_t driver_parameters() const { return driver_edges_.size(); }
  [[nodiscard]] std::uint64_t driver_paths(std::size_t p, std::size_t bin) const { return driver_paths_.at(p * kDriverBins + bin); }
  [[nodiscard]] std::uint64_t driver_busts(std::size_t p, std::size_t bin) const { return driver_busts_.at(p * kDriverBins + bin); }
  [[nodiscard]] const ExactSum& driver_capital_destroyed(std::size_t p, std::size_t bin) const {
    return driver_capital_.at(p * kDriverBins + bin);
  }
  /// Drivers by condition: paths with `p` in fifth `bin` in which condition `c` counts at some month.
  [[nodiscard]] std::uint64_t driver_condition_busts(std::size_t c, std::size_t p, std::size_t bin) const {
    return driver_condition_busts_.at(c).at(p * kDriverBins + bin);
  }

  /// A portable binary form (for checkpoints and MPI); deserialize checks it matches the shape.
  [[nodiscard]] std::string serialize() const;
  /// Replaces this aggregate's contents with the serialized one. Throws std::invalid_argument
  /// on malformed bytes or a different shape.
  void deserialize(std::string_view bytes);

  friend bool operator==(const McAggregate& a, const McAggregate& b);

 private:
  double accuracy_;
  int months_;
  core::Month start_;
  std::uint64_t paths_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t busts_ = 0;
  std::uint64_t by_equity_ = 0;
  std::uint64_t by_capex_ = 0;
  std::uint64_t by_writeoffs_ = 0;
  std::uint64_t with_defaults_ = 0;
  std::vector<std::uint64_t> bust_months_;
  std::array<std::uint64_t, kBustConditionCount> condition_busts_{};
  std::array<std::vector<std::uint64_t>, kBustConditionCount> condition_bust_months_;
  std::vector<QuantileSketch> fans_;  ///< column-major: [column * months + month]
  std::vector<ExactSum> fan_sums_;
  std::vector<QuantileSketch> figures_;
  std::vector<ExactSum> figure_sums_;
  std::vector<std::string> holder_names_;
  std::vector<QuantileSketch> holder_losses_;
  std::vector<ExactSum> holder_sums_;
  std::vector<std::vector<double>> driver_edges_;  ///< per parameter: its 20/40/60/80% quantiles
  std::vector<std::uint64_t> driver_paths_;
  std::vector<std::uint64_t> driver_busts_;
  std::vector<ExactSum> driver_capital_;
  std::array<std::vector<std::uint64_t>, kBustConditionCount> driver_condition_busts_;  ///< per condition, like driver_busts_
};

}  // namespace bsim::analysis
