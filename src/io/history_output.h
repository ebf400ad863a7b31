#pragma once
/// Printing a validation against history (`bubblesim validate-history`): the simulated and
/// observed yearly series side by side, their errors and the shape targets, as text or JSON.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/history.h"
#include "io/scenario_loader.h"

namespace bsim::io {

/// A table with one row per year and one column per observed series ("simulated / observed",
/// the observed range where sources differ), the error of each series in and out of sample,
/// then each shape target with PASS or FAIL and what the path gave.
std::string history_text(const LoadedScenario& scenario, std::uint64_t seed, std::uint64_t path_id,
                         const analysis::HistoryReport& report);

/// The same as JSON (shape documented in docs/validation.md).
nlohmann::json history_json(const LoadedScenario& scenario, std::uint64_t seed, std::uint64_t path_id,
                            const analysis::HistoryReport& report);

}  // namespace bsim::io
