#include "sim/run_path.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <tuple>
#include <utility>

#include "behaviour/behaviour.h"
#include "behaviour/sentiment.h"
#include "behaviour/competition.h"
#include "core/random.h"
#include "demand/demand.h"
#include "finance/finance.h"
#include "market/market.h"
#include "sim/indicators.h"
#include "supply/supply.h"
#include "technology/technology.h"

namespace bsim::sim {
namespace {

core::RandomStream stream(std::uint64_t seed, std::uint64_t path_id, Stream s) {
  return core::RandomStream(seed, path_id, static_cast<std::uint64_t>(s));
}

}  // namespace

StockFlowError::StockFlowError(model::StockFlowViolation violation, std::string sector_name, double tolerance_usd_bn)
    : std::runtime_error(fmt::format("stock-flow violation in {} at {}: {} (residual {:.3g} USD bn, tolerance {:g})",
                                     violation.month.str(), sector_name, violation.entry, violation.residual_usd_bn,
                                     tolerance_usd_bn)),
      violation_(std::move(violation)) {}

NonFiniteError::NonFiniteError(core::Month month, std::string mechanism, std::string quantity, double value)
    : std::runtime_error(fmt::format("non-finite value in {} after {}: {} is {} (an input drove the model outside the range it "
                                     "can compute; check the scenario's extreme values)",
                                     month.str(), mechanism, quantity, value)),
      mechanism_(std::move(mechanism)),
      quantity_(std::move(quantity)) {}

namespace {

/// Throws NonFiniteError for the first of `values` that is NaN or infinite.
class FiniteCheck {
 public:
  FiniteCheck(const model::World& world, const char* mechanism) : world_(world), mechanism_(mechanism) {}
  /// The name is `prefix` + `name`, put together only when the value is not finite.
  void operator()(std::string_view name, double value) const { (*this)({}, name, value); }
  void operator()(std::string_view prefix, std::string_view name, double value) const {
    if (!std::isfinite(value)) throw NonFiniteError(world_.month, mechanism_, std::string(prefix) + std::string(name), value);
  }

