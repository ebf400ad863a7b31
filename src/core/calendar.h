#pragma once
/// Calendar months (`YYYY-MM`) and the time conventions of DESIGN §0.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace bsim::core {

/// A calendar month, stored as months since year 0 (January of year 0 is 0).
class Month {
 public:
  constexpr Month() = default;
  constexpr Month(int year, int month) : index_(year * 12 + (month - 1)) {}
  static constexpr Month from_index(int index) {
    Month m;
    m.index_ = index;
    return m;
  }

  /// Parses `YYYY-MM` (four-digit year 1000–9999, month 01–12). Returns nothing on any other text.
  static std::optional<Month> parse(std::string_view text);

  [[nodiscard]] constexpr int index() const { return index_; }
  [[nodiscard]] constexpr int year() const { return index_ / 12; }
  /// 1–12.
  [[nodiscard]] constexpr int month() const { return index_ % 12 + 1; }
  /// `YYYY-MM`.
  [[nodiscard]] std::string str() const;

  friend constexpr Month operator+(Month m, int months) { return from_index(m.index_ + months); }
  friend constexpr Month operator-(Month m, int months) { return from_index(m.index_ - months); }
  /// Whole months from b to a.
  friend constexpr int operator-(Month a, Month b) { return a.index_ - b.index_; }
  friend constexpr auto operator<=>(Month a, Month b) = default;

 private:
  int index_ = 0;
};

/// A growth multiplier "×k per year" as a monthly multiplier k^(1/12).
double monthly_multiplier(double per_year_multiplier);
/// An annual rate r (0.05 = 5% a year) as the compounding monthly rate (1+r)^(1/12) − 1.
double monthly_rate(double annual_rate);
/// An annual hazard (share failing per year) as the monthly share failing, 1 − (1−a)^(1/12).
double monthly_hazard(double annual_share);

}  // namespace bsim::core
