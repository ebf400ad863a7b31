#pragma once
/// Physical and monetary quantities as distinct types, so that adding USD to GW does not compile.
///
/// Each quantity is a double in the project's canonical unit (DESIGN §0): money in USD bn,
/// compute in H100-equivalents, power in GW, service in the scenario's service units, and
/// durations in months. Same-dimension arithmetic and scaling by plain numbers are allowed;
/// mixing dimensions needs an explicit conversion function that states the physics, e.g.
///
///   core::Power need = core::power_for(core::Compute{1e6}, /*kw_per_h100e=*/1.4);  // 1.4 GW
///   double ratio = installed / demand;   // Compute / Compute -> plain number

#include <compare>

namespace bsim::core {

/// A double tagged with its dimension. Tags are empty structs; they only exist to stop mixing.
template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double value) : value_(value) {}

  [[nodiscard]] constexpr double value() const { return value_; }

  constexpr Quantity& operator+=(Quantity other) {
    value_ += other.value_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity other) {
    value_ -= other.value_;
    return *this;
  }
  constexpr Quantity& operator*=(double k) {
    value_ *= k;
    return *this;
  }

  friend constexpr Quantity operator+(Quantity a, Quantity b) { return Quantity{a.value_ + b.value_}; }
  friend constexpr Quantity operator-(Quantity a, Quantity b) { return Quantity{a.value_ - b.value_}; }
  friend constexpr Quantity operator-(Quantity a) { return Quantity{-a.value_}; }
  friend constexpr Quantity operator*(Quantity a, double k) { return Quantity{a.value_ * k}; }
  friend constexpr Quantity operator*(double k, Quantity a) { return Quantity{a.value_ * k}; }
  friend constexpr Quantity operator/(Quantity a, double k) { return Quantity{a.value_ / k}; }
  /// The ratio of two quantities of one dimension is a plain number.
  friend constexpr double operator/(Quantity a, Quantity b) { return a.value_ / b.value_; }
  friend constexpr auto operator<=>(Quantity a, Quantity b) = default;

 private:
  double value_ = 0.0;
};

struct MoneyTag {};
struct ComputeTag {};
struct PowerTag {};
struct ServiceTag {};

/// Money in USD billions.
using Money = Quantity<MoneyTag>;
/// Compute capacity or demand in H100-equivalents (one H100 running for the step).
using Compute = Quantity<ComputeTag>;
/// Power in GW.
using Power = Quantity<PowerTag>;
/// Service in the scenario's service units (e.g. million frontier tokens).
using Service = Quantity<ServiceTag>;

/// Hours in a month by convention (DESIGN §0).
inline constexpr double kHoursPerMonth = 730.0;

/// Power drawn by `compute` at `kw_per_h100e` kW per H100e all-in: H100e × kW / 1e6 = GW.
constexpr Power power_for(Compute compute, double kw_per_h100e) {
  return Power{compute.value() * kw_per_h100e / 1e6};
}

/// Compute that `power` can run at `kw_per_h100e` kW per H100e all-in.
constexpr Compute compute_for(Power power, double kw_per_h100e) {
  return Compute{power.value() * 1e6 / kw_per_h100e};
}

/// Money for `compute` H100e at `usd_per_h100e` (a unit price in plain USD): result in USD bn.
constexpr Money cost_of(Compute compute, double usd_per_h100e) {
  return Money{compute.value() * usd_per_h100e / 1e9};
}

/// Money for renting `compute` H100e for a month at `usd_per_h100e_hour`.
constexpr Money rent_for_month(Compute compute, double usd_per_h100e_hour) {
  return Money{compute.value() * usd_per_h100e_hour * kHoursPerMonth / 1e9};
}

}  // namespace bsim::core
