#include "core/calendar.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/units.h"

namespace bsim::core {
namespace {

TEST(Month, ParsesAndPrintsYearMonth) {
  const auto m = Month::parse("2027-06");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->year(), 2027);
  EXPECT_EQ(m->month(), 6);
  EXPECT_EQ(m->str(), "2027-06");
}

TEST(Month, RejectsMalformedText) {
  for (const char* bad : {"2027-13", "2027-00", "2027-6", "27-06", "2027/06", "abcd-ef", "", "2027-06-01", "0999-01"}) {
    EXPECT_FALSE(Month::parse(bad).has_value()) << bad;
  }
}

TEST(Month, ArithmeticCrossesYearEnds) {
  const Month dec(2026, 12);
  EXPECT_EQ((dec + 1).str(), "2027-01");
  EXPECT_EQ((dec - 12).str(), "2025-12");
  EXPECT_EQ(Month(2036, 12) - Month(2026, 1), 131);  // a 132-month horizon
  EXPECT_LT(Month(2026, 1), Month(2026, 2));
}

TEST(TimeConventions, AnnualRatesCompoundMonthly) {
  EXPECT_NEAR(std::pow(monthly_multiplier(2.8), 12), 2.8, 1e-12);
  EXPECT_NEAR(std::pow(1.0 + monthly_rate(0.12), 12), 1.12, 1e-12);
  EXPECT_NEAR(std::pow(1.0 - monthly_hazard(0.05), 12), 0.95, 1e-12);
  EXPECT_DOUBLE_EQ(kHoursPerMonth, 730.0);
}

TEST(Units, ConversionsStateThePhysics) {
  EXPECT_DOUBLE_EQ(power_for(Compute{1e6}, 1.25).value(), 1.25);  // 1M H100e at 1.25 kW = 1.25 GW
  EXPECT_DOUBLE_EQ(compute_for(Power{1.0}, 1.25).value(), 800000.0);
  EXPECT_DOUBLE_EQ(cost_of(Compute{1e6}, 20000).value(), 20.0);  // USD bn
  EXPECT_DOUBLE_EQ(rent_for_month(Compute{1e6}, 2.0).value(), 1.46);
  EXPECT_DOUBLE_EQ(Money{3} / Money{2}, 1.5);
  EXPECT_EQ((Money{1} + Money{2}).value(), 3.0);
}

}  // namespace
}  // namespace bsim::core