 private:
  const model::World& world_;
  const char* mechanism_;
};

}  // namespace

void check_finite(const model::Scenario& scenario, const model::World& w, const char* mechanism) {
  const FiniteCheck check(w, mechanism);
  const std::string_view m(mechanism);
  if (m == "technology") {
    check("efficiency_index", w.efficiency);
    check("training_efficiency_index", w.training_efficiency);
    check("edge_share", w.edge_share);
    check("efficiency_jump_rate_per_year", w.jump_rate_per_year);
  } else if (m == "supply") {
    check("installed_h100e", w.installed.value());
    check("operable_h100e", w.operable.value());
    check("delivered_h100e", w.delivered.value());
    check("production_cap_h100e_per_month", w.production.cap_h100e_per_month);
    check("backlog_h100e", w.production.backlog_h100e);
    double cohorts = 0.0;
    for (const model::Cohort& c : w.cohorts) cohorts += c.h100e;
    check("cohorts' H100e", cohorts);
    for (const model::OwnerState& o : w.owners) {
      const std::string& id = scenario.firms[o.firm.index()].id;
      check(id, ": datacenter_gw", o.datacenter_gw);
      check(id, ": power_gw", o.power_gw);
    }
  } else if (m == "demand") {
    for (std::size_t i = 0; i < w.segments.size() && i < scenario.segments.size(); ++i) {
      const model::SegmentState& st = w.segments[i];
      const std::string& id = scenario.segments[i].id;
      check(id, " segment: users", st.users);
      check(id, " segment: usage per user", st.usage_per_user);
      check(id, " segment: ln activity", st.log_activity);
      check(id, " segment: demand curve", st.curve_intercept);
      check(id, " segment: compute per unit", st.compute_per_unit);
      check(id, " segment: spending ceiling", st.ceiling_usd_bn);
      check(id, " segment: ln demand", st.log_demand);
      check(id, " segment: ln service price", st.log_service_price);
    }
    check("training budget", w.training_budget.value());
    check("ai_revenue_usd_bn", w.ai_revenue.value());
    check("service_price_usd_per_unit", w.service_price);
    check("service_demand_units", w.service_demand_units);
  } else if (m == "market") {
    check("spot_price_usd_per_h100e_hour", w.spot_price);
    check("served_h100e", w.served.value());
    check("unmet_demand_h100e", w.unmet.value());
    check("inference_demand_h100e", w.inference_demand.value());
    check("training_demand_h100e", w.training_demand.value());
    check("compute_revenue_usd_bn", w.compute_revenue.value());
  } else if (m == "finance") {
    check("capex_usd_bn", w.capex.value());
    for (std::size_t s = 0; s < w.ledger.sectors(); ++s) {
      const model::BalanceSheet& sheet = w.ledger.sheet(s);
      for (double a : sheet.assets) {
        if (!std::isfinite(a)) check(sector_name(scenario, w, s), ": an asset", a);
      }
      for (double l : sheet.liabilities) {
        if (!std::isfinite(l)) check(sector_name(scenario, w, s), ": a liability", l);
      }
    }
  } else if (m == "behaviour") {
    check("sentiment_index", w.sentiment.index);
    check("ai_equity_value_usd_bn", w.sentiment.ai_equity_value_usd_bn);
    check("credit_tightness", w.sentiment.credit_tightness);
    check("credit_spread_per_year", w.valuation.credit_spread_per_year);
    for (double v : w.valuation.firm_value_usd_bn) check("equity_value_usd_bn", v);
    check("expected demand growth", w.behaviour.expected_log_growth);
    check("ordered_h100e", w.ordered.value());
  } else if (m == "indicators") {
    check("stranded_h100e", w.indicators.stranded_h100e);
    check("revenue_gap_usd_bn", w.indicators.revenue_gap_usd_bn);
    check("commitments_to_revenue", w.indicators.commitments_to_revenue);
    check("debt_service_coverage", w.indicators.debt_service_coverage);
    for (double v : w.indicators.accelerators_value_usd_bn) check("accelerators_value_usd_bn", v);
  }
}

std::string sector_name(const model::Scenario& scenario, const model::World& world, std::size_t sector) {
  if (sector < scenario.firms.size()) return scenario.firms[sector].name;
  return sector == world.ledger.households() ? "households/rest of world" : "banks";
}

void check_stock_flow(const model::Scenario& scenario, model::World& world) {
  const double tolerance = stock_flow_tolerance(world.ledger.largest_stock());
  std::vector<model::StockFlowViolation> problems = world.ledger.check(world.month, tolerance);
  world.sfc_max_residual = world.ledger.max_residual();
  // The accelerator register (cohorts at book) must agree with the ledger's accelerators.
  std::vector<double> register_book(scenario.firms.size(), 0.0);
  for (const model::Cohort& c : world.cohorts) {
    register_book[c.owner.index()] += finance::cohort_book_value(c, world.month, scenario.firms[c.owner.index()].book_life_months);
  }
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    const double residual =
        world.ledger.sheet(f).assets[static_cast<std::size_t>(model::Asset::kAccelerators)] - register_book[f];
    world.sfc_max_residual = std::max(world.sfc_max_residual, std::fabs(residual));
    if (std::fabs(residual) > tolerance) {
      problems.push_back({world.month, f, "accelerators: ledger book value differs from the cohort register", residual});
    }
  }
  if (!problems.empty()) {
    throw StockFlowError(problems.front(), sector_name(scenario, world, problems.front().sector), tolerance);
  }
  world.ledger.end_month();
}

model::World initial_world(const model::Scenario& scenario) {
  model::World world;
  world.month = scenario.time.start;
  supply::init(scenario, world);
  demand::init(scenario, world);
  behaviour::init_competition(scenario, world);
  finance::init(scenario, world);
  behaviour::init(scenario, world);
  return world;
}

namespace {

/// The accelerators of every firm at book (the ledger) and at economic value (the indicators).
std::pair<double, double> fleet_book_and_value(const model::Scenario& scenario, const model::World& w) {
  double book = 0.0;
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    book += w.ledger.sheet(f).assets[static_cast<std::size_t>(model::Asset::kAccelerators)];
  }
  double value = 0.0;
  for (double v : w.indicators.accelerators_value_usd_bn) value += v;
  return {book, value};
}

}  // namespace

