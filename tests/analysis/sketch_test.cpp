// The streaming aggregates of Monte Carlo (src/analysis/sketch.h): the quantile sketch keeps its
// stated error against exact quantiles, merges give the same state and bytes whatever the split
// and order, the binary form round-trips and rejects malformed input, and the fixed-point sum
// is bit-identical in any order.
#include "analysis/sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/stats.h"
#include "core/random.h"

namespace bsim::analysis {
namespace {

constexpr std::size_t kSamples = 100'000;
const std::vector<double> kProbabilities = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

std::vector<double> draw(std::size_t n, std::uint64_t stream, const std::function<double(core::RandomStream&)>& one) {
  core::RandomStream rng(2024, 0, stream);
  std::vector<double> values(n);
  for (double& v : values) v = one(rng);
  return values;
}

std::vector<double> lognormal_sample() {
  return draw(kSamples, 1, [](core::RandomStream& r) { return r.lognormal(2.0, 1.5); });
}
std::vector<double> normal_sample() {  // about 31% negative
  return draw(kSamples, 2, [](core::RandomStream& r) { return r.normal(5.0, 10.0); });
}
std::vector<double> mixture_with_zeros() {  // 30% exact zeros, the rest losses of either sign
  return draw(kSamples, 3, [](core::RandomStream& r) {
    const double u = r.uniform01();
    if (u < 0.3) return 0.0;
    const double loss = r.lognormal(0.0, 2.0);
    return u < 0.4 ? -loss : loss;
  });
}
std::vector<double> uniform_sample() {
  return draw(kSamples, 4, [](core::RandomStream& r) { return r.uniform(-100.0, 300.0); });
}
// Magnitudes from 1e-40 to 1e40 and both signs: wider than 4096 buckets, so stores collapse.
std::vector<double> wide_sample() {
  return draw(kSamples, 5, [](core::RandomStream& r) {
    const double magnitude = std::pow(10.0, r.uniform(-40.0, 40.0));
    return r.bernoulli(0.2) ? -magnitude : magnitude;
  });
}

QuantileSketch sketch_of(const std::vector<double>& values, double alpha = 0.005) {
  QuantileSketch s(alpha);
  for (double v : values) s.add(v);
  return s;
}

std::string bytes_of(const QuantileSketch& s) {
  std::string out;
  s.serialize(out);
  return out;
}

void expect_within_stated_error(const std::vector<double>& values, double alpha) {
  const QuantileSketch s = sketch_of(values, alpha);
  ASSERT_EQ(s.count(), values.size());
  for (double q : kProbabilities) {
    const double exact = exact_quantile(values, q);
    const double estimate = s.quantile(q);
    EXPECT_LE(std::fabs(estimate - exact), alpha * std::fabs(exact))
        << "q = " << q << ": exact " << exact << ", estimate " << estimate;
  }
  EXPECT_EQ(s.quantile(0.0), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(s.quantile(1.0), *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(s.min(), s.quantile(0.0));
  EXPECT_EQ(s.max(), s.quantile(1.0));
}

TEST(QuantileSketch, LognormalQuantilesWithinStatedError) { expect_within_stated_error(lognormal_sample(), 0.005); }
TEST(QuantileSketch, NormalWithNegativesWithinStatedError) { expect_within_stated_error(normal_sample(), 0.005); }
TEST(QuantileSketch, MixtureWithZerosWithinStatedError) { expect_within_stated_error(mixture_with_zeros(), 0.005); }
TEST(QuantileSketch, UniformWithinStatedError) { expect_within_stated_error(uniform_sample(), 0.005); }
TEST(QuantileSketch, CoarserAccuracyKeepsItsOwnError) {
  expect_within_stated_error(lognormal_sample(), 0.02);
  expect_within_stated_error(normal_sample(), 0.02);
}

TEST(QuantileSketch, EveryRankWithinStatedErrorOnASmallSample) {
  // All 1,001 ranks of a small sample, not just the listed probabilities.
  const auto values = draw(1001, 6, [](core::RandomStream& r) { return r.normal(0.0, 3.0); });
  const QuantileSketch s = sketch_of(values);
  for (int k = 0; k <= 1000; ++k) {
    const double q = k / 1000.0;
    const double exact = exact_quantile(values, q);
    EXPECT_LE(std::fabs(s.quantile(q) - exact), 0.005 * std::fabs(exact)) << "q = " << q;
  }
}

TEST(QuantileSketch, EmptyGivesNaNAndNonFiniteValuesAreCountedApart) {
  QuantileSketch s;
  EXPECT_TRUE(std::isnan(s.quantile(0.5)));
  EXPECT_TRUE(std::isnan(s.min()));
  EXPECT_TRUE(std::isnan(s.max()));
  s.add(std::numeric_limits<double>::quiet_NaN());
  s.add(std::numeric_limits<double>::infinity());
  s.add(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.non_finite(), 3u);
  EXPECT_TRUE(std::isnan(s.quantile(0.5)));
  s.add(2.0);
  EXPECT_EQ(s.count(), 1u);
  EXPECT_EQ(s.quantile(0.5), 2.0);
  EXPECT_THROW((void)s.quantile(1.5), std::invalid_argument);
  EXPECT_THROW((void)s.quantile(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
}

TEST(QuantileSketch, TinyValuesCountAsZeroAndSignedZerosAreOneValue) {
  QuantileSketch a;
  QuantileSketch b;
  a.add(-0.0);
  a.add(0.0);
  a.add(1e-17);
  b.add(1e-17);
  b.add(0.0);
  b.add(-0.0);
  EXPECT_EQ(a, b);
  EXPECT_EQ(bytes_of(a), bytes_of(b));
  EXPECT_EQ(a.bucket_count(), 0u);  // all three in the zero count
  EXPECT_EQ(a.quantile(0.5), 0.0);
  EXPECT_FALSE(std::signbit(a.min()));
  EXPECT_EQ(a.max(), 1e-17);
}

TEST(QuantileSketch, RejectsInvalidAccuracyAndMergesOfDifferentAccuracies) {
  EXPECT_THROW(QuantileSketch(0.0), std::invalid_argument);
  EXPECT_THROW(QuantileSketch(1.0), std::invalid_argument);
  EXPECT_THROW(QuantileSketch(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  QuantileSketch a(0.005);
  const QuantileSketch b(0.01);
  EXPECT_THROW(a.merge(b), std::invalid_argument);
}

// Shards of one sample merged in several ways: each must equal the sketch of the whole sample
// added in order, with the same serialized bytes.
void expect_merges_exact(const std::vector<double>& values) {
  const QuantileSketch whole = sketch_of(values);
  const std::string whole_bytes = bytes_of(whole);

  std::vector<double> reversed(values.rbegin(), values.rend());
  EXPECT_EQ(bytes_of(sketch_of(reversed)), whole_bytes) << "reversed adds";

  // Seven contiguous shards merged left to right.
  QuantileSketch contiguous;
  for (std::size_t shard = 0; shard < 7; ++shard) {
    QuantileSketch part;
    for (std::size_t i = shard * values.size() / 7; i < (shard + 1) * values.size() / 7; ++i) part.add(values[i]);
    contiguous.merge(part);
  }
  EXPECT_EQ(contiguous, whole);
  EXPECT_EQ(bytes_of(contiguous), whole_bytes) << "7 contiguous shards";

  // Thirteen round-robin shards (as threads taking paths in turn) merged in reverse order.
  std::vector<QuantileSketch> round_robin(13);
  for (std::size_t i = 0; i < values.size(); ++i) round_robin[i % 13].add(values[i]);
  QuantileSketch backwards;
  for (auto it = round_robin.rbegin(); it != round_robin.rend(); ++it) backwards.merge(*it);
  EXPECT_EQ(backwards, whole);
  EXPECT_EQ(bytes_of(backwards), whole_bytes) << "13 round-robin shards, merged backwards";

  // Sixty-four uneven shards merged as a tree (as ranks reducing pairwise).
  std::vector<QuantileSketch> level(64);
  for (std::size_t i = 0; i < values.size(); ++i) level[(i * i + 7 * i) % 64].add(values[i]);
  while (level.size() > 1) {
    std::vector<QuantileSketch> next;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
      next.push_back(level[i + 1]);
      next.back().merge(level[i]);
    }
    level = std::move(next);
  }
  EXPECT_EQ(level.front(), whole);
  EXPECT_EQ(bytes_of(level.front()), whole_bytes) << "tree of 64 shards";
}

TEST(QuantileSketch, MergeIsExactWhateverTheSplitAndOrder) {
  std::vector<double> values = mixture_with_zeros();
  const std::vector<double> normal = normal_sample();
  values.insert(values.end(), normal.begin(), normal.begin() + 20'000);
  values[123] = std::numeric_limits<double>::quiet_NaN();
  values[4567] = -std::numeric_limits<double>::infinity();
  values[999] = -0.0;
  expect_merges_exact(values);
}

TEST(QuantileSketch, CollapsedStoresStillMergeExactlyAndKeepTheUpperQuantiles) {
  const std::vector<double> values = wide_sample();
  expect_merges_exact(values);
  const QuantileSketch s = sketch_of(values);
  EXPECT_LE(s.bucket_count(), 2u * QuantileSketch::kMaxBucketsPerStore);
  // The positive store keeps the top 17.8 decades, from about 1e22 up; values there keep the
  // stated error. 80% of values are positive and uniform in log10 over (−40, 40), so ranks
  // above q = 0.2 + 0.8 · 62/80 = 0.82 lie in uncollapsed buckets.
  for (double q : {0.85, 0.9, 0.95, 0.99}) {
    const double exact = exact_quantile(values, q);
    EXPECT_LE(std::fabs(s.quantile(q) - exact), 0.005 * std::fabs(exact)) << "q = " << q;
  }
}

TEST(QuantileSketch, MemoryForValuesBetween1e6And1e7IsTheDocumentedBucketCount) {
  QuantileSketch s;
  for (double x = 1e-6; x <= 1e7; x *= 1.001) {
    s.add(x);
    s.add(-x);
  }
  s.add(1e7);
  s.add(-1e7);
  EXPECT_EQ(s.bucket_count(), 2u * 2994u);  // as stated in sketch.h, per sign
  EXPECT_LE(s.memory_bytes(), sizeof(QuantileSketch) + 2 * (2994 + 2 * 64) * sizeof(std::uint64_t));
  // The extremes of the doubles do not grow it beyond the cap.
  s.add(std::numeric_limits<double>::max());
  s.add(std::numeric_limits<double>::denorm_min() * 1e300);
  s.add(-std::numeric_limits<double>::max());
  EXPECT_EQ(s.bucket_count(), 2u * QuantileSketch::kMaxBucketsPerStore);
  EXPECT_LE(s.memory_bytes(), sizeof(QuantileSketch) + 2 * (4096 + 2 * 64) * sizeof(std::uint64_t));
  EXPECT_EQ(s.quantile(1.0), std::numeric_limits<double>::max());
  EXPECT_EQ(s.quantile(0.0), -std::numeric_limits<double>::max());
}

TEST(QuantileSketch, SerializeRoundTripsAndConsumesOnlyItsBytes) {
  const QuantileSketch a = sketch_of(mixture_with_zeros());
  QuantileSketch b(0.02);
  b.add(std::numeric_limits<double>::infinity());
  const QuantileSketch empty;
  std::string bytes;
  a.serialize(bytes);
  b.serialize(bytes);
  empty.serialize(bytes);
  bytes.push_back('!');
  std::string_view in = bytes;
  EXPECT_EQ(QuantileSketch::deserialize(in), a);
  const QuantileSketch b_read = QuantileSketch::deserialize(in);
  EXPECT_EQ(b_read, b);
  EXPECT_EQ(b_read.non_finite(), 1u);
  EXPECT_EQ(QuantileSketch::deserialize(in), empty);
  EXPECT_EQ(in, "!");
  // The read sketch carries on like the original.
  std::string_view again = bytes;
  QuantileSketch a_read = QuantileSketch::deserialize(again);
  a_read.add(3.0);
  QuantileSketch a_copy = a;
  a_copy.add(3.0);
  EXPECT_EQ(bytes_of(a_read), bytes_of(a_copy));
}

TEST(QuantileSketch, MalformedBytesThrow) {
  QuantileSketch s;
  for (double v : {-5.0, 0.0, 1.0, 2.0, 1000.0}) s.add(v);
  const std::string good = bytes_of(s);
  for (std::size_t n = 0; n < good.size(); ++n) {
    std::string_view truncated(good.data(), n);
    EXPECT_THROW(QuantileSketch::deserialize(truncated), std::invalid_argument) << "truncated to " << n << " bytes";
    EXPECT_EQ(truncated.size(), n) << "input advanced on failure";
  }
  const auto expect_rejected = [&](std::size_t at, char value, const char* what) {
    std::string bad = good;
    bad[at] = value;
    std::string_view in = bad;
    EXPECT_THROW(QuantileSketch::deserialize(in), std::invalid_argument) << what;
  };
  expect_rejected(0, 'X', "tag");
  expect_rejected(2, 2, "version");
  expect_rejected(10, 0x7F, "alpha out of range");  // top byte of alpha: a huge value
  expect_rejected(11, 6, "count does not match the buckets");
  // Any single corrupted byte either throws or gives a sketch that works (no undefined behaviour).
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (int value : {0x00, 0x01, 0x80, 0xFF}) {
      std::string bad = good;
      bad[at] = static_cast<char>(value);
      std::string_view in = bad;
      try {
        const QuantileSketch read = QuantileSketch::deserialize(in);
        (void)read.quantile(0.5);
        (void)bytes_of(read);
      } catch (const std::invalid_argument&) {
      }
    }
  }
}

// ---- ExactSum ----

std::vector<double> mixed_terms() {
  return draw(kSamples, 7, [](core::RandomStream& r) {
    const double magnitude = r.lognormal(3.0, 3.0);  // mostly 1e-2 to 1e5
    return r.bernoulli(0.4) ? -magnitude : magnitude;
  });
}

ExactSum sum_of(const std::vector<double>& terms) {
  ExactSum s;
  for (double t : terms) s.add(t);
  return s;
}

TEST(ExactSum, ShuffledAndShardedSumsAreBitIdentical) {
  std::vector<double> terms = mixed_terms();
  const ExactSum in_order = sum_of(terms);
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(in_order.value());
  for (std::uint64_t shuffle = 1; shuffle <= 3; ++shuffle) {
    core::RandomStream rng(shuffle, 0, 0);
    for (std::size_t i = terms.size() - 1; i > 0; --i) {
      std::swap(terms[i], terms[std::min(i, static_cast<std::size_t>(rng.uniform01() * static_cast<double>(i + 1)))]);
    }
    const ExactSum shuffled = sum_of(terms);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(shuffled.value()), bits);
    EXPECT_EQ(shuffled, in_order);
  }
  std::vector<ExactSum> shards(9);
  for (std::size_t i = 0; i < terms.size(); ++i) shards[i % 9].add(terms[i]);
  ExactSum merged;
  for (auto it = shards.rbegin(); it != shards.rend(); ++it) merged.merge(*it);
  EXPECT_EQ(merged, in_order);
  std::string a;
  std::string b;
  merged.serialize(a);
  in_order.serialize(b);
  EXPECT_EQ(a, b);

  // Close to the long-double sum: each term moves by at most 2^-33 on the grid.
  long double reference = 0.0L;
  for (double t : terms) reference += t;
  const double bound = static_cast<double>(terms.size()) * 0x1p-33 + 4.0 * std::fabs(in_order.value()) * 0x1p-52;
  EXPECT_NEAR(in_order.value(), static_cast<double>(reference), bound);
  EXPECT_EQ(in_order.count(), terms.size());
  EXPECT_NEAR(mean(in_order), static_cast<double>(reference) / static_cast<double>(terms.size()), 1e-9);
}

TEST(ExactSum, TermsAreRoundedToTheGridOf2ToTheMinus32) {
  ExactSum s;
  s.add(0x1p-34);      // a quarter of a unit: rounds to 0
  s.add(3 * 0x1p-34);  // three quarters: rounds to one unit
  s.add(-0.5);
  s.add(0.5);
  EXPECT_EQ(s.value(), 0x1p-32);
  EXPECT_EQ(s.count(), 4u);
  ExactSum negative;
  negative.add(-1.25);
  negative.add(-1e-3);
  EXPECT_NEAR(negative.value(), -1.251, 1e-9);
  EXPECT_LT(negative.value(), 0.0);
}

TEST(ExactSum, LargeTermsAreExactAndHugeOnesSaturateWithoutUndefinedBehaviour) {
  ExactSum large;
  for (int i = 0; i < 1000; ++i) large.add(1e15);
  large.add(-1e15);
  EXPECT_EQ(large.value(), 999e15);
  EXPECT_EQ(large.saturated(), 0u);

  ExactSum boundary;  // terms on both sides of 2^30, where a term stops fitting in 64 bits
  for (double t : {0x1p30 + 0.25, -0x1p30, 0x1p30 - 0.25, -(0x1p30 - 0.5)}) boundary.add(t);
  EXPECT_EQ(boundary.value(), 0.5);

  ExactSum huge;
  huge.add(1e20);
  huge.add(std::numeric_limits<double>::max());
  huge.add(-1e300);
  huge.add(2.5);
  EXPECT_EQ(huge.saturated(), 3u);
  EXPECT_EQ(huge.count(), 4u);
  EXPECT_EQ(huge.value(), ExactSum::kSaturation + 2.5);
  ExactSum reordered;
  for (double t : {2.5, -1e300, std::numeric_limits<double>::max(), 1e20}) reordered.add(t);
  EXPECT_EQ(reordered, huge);

  ExactSum many;  // a million saturated terms of each sign, far from wrapping
  for (int i = 0; i < 1'000'000; ++i) many.add(-1e30);
  EXPECT_EQ(many.value(), -1e6 * ExactSum::kSaturation);
}

TEST(ExactSum, NonFiniteTermsAreCountedApartAndEmptyMeanIsNaN) {
  ExactSum s;
  EXPECT_TRUE(std::isnan(mean(s)));
  EXPECT_EQ(s.value(), 0.0);
  s.add(std::numeric_limits<double>::quiet_NaN());
  s.add(std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.non_finite(), 2u);
  EXPECT_EQ(s.count(), 0u);
  EXPECT_TRUE(std::isnan(mean(s)));
  for (double t : {1.0, 2.0, 3.0}) s.add(t);
  EXPECT_EQ(mean(s), 2.0);
}

TEST(ExactSum, SerializeRoundTripsAndMalformedBytesThrow) {
  const ExactSum s = sum_of(mixed_terms());
  std::string bytes;
  s.serialize(bytes);
  bytes.push_back('!');
  std::string_view in = bytes;
  EXPECT_EQ(ExactSum::deserialize(in), s);
  EXPECT_EQ(in, "!");
  for (std::size_t n = 0; n + 1 < bytes.size(); ++n) {
    std::string_view truncated(bytes.data(), n);
    EXPECT_THROW(ExactSum::deserialize(truncated), std::invalid_argument);
  }
  std::string wrong_tag = bytes;
  wrong_tag[0] = 'Q';
  std::string_view tag_view = wrong_tag;
  EXPECT_THROW(ExactSum::deserialize(tag_view), std::invalid_argument);
  std::string wrong_version = bytes;
  wrong_version[2] = 9;
  std::string_view version_view = wrong_version;
  EXPECT_THROW(ExactSum::deserialize(version_view), std::invalid_argument);
}

}  // namespace
}  // namespace bsim::analysis
