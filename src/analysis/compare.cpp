#include "analysis/compare.h"

#include <algorithm>
#include <numeric>

namespace bsim::analysis {
namespace {

using Months = std::vector<model::MonthRecord>;

const model::Column* column_named(std::string_view name) {
  for (const model::Column& c : model::kColumns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

/// The statistics of a column that rows read: its peak, its lowest value, the trough after its
/// peak (Trajectory::trough) and its last value.
enum class Stat { kPeak, kLowest, kTroughAfterPeak, kEnd };

std::string_view stat_name(Stat stat) {
  switch (stat) {
    case Stat::kPeak: return "peak";
    case Stat::kLowest: return "lowest";
    case Stat::kTroughAfterPeak: return "trough after peak";
    case Stat::kEnd: return "end";
  }
  return "";
}

RowValue column_stat(const Months& months, const model::Column& column, Stat stat) {
  if (months.empty()) return std::nullopt;
  const Trajectory t = trajectory(months, column);
  switch (stat) {
    case Stat::kPeak: return t.peak;
    case Stat::kTroughAfterPeak: return t.trough;
    case Stat::kEnd: return t.end;
    case Stat::kLowest: {
      double lowest = months.front().*column.field;
      for (const model::MonthRecord& r : months) lowest = std::min(lowest, r.*column.field);
      return lowest;
    }
  }
  return std::nullopt;
}

/// A row for one statistic of a `timeseries.csv` column, labelled `<label>, <stat>` and in the
/// column's unit unless `unit` is given.
ComparisonRow column_row(std::string_view name, Stat stat, bool ratio = true, std::string label = "",
                         std::string unit = "") {
  const model::Column* column = column_named(name);
  if (label.empty()) label = std::string(name);
  if (unit.empty() && column) unit = std::string(column->unit);
  return {label + ", " + std::string(stat_name(stat)), unit,
          [column, stat](const sim::PathResult& p, const PathSummary&) -> RowValue {
            return column ? column_stat(p.months, *column, stat) : std::nullopt;
          },
          ratio};
}

/// Losses of one holder class as summary.json names it (`public-equity`, …, `firms`).
ComparisonRow holder_row(std::string name) {
  return {"losses: " + name, "USD bn", [name](const sim::PathResult&, const PathSummary& s) -> RowValue {
            for (const auto& [cls, loss] : s.losses.by_class) {
              if (cls == name) return loss;
            }
            return 0.0;
          }};
}

std::vector<ComparisonRow> make_rows() {
  using P = const sim::PathResult&;
  using S = const PathSummary&;
  std::vector<ComparisonRow> rows = {
      {"bust (1 = yes)", "0/1", [](P, S s) -> RowValue { return s.bust.occurred ? 1.0 : 0.0; }, false},
      {"bust month (months from start)", "months",
       [](P p, S s) -> RowValue {
         if (!s.bust.occurred || p.months.empty()) return std::nullopt;
         return s.bust.month - p.months.front().month;
       },
       false},
      {"capital destroyed", "USD bn", [](P, S s) -> RowValue { return s.legacy.capital_destroyed_usd_bn(); }},
      {"accelerator write-down", "USD bn", [](P, S s) -> RowValue { return s.legacy.accelerator_writedown_usd_bn; }},
      {"legacy: power added, in service", "GW", [](P, S s) -> RowValue { return s.legacy.left.power_gw_added; }},
      {"legacy: shells added, in service", "GW", [](P, S s) -> RowValue { return s.legacy.left.datacenter_gw_added; }},
      {"legacy: replacement value", "USD bn", [](P, S s) -> RowValue { return s.legacy.left.replacement_value_usd_bn; }},
      {"post-bust spot price", "USD/H100e-hour",
       [](P, S s) -> RowValue {
         if (!s.legacy.post_bust_price_usd_per_h100e_hour) return std::nullopt;
         return *s.legacy.post_bust_price_usd_per_h100e_hour;
       }},
      {"defaults", "firms", [](P, S s) -> RowValue { return s.defaults; }},
      {"claims written off", "USD bn", [](P, S s) -> RowValue { return s.lender_losses_usd_bn; }},
      {"equity wiped out", "USD bn", [](P, S s) -> RowValue { return s.shareholder_losses_usd_bn; }},
      {"losses, all holders", "USD bn",
       [](P, S s) -> RowValue {
         return std::accumulate(s.losses.by_class.begin(), s.losses.by_class.end(), 0.0,
                                [](double sum, const auto& entry) { return sum + entry.second; });
       }},
  };
  // By holder class, in the order of summary.json's by_holder_usd_bn.
  for (std::size_t c = 0; c < model::kHolderClassCount; ++c) {
    const auto cls = static_cast<model::HolderClass>(c);
    if (cls != model::HolderClass::kFirm) rows.push_back(holder_row(std::string(model::holder_class_name(cls))));
  }
  rows.push_back(holder_row("firms"));

  rows.push_back({"capex, cumulative", "USD bn", [](P, S s) -> RowValue { return s.cumulative_capex_usd_bn; }});
  rows.push_back({"AI revenue, cumulative", "USD bn", [](P, S s) -> RowValue { return s.cumulative_ai_revenue_usd_bn; }});
  rows.push_back(column_row("spot_price_usd_per_h100e_hour", Stat::kPeak, true, "spot price"));
  rows.push_back(column_row("spot_price_usd_per_h100e_hour", Stat::kTroughAfterPeak, true, "spot price"));
  rows.push_back(column_row("utilization", Stat::kLowest));
  rows.push_back(column_row("utilization", Stat::kEnd));
  rows.push_back({"months with utilization below half", "months",
                  [](P, S s) -> RowValue { return s.months_utilization_below_half; }});
  rows.push_back(column_row("installed_h100e", Stat::kPeak));
  rows.push_back(column_row("installed_h100e", Stat::kEnd));

  // The indicators of DESIGN §1.10. A revenue gap and a coverage ratio can change sign, so
  // their ratios would mislead.
  rows.push_back(column_row("sentiment_index", Stat::kLowest));
  rows.push_back(column_row("ai_equity_value_usd_bn", Stat::kPeak));
  rows.push_back(column_row("ai_equity_value_usd_bn", Stat::kTroughAfterPeak));
  rows.push_back(column_row("credit_tightness", Stat::kPeak));
  for (const auto& [name, ratio] : {std::pair{"revenue_gap_usd_bn", false}, std::pair{"stranded_h100e", true},
                                    std::pair{"commitments_to_revenue", true}, std::pair{"circular_revenue_share", true},
                                    std::pair{"debt_service_coverage", false}}) {
    for (const Stat stat : {Stat::kPeak, Stat::kLowest, Stat::kEnd}) rows.push_back(column_row(name, stat, ratio));
  }
  return rows;
}

}  // namespace

const std::vector<ComparisonRow>& comparison_rows() {
  static const std::vector<ComparisonRow> rows = make_rows();
  return rows;
}

std::vector<ComparedRow> compare(const sim::PathResult& a, const PathSummary& summary_a, const sim::PathResult& b,
                                 const PathSummary& summary_b, const std::vector<ComparisonRow>& rows) {
  std::vector<ComparedRow> out;
  out.reserve(rows.size());
  for (const ComparisonRow& row : rows) {
    ComparedRow r{row.label, row.unit, row.value(a, summary_a), row.value(b, summary_b), std::nullopt, std::nullopt};
    if (r.a && r.b) {
      r.difference = *r.b - *r.a;
      if (row.ratio && row.unit != kMonthUnit && *r.a != 0.0) r.ratio = *r.b / *r.a;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace bsim::analysis