model::MonthRecord record_month(const model::Scenario& scenario, const model::World& w) {
  model::MonthRecord r;
  r.month = w.month;
  r.efficiency_index = w.efficiency;
  r.training_efficiency_index = w.training_efficiency;
  r.installed_h100e = w.installed.value();
  r.operable_h100e = w.operable.value();
  r.idle_no_power_h100e = r.installed_h100e - r.operable_h100e;
  r.delivered_h100e = w.delivered.value();
  r.ordered_h100e = w.ordered.value();
  r.cancelled_h100e = w.cancelled.value();
  r.backlog_h100e = w.production.backlog_h100e;
  r.production_cap_h100e_per_month = w.production.cap_h100e_per_month;
  r.accelerator_lead_time_months = r.production_cap_h100e_per_month > 0.0 ? r.backlog_h100e / r.production_cap_h100e_per_month : 0.0;
  r.inference_demand_h100e = w.inference_demand.value();
  r.training_demand_h100e = w.training_demand.value();
  r.demand_h100e = r.inference_demand_h100e + r.training_demand_h100e;
  r.served_h100e = w.served.value();
  r.unmet_demand_h100e = w.unmet.value();
  r.contracted_h100e = w.contracted_served.value();
  r.utilization = r.operable_h100e > 0.0 ? r.served_h100e / r.operable_h100e : 0.0;
  r.spot_price_usd_per_h100e_hour = w.spot_price;
  r.marginal_cost_usd_per_h100e_hour = w.marginal_cost;
  r.service_demand_units = w.service_demand_units;
  r.service_price_usd_per_unit = w.service_price;
  r.edge_share = w.edge_share;
  for (const model::OwnerState& o : w.owners) {
    r.power_gw += o.power_gw + o.leased_power_gw;
    r.datacenter_gw += o.datacenter_gw + o.leased_datacenter_gw;
    r.power_needed_gw += o.installed_h100e * o.fleet_kw_per_h100e / 1e6;
    r.datacenter_planned_gw += o.datacenter_planned_gw;
    r.power_planned_gw += o.power_planned_gw;
    r.abandoned_gw += o.abandoned_gw;
    r.abandoned_sunk_usd_bn += o.abandoned_sunk_usd_bn;
  }
  r.power_construction_gw_per_year = w.power_construction_gw_per_year;
  // Compute in use at the fleet's average power, against what the shells in service could hold.
  r.datacenter_utilization = r.datacenter_gw > 0.0 && r.installed_h100e > 0.0
                                 ? r.served_h100e * (r.power_needed_gw / r.installed_h100e) / r.datacenter_gw
                                 : 0.0;
  r.capex_usd_bn = w.capex.value();
  r.core_capex_usd_bn = w.core_capex.value();
  r.total_capex_usd_bn = r.capex_usd_bn + r.core_capex_usd_bn;
  r.ai_revenue_usd_bn = w.ai_revenue.value();
  r.compute_revenue_usd_bn = w.compute_revenue.value();
  r.ai_services_sold_usd_bn = w.ai_revenue_lab_segments.value();
  r.ai_spending_ceiling_usd_bn = w.ai_spending_ceiling.value();
  r.labour_cost_addressable_usd_bn = w.labour.addressable_usd_bn;
  r.labour_cost_replaced_usd_bn = w.labour.replaced_usd_bn;
  r.workers_displaced_m = w.labour.displaced_m;
  r.enterprise_ai_writeoffs_usd_bn = w.labour.inhouse_writeoffs_usd_bn;
  r.sfc_max_residual_usd_bn = w.sfc_max_residual;
  r.defaults_count = w.defaults_count;
  r.debt_losses_usd_bn = w.debt_losses;
  r.sentiment_index = w.sentiment.index;
  r.ai_equity_value_usd_bn = w.sentiment.ai_equity_value_usd_bn;
  r.credit_tightness = w.sentiment.credit_tightness;
  r.policy_rate_per_year = w.valuation.policy_rate_per_year;
  r.credit_spread_per_year = w.valuation.credit_spread_per_year;
  r.equity_losses_usd_bn = w.equity_losses;
  r.default_losses_usd_bn = w.debt_losses + w.equity_losses;
  r.offbalance_financing_usd_bn = w.fin.offbalance_usd_bn;
  r.stranded_h100e = w.indicators.stranded_h100e;
  r.revenue_gap_usd_bn = w.indicators.revenue_gap_usd_bn;
  r.commitments_to_revenue = w.indicators.commitments_to_revenue;
  r.debt_service_coverage = w.indicators.debt_service_coverage;
  r.circular_revenue_share = w.fin.circular_revenue_share_all;
  std::tie(r.accelerators_book_usd_bn, r.accelerators_value_usd_bn) = fleet_book_and_value(scenario, w);
  r.efficiency_jump_rate_per_year = w.jump_rate_per_year;
  // Columns derived here (sums, ratios) can overflow where every state they come from is finite:
  // nothing non-finite reaches timeseries.csv or a Monte Carlo fan.
  for (const model::Column& c : model::kColumns) {
    if (!std::isfinite(r.*c.field)) throw NonFiniteError(w.month, "recording the month", std::string(c.name), r.*c.field);
  }
  return r;
}

