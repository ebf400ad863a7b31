#pragma once
/// Behaviour (DESIGN §1.5): capacity decisions. For now one simple, documented build rule
/// behind the `BuildOrders decide_builds(...)` interface; the behaviour issue replaces it with
/// financed, expectation-driven decisions.

#include <vector>

#include "core/random.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::behaviour {

/// What capacity owners and chipmakers decide to build this month.
struct BuildOrders {
  std::vector<double> accelerators_h100e;  ///< per owner (index of world.owners)
  std::vector<double> datacenter_gw;       ///< per owner
  std::vector<double> power_gw;            ///< per owner
  double production_h100e_per_month = 0.0; ///< fab and packaging expansion started
};

/// The extrapolating build rule. Owners see only the past: expected demand L months ahead is
/// D_t · g^L, with g the average monthly growth of notional demand over the last
/// `build.growth_window_months` (blended with `build.initial_growth_per_year` while the history
/// is shorter; capped at `build.max_growth_per_year`), extrapolated at most
/// `build.max_planning_months` ahead. Owner i orders accelerators up to
/// share_i · (1 + reserve) · expected at the queue's lead time, less its surviving fleet and
/// open orders; and shells and power so that, at their lead times, its halls can run that
/// fleet. Chipmakers start a fab expansion (≤ expansion_share of the cap a month) while the
/// backlog exceeds `target_backlog_months` of output, counting projects under way.
BuildOrders decide_builds(const model::Scenario& scenario, const model::World& world);

/// Records the month's demand, asks the build rule, and places its orders (accelerators into
/// the production queue; shells, power and fab projects into their pipelines).
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Expected monthly growth factor of demand from the history (newest last), as above.
double expected_monthly_growth(const model::BuildParams& build, const std::vector<double>& history);

}  // namespace bsim::behaviour
