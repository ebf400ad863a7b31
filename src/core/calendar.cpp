#include "core/calendar.h"

#include <cmath>
#include <cstdio>

namespace bsim::core {

std::optional<Month> Month::parse(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') {
    return std::nullopt;
  }
  int year = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = text[static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return std::nullopt;
    year = year * 10 + (c - '0');
  }
  const char m1 = text[5];
  const char m2 = text[6];
  if (m1 < '0' || m1 > '9' || m2 < '0' || m2 > '9') return std::nullopt;
  const int month = (m1 - '0') * 10 + (m2 - '0');
  if (year < 1000 || month < 1 || month > 12) return std::nullopt;
  return Month(year, month);
}

std::string Month::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year(), month());
  return buf;
}

double monthly_multiplier(double per_year_multiplier) { return std::pow(per_year_multiplier, 1.0 / 12.0); }

double monthly_rate(double annual_rate) { return std::pow(1.0 + annual_rate, 1.0 / 12.0) - 1.0; }

double monthly_hazard(double annual_share) { return 1.0 - std::pow(1.0 - annual_share, 1.0 / 12.0); }

}  // namespace bsim::core