LegacyState legacy_state(const model::Scenario& scenario, const model::World& world) {
  LegacyState out;
  auto added = [](const std::vector<model::GwVintage>& stock) {
    double gw = 0.0;
    for (const model::GwVintage& v : stock) gw += v.added ? v.gw : 0.0;
    return gw;
  };
  for (const model::OwnerState& o : world.owners) {
    out.datacenter_gw_added += added(o.datacenter);
    out.power_gw_added += added(o.power);
  }
  // Campuses built for leases after the start stand for a shell's life, let or not.
  for (std::size_t i = 0; i < scenario.leases.size(); ++i) {
    const model::Lease& l = scenario.leases[i];
    const bool finished = world.fin.campus_months_built[i] >= l.build_months;
    if (finished && l.start > scenario.time.start && world.month - l.start < scenario.supply.datacenter.life_months) {
      out.datacenter_gw_added += l.datacenter_gw;
      out.power_gw_added += l.power_gw;
    }
  }
  out.production_h100e_per_month_added = added(world.production.projects);
  const model::SupplyParams& sup = scenario.supply;
  out.replacement_value_usd_bn = out.datacenter_gw_added * sup.datacenter.usd_bn_per_gw + out.power_gw_added * sup.power.usd_bn_per_gw +
                                 out.production_h100e_per_month_added * sup.production.usd_bn_per_h100e_per_month;
  out.accelerators_h100e = world.installed.value();
  std::tie(out.accelerators_book_usd_bn, out.accelerators_value_usd_bn) = fleet_book_and_value(scenario, world);
  return out;
}

