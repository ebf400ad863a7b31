#pragma once
/// What a Monte Carlo run prints and stores: the bust probability with its confidence
/// interval, the timing of busts, fan-chart quantiles of the key indicators, and the loss
/// distributions by holder type — as text, as JSON, and as the database's quantile rows.
///
/// Nothing here depends on the number of threads or ranks or on timing, so the JSON of two
/// runs with the same scenario and seed is byte-identical.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/results_db.h"
#include "jobs/monte_carlo.h"

namespace bsim::jobs {

/// The indicators whose fan charts the summary shows (timeseries.csv names).
const std::vector<std::string>& fan_chart_columns();

/// Failed paths listed in the printed summary; the JSON lists every one kept (up to 100).
inline constexpr std::size_t kFailuresShown = 5;

/// The printed summary. When paths failed it says so first, with how many, the first
/// kFailuresShown with path id, seed and error, and that the statistics cover only the
/// completed paths.
/// `fan_columns` (timeseries.csv names, e.g. from `mc --fan`) chooses the fan charts shown.
std::string mc_summary_text(const McRun& run, const std::vector<std::string>& fan_columns = fan_chart_columns());

/// The first `shown` failed paths of the run, one indented line each ("path P (seed S): why"),
/// and how many more failed. Empty when none failed.
std::string failed_paths_text(const McRun& run, std::size_t shown);

/// The same as JSON (fan charts of `fan_columns`, by default the key indicators, for every
/// month, in that order). When paths failed it adds "statistics_over": "completed paths only"
/// and "failed_paths" (path_id, seed, error).
nlohmann::json mc_summary_json(const McRun& run, const std::vector<std::string>& fan_columns = fan_chart_columns());

/// Per-month quantiles of every timeseries column, for the database.
std::vector<io::McQuantileRow> quantile_rows(const analysis::McAggregate& aggregate);

}  // namespace bsim::jobs
