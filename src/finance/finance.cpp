#include "finance/finance.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/calendar.h"

namespace bsim::finance {
namespace {

using model::Asset;
using model::Flow;

double under_construction(const std::vector<double>& pipeline) {
  return std::accumulate(pipeline.begin(), pipeline.end(), 0.0);
}

double monthly_usd_bn(double h100e, double usd_per_h100e_hour) {
  return h100e * usd_per_h100e_hour * core::kHoursPerMonth / 1e9;
}

}  // namespace

double economic_value(const model::Scenario& scenario, const model::World& world, const model::Cohort& cohort) {
  const model::Generation& g = scenario.technology.generations[cohort.generation];
  const double margin = std::max(0.0, world.spot_price - model::marginal_cost(scenario.supply, g));
  const int remaining = std::max(0, scenario.firms[cohort.owner.index()].book_life_months - (world.month - cohort.vintage));
  const double r = core::monthly_rate(scenario.finance.discount_rate_per_year);
  // Present value of an annuity of `remaining` months of margin.
  const double annuity = r > 0.0 ? (1.0 - std::pow(1.0 + r, -remaining)) / r : remaining;
  return cohort.h100e * margin * core::kHoursPerMonth * annuity / 1e9;
}

double fire_sale_price_factor(const model::FinanceParams& finance, double dumped_h100e, double installed_h100e) {
  if (installed_h100e <= 0.0) return 1.0;
  return std::max(0.0, 1.0 - finance.fire_sale_impact * (dumped_h100e / installed_h100e) / 0.1);
}

void resolve_defaults(const model::Scenario& scenario, model::World& world, model::EventSink& events) {
  model::Ledger& ledger = world.ledger;
  world.debt_losses = 0.0;
  world.equity_losses = 0.0;
  const auto window = static_cast<std::size_t>(scenario.finance.covenant_window_months);
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    if (world.firm_status[f] != model::FirmStatus::kActive) continue;
    const model::Firm& firm = scenario.firms[f];
    // Operating cash flow before debt service, and interest, this month.
    const double operating = ledger.flow(Flow::kServiceRevenue, f) + ledger.flow(Flow::kComputeRent, f) +
                             ledger.flow(Flow::kTakeOrPay, f) + ledger.flow(Flow::kOperatingCost, f);
    auto& cash = world.operating_cash[f];
    auto& interest = world.interest_paid[f];
    cash.push_back(operating);
    interest.push_back(-ledger.flow(Flow::kInterest, f));
    if (cash.size() > window) {
      cash.erase(cash.begin());
      interest.erase(interest.begin());
    }
    const double cash_sum = std::accumulate(cash.begin(), cash.end(), 0.0);
    const double interest_sum = std::accumulate(interest.begin(), interest.end(), 0.0);
    const bool breached = firm.min_dscr > 0.0 && cash.size() == window && interest_sum > 0.0 &&
                          cash_sum < firm.min_dscr * interest_sum;
    const bool forced = firm.forced_default_month && *firm.forced_default_month == world.month;
    if (!breached && !forced) continue;

    // Resolution: debt accelerated; lenders recover cash and the liquidation value of the
    // other assets ((1 − α) of book), the rest is written off; shareholders' book equity is lost.
    const model::BalanceSheet& sheet = ledger.sheet(f);
    const double debt = sheet.liabilities[static_cast<std::size_t>(model::Liability::kDebt)];
    const double deposits = sheet.assets[static_cast<std::size_t>(Asset::kDeposits)];
    // Accelerators fetch what a buyer can earn with them (their value at the current spot
    // price); other assets their book value; all less the liquidation cost α.
    const double accelerators_book = sheet.assets[static_cast<std::size_t>(Asset::kAccelerators)];
    double accelerators_value = 0.0;
    double dumped_h100e = 0.0;
    for (const model::Cohort& c : world.cohorts) {
      if (c.owner.index() != f) continue;
      accelerators_value += economic_value(scenario, world, c);
      dumped_h100e += c.h100e;
    }
    // Fire sale: the secondary price falls with the share of the installed base dumped.
    accelerators_value *= fire_sale_price_factor(scenario.finance, dumped_h100e, world.installed.value());
    const double other_assets = sheet.total_assets() - deposits - accelerators_book + std::min(accelerators_value, accelerators_book);
    const double recovery =
        std::min(debt, (1.0 - scenario.finance.default_cost_external) * other_assets + std::max(0.0, deposits));
    const double written_off = debt - recovery;
    world.equity_losses += std::max(0.0, sheet.net_worth());
    ledger.write_down_debt(f, written_off);
    world.debt_losses += written_off;
    world.firm_status[f] = model::FirmStatus::kDefaulted;
    ++world.defaults_count;
    events.emit({world.month, forced ? model::EventKind::kForcedDefault : model::EventKind::kCovenantDefault, firm.id,
                 written_off});
  }
}