void record_firms(const model::Scenario& scenario, const model::World& world, std::vector<model::FirmMonth>& out) {
  const model::Ledger& ledger = world.ledger;
  const std::size_t first = out.size();
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    const model::BalanceSheet& sheet = ledger.sheet(f);
    model::FirmMonth r;
    r.month = world.month;
    r.firm = f;
    r.status = f < world.firm_status.size() ? world.firm_status[f] : model::FirmStatus::kActive;
    r.cash_usd_bn = sheet.assets[static_cast<std::size_t>(model::Asset::kDeposits)];
    r.debt_usd_bn = sheet.liabilities[static_cast<std::size_t>(model::Liability::kDebt)];
    // Shareholders' book equity: net worth plus the shares issued, which the ledger carries as
    // a liability of the issuer.
    r.equity_usd_bn = sheet.net_worth() + sheet.liabilities[static_cast<std::size_t>(model::Liability::kIssuedEquity)];
    r.revenue_usd_bn = ledger.receipts(model::Flow::kServiceRevenue, f) + ledger.receipts(model::Flow::kComputeRent, f) +
                       ledger.receipts(model::Flow::kTakeOrPay, f);
    r.equity_issued_usd_bn = ledger.receipts(model::Flow::kEquityIssuance, f);
    r.accelerators_book_usd_bn = sheet.assets[static_cast<std::size_t>(model::Asset::kAccelerators)];
    r.accelerators_value_usd_bn = f < world.indicators.accelerators_value_usd_bn.size() ? world.indicators.accelerators_value_usd_bn[f] : 0.0;
    r.equity_economic_usd_bn = r.equity_usd_bn + (r.accelerators_value_usd_bn - r.accelerators_book_usd_bn);
    r.compute_gw = f < world.fin.compute_gw.size() ? world.fin.compute_gw[f] : 0.0;
    r.circular_revenue_share = f < world.fin.circular_revenue_share.size() ? world.fin.circular_revenue_share[f] : 0.0;
    const std::vector<double>& shares = world.demand_curve.inference_share_by_firm;
    r.inference_share = r.status == model::FirmStatus::kDefaulted || f >= shares.size() ? 0.0 : shares[f];
    const std::vector<double>& quality = world.competition.quality_h100e_months;
    r.training_compute_h100e_months = f < quality.size() ? quality[f] : 0.0;
    const std::vector<double>& budgets = world.demand_curve.training_budget_by_firm_usd_bn;
    r.training_budget_usd_bn = f < budgets.size() ? budgets[f] : 0.0;
    const std::vector<double>& values = world.valuation.firm_value_usd_bn;
    r.equity_value_usd_bn = f < values.size() ? values[f] : 0.0;
    out.push_back(r);
  }
  // Owners' halls as a liquidation would price them (the accelerators' economic value comes
  // from sim::update_indicators).
  for (const model::OwnerState& o : world.owners) {
    const double halls = ledger.sheet(o.firm.index()).assets[static_cast<std::size_t>(model::Asset::kDatacenters)];
    out[first + o.firm.index()].equity_economic_usd_bn -= halls * (1.0 - world.indicators.halls_resale_factor);
  }
  // Systemic importance on this month's exposure network (firms and banks).
  const std::vector<double> rank = finance::debtrank_by_firm(finance::exposure_network(scenario, world));
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) out[first + f].debtrank = rank[f];
  for (const model::OwnerState& o : world.owners) {
    model::FirmMonth& r = out[first + o.firm.index()];
    r.installed_h100e = o.installed_h100e;
    r.operable_h100e = o.operable_h100e;
    r.capex_usd_bn = o.capex_usd_bn;
    r.compute_revenue_usd_bn = o.compute_revenue_usd_bn;
  }
  // Nothing non-finite reaches firms.csv.
  static constexpr std::array<std::pair<std::string_view, double model::FirmMonth::*>, 18> kFields = {{
      {"cash_usd_bn", &model::FirmMonth::cash_usd_bn},
      {"debt_usd_bn", &model::FirmMonth::debt_usd_bn},
      {"equity_usd_bn", &model::FirmMonth::equity_usd_bn},
      {"revenue_usd_bn", &model::FirmMonth::revenue_usd_bn},
      {"installed_h100e", &model::FirmMonth::installed_h100e},
      {"operable_h100e", &model::FirmMonth::operable_h100e},
      {"capex_usd_bn", &model::FirmMonth::capex_usd_bn},
      {"compute_revenue_usd_bn", &model::FirmMonth::compute_revenue_usd_bn},
      {"debtrank", &model::FirmMonth::debtrank},
      {"equity_issued_usd_bn", &model::FirmMonth::equity_issued_usd_bn},
      {"accelerators_book_usd_bn", &model::FirmMonth::accelerators_book_usd_bn},
      {"accelerators_value_usd_bn", &model::FirmMonth::accelerators_value_usd_bn},
      {"equity_economic_usd_bn", &model::FirmMonth::equity_economic_usd_bn},
      {"compute_gw", &model::FirmMonth::compute_gw},
      {"circular_revenue_share", &model::FirmMonth::circular_revenue_share},
      {"inference_share", &model::FirmMonth::inference_share},
      {"training_compute_h100e_months", &model::FirmMonth::training_compute_h100e_months},
      {"training_budget_usd_bn", &model::FirmMonth::training_budget_usd_bn},
  }};
  for (std::size_t i = first; i < out.size(); ++i) {
    for (const auto& [name, field] : kFields) {
      const double x = out[i].*field;
      if (!std::isfinite(x)) {
        throw NonFiniteError(world.month, "recording the firms", scenario.firms[out[i].firm].id + ": " + std::string(name), x);
      }
    }
  }
}

