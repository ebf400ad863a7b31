#pragma once
/// Finance (DESIGN §1.5–1.9), first part: every firm's balance sheet and the month's cash flows
/// in a stock-flow-consistent ledger (model::Ledger). Contracts' financing terms, settlement,
/// default and contagion come with the rest of the finance issue (see docs/model.md).

#include "core/random.h"
#include "finance/debtrank.h"
#include "model/events.h"
#include "model/scenario.h"
#include "model/world.h"

namespace bsim::finance {

/// Opening balance sheets: cash and debt as given; accelerators at book value (straight-line
/// over each firm's book life from their vintage); shells, power and fabs at half their
/// replacement cost (built over the years before the start).
void init(const model::Scenario& scenario, model::World& world);

/// Books the month: capex (accelerators at delivery; shells, power and fab projects spread
/// over their build), and posts every flow in the ledger with a payer and a payee —
/// end users (households) pay labs and compute owners for AI services; labs and other buyers
/// pay compute owners (contracts at their price, spot at the spot price); owners pay power and
/// running costs, accelerators to the chipmaker, construction to builders (households);
/// accounting depreciation and failures lower book values.
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Economic value of a cohort, USD bn: the present value, at finance.discount_rate_per_year, of
/// renting it out at today's spot price less its running cost over the rest of its book life
/// (DESIGN §1.7; today's price stands in for expected prices).
double economic_value(const model::Scenario& scenario, const model::World& world, const model::Cohort& cohort);

/// Secondary-market price of accelerators relative to their value, when `dumped_h100e` of an
/// installed base of `installed_h100e` are sold at once: 1 − impact × (dumped share / 10%),
/// never below zero.
double fire_sale_price_factor(const model::FinanceParams& finance, double dumped_h100e, double installed_h100e);

/// After the month's flows: tests each active firm's debt-service covenant (operating cash flow
/// over `finance.covenant_window_months` against `min_dscr` × interest) and its scenario switch
/// `forced_default_month`; a firm that fails defaults. Resolution: debt accelerated, lenders
/// recover its cash and (1 − α) of its other assets — accelerators at the lower of book and
/// economic value times the fire-sale price factor, other assets at book — and the rest is
/// written off (a
/// revaluation on both balance sheets); its book equity is counted as lost; its commitments
/// terminate; a defaulted lab stops training and serving. Emits a default event.
void resolve_defaults(const model::Scenario& scenario, model::World& world, model::EventSink& events);

/// The month's exposure network for DebtRank over the firms and the banks (node n): the banks
/// are exposed to each firm's debt, and each seller to its buyers' remaining committed payments
/// (take-or-pay share × volume × price over the months left). Capital buffers are book equity
/// (at least 1e-6); economic values are total assets.
ExposureNetwork exposure_network(const model::Scenario& scenario, const model::World& world);

/// The ledger sector that sells accelerators and builds fabs: the first chipmaker firm, or the
/// households/rest-of-world sector when the scenario has none.
std::size_t chipmaker_sector(const model::Scenario& scenario, const model::World& world);

/// Book value of a cohort at the end of `month`, USD bn (straight-line, never below zero).
double cohort_book_value(const model::Cohort& cohort, core::Month month, int book_life_months);

}  // namespace bsim::finance