ExposureNetwork exposure_network(const model::Scenario& scenario, const model::World& world) {
  const model::Ledger& ledger = world.ledger;
  const std::size_t n = scenario.firms.size();
  ExposureNetwork net;
  net.n = n + 1;  // the firms, then the banks
  const auto banks = static_cast<std::uint32_t>(n);
  for (std::size_t f = 0; f <= n; ++f) {
    const model::BalanceSheet& b = ledger.sheet(f < n ? f : ledger.banks());
    const double equity = b.net_worth() + b.liabilities[static_cast<std::size_t>(model::Liability::kIssuedEquity)];
    net.equity.push_back(std::max(equity, 1e-6));
    net.economic_value.push_back(std::max(b.total_assets(), 0.0));
    if (f < n) {
      const double debt = b.liabilities[static_cast<std::size_t>(model::Liability::kDebt)];
      if (debt > 0.0) net.exposures.push_back({banks, static_cast<std::uint32_t>(f), debt});
    }
  }
  for (const model::ComputeCommitment& c : scenario.contracts) {
    if (world.month > c.end || !model::contract_alive(world, c)) continue;
    const int months_left = c.end - std::max(world.month + 1, c.start) + 1;
    if (months_left <= 0) continue;
    const double owed = c.take_or_pay_share * c.volume.value() * c.price_usd_per_h100e_hour * core::kHoursPerMonth / 1e9 *
                        months_left;
    net.exposures.push_back({static_cast<std::uint32_t>(c.seller.index()), static_cast<std::uint32_t>(c.buyer.index()), owed});
  }
  double total_value = 0.0;
  for (double v : net.economic_value) total_value += v;
  if (total_value <= 0.0) net.economic_value.clear();  // equal weights
  return net;
}

std::size_t chipmaker_sector(const model::Scenario& scenario, const model::World& world) {
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    if (scenario.firms[f].type == model::FirmType::kChipmaker) return f;
  }
  return world.ledger.households();
}

double cohort_book_value(const model::Cohort& cohort, core::Month month, int book_life_months) {
  const int age = month - cohort.vintage;
  return cohort.h100e * cohort.usd_per_h100e / 1e9 * std::max(0.0, 1.0 - static_cast<double>(age) / book_life_months);
}

