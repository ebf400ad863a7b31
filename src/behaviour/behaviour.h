#pragma once
/// Behaviour (DESIGN §1.5): capacity owners' build decisions from adaptive expectations,
/// prices and financing; labs' training budgets from their funding; chipmakers' fab expansion.

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
  std::vector<double> cancel_h100e;        ///< per owner: open orders it no longer wants (build.order_cancellation)
  std::vector<double> abandon_datacenter_gw;  ///< per owner: planned or early shells it no longer wants (stock-management rule)
  std::vector<double> abandon_power_gw;       ///< per owner: planned or early power it no longer wants
  double production_h100e_per_month = 0.0; ///< fab and packaging expansion started
};

/// The build rule (docs/model.md §7). With `build.rule = "stock_management"` (the default) each
/// owner orders the expected acquisitions plus a share 1/τ of the gap between its desired and
/// actual stock and, with weight β, of the gap between its desired and actual supply line
/// (Sterman 1989), accelerators over the makers' normal lead time and shells and power over
/// theirs; a negative order abandons planned and early projects (and cancels open accelerator
/// orders with `build.order_cancellation`). With `build.rule = "queue"`, the earlier rule below.
/// Owners see only the past: their expectation ĝ of demand
/// growth (ln per month) adapts to the growth they see with half-life
/// `build.expectations_half_life_months`; they plan for ĝ + θ·|ĝ| (θ = `build.optimism`,
/// capped at `build.max_growth_per_year`), extrapolated at most `build.max_planning_months`
/// ahead. Owner i orders accelerators up to share_i · (1 + reserve) · expected demand at the
/// queue's lead time, less its surviving fleet and open orders, and shells and power so that,
/// at their lead times, its halls can run that fleet — all scaled down by the price discipline
/// (the spot price against the running and capital cost of new capacity) and cut to what it
/// can finance (deposits plus new money it can raise, less what it has on order). Chipmakers
/// start a fab expansion (≤ expansion_share of the cap a month) while the backlog exceeds
/// `target_backlog_months` of output, counting projects under way. With
/// `build.order_cancellation`, an owner whose open orders exceed what the rule now wants on
/// order, price discipline included, asks to cancel the excess.
BuildOrders decide_builds(const model::Scenario& scenario, const model::World& world);

/// Records the month's demand, asks the build rule, cancels the open orders it no longer wants
/// (newest first, outside the committed window, each owner owing the cancellation fee, paid by
/// finance next month), and places its orders (accelerators into the production queue; shells,
/// power and fab projects into their pipelines).
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Sets behaviour's and sentiment's initial state.
void init(const model::Scenario& scenario, model::World& world);

/// The monthly growth factor owners plan for, exp(ĝ + θ·|ĝ|), capped.
double planned_monthly_growth(const model::BuildParams& build, double expected_log_growth);

/// Share of the growth an owner builds at this month's spot price: 1 when the price covers
/// the full cost of new capacity (running cost + capital recovery at the discount rate over
/// the firm's book life), 0 at or below its running cost, linear between; 1 when
/// `build.price_discipline` is off.
double price_discipline(const model::Scenario& scenario, const model::World& world, const model::Firm& firm);

/// Compute a firm has sold forward on signed commitments, due in `month`, H100e.
double contracted_sales_h100e(const model::Scenario& scenario, std::size_t firm, core::Month month);

/// Starts planned shells and power as far as construction capacity allows, pro rata to each
/// owner's planned projects, and grows the capacity while it is fully used.
void start_construction(const model::Scenario& scenario, model::World& world);

/// Compute commitments a firm has signed as buyer and owes for in `month`, USD bn.
double monthly_commitments_usd_bn(const model::Scenario& scenario, std::size_t firm, core::Month month);

/// Labs' training budgets for next month as a share of plan (world.behaviour.training_factor),
/// by `training.funding_discipline`.
void set_training_budgets(const model::Scenario& scenario, model::World& world);

}  // namespace bsim::behaviour
