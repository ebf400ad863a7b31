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
/// month (each emitted as an event); the jump rate follows last month's training spending when
/// endogenous innovation is on (jump_rate_per_year). Sets the edge share from the new E, the
/// training-efficiency index, and the newest hardware generation on sale.
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// The most random jumps a year endogenous innovation can reach (the schema's cap on λ_0), so
/// that a spending boom cannot make efficiency overflow.
inline constexpr double kMaxJumpRatePerYear = 12.0;

/// Arrival rate of random jumps per year, λ = λ_0 · (spend / spend_0)^η (DESIGN §1.1), at most
/// kMaxJumpRatePerYear; λ_0 itself when η = 0 or spend_0 is not known yet (≤ 0). Spending in
/// USD bn per month.
double jump_rate_per_year(const model::EfficiencyParams& eff, double spend_usd_bn, double spend_at_start_usd_bn);

/// Index of the newest generation available in `month` (0 if none is yet).
std::size_t newest_generation(const std::vector<model::Generation>& generations, core::Month month);

/// edge_share = max / (1 + exp(−k (ln E − ln E_mid))).
double edge_share(const model::EdgeParams& edge, double efficiency);

}  // namespace bsim::technology
