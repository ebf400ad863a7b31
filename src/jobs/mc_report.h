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

/// The printed summary.
std::string mc_summary_text(const McRun& run);

/// The same as JSON (fan charts of the key indicators for every month).
nlohmann::json mc_summary_json(const McRun& run);

/// Per-month quantiles of every timeseries column, for the database.
std::vector<io::McQuantileRow> quantile_rows(const analysis::McAggregate& aggregate);

}  // namespace bsim::jobs