void init(const model::Scenario& scenario, model::World& world) {
  world.ledger = model::Ledger(scenario.firms.size());
  world.firm_status.assign(scenario.firms.size(), model::FirmStatus::kActive);
  world.operating_cash.assign(scenario.firms.size(), {});
  world.interest_paid.assign(scenario.firms.size(), {});
  world.defaults_count = 0;
  model::Ledger& ledger = world.ledger;
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    ledger.open_asset(f, Asset::kDeposits, scenario.firms[f].cash.value());
    ledger.open_liability(f, model::Liability::kDebt, scenario.firms[f].debt.value());
  }
  const core::Month before_start = scenario.time.start - 1;
  for (const model::Cohort& c : world.cohorts) {
    ledger.open_asset(c.owner.index(), Asset::kAccelerators,
                      cohort_book_value(c, before_start, scenario.firms[c.owner.index()].book_life_months));
  }
  const model::SupplyParams& sup = scenario.supply;
  for (const model::OwnerState& o : world.owners) {
    ledger.open_asset(o.firm.index(), Asset::kDatacenters, 0.5 * o.datacenter_gw * sup.datacenter.usd_bn_per_gw);
    ledger.open_asset(o.firm.index(), Asset::kPower, 0.5 * o.power_gw * sup.power.usd_bn_per_gw);
  }
  ledger.open_asset(chipmaker_sector(scenario, world), Asset::kProductionCapacity,
                    0.5 * world.production.cap_h100e_per_month * sup.production.usd_bn_per_h100e_per_month);
}

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink& events) {
  const model::SupplyParams& sup = scenario.supply;
  model::Ledger& ledger = world.ledger;
  const std::size_t households = ledger.households();
  const std::size_t chipmaker = chipmaker_sector(scenario, world);
  ledger.begin_month();

  // Capex: accelerators at delivery; shells, power and fabs over their build. Supply has just
  // moved this month's completions out of the pipelines: they pay their last instalment now,
  // so each project pays exactly its cost over its lead time.
  double halls_and_power = 0.0;
  for (model::OwnerState& o : world.owners) {
    const double halls = (under_construction(o.datacenter_pipeline_gw) + o.datacenter_completed_gw) *
                         sup.datacenter.usd_bn_per_gw / sup.datacenter.lead_time_months;
    const double power = (under_construction(o.power_pipeline_gw) + o.power_completed_gw) * sup.power.usd_bn_per_gw /
                         sup.power.lead_time_months;
    o.capex_usd_bn = halls + power + o.delivered_cost_usd_bn;
    halls_and_power += halls + power;
    ledger.buy_asset(o.firm.index(), chipmaker, Flow::kCapexAccelerators, Asset::kAccelerators, o.delivered_cost_usd_bn);
    ledger.buy_asset(o.firm.index(), households, Flow::kCapexConstruction, Asset::kDatacenters, halls);
    ledger.buy_asset(o.firm.index(), households, Flow::kCapexConstruction, Asset::kPower, power);
  }
  world.production.capex_usd_bn = (under_construction(world.production.project_pipeline) + world.production.completed) *
                                  sup.production.usd_bn_per_h100e_per_month / sup.production.project_lead_time_months;
  ledger.buy_asset(chipmaker, households, Flow::kCapexConstruction, Asset::kProductionCapacity,
                   world.production.capex_usd_bn);
  world.capex = world.delivered_cost + core::Money{halls_and_power + world.production.capex_usd_bn};

  // End users pay for AI services: labs for their share of inference, compute owners (their
  // own services and the labs not listed) for the rest.
  const double revenue = world.ai_revenue.value();
  double labs_share = 0.0;
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    // A lab in default serves no one; its users go to the compute owners' services.
    const double share = world.firm_status[f] == model::FirmStatus::kDefaulted ? 0.0 : scenario.firms[f].inference_share;
    labs_share += share;
    ledger.pay(households, f, Flow::kServiceRevenue, revenue * share);
  }
  for (const model::OwnerState& o : world.owners) {
    ledger.pay(households, o.firm.index(), Flow::kServiceRevenue,
               revenue * (1.0 - labs_share) * scenario.firms[o.firm.index()].build_share);
  }

  // Compute rent. Contracts: buyer to seller at the contract price.
  std::vector<double> contract_used_by(scenario.firms.size(), 0.0);
  for (std::size_t c = 0; c < scenario.contracts.size() && c < world.contract_used_h100e.size(); ++c) {
    const model::ComputeCommitment& k = scenario.contracts[c];
    contract_used_by[k.buyer.index()] += world.contract_used_h100e[c];  // 0 for terminated contracts
    ledger.pay(k.buyer.index(), k.seller.index(), Flow::kComputeRent,
               monthly_usd_bn(world.contract_used_h100e[c], k.price_usd_per_h100e_hour));
  }
  // Take-or-pay: committed compute the buyer did not use is still owed, up to the share.
  for (std::size_t c = 0; c < scenario.contracts.size() && c < world.contract_used_h100e.size(); ++c) {
    const model::ComputeCommitment& k = scenario.contracts[c];
    if (world.month < k.start || world.month > k.end || !model::contract_alive(world, k)) continue;
    const double owed = std::max(0.0, k.take_or_pay_share * k.volume.value() - world.contract_used_h100e[c]);
    ledger.pay(k.buyer.index(), k.seller.index(), Flow::kTakeOrPay, monthly_usd_bn(owed, k.price_usd_per_h100e_hour));
  }
  // Interest on debt, monthly, to the banks.
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    const double debt = ledger.sheet(f).liabilities[static_cast<std::size_t>(model::Liability::kDebt)];
    ledger.pay(f, ledger.banks(), Flow::kInterest, debt * core::monthly_rate(scenario.firms[f].debt_rate_per_year));
  }
  // Spot: each firm buys what its demand leaves after its contracts; buyers not listed
  // (the households/rest-of-world sector) buy the rest. Payments go to each owner in
  // proportion to its spot sales.
  double spot_sold = 0.0;
  std::vector<double> spot_by_owner(world.owners.size(), 0.0);
  for (const model::CapacityStep& s : world.steps) {
    spot_sold += s.spot_h100e;
    spot_by_owner[s.owner] += s.spot_h100e;
  }
  std::vector<double> bought(scenario.firms.size() + 1, 0.0);
  double listed = 0.0;
  const double inference_now = world.demand_curve.inference_h100e(world.spot_price);
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    bought[f] = std::max(0.0, world.demand_curve.firm_h100e(f, world.spot_price, inference_now) - contract_used_by[f]);
    listed += bought[f];
  }
  if (listed > spot_sold && listed > 0.0) {
    for (std::size_t f = 0; f < scenario.firms.size(); ++f) bought[f] *= spot_sold / listed;  // rationed pro rata
    listed = spot_sold;
  }
  bought.back() = spot_sold - listed;
  if (spot_sold > 0.0) {
    for (std::size_t i = 0; i < world.owners.size(); ++i) {
      const double owner_share = spot_by_owner[i] / spot_sold;
      for (std::size_t b = 0; b < bought.size(); ++b) {
        const std::size_t payer = b < scenario.firms.size() ? b : households;
        ledger.pay(payer, world.owners[i].firm.index(), Flow::kComputeRent,
                   monthly_usd_bn(bought[b] * owner_share, world.spot_price));
      }
    }
  }

  // Running costs: power and other opex of the capacity each owner ran.
  const auto& gens = scenario.technology.generations;
  for (const model::CapacityStep& s : world.steps) {
    const double used = s.contract_h100e + s.spot_h100e;
    const double cost_per_hour = model::marginal_cost(sup, gens[s.generation]);
    ledger.pay(world.owners[s.owner].firm.index(), households, Flow::kOperatingCost, monthly_usd_bn(used, cost_per_hour));
  }

  // Book values: straight-line depreciation of accelerators; failures written off at book.
  // Summed per firm first, then posted once each.
  std::vector<double> depreciation(scenario.firms.size(), 0.0);
  std::vector<double> written_off(scenario.firms.size(), 0.0);
  for (const model::Cohort& c : world.cohorts) {
    const int life = scenario.firms[c.owner.index()].book_life_months;
    const int age = world.month - c.vintage;
    if (age >= 1 && age <= life) depreciation[c.owner.index()] += c.h100e * c.usd_per_h100e / 1e9 / life;
    const double book_share_before = age == 0 ? 1.0 : std::max(0.0, 1.0 - static_cast<double>(age - 1) / life);
    written_off[c.owner.index()] += c.failed_h100e * c.usd_per_h100e / 1e9 * book_share_before;
  }
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    ledger.depreciate(f, Asset::kAccelerators, depreciation[f]);
    ledger.revalue(f, Asset::kAccelerators, -written_off[f], model::Revaluation::kFailures);
  }
  // Shells, power and fabs: declining balance at 1/life a month.
  for (const model::OwnerState& o : world.owners) {
    const auto& sheet = ledger.sheet(o.firm.index());
    ledger.depreciate(o.firm.index(), Asset::kDatacenters,
                      sheet.assets[static_cast<std::size_t>(Asset::kDatacenters)] / sup.datacenter.life_months);
    ledger.depreciate(o.firm.index(), Asset::kPower, sheet.assets[static_cast<std::size_t>(Asset::kPower)] / sup.power.life_months);
  }
  ledger.depreciate(chipmaker, Asset::kProductionCapacity,
                    ledger.sheet(chipmaker).assets[static_cast<std::size_t>(Asset::kProductionCapacity)] /
                        sup.production.project_life_months);

  // Shortfalls: a firm whose payments took its deposits below zero borrows the gap from the
  // banks (an overdraft is debt that pays interest and counts in its covenant), or, if it is
  // equity-financed, sells new shares for it.
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    const double deposits = ledger.sheet(f).assets[static_cast<std::size_t>(Asset::kDeposits)];
    if (deposits >= 0.0 || world.firm_status[f] != model::FirmStatus::kActive) continue;
    if (scenario.firms[f].financing == model::Firm::Financing::kEquity) {
      ledger.issue_equity(f, -deposits);
    } else {
      ledger.borrow(f, -deposits);
    }
  }
  resolve_defaults(scenario, world, events);
}

}  // namespace bsim::finance
