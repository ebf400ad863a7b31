#include "analysis/sketch.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

// Binary forms (version 1). Integers marked "varint" are unsigned LEB128 (7 bits a byte, low
// first); "zigzag" maps a signed n to (n << 1) ^ (n >> 63) before the varint; "f64" is the
// IEEE-754 bit pattern as 8 little-endian bytes; "u64" is 8 little-endian bytes.
//
//   QuantileSketch: 'Q' 'S' 0x01, alpha f64, count varint, zero_count varint,
//                   non_finite varint, min f64, max f64, positive store, negative store
//   store:          span varint (0 when empty), then if span > 0: lowest index zigzag and
//                   span counts varint, the first and last nonzero
//   ExactSum:       'E' 'S' 0x01, low u64, high u64, count u64, non_finite u64, saturated u64
//
// Both forms are canonical: equal objects give equal bytes.

namespace bsim::analysis {
namespace {

constexpr std::uint8_t kFormatVersion = 1;
// Low-side slack when a store grows towards zero, so that filling buckets one by one downwards
// does not copy the store each time.
constexpr std::int64_t kGrowthSlack = 64;

[[noreturn]] void malformed(std::string_view what, std::string_view problem) {
  throw std::invalid_argument(std::string(what) + "::deserialize: " + std::string(problem));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_f64(std::string& out, double v) { put_u64(out, std::bit_cast<std::uint64_t>(v)); }
void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void put_zigzag(std::string& out, std::int64_t v) {
  put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

/// Reads from the front of a byte view, throwing with the reader's name on truncation.
class Reader {
 public:
  Reader(std::string_view& in, std::string_view what) : in_(in), what_(what) {}
  std::uint8_t u8() {
    if (in_.empty()) malformed(what_, "truncated input");
    const auto b = static_cast<std::uint8_t>(in_.front());
    in_.remove_prefix(1);
    return b;
  }
  std::uint64_t u64() {
    if (in_.size() < 8) malformed(what_, "truncated input");
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return v;
  }
  double f64() { return std::bit_cast<double>(u64()); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = u8();
      if (shift == 63 && b > 1) malformed(what_, "varint overflows 64 bits");
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    malformed(what_, "varint longer than 10 bytes");
  }
  std::int64_t zigzag() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  void header(char a, char b) {
    if (u8() != static_cast<std::uint8_t>(a) || u8() != static_cast<std::uint8_t>(b)) malformed(what_, "wrong tag");
    if (const std::uint8_t version = u8(); version != kFormatVersion) {
      malformed(what_, "unsupported format version " + std::to_string(version));
    }
  }

 private:
  std::string_view& in_;
  std::string_view what_;
};

bool add_overflows(std::uint64_t a, std::uint64_t b) { return a > std::numeric_limits<std::uint64_t>::max() - b; }

}  // namespace

// ---- QuantileSketch::Store ----

QuantileSketch::Store::Store(std::int64_t low, std::vector<std::uint64_t> counts)
    : counts_(std::move(counts)),
      offset_(low),
      min_index_(low),
      max_index_(low + static_cast<std::int64_t>(counts_.size()) - 1) {
  for (const std::uint64_t c : counts_) total_ += c;
}

std::uint64_t QuantileSketch::Store::at(std::int64_t index) const {
  if (index < offset_ || index >= offset_ + static_cast<std::int64_t>(counts_.size())) return 0;
  return counts_[static_cast<std::size_t>(index - offset_)];
}

std::size_t QuantileSketch::Store::span() const {
  return total_ == 0 ? 0 : static_cast<std::size_t>(max_index_ - min_index_ + 1);
}

// Folds every count below `floor` into bucket `floor`.
void QuantileSketch::Store::collapse_below(std::int64_t floor) {
  if (total_ == 0 || min_index_ >= floor) return;
  if (floor > max_index_) {
    counts_.assign(1, total_);
    offset_ = min_index_ = max_index_ = floor;
    return;
  }
  std::uint64_t folded = 0;
  for (std::int64_t k = min_index_; k < floor; ++k) folded += at(k);
  counts_.erase(counts_.begin(), counts_.begin() + (floor - offset_));
  offset_ = floor;
  counts_[0] += folded;
  min_index_ = floor;
}

// Makes counts_ cover [low, high], never reaching below `floor` (the lowest bucket allowed).
void QuantileSketch::Store::cover(std::int64_t low, std::int64_t high, std::int64_t floor) {
  const auto size = static_cast<std::int64_t>(counts_.size());
  if (low >= offset_ && high < offset_ + size) return;
  std::int64_t new_low = std::min(low, offset_);
  std::int64_t new_high = std::max(high, offset_ + size - 1);
  if (low < offset_) new_low = std::max(floor, low - kGrowthSlack);
  if (high >= offset_ + size) new_high = high + kGrowthSlack;
  std::vector<std::uint64_t> grown(static_cast<std::size_t>(new_high - new_low + 1), 0);
  std::copy(counts_.begin(), counts_.end(), grown.begin() + (offset_ - new_low));
  counts_ = std::move(grown);
  offset_ = new_low;
}

void QuantileSketch::Store::add(std::int64_t index, std::uint64_t n) {
  if (n == 0) return;
  if (total_ == 0) {
    counts_.assign(1, n);
    offset_ = min_index_ = max_index_ = index;
    total_ = n;
    return;
  }
  if (index > max_index_) {
    collapse_below(index - kMaxBucketsPerStore + 1);
    max_index_ = index;
  }
  const std::int64_t floor = max_index_ - kMaxBucketsPerStore + 1;
  index = std::max(index, floor);
  cover(index, max_index_, floor);
  counts_[static_cast<std::size_t>(index - offset_)] += n;
  min_index_ = std::min(min_index_, index);
  total_ += n;
}

void QuantileSketch::Store::merge(const Store& other) {
  if (other.total_ == 0) return;
  if (total_ == 0) {
    *this = other;
    return;
  }
  if (other.max_index_ > max_index_) {
    collapse_below(other.max_index_ - kMaxBucketsPerStore + 1);
    max_index_ = other.max_index_;
  }
  const std::int64_t floor = max_index_ - kMaxBucketsPerStore + 1;
  const std::int64_t low = std::max(floor, std::min(min_index_, other.min_index_));
  cover(low, max_index_, floor);
  for (std::int64_t k = other.min_index_; k <= other.max_index_; ++k) {
    if (const std::uint64_t c = other.at(k); c != 0) {
      counts_[static_cast<std::size_t>(std::max(k, floor) - offset_)] += c;
    }
  }
  min_index_ = low;
  total_ += other.total_;
}

bool QuantileSketch::Store::operator==(const Store& other) const {
  if (total_ != other.total_) return false;
  if (total_ == 0) return true;
  if (min_index_ != other.min_index_ || max_index_ != other.max_index_) return false;
  for (std::int64_t k = min_index_; k <= max_index_; ++k) {
    if (at(k) != other.at(k)) return false;
  }
  return true;
}

// ---- QuantileSketch ----

QuantileSketch::QuantileSketch(double relative_accuracy)
    : alpha_(relative_accuracy),
      min_(std::numeric_limits<double>::infinity()),
      max_(-std::numeric_limits<double>::infinity()) {
  if (!(relative_accuracy >= 1e-6 && relative_accuracy < 1.0)) {
    throw std::invalid_argument("QuantileSketch: relative accuracy must be in [1e-6, 1), got " +
                                std::to_string(relative_accuracy));
  }
  const double a = relative_accuracy * (1.0 - 1e-9);
  log_gamma_ = std::log1p(2.0 * a / (1.0 - a));  // ln((1 + a) / (1 − a))
  midpoint_factor_ = 1.0 - a;                    // 2 / (gamma + 1)
}

std::int64_t QuantileSketch::bucket_index(double magnitude) const {
  return static_cast<std::int64_t>(std::ceil(std::log(magnitude) / log_gamma_));
}

double QuantileSketch::bucket_value(std::int64_t index) const {
  return std::exp(static_cast<double>(index) * log_gamma_) * midpoint_factor_;
}

void QuantileSketch::add(double x) {
  if (!std::isfinite(x)) {
    ++non_finite_;
    return;
  }
  if (x == 0.0) x = 0.0;  // −0 and +0 are one value, so min and max do not depend on order
  ++count_;
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
  const double magnitude = std::fabs(x);
  if (magnitude < kZeroThreshold) {
    ++zero_count_;
  } else if (x > 0.0) {
    positive_.add(bucket_index(magnitude), 1);
  } else {
    negative_.add(bucket_index(magnitude), 1);
  }
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.alpha_ != alpha_) {
    throw std::invalid_argument("QuantileSketch::merge: relative accuracies differ (" + std::to_string(alpha_) +
                                " and " + std::to_string(other.alpha_) + ")");
  }
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
  zero_count_ += other.zero_count_;
  count_ += other.count_;
  non_finite_ += other.non_finite_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double QuantileSketch::min() const { return count_ == 0 ? std::numeric_limits<double>::quiet_NaN() : min_; }
double QuantileSketch::max() const { return count_ == 0 ? std::numeric_limits<double>::quiet_NaN() : max_; }

double QuantileSketch::quantile(double q) const {
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("QuantileSketch::quantile: q must be in [0, 1]");
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  const auto rank = static_cast<std::uint64_t>(std::floor(q * static_cast<double>(count_ - 1)));
  if (rank == 0) return min_;
  if (rank >= count_ - 1) return max_;
  // Clamping to [min, max] keeps the stated error (the true value lies in that range) and
  // repairs the top bucket's midpoint, which can overflow to inf near the largest doubles.
  const auto clamped = [this](double v) { return std::clamp(v, min_, max_); };
  std::uint64_t seen = 0;
  if (!negative_.empty()) {
    for (std::int64_t k = negative_.max_index(); k >= negative_.min_index(); --k) {
      seen += negative_.at(k);
      if (seen > rank) return clamped(-bucket_value(k));
    }
  }
  seen += zero_count_;
  if (seen > rank) return clamped(0.0);
  for (std::int64_t k = positive_.min_index(); k <= positive_.max_index(); ++k) {
    seen += positive_.at(k);
    if (seen > rank) return clamped(bucket_value(k));
  }
  return max_;  // not reached: the counts add up to count_
}

std::size_t QuantileSketch::memory_bytes() const {
  return sizeof(*this) + positive_.capacity_bytes() + negative_.capacity_bytes();
}

std::size_t QuantileSketch::bucket_count() const { return positive_.span() + negative_.span(); }

bool operator==(const QuantileSketch& a, const QuantileSketch& b) {
  return a.alpha_ == b.alpha_ && a.count_ == b.count_ && a.zero_count_ == b.zero_count_ &&
         a.non_finite_ == b.non_finite_ &&
         std::bit_cast<std::uint64_t>(a.min_) == std::bit_cast<std::uint64_t>(b.min_) &&
         std::bit_cast<std::uint64_t>(a.max_) == std::bit_cast<std::uint64_t>(b.max_) && a.positive_ == b.positive_ &&
         a.negative_ == b.negative_;
}

void QuantileSketch::write_store(const Store& store, std::string& out) {
  put_varint(out, store.span());
  if (store.empty()) return;
  put_zigzag(out, store.min_index());
  for (std::int64_t k = store.min_index(); k <= store.max_index(); ++k) put_varint(out, store.at(k));
}

QuantileSketch::Store QuantileSketch::read_store(std::string_view& in) {
  constexpr std::string_view kWhat = "QuantileSketch";
  Reader read(in, kWhat);
  const std::uint64_t span = read.varint();
  if (span == 0) return Store();
  if (span > static_cast<std::uint64_t>(kMaxBucketsPerStore)) malformed(kWhat, "store spans more buckets than allowed");
  const std::int64_t low = read.zigzag();
  // Keep low + span inside the range of bucket indices any double can produce.
  constexpr std::int64_t kIndexLimit = std::int64_t{1} << 40;
  if (low < -kIndexLimit || low > kIndexLimit) malformed(kWhat, "bucket index out of range");
  std::vector<std::uint64_t> counts(span);
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < span; ++i) {
    const std::uint64_t c = read.varint();
    if ((i == 0 || i + 1 == span) && c == 0) malformed(kWhat, "store does not start and end with a nonzero count");
    if (add_overflows(total, c)) malformed(kWhat, "counts overflow");
    total += c;
    counts[i] = c;
  }
  return Store(low, std::move(counts));
}

void QuantileSketch::serialize(std::string& out) const {
  out.push_back('Q');
  out.push_back('S');
  out.push_back(static_cast<char>(kFormatVersion));
  put_f64(out, alpha_);
  put_varint(out, count_);
  put_varint(out, zero_count_);
  put_varint(out, non_finite_);
  put_f64(out, min_);
  put_f64(out, max_);
  write_store(positive_, out);
  write_store(negative_, out);
}

QuantileSketch QuantileSketch::deserialize(std::string_view& in) {
  constexpr std::string_view kWhat = "QuantileSketch";
  std::string_view rest = in;  // `in` is only advanced once the whole sketch has been read
  Reader read(rest, kWhat);
  read.header('Q', 'S');
  const double alpha = read.f64();
  if (!(alpha >= 1e-6 && alpha < 1.0)) malformed(kWhat, "invalid relative accuracy");
  QuantileSketch sketch(alpha);
  sketch.count_ = read.varint();
  sketch.zero_count_ = read.varint();
  sketch.non_finite_ = read.varint();
  sketch.min_ = read.f64();
  sketch.max_ = read.f64();
  sketch.positive_ = read_store(rest);
  sketch.negative_ = read_store(rest);
  const std::uint64_t in_buckets = sketch.positive_.total();
  if (add_overflows(in_buckets, sketch.negative_.total()) ||
      add_overflows(in_buckets + sketch.negative_.total(), sketch.zero_count_) ||
      in_buckets + sketch.negative_.total() + sketch.zero_count_ != sketch.count_) {
    malformed(kWhat, "bucket counts do not add up to the count");
  }
  if (sketch.count_ == 0) {
    if (!(std::isinf(sketch.min_) && sketch.min_ > 0 && std::isinf(sketch.max_) && sketch.max_ < 0)) {
      malformed(kWhat, "an empty sketch must have min = +inf and max = −inf");
    }
  } else if (!(std::isfinite(sketch.min_) && std::isfinite(sketch.max_) && sketch.min_ <= sketch.max_) ||
             std::bit_cast<std::uint64_t>(sketch.min_) == std::bit_cast<std::uint64_t>(-0.0) ||
             std::bit_cast<std::uint64_t>(sketch.max_) == std::bit_cast<std::uint64_t>(-0.0)) {
    malformed(kWhat, "invalid min or max");
  }
  in = rest;
  return sketch;
}

// ---- ExactSum ----

void ExactSum::add(double x) {
  if (!std::isfinite(x)) {
    ++non_finite_;
    return;
  }
  ++count_;
  if (std::fabs(x) >= kSaturation) {
    ++saturated_;
    x = std::copysign(kSaturation, x);
  }
  // |x| · 2^32 <= 2^95 is exact in a double; round() (half away from zero) does not depend on
  // the rounding mode.
  const double scaled = x * 0x1p32;
  if (std::fabs(scaled) < 0x1p62) {  // the common case: the term fits in 64 bits
    const auto units = static_cast<std::int64_t>(std::round(scaled));
    const auto lo = static_cast<std::uint64_t>(units);
    low_ += lo;
    high_ += (units < 0 ? ~std::uint64_t{0} : 0) + (low_ < lo ? 1 : 0);
    return;
  }
  const double units = std::fabs(std::round(scaled));
  const double high = std::floor(std::ldexp(units, -64));
  // Exact: for units >= 2^64 both terms are multiples of ulp(units) and the difference is
  // below 2^64, so it has at most 53 significant bits.
  const double low = units - std::ldexp(high, 64);
  auto lo = static_cast<std::uint64_t>(low);
  auto hi = static_cast<std::uint64_t>(high);
  if (std::signbit(x)) {  // two's complement of (hi, lo)
    lo = ~lo + 1;
    hi = ~hi + (lo == 0 ? 1 : 0);
  }
  low_ += lo;
  high_ += hi + (low_ < lo ? 1 : 0);
}

void ExactSum::merge(const ExactSum& other) {
  low_ += other.low_;
  high_ += other.high_ + (low_ < other.low_ ? 1 : 0);
  count_ += other.count_;
  non_finite_ += other.non_finite_;
  saturated_ += other.saturated_;
}

double ExactSum::value() const {
  const bool negative = (high_ >> 63) != 0;
  std::uint64_t lo = low_;
  std::uint64_t hi = high_;
  if (negative) {
    lo = ~lo + 1;
    hi = ~hi + (lo == 0 ? 1 : 0);
  }
  const double magnitude = std::ldexp(static_cast<double>(hi), 64) + static_cast<double>(lo);
  return std::ldexp(negative ? -magnitude : magnitude, -32);
}

void ExactSum::serialize(std::string& out) const {
  out.push_back('E');
  out.push_back('S');
  out.push_back(static_cast<char>(kFormatVersion));
  put_u64(out, low_);
  put_u64(out, high_);
  put_u64(out, count_);
  put_u64(out, non_finite_);
  put_u64(out, saturated_);
}

ExactSum ExactSum::deserialize(std::string_view& in) {
  constexpr std::string_view kWhat = "ExactSum";
  std::string_view rest = in;
  Reader read(rest, kWhat);
  read.header('E', 'S');
  ExactSum sum;
  sum.low_ = read.u64();
  sum.high_ = read.u64();
  sum.count_ = read.u64();
  sum.non_finite_ = read.u64();
  sum.saturated_ = read.u64();
  if (sum.saturated_ > sum.count_) malformed(kWhat, "more saturated terms than terms");
  if (sum.count_ == 0 && (sum.low_ != 0 || sum.high_ != 0)) malformed(kWhat, "a nonzero total of no terms");
  in = rest;
  return sum;
}

double mean(const ExactSum& sum) {
  return sum.count() == 0 ? std::numeric_limits<double>::quiet_NaN() : sum.value() / static_cast<double>(sum.count());
}

}  // namespace bsim::analysis
