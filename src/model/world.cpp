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

}  // namespace bsim::model
