#pragma once
/// Streaming Monte Carlo aggregates whose merge is exact, so that a result has the same bytes
/// whatever the number of threads or ranks and whatever order partial results are merged in:
/// a quantile sketch with integer bucket counts and a sum on a fixed-point grid.
///
///   QuantileSketch losses;                  // relative accuracy 0.5%
///   ExactSum total_loss;
///   for (double x : path_losses) { losses.add(x); total_loss.add(x); }
///   losses.merge(other_thread_losses);      // exact: same state as adding its values here
///   losses.quantile(0.95);                  // within 0.5% of the value of rank floor(0.95 (n − 1))
///   mean(total_loss);
///
/// Memory does not grow with the number of values: a sketch holds at most
/// kMaxBucketsPerStore counts per sign (see QuantileSketch), a sum holds four integers.
/// The design is explained in docs/decisions/quantile-sketch.md.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bsim::analysis {

/// Mergeable quantile sketch with relative accuracy alpha (DDSketch, Masson, Rim and Lee 2019):
/// logarithmic buckets with integer counts, separate stores for positive and negative values,
/// and a zero count, so a merge is exact and its result does not depend on the order of adds or
/// merges (two sketches fed the same multiset of values compare equal and serialize to the same
/// bytes).
///
/// A value x with |x| >= kZeroThreshold falls in the bucket ceil(log_gamma |x|) of its sign's
/// store, gamma = (1 + alpha) / (1 − alpha); a quantile is reported as the bucket's midpoint
/// 2 gamma^i / (gamma + 1), which is within alpha of every value in the bucket. The buckets are
/// built for alpha (1 − 1e-9), so that rounding in log() and pow() never takes the error above
/// alpha.
///
/// Stated error: quantile(q) is within alpha · |v| of v, the value of rank floor(q (count − 1))
/// (0-based, in sorted order; the same rank as exact_quantile), provided that v's bucket has
/// not been collapsed and |v| >= kZeroThreshold. Values with |x| < kZeroThreshold count as zero
/// (reported as 0, an absolute error below kZeroThreshold): this keeps rounding noise such as
/// 1e-17 from opening buckets far below the values of interest.
///
/// Memory: each store is a dense vector of counts spanning at most kMaxBucketsPerStore bucket
/// indices. With the default alpha = 0.005, one bucket spans a factor 1.01 and 4096 buckets span
/// a factor of about 6e17 (17.8 decades); values between 1e-6 and 1e7 take at most 2,994
/// buckets (about 24 KiB) per sign, so they are never collapsed. When a store would span more,
/// its lowest buckets (the values nearest zero) are collapsed into one, as DDSketch's
/// collapsing-lowest store does: the largest magnitudes keep their accuracy and the smallest lose
/// it. Collapsing is also order-independent: the final state depends only on the highest index.
///
/// Non-finite values (NaN, ±inf) are counted in non_finite() and excluded from everything else.
class QuantileSketch {
 public:
  /// |x| below this counts as zero.
  static constexpr double kZeroThreshold = 1e-12;
  /// The most bucket indices one store (one sign) spans before its lowest buckets are collapsed.
  static constexpr std::int64_t kMaxBucketsPerStore = 4096;

  /// Throws std::invalid_argument unless 1e-6 <= relative_accuracy < 1.
  explicit QuantileSketch(double relative_accuracy = 0.005);

  /// Adds one value. NaN and ±inf are counted in non_finite() only.
  void add(double x);
  /// Adds every value of `other`, exactly. Throws std::invalid_argument if the accuracies differ.
  void merge(const QuantileSketch& other);

  /// Number of finite values added.
  [[nodiscard]] std::uint64_t count() const { return count_; }
  /// Number of NaN and ±inf values added.
  [[nodiscard]] std::uint64_t non_finite() const { return non_finite_; }
  /// The value of rank floor(q (count − 1)) within the stated error; quantile(0) is min() and
  /// quantile(1) is max(), exactly. NaN when count() == 0. Throws std::invalid_argument unless
  /// q is in [0, 1].
  [[nodiscard]] double quantile(double q) const;
  /// Smallest and largest finite value added, exactly (a zero is +0.0); NaN when count() == 0.
  [[nodiscard]] double min() const;
  [[nodiscard]] double max() const;
  [[nodiscard]] double relative_accuracy() const { return alpha_; }

  /// Appends a portable binary form (format version 1, little-endian; see sketch.cpp).
  void serialize(std::string& out) const;
  /// Reads one sketch from the front of `in` and removes its bytes from `in`. Throws
  /// std::invalid_argument naming the problem on malformed input (wrong tag or version,
  /// truncation, counts that do not add up, an invalid accuracy).
  static QuantileSketch deserialize(std::string_view& in);

