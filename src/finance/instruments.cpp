#include "finance/instruments.h"

#include <algorithm>
#include <stdexcept>

namespace bsim::finance {

WaterfallResult pay_waterfall(std::vector<Tranche>& tranches, double collections, double pool_loss) {
  if (collections < 0.0 || pool_loss < 0.0) throw std::invalid_argument("pay_waterfall: collections and pool_loss must be >= 0");
  const std::size_t n = tranches.size();
  WaterfallResult r;
  r.interest_paid.assign(n, 0.0);
  r.principal_paid.assign(n, 0.0);
  r.losses.assign(n, 0.0);
  r.interest_short.assign(n, 0.0);
  for (const Tranche& t : tranches) {
    if (t.balance < 0.0 || t.coupon_per_month < 0.0) {
      throw std::invalid_argument("pay_waterfall: tranche '" + t.name + "' has a negative balance or coupon");
    }
  }
  // Losses hit the most junior tranche first.
  double loss = pool_loss;
  for (std::size_t k = n; k-- > 0 && loss > 0.0;) {
    const double hit = std::min(loss, tranches[k].balance);
    tranches[k].balance -= hit;
    r.losses[k] = hit;
    loss -= hit;
  }
  // Interest in order of seniority, then principal in the same order.
  double cash = collections;
  for (std::size_t k = 0; k < n; ++k) {
    const double due = tranches[k].balance * tranches[k].coupon_per_month;
    r.interest_paid[k] = std::min(cash, due);
    r.interest_short[k] = due - r.interest_paid[k];
    cash -= r.interest_paid[k];
  }
  for (std::size_t k = 0; k < n && cash > 0.0; ++k) {
    r.principal_paid[k] = std::min(cash, tranches[k].balance);
    tranches[k].balance -= r.principal_paid[k];
    cash -= r.principal_paid[k];
  }
  r.residual = cash;
  return r;
}

double milestones_reached(const std::vector<Milestone>& schedule, double before, double now) {
  double due = 0.0;
  for (const Milestone& m : schedule) {
    if (before < m.threshold && m.threshold <= now) due += m.amount;
  }
  return due;
}

}  // namespace bsim::finance
