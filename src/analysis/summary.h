#pragma once
/// What a path comes to: key figures at the start, peak, trough and end, and a dated story of
/// what happened when, built from the time series and the path's events.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/events.h"
#include "model/record.h"
#include "model/scenario.h"
#include "sim/run_path.h"

namespace bsim::analysis {

/// One indicator's shape over the path.
struct Trajectory {
  std::string column;       ///< output column name
  double start = 0.0;
  double peak = 0.0;
  core::Month peak_month;
  double trough = 0.0;      ///< lowest value at or after the peak
  core::Month trough_month;
  double end = 0.0;
  /// (peak − trough) / peak, 0 when the peak is not positive.
  [[nodiscard]] double drawdown() const { return peak > 0.0 ? (peak - trough) / peak : 0.0; }
};

/// A dated sentence of the path's story.
struct StoryLine {
  core::Month month;
  std::string text;
};

/// The conditions of the bust rule (model::VerdictParams), in output order.
enum class BustCondition : std::size_t { kEquityDrawdown, kCapexDrop, kWriteoffs };
inline constexpr std::size_t kBustConditionCount = 3;

/// A condition's name in outputs: "equity_drawdown", "capex_drop", "writeoffs".
std::string_view bust_condition_name(std::size_t condition);

/// Whether and when the path busts by the rule of DESIGN §1.10 (model::VerdictParams).
///
/// A condition *counts* in a month once it has held for `verdict.persist_months` consecutive
/// months up to and including that month (1: as soon as it holds). The path busts in the first
/// month any enabled condition counts; `condition_month` says, for each condition on its own,
/// the first month it counts, whether or not another condition came first.
struct Bust {
  bool occurred = false;
  core::Month month;      ///< the first month any condition counts (meaningful when occurred)
  std::string trigger;    ///< the condition(s) that counted that month, in words
  // Which conditions counted in the bust month (several can).
  bool by_equity_drawdown = false;
  bool by_capex_drop = false;
  bool by_writeoffs = false;
  /// Per condition (BustCondition order), on its own: the first month it counts, if it ever does.
  std::array<std::optional<core::Month>, kBustConditionCount> condition_month;
};

/// The legacy ledger (DESIGN §1.10): what is left standing, set against capital destroyed.
struct LegacyLedger {
  sim::LegacyState left;  ///< capacity added since the start and still in service, at the end
  /// Mean spot price over `verdict.post_bust_months` from the bust month (none without a bust).
  std::optional<double> post_bust_price_usd_per_h100e_hour;
  double end_price_usd_per_h100e_hour = 0.0;
  /// Largest shortfall of the installed accelerators' economic value below their book value
  /// in any month (the write-down a mark to market would have needed), and its month.
  double accelerator_writedown_usd_bn = 0.0;
  core::Month accelerator_writedown_month;
  double debts_written_off_usd_bn = 0.0;  ///< claims on defaulters written off, ABS pool losses included
  double equity_wiped_out_usd_bn = 0.0;   ///< marked equity of defaulters
  /// accelerator write-down + debts written off + equity wiped out.
  [[nodiscard]] double capital_destroyed_usd_bn() const {
    return accelerator_writedown_usd_bn + debts_written_off_usd_bn + equity_wiped_out_usd_bn;
  }
};

struct PathSummary {
  std::vector<Trajectory> key_figures;
  std::vector<StoryLine> story;
  double cumulative_capex_usd_bn = 0.0;
  double cumulative_ai_revenue_usd_bn = 0.0;
  double cumulative_unmet_h100e_months = 0.0;
  int months_at_scarcity_cap = 0;
  int months_utilization_below_half = 0;
  /// Losses by holder type over the path, USD bn: lenders (the banks, debt written off at
  /// defaults) and shareholders (book equity of firms when they defaulted).
  double lender_losses_usd_bn = 0.0;
  double shareholder_losses_usd_bn = 0.0;
  /// Losses by holder type, by holding firm and by debt tranche (from the path's end state).
  sim::HolderLosses losses;
  int defaults = 0;
  std::string bust_rule;  ///< the configured rule, in words
  Bust bust;
  LegacyLedger legacy;
};

/// The configured bust rule in words ("AI equity value ≥ 50% below its peak, or …"), with the
/// persistence when `persist_months` > 1.
std::string bust_rule_text(const model::VerdictParams& verdict);

/// Applies the bust rule to a path's months: the overall verdict and each condition's own first
/// month.
Bust find_bust(const std::vector<model::MonthRecord>& months, const model::VerdictParams& verdict);

/// The columns summarised as key figures, in print order.
const std::vector<std::string>& key_figure_columns();

/// The trajectory of one column over the path (months must not be empty).
Trajectory trajectory(const std::vector<model::MonthRecord>& months, const model::Column& column);

/// The legacy ledger of a path from its months, its end state and its bust verdict.
LegacyLedger legacy_ledger(const std::vector<model::MonthRecord>& months, const sim::LegacyState& left, const Bust& bust,
                           const model::VerdictParams& verdict);

/// Summarises a finished path: key figures, story, losses, the bust verdict and the legacy.
PathSummary summarise(const sim::PathResult& path, const model::Scenario& scenario);

}  // namespace bsim::analysis