  /// Same accuracy and the same counts in every bucket, the same min, max and non-finite count.
  friend bool operator==(const QuantileSketch& a, const QuantileSketch& b);

  /// Bytes held, including the stores' allocated capacity.
  [[nodiscard]] std::size_t memory_bytes() const;
  /// Bucket indices spanned by the two stores together (for tests of the memory bound).
  [[nodiscard]] std::size_t bucket_count() const;

 private:
  /// Counts of the buckets of one sign, indexed by bucket index; the collapsing-lowest store.
  class Store {
   public:
    Store() = default;
    /// A store whose bucket `low + k` holds counts[k]; the first and last counts must be nonzero
    /// and there must be at most kMaxBucketsPerStore of them (no collapsing is done).
    Store(std::int64_t low, std::vector<std::uint64_t> counts);
    void add(std::int64_t index, std::uint64_t n);
    void merge(const Store& other);
    [[nodiscard]] bool empty() const { return total_ == 0; }
    [[nodiscard]] std::uint64_t total() const { return total_; }
    [[nodiscard]] std::int64_t min_index() const { return min_index_; }
    [[nodiscard]] std::int64_t max_index() const { return max_index_; }
    /// Count of bucket `index`, 0 outside the stored range.
    [[nodiscard]] std::uint64_t at(std::int64_t index) const;
    [[nodiscard]] std::size_t span() const;
    [[nodiscard]] std::size_t capacity_bytes() const { return counts_.capacity() * sizeof(std::uint64_t); }
    /// Same counts in every bucket, whatever the stores' allocated ranges.
    bool operator==(const Store& other) const;

   private:
    void collapse_below(std::int64_t floor);
    void cover(std::int64_t low, std::int64_t high, std::int64_t floor);

    std::vector<std::uint64_t> counts_;  // counts_[k] is the count of bucket offset_ + k
    std::int64_t offset_ = 0;
    std::int64_t min_index_ = 0;  // lowest and highest nonzero bucket, when total_ > 0
    std::int64_t max_index_ = 0;
    std::uint64_t total_ = 0;
  };

  [[nodiscard]] std::int64_t bucket_index(double magnitude) const;
  [[nodiscard]] double bucket_value(std::int64_t index) const;
  static void write_store(const Store& store, std::string& out);
  static Store read_store(std::string_view& in);

  double alpha_;
  double log_gamma_;        // ln gamma of the internal (slightly tighter) accuracy
  double midpoint_factor_;  // 2 / (gamma + 1)
  Store positive_;
  Store negative_;  // buckets of |x| for x < 0
  std::uint64_t zero_count_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t non_finite_ = 0;
  double min_;
  double max_;
};

/// Exact, order-independent sum: each term is rounded to the fixed-point grid 2^-32 (about
/// 2.3e-10) and added to a 128-bit integer, so any grouping and order of adds and merges gives
/// the same bits.
///
/// Terms: NaN and ±inf are counted in non_finite() and left out of the sum and of count().
/// A finite term with |x| >= 2^63 (about 9.2e18) is saturated to ±2^63 and counted in
/// saturated() (and in count()); with at most 2^32 terms the 128-bit total then cannot
/// overflow (|sum| < 2^95 · 2^32 = 2^127). Beyond that the total wraps modulo 2^128 (defined
/// behaviour, still order-independent, but no longer the sum). value() rounds the exact total
/// to the nearest double within about one ulp.
class ExactSum {
 public:
  /// Terms at or above this magnitude are saturated to it.
  static constexpr double kSaturation = 9223372036854775808.0;  // 2^63

  void add(double x);
  void merge(const ExactSum& other);
  /// The sum of the rounded finite terms; 0 when none.
  [[nodiscard]] double value() const;
  /// Number of finite terms added (saturated ones included).
  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] std::uint64_t non_finite() const { return non_finite_; }
  [[nodiscard]] std::uint64_t saturated() const { return saturated_; }

  /// Appends a portable binary form (format version 1, little-endian).
  void serialize(std::string& out) const;
  /// Reads one sum from the front of `in` and removes its bytes. Throws std::invalid_argument on
  /// malformed input.
  static ExactSum deserialize(std::string_view& in);

  friend bool operator==(const ExactSum& a, const ExactSum& b) = default;

 private:
  // The total in units of 2^-32, as a 128-bit two's-complement integer.
  std::uint64_t low_ = 0;
  std::uint64_t high_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t non_finite_ = 0;
  std::uint64_t saturated_ = 0;
};

/// The mean of the finite terms, value() / count(); NaN when count() == 0.
double mean(const ExactSum& sum);

}  // namespace bsim::analysis
