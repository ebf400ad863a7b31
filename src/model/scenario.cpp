#include "model/scenario.h"

#include <cmath>

namespace bsim::model {

double YearSeries::at(core::Month m) const {
  if (points.empty()) return 0.0;
  const int year = m.year();
  if (year <= points.front().first) return points.front().second;
  double value = points.front().second;
  for (const auto& [y, v] : points) {
    if (y <= year) value = v;
  }
  const int last_year = points.back().first;
  if (year > last_year) {
    return points.back().second * std::pow(growth_after_per_year, year - last_year);
  }
  return value;
}

double YearSeries::interpolated(core::Month m) const {
  if (points.empty()) return 0.0;
  const auto january = [](int year) { return core::Month(year, 1); };
  if (m <= january(points.front().first)) return points.front().second;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const core::Month a = january(points[i - 1].first);
    const core::Month b = january(points[i].first);
    if (m < b) {
      const double t = static_cast<double>(m - a) / static_cast<double>(b - a);
      return points[i - 1].second + t * (points[i].second - points[i - 1].second);
    }
  }
  const int months = m - january(points.back().first);
  return points.back().second * std::pow(growth_after_per_year, months / 12.0);
}

double CreditParams::policy_rate(core::Month m) const {
  return policy_rate_per_year.empty() ? kDefaultPolicyRate : policy_rate_per_year.interpolated(m);
}

}  // namespace bsim::model

namespace bsim::model {

std::string_view holder_class_name(HolderClass c) {
  switch (c) {
    case HolderClass::kFirm: return "firm";
    case HolderClass::kPublicEquity: return "public-equity";
    case HolderClass::kVenture: return "venture";
    case HolderClass::kBanks: return "banks";
    case HolderClass::kPrivateCredit: return "private-credit";
    case HolderClass::kBondholders: return "bondholders";
    case HolderClass::kAbsHolders: return "abs-holders";
    case HolderClass::kSuppliers: return "suppliers";
    case HolderClass::kCount: break;
  }
  return "unknown";
}

}  // namespace bsim::model
