#pragma once
/// Writing a path's results: `timeseries.csv`, `firms.csv`, `events.csv`, `summary.json` and
/// the printed summary.
/// Files are written to a temporary name in the same folder and renamed, so an interrupted run
/// never leaves a half-written file.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "analysis/compare.h"
#include "analysis/summary.h"
#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace bsim::io {

/// A firm type as written in scenarios (`firm.<id>.type`): "lab", "hyperscaler", …
std::string_view firm_type_name(model::FirmType type);

/// The whole time series as CSV: `month` then every column of model::kColumns.
/// Numbers use the shortest text that reads back to the same double, so output is exact
/// and byte-identical for identical results.
std::string timeseries_csv(const std::vector<model::MonthRecord>& months);

/// One row per firm per month (PathResult::firms), with the header
/// `month,firm,name,type,cash_usd_bn,debt_usd_bn,equity_usd_bn,revenue_usd_bn,status,`
/// `installed_h100e,operable_h100e,capex_usd_bn,compute_revenue_usd_bn`. `firm` is the firm's
/// id, `name` its display name (both from `scenario`); text fields containing a comma, a quote
/// or a line break are quoted as in RFC 4180; numbers as in timeseries_csv.
std::string firms_csv(const model::Scenario& scenario, const std::vector<model::FirmMonth>& firms);

/// One row per event, in the order emitted, with the header `month,kind,firm,amount,cause`:
/// kind = model::event_kind_name, firm = the event's subject, amount = its value, cause =
/// model::event_kind_cause. Quoting and numbers as in firms_csv.
std::string events_csv(const std::vector<model::Event>& events);

/// The summary of a path as JSON (shape documented in docs/outputs.md).
nlohmann::json summary_json(const LoadedScenario& scenario, const sim::PathResult& path,
                            const analysis::PathSummary& summary);

/// The summary as readable text for a terminal.
std::string summary_text(const LoadedScenario& scenario, const sim::PathResult& path,
                         const analysis::PathSummary& summary);

/// A comparison of two paths (`bubblesim compare`) as a table for a terminal: the two scenarios,
/// then one line per row with A, B, B − A and B ÷ A ("—" where a value does not apply). Shares
/// are printed as percentages, their differences in percentage points; months as YYYY-MM, their
/// differences in months.
std::string comparison_text(const LoadedScenario& a, const LoadedScenario& b, std::uint64_t seed, std::uint64_t path_id,
                            const std::vector<analysis::ComparedRow>& rows);

/// The same comparison as JSON (shape documented in docs/outputs.md): `null` where a value does
/// not apply; months as "YYYY-MM", their differences in months.
nlohmann::json comparison_json(const LoadedScenario& a, const LoadedScenario& b, std::uint64_t seed,
                               std::uint64_t path_id, const std::vector<analysis::ComparedRow>& rows);

/// Writes `content` to `path` atomically: a temporary file in the same folder, flushed, then
/// renamed over `path`. Throws std::runtime_error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

}  // namespace bsim::io
