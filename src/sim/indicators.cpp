#include "sim/indicators.h"

#include <algorithm>
#include <numeric>

#include "core/calendar.h"
#include "core/units.h"
#include "finance/finance.h"

namespace bsim::sim {
namespace {

void push_window(std::vector<double>& window, double value, std::size_t size) {
  window.push_back(value);
  if (window.size() > size) window.erase(window.begin());
}

double asset(const model::Ledger& ledger, std::size_t f, model::Asset a) {
  return ledger.sheet(f).assets[static_cast<std::size_t>(a)];
}

}  // namespace

void update_indicators(const model::Scenario& scenario, model::World& world) {
  model::IndicatorState& ind = world.indicators;
  const model::Ledger& ledger = world.ledger;
  const std::size_t n = scenario.firms.size();

  // Stranded accelerators: per owner, the H100e idle in each of the last three months (the
  // idle units are its costliest to run), or the H100e of cohorts whose economic value is below
  // a tenth of their book value, whichever is larger.
  ind.owner_idle_h100e.resize(world.owners.size());
  std::vector<double> low_value(n, 0.0);
  ind.accelerators_value_usd_bn.assign(n, 0.0);
  // The same pass sums the active owners' fleet for the halls' resale factor (the sums
  // finance::fleet_market_to_book makes, in the same order).
  double fleet_value = 0.0;
  double fleet_book = 0.0;
  for (const model::Cohort& c : world.cohorts) {
    const std::size_t owner = c.owner.index();
    const double book = finance::cohort_book_value(c, world.month, scenario.firms[owner].book_life_months);
    const double value = finance::economic_value(scenario, world, c);
    ind.accelerators_value_usd_bn[owner] += value;
    if (book > 0.0 && value < kStrandedValueShare * book) low_value[owner] += c.h100e;
    if (owner >= world.firm_status.size() || world.firm_status[owner] == model::FirmStatus::kActive) {
      fleet_value += value;
      fleet_book += book;
    }
  }
  ind.halls_resale_factor = finance::halls_resale_factor(scenario.finance, fleet_value, fleet_book);
  ind.stranded_h100e = 0.0;
  for (std::size_t i = 0; i < world.owners.size(); ++i) {
    const model::OwnerState& o = world.owners[i];
    auto& idle = ind.owner_idle_h100e[i];
    push_window(idle, std::max(0.0, o.installed_h100e - o.served_h100e), kStrandedIdleMonths);
    const double idle_throughout = idle.size() == kStrandedIdleMonths ? *std::min_element(idle.begin(), idle.end()) : 0.0;
    ind.stranded_h100e += std::max(idle_throughout, low_value[o.firm.index()]);
  }

  // Revenue needed to pay for the infrastructure in service: its running costs, the
  // depreciation of accelerators, shells and power, and the cost of capital on their book
  // value (finance.discount_rate_per_year); the gap is what end users' spending falls short.
  const double r = core::monthly_rate(scenario.finance.discount_rate_per_year);
  const model::SupplyParams& sup = scenario.supply;
  double required = 0.0;
  for (const model::Cohort& c : world.cohorts) {
    const int life = scenario.firms[c.owner.index()].book_life_months;
    const int age = world.month - c.vintage;
    if (life > 0 && age >= 1 && age <= life) required += c.h100e * c.usd_per_h100e / 1e9 / life;
  }
  for (std::size_t f = 0; f < n; ++f) {
    const double accelerators = asset(ledger, f, model::Asset::kAccelerators);
    const double halls = asset(ledger, f, model::Asset::kDatacenters);
    const double power = asset(ledger, f, model::Asset::kPower);
    required += (accelerators + halls + power) * r;
    required += halls / sup.datacenter.life_months + power / sup.power.life_months;
    required += std::max(0.0, -ledger.flow(model::Flow::kOperatingCost, f));
    required += std::max(0.0, -ledger.flow(model::Flow::kPowerPurchase, f));  // power bought under PPAs
  }
  ind.required_revenue_usd_bn = required;
  ind.revenue_gap_usd_bn = required - world.ai_revenue.value();

  // Labs' remaining compute commitments against their service revenue over the last 12 months.
  ind.lab_revenue_usd_bn.resize(n);
  double committed = 0.0;
  double revenue = 0.0;
  for (std::size_t f = 0; f < n; ++f) {
    if (scenario.firms[f].type != model::FirmType::kLab) continue;
    push_window(ind.lab_revenue_usd_bn[f], ledger.receipts(model::Flow::kServiceRevenue, f), 12);
    if (f < world.firm_status.size() && world.firm_status[f] != model::FirmStatus::kActive) continue;
    revenue += std::accumulate(ind.lab_revenue_usd_bn[f].begin(), ind.lab_revenue_usd_bn[f].end(), 0.0);
  }
  for (const model::ComputeCommitment& k : scenario.contracts) {
    const std::size_t b = k.buyer.index();
    if (scenario.firms[b].type != model::FirmType::kLab || !model::contract_alive(world, k) || k.end <= world.month) continue;
    const int months = k.end - std::max(world.month, k.start - 1);
    committed += k.volume.value() * k.price_usd_per_h100e_hour * core::kHoursPerMonth * months / 1e9;
  }
  ind.commitments_to_revenue = revenue > 0.0 ? committed / revenue : 0.0;

  // Debt-service coverage as the covenants measure it: operating cash flow over interest, over
  // the covenant window, summed over the active firms that pay interest.
  double cash = 0.0;
  double interest = 0.0;
  for (std::size_t f = 0; f < n && f < world.interest_paid.size(); ++f) {
    if (f < world.firm_status.size() && world.firm_status[f] != model::FirmStatus::kActive) continue;
    const double paid = std::accumulate(world.interest_paid[f].begin(), world.interest_paid[f].end(), 0.0);
    if (paid <= 0.0) continue;
    interest += paid;
    cash += std::accumulate(world.operating_cash[f].begin(), world.operating_cash[f].end(), 0.0);
  }
  ind.debt_service_coverage = interest > 0.0 ? cash / interest : 0.0;
}

}  // namespace bsim::sim
