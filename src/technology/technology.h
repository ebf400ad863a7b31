#pragma once
/// Technology (DESIGN §1.1): algorithmic efficiency E(t) = trend × random jumps × scripted
/// shocks, and edge migration.

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::technology {

/// Advances E(t) by one month: the trend's monthly factor (none in the first month, so that
/// E = 1 at the start), Poisson-arriving lognormal jumps, and scripted shocks dated this
/// month (each emitted as an event). Sets the edge share from the new E, the training-efficiency
/// index, and the newest hardware generation on sale.
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Index of the newest generation available in `month` (0 if none is yet).
std::size_t newest_generation(const std::vector<model::Generation>& generations, core::Month month);

/// edge_share = max / (1 + exp(−k (ln E − ln E_mid))).
double edge_share(const model::EdgeParams& edge, double efficiency);

}  // namespace bsim::technology
