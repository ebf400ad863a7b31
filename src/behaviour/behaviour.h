#pragma once
/// Behaviour (DESIGN §1.5), first model: the capacity owners' build rule. Owners see only the
/// past (no foresight): they extrapolate recent demand growth over the lead time and order
/// what is needed to cover it plus a reserve. The behaviour issue replaces this rule.

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::behaviour {

/// Expected demand one lead time L ahead: D_t · g^L, with g the average monthly growth of
/// notional demand over the last `growth_window_months` (capped at max_growth_per_year^(1/12)).
/// Orders max(0, (1 + reserve) · expected − (installed · (1 − h)^L + pipeline)), delivered in L months.
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

}  // namespace bsim::behaviour
