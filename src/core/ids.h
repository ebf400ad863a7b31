#pragma once
/// Strong integer ids for things kept in vectors (firms, contracts, segments, …).
///
/// An id is an index into its owner's vector; ids of different kinds do not convert into each
/// other, so `world.firms[contract_id]` does not compile.

#include <compare>
#include <cstdint>
#include <limits>

namespace bsim::core {

template <class Tag>
struct Id {
  static constexpr std::uint32_t kInvalid = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t value = kInvalid;

  constexpr Id() = default;
  constexpr explicit Id(std::uint32_t v) : value(v) {}
  [[nodiscard]] constexpr bool valid() const { return value != kInvalid; }
  [[nodiscard]] constexpr std::size_t index() const { return value; }
  friend constexpr auto operator<=>(Id, Id) = default;
};

}  // namespace bsim::core
