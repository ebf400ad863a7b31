#pragma once
/// Little-endian fixed-width encoding of integers and doubles, for the portable binary forms of
/// Monte Carlo aggregates and path rows (checkpoints, MPI messages).
///
///   std::string out;  core::put_u64(out, 7);  core::put_f64(out, 0.5);
///   std::string_view in = out;  core::get_u64(in);  core::get_f64(in);  // 7, 0.5; `in` is consumed

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bsim::core {

inline void put_u64(std::string& out, std::uint64_t x) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((x >> (8 * i)) & 0xFF);
}

/// Reads 8 bytes from the front of `in` and drops them. Throws std::invalid_argument if fewer are left.
inline std::uint64_t get_u64(std::string_view& in) {
  if (in.size() < 8) throw std::invalid_argument("binary form truncated");
  std::uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(8);
  return x;
}

/// A double's bits, exactly (NaN payloads and signed zeros included).
inline void put_f64(std::string& out, double x) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  put_u64(out, bits);
}

inline double get_f64(std::string_view& in) {
  const std::uint64_t bits = get_u64(in);
  double x = 0.0;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

}  // namespace bsim::core