HolderLosses holder_losses(const model::Scenario& scenario, const model::World& world) {
  HolderLosses out;
  const model::FinanceState& fin = world.fin;
  for (std::size_t c = 0; c < model::kHolderClassCount; ++c) {
    const auto cls = static_cast<model::HolderClass>(c);
    if (cls == model::HolderClass::kFirm) continue;
    out.by_class.emplace_back(std::string(model::holder_class_name(cls)), fin.losses_by_class_total[c]);
  }
  out.by_class.emplace_back("firms", fin.losses_by_class_total[static_cast<std::size_t>(model::HolderClass::kFirm)]);
  for (std::size_t f = 0; f < scenario.firms.size() && f < fin.losses_by_firm_total.size(); ++f) {
    if (fin.losses_by_firm_total[f] > 0.0) out.by_firm.emplace_back(scenario.firms[f].id, fin.losses_by_firm_total[f]);
    if (fin.vendor_financing_losses_total[f] > 0.0) out.vendor_financing.emplace_back(scenario.firms[f].id, fin.vendor_financing_losses_total[f]);
  }
  // Contracts sharing a tranche label (one bond held by several investors) add up.
  for (std::size_t i = 0; i < scenario.debts.size() && i < fin.losses_by_debt_total.size(); ++i) {
    if (fin.losses_by_debt_total[i] <= 0.0) continue;
    const std::string label = scenario.debts[i].tranche.empty() ? scenario.debts[i].id : scenario.debts[i].tranche;
    auto it = std::find_if(out.by_tranche.begin(), out.by_tranche.end(), [&](const auto& p) { return p.first == label; });
    if (it == out.by_tranche.end()) {
      out.by_tranche.emplace_back(label, fin.losses_by_debt_total[i]);
    } else {
      it->second += fin.losses_by_debt_total[i];
    }
  }
  return out;
}

PathRunner::PathRunner(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed)
    : scenario_(&scenario),
      technology_rng_(stream(seed, path_id, Stream::kTechnology)),
      supply_rng_(stream(seed, path_id, Stream::kSupply)),
      demand_rng_(stream(seed, path_id, Stream::kDemand)),
      market_rng_(stream(seed, path_id, Stream::kMarket)),
      finance_rng_(stream(seed, path_id, Stream::kFinance)),
      behaviour_rng_(stream(seed, path_id, Stream::kBehaviour)),
      world_(initial_world(scenario)) {}

void PathRunner::step(model::EventSink& events) {
  const model::Scenario& scenario = *scenario_;
  model::World& world = world_;
  world.step = next_step_;
  world.month = scenario.time.start + next_step_;
  // The step order of DESIGN §1; each mechanism sees what the earlier ones wrote this month.
  // A non-finite value stops the run at the mechanism that wrote it (check_finite).
  technology::step(scenario, world, technology_rng_, events);
  check_finite(scenario, world, "technology");
  supply::step(scenario, world, supply_rng_, events);
  check_finite(scenario, world, "supply");
  demand::prepare(scenario, world, demand_rng_, events);
  check_finite(scenario, world, "demand");
  market::step(scenario, world, market_rng_, events);
  check_finite(scenario, world, "market");
  demand::settle(scenario, world, demand_rng_, events);
  check_finite(scenario, world, "demand");
  finance::step(scenario, world, finance_rng_, events);
  check_finite(scenario, world, "finance");
  behaviour::compete(scenario, world, behaviour_rng_, events);
  behaviour::step(scenario, world, behaviour_rng_, events);
  check_finite(scenario, world, "behaviour");
  update_indicators(scenario, world);
  check_finite(scenario, world, "indicators");
  check_stock_flow(scenario, world);
  ++next_step_;
}

std::vector<model::MonthRecord> run_path(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed,
                                         model::EventSink& events) {
  PathRunner runner(scenario, path_id, seed);
  std::vector<model::MonthRecord> months;
  months.reserve(static_cast<std::size_t>(std::max(0, scenario.time.months())));
  while (!runner.done()) {
    runner.step(events);
    months.push_back(record_month(scenario, runner.world()));
  }
  return months;
}

PathResult run_path(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed) {
  model::EventLog log;
  PathResult result;
  result.path_id = path_id;
  result.seed = seed;
  const auto months = static_cast<std::size_t>(std::max(0, scenario.time.months()));
  result.months.reserve(months);
  result.firms.reserve(months * scenario.firms.size());
  PathRunner runner(scenario, path_id, seed);
  while (!runner.done()) {
    runner.step(log);
    result.months.push_back(record_month(scenario, runner.world()));
    record_firms(scenario, runner.world(), result.firms);
  }
  result.events = log.events();
  result.losses = holder_losses(scenario, runner.world());
  result.legacy = legacy_state(scenario, runner.world());
  return result;
}

}  // namespace bsim::sim
