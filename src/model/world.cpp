#include "model/world.h"

#include <algorithm>
#include <cmath>

namespace bsim::model {

double DemandCurve::Piece::service_price(double p) const {
  const double basis = p * compute_per_unit * markup + other_cost;
  if (pass_weight >= 1.0) return basis;
  return std::exp((1.0 - pass_weight) * log_previous_price + pass_weight * std::log(basis));
}

double DemandCurve::Piece::service_units(double p) const {
  const double price = service_price(p);
  const double q = std::exp(intercept - elasticity * std::log(price));
  return ceiling_usd > 0.0 ? std::min(q, ceiling_usd / price) : q;
}

double DemandCurve::inference_h100e(double p) const {
  double total = 0.0;
  for (const Piece& s : inference) total += s.service_units(p) * s.compute_per_unit * s.datacenter_share / core::kHoursPerMonth;
  return total;
}

double DemandCurve::lab_inference_h100e(double p) const {
  double total = 0.0;
  for (const Piece& s : inference) {
    if (s.served_by_labs) total += s.service_units(p) * s.compute_per_unit * s.datacenter_share / core::kHoursPerMonth;
  }
  return total;
}

double DemandCurve::training_h100e(double p) const {
  // No budget buys no compute at any price: at a spot price of 0 (zero marginal cost) the
  // quotient would be 0/0.
  if (training_budget.value() == 0.0) return 0.0;
  return training_budget.value() * 1e9 / (p * core::kHoursPerMonth);
}

bool contract_alive(const World& world, const ComputeCommitment& contract) {
  return world.firm_status.empty() || (world.firm_status[contract.buyer.index()] == FirmStatus::kActive &&
                                       world.firm_status[contract.seller.index()] == FirmStatus::kActive);
}

void place_accelerator_order(World& world, std::size_t owner, double h100e) {
  if (h100e <= 0.0) return;
  world.production.backlog.push_back({owner, h100e});
  world.production.backlog_h100e += h100e;
  world.owners[owner].on_order_h100e += h100e;
}

std::vector<double> cancel_accelerator_orders(World& world, const std::vector<double>& wanted, double committed_h100e) {
  std::vector<double> remaining(world.owners.size(), 0.0);
  double left = 0.0;
  for (std::size_t i = 0; i < remaining.size() && i < wanted.size(); ++i) {
    remaining[i] = std::max(0.0, std::min(wanted[i], world.owners[i].on_order_h100e));
    left += remaining[i];
  }
  std::vector<double> cancelled(world.owners.size(), 0.0);
  if (left <= 0.0) return cancelled;
  ProductionState& prod = world.production;
  auto& queue = prod.backlog;
  // The committed window: whole orders at the front, and part of the first order that straddles it.
  std::size_t first = prod.backlog_head;
  double ahead = 0.0;
  while (first < queue.size() && ahead + queue[first].h100e <= committed_h100e) ahead += queue[first++].h100e;
  for (std::size_t j = queue.size(); j > first && left > 0.0; --j) {
    BacklogOrder& order = queue[j - 1];
    double& want = remaining[order.owner];
    if (want <= 0.0 || order.h100e <= 0.0) continue;
    const double open = j - 1 == first ? order.h100e - std::max(0.0, committed_h100e - ahead) : order.h100e;
    const double take = std::min(want, std::max(0.0, open));
    order.h100e -= take;
    want -= take;
    left -= take;
    cancelled[order.owner] += take;
  }
  double total = 0.0;
  for (std::size_t i = 0; i < cancelled.size(); ++i) {
    world.owners[i].on_order_h100e = std::max(0.0, world.owners[i].on_order_h100e - cancelled[i]);
    total += cancelled[i];
  }
  prod.backlog_h100e = std::max(0.0, prod.backlog_h100e - total);
  return cancelled;
}

double DemandCurve::firm_h100e(std::size_t firm, double p) const { return firm_h100e(firm, p, lab_inference_h100e(p)); }

double DemandCurve::firm_h100e(std::size_t firm, double p, double lab_inference_at_p) const {
  double d = 0.0;
  if (firm < training_budget_by_firm_usd_bn.size()) d += training_budget_by_firm_usd_bn[firm] * 1e9 / (p * core::kHoursPerMonth);
  if (firm < inference_share_by_firm.size()) d += inference_share_by_firm[firm] * lab_inference_at_p;
  return d;
}

}  // namespace bsim::model
