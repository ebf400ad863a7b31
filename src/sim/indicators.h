#pragma once
/// The indicators of DESIGN §1.10 that are computed from the whole world after each month's
/// step rather than by one mechanism: stranded accelerators, the revenue gap, labs'
/// commitments against their revenue, and debt-service coverage (docs/model.md §8).

#include "model/scenario.h"
#include "model/world.h"

namespace bsim::sim {

/// Months an accelerator must sit idle, earning nothing, to count as stranded.
inline constexpr int kStrandedIdleMonths = 3;
/// Economic value below this share of book also makes an accelerator stranded.
inline constexpr double kStrandedValueShare = 0.1;

/// Updates world.indicators from the month the mechanisms have just settled.
void update_indicators(const model::Scenario& scenario, model::World& world);

}  // namespace bsim::sim
