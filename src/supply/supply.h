#pragma once
/// Physical supply (DESIGN §1.2): fab and packaging capacity with a first-in first-out order
/// backlog, accelerator cohorts per owner and vintage with failures, data-centre shells and
/// grid power built through pipelines with lead times and lives, and operable capacity per
/// owner (accelerators beyond what powered halls can hold sit idle).

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::supply {

/// Starting stocks: each capacity owner's fleet, halls and power (initial stocks retire in ten
/// equal parts spread over a life), their construction pipelines, the production cap and the order backlog.
void init(const model::Scenario& scenario, model::World& world);

/// One month: completed fab projects raise the cap and old ones retire; the backlog is served
/// first-in first-out up to the cap, each delivery becoming a cohort of the newest generation;
/// cohorts fail at the annual rate; shells and power complete and retire; and each owner's
/// operable capacity is filled most-power-efficient-first into its powered GW
/// (min(shells, power)). Rebuilds `world.steps`, one per owner and generation.
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Delivers up to `cap` H100e from the front of the queue; returns (owner, H100e) pieces.
std::vector<std::pair<std::size_t, double>> serve_backlog(model::ProductionState& production, double cap);

/// Production capacity is built in accelerator units: the cap in H100e is the cap at the start
/// × (H100e per unit of the newest generation ÷ that of the generation on sale at the start).
double units_scale(const model::Scenario& scenario, const model::World& world);


}  // namespace bsim::supply
