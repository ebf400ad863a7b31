#pragma once
/// A small deterministic generator for tests (64-bit LCG, Knuth's MMIX constants): the same
/// numbers on every platform, unlike std:: distributions.

#include <cstdint>

namespace bsim::testing {

class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed * 2862933555777941757ULL + 3037000493ULL) {}
  /// In [0, 1).
  double uniform() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) * 0x1p-53;
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  std::uint32_t below(std::uint32_t k) { return static_cast<std::uint32_t>(uniform() * k); }

 private:
  std::uint64_t state_;
};

}  // namespace bsim::testing
