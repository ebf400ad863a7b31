#include "model/world.h"

#include <cmath>

namespace bsim::model {

double DemandCurve::inference_h100e(double p) const {
  double total = 0.0;
  for (const Piece& s : inference) {
    const double service_price = p * s.compute_per_unit * s.markup + s.other_cost;
    const double q = std::exp(s.intercept - s.elasticity * std::log(service_price));
    total += q * s.compute_per_unit * s.datacenter_share / core::kHoursPerMonth;
  }
  return total;
}

double DemandCurve::training_h100e(double p) const {
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

double DemandCurve::firm_h100e(std::size_t firm, double p) const { return firm_h100e(firm, p, inference_h100e(p)); }

double DemandCurve::firm_h100e(std::size_t firm, double p, double inference_at_p) const {
  double d = 0.0;
  if (firm < training_budget_by_firm_usd_bn.size()) d += training_budget_by_firm_usd_bn[firm] * 1e9 / (p * core::kHoursPerMonth);
  if (firm < inference_share_by_firm.size()) d += inference_share_by_firm[firm] * inference_at_p;
  return d;
}

}  // namespace bsim::model
