#pragma once
/// Lab competition (DESIGN §1.5): the labs' shares of inference demand follow model quality,
/// measured as each lab's cumulative training compute, and move towards their target with a lag.
///
/// Quality Q_i is the H100e-months lab i's training budget has bought since the start (budget
/// after banked savings ÷ (spot price × 730), times the served share when compute is rationed),
/// plus an initial stock of `competition.initial_stock_months` months of what its first month's
/// budget buys at the initial spot price. Among the competing labs — active, with an initial
/// share and a positive initial stock — the target share is
///
///   target_i = S · s_i,0 (Q_i / Q_i,0)^κ / Σ_j s_j,0 (Q_j / Q_j,0)^κ,   S = Σ_j s_j (current),
///
/// so the competing labs' total share is conserved, and the share moves a fraction
/// λ = 1 − exp(−1/τ) of the way each month. A lab that defaults drops to 0 (its customers go to
/// the compute owners, as without competition), and the others compete for what is left.
/// κ = 0 leaves every share at the firm's `inference_share`, exactly.
///
/// Example: two labs with shares 0.3 and 0.1 and equal budgets; when the first halves its
/// budget, its Q grows more slowly, its target falls below 0.3, and the second gains what it
/// loses.

#include <vector>

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::behaviour {

/// Starting state: shares = the firms' inference_share; quality = the initial stock.
void init_competition(const model::Scenario& scenario, model::World& world);

/// After the month's market and finance: adds the training compute each lab obtained to its
/// quality and sets next month's shares (world.competition.inference_share). Draws nothing.
void compete(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// The target shares of the competing labs (`competing[i]`), normalised to their current total;
/// others are returned as they are in `shares`. κ = 0 returns `shares` unchanged.
std::vector<double> target_shares(double kappa, const std::vector<double>& shares,
                                  const std::vector<double>& initial_shares, const std::vector<double>& quality,
                                  const std::vector<double>& initial_quality, const std::vector<bool>& competing);

}  // namespace bsim::behaviour
