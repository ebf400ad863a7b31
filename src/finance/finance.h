#pragma once
/// Finance (DESIGN §1.5–1.9): every firm's balance sheet, the month's dues under every
/// contract, their joint clearing with seniority tiers, default resolution (liquidation into a
/// secondary market, a seniority waterfall, contracts terminated, equity wiped out), equity
/// marked through ownership, all posted in a stock-flow-consistent ledger (model::Ledger).

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

/// Settles the month (docs/model.md §6 states each rule):
///  1. end users pay labs and compute owners for AI services;
///  2. every contract and cost makes its dues: capex, compute rent and take-or-pay, running
///     costs and PPAs, lease rent, interest and scheduled principal, old payables;
///  3. the dues are cleared jointly (finance::clear_obligations: seniority tiers, greatest
///     fixed point, default costs α and β) with each firm's deposits and the new money it can
///     still raise as its external assets; what is not paid becomes a payable;
///  4. securitisation waterfalls, lease ends and residual-value guarantees, milestone equity
///     tranches and warrants; shortfalls drawn on credit lines or sold as new equity;
///  5. depreciation; covenant tests; every firm that failed to pay, breached a covenant that
///     triggers default, or is forced by the scenario is resolved;
///  6. equity is marked at book through the ownership network;
///  7. the month's cash flows between firms (model::Ledger::firm_flows) join the trailing window
///     of kCircularityWindowMonths months, over which each firm's circular-revenue share and that
///     of all firms are solved (finance/circularity.h; FinanceState::circular_revenue_share).
void step(const model::Scenario& scenario, model::World& world, core::RandomStream& rng, model::EventSink& events);

/// Economic value of a cohort, USD bn: the present value, at finance.discount_rate_per_year, of
/// renting it out at today's spot price less its running cost over the rest of its book life
/// (DESIGN §1.7; today's price stands in for expected prices).
double economic_value(const model::Scenario& scenario, const model::World& world, const model::Cohort& cohort);

/// Market-to-book ratio of the active owners' installed accelerators (economic value ÷ book
/// value), at most 1; 1 when nothing is installed. What a defaulter's halls fetch relative to
/// their book under `finance.campus_resale = "market"`.
double fleet_market_to_book(const model::Scenario& scenario, const model::World& world);

/// What a defaulter's halls fetch relative to their book value before α: the fleet's
/// market-to-book ratio under `finance.campus_resale = "market"`, 1 under `"book"`.
double halls_resale_factor(const model::Scenario& scenario, const model::World& world);
/// The same from the active owners' cohorts already summed, in the order of World::cohorts, as
/// fleet_market_to_book sums them (economic value and book value, USD bn), for a caller that
/// walks the cohorts anyway.
double halls_resale_factor(const model::FinanceParams& finance, double fleet_value_usd_bn, double fleet_book_usd_bn);

/// Secondary-market price of accelerators relative to their value, when `dumped_h100e` of an
/// installed base of `installed_h100e` are sold at once: 1 − impact × (dumped share / 10%),
/// never below zero.
double fire_sale_price_factor(const model::FinanceParams& finance, double dumped_h100e, double installed_h100e);

/// The month's exposure network for DebtRank over the firms and the banks (node n, standing for
/// every outside holder): lenders to credit lines and debt contracts, creditors to payables,
/// shareholding firms to their stakes at marked value, sellers to their buyers' remaining
/// committed payments, lessors to remaining rent plus the residual-value guarantee. Capital
/// buffers are book equity (at least 1e-6); economic values are total assets.
ExposureNetwork exposure_network(const model::Scenario& scenario, const model::World& world);

/// The ledger sector that sells accelerators and builds fabs: the first chipmaker firm, or the
/// households/rest-of-world sector when the scenario has none.
std::size_t chipmaker_sector(const model::Scenario& scenario, const model::World& world);

/// Book value of a cohort at the end of `month`, USD bn (straight-line, never below zero).
double cohort_book_value(const model::Cohort& cohort, core::Month month, int book_life_months);

}  // namespace bsim::finance
