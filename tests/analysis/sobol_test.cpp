// Variance-based sensitivity (src/analysis/sobol.h) on the Ishigami function, whose indices are
// known in closed form, and the independence of the result from the order of evaluation.
#include "analysis/sobol.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bsim::analysis {
namespace {

// Ishigami and Homma (1990) with a = 7, b = 0.1 on [−π, π]^3.
constexpr double kA = 7.0;
constexpr double kB = 0.1;
double ishigami(const std::vector<double>& unit_point) {
  const double pi = std::numbers::pi;
  const double x1 = -pi + 2.0 * pi * unit_point[0];
  const double x2 = -pi + 2.0 * pi * unit_point[1];
  const double x3 = -pi + 2.0 * pi * unit_point[2];
  return std::sin(x1) + kA * std::sin(x2) * std::sin(x2) + kB * std::pow(x3, 4) * std::sin(x1);
}

// Closed form: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2, V2 = a²/8,
// V13 = b²π⁸ (1/18 − 1/50), V3 = 0.
struct Truth {
  double variance;
  double first[3];
  double total[3];
};
Truth ishigami_truth() {
  const double pi4 = std::pow(std::numbers::pi, 4);
  const double v = kA * kA / 8 + kB * pi4 / 5 + kB * kB * pi4 * pi4 / 18 + 0.5;
  const double v1 = 0.5 * (1 + kB * pi4 / 5) * (1 + kB * pi4 / 5);
  const double v2 = kA * kA / 8;
  const double v13 = kB * kB * pi4 * pi4 * (1.0 / 18 - 1.0 / 50);
  return {v, {v1 / v, v2 / v, 0.0}, {(v1 + v13) / v, v2 / v, v13 / v}};
}

constexpr std::size_t kBaseRows = 20'000;
constexpr std::uint64_t kSeed = 20260101;

std::vector<double> outputs_in_order(const SobolDesign& design) {
  std::vector<double> outputs(design.evaluations());
  for (std::size_t i = 0; i < outputs.size(); ++i) outputs[i] = ishigami(sobol_point(design, i));
  return outputs;
}

TEST(Sobol, TruthIsThePublishedIshigamiIndices) {
  const Truth t = ishigami_truth();
  EXPECT_NEAR(t.first[0], 0.3139, 1e-4);
  EXPECT_NEAR(t.first[1], 0.4424, 1e-4);
  EXPECT_NEAR(t.total[0], 0.5576, 1e-4);
  EXPECT_NEAR(t.total[2], 0.2437, 1e-4);
}

TEST(Sobol, RecoversIshigamiIndicesAndTheIntervalsCoverThem) {
  const SobolDesign design = sobol_design(kBaseRows, 3, kSeed);
  ASSERT_EQ(design.evaluations(), kBaseRows * 5);
  const SobolIndices s = sobol_indices(design, outputs_in_order(design));
  const Truth t = ishigami_truth();
  EXPECT_NEAR(s.variance, t.variance, 0.02 * t.variance);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first_order[i], t.first[i], 0.03) << "S" << i + 1;
    EXPECT_NEAR(s.total[i], t.total[i], 0.03) << "ST" << i + 1;
    EXPECT_LE(s.first_order_ci[i].low, t.first[i]) << "S" << i + 1;
    EXPECT_GE(s.first_order_ci[i].high, t.first[i]) << "S" << i + 1;
    EXPECT_LE(s.total_ci[i].low, t.total[i]) << "ST" << i + 1;
    EXPECT_GE(s.total_ci[i].high, t.total[i]) << "ST" << i + 1;
    // The interval brackets the estimate and is narrow at this sample size.
    EXPECT_LE(s.first_order_ci[i].low, s.first_order[i]);
    EXPECT_GE(s.first_order_ci[i].high, s.first_order[i]);
    EXPECT_LT(s.first_order_ci[i].high - s.first_order_ci[i].low, 0.06);
    EXPECT_LT(s.total_ci[i].high - s.total_ci[i].low, 0.06);
  }
}

TEST(Sobol, EvaluationOrderAndThreadsDoNotChangeTheIndices) {
  const SobolDesign design = sobol_design(2'000, 3, kSeed);
  const SobolIndices forward = sobol_indices(design, outputs_in_order(design));

  std::vector<double> reversed(design.evaluations());
  for (std::size_t i = reversed.size(); i-- > 0;) reversed[i] = ishigami(sobol_point(design, i));

  std::vector<double> threaded(design.evaluations());
  {
    std::vector<std::thread> workers;
    for (std::size_t w = 0; w < 3; ++w) {
      workers.emplace_back([&, w] {
        for (std::size_t i = w; i < threaded.size(); i += 3) threaded[i] = ishigami(sobol_point(design, i));
      });
    }
    for (auto& worker : workers) worker.join();
  }

  for (const auto& outputs : {reversed, threaded}) {
    const SobolIndices other = sobol_indices(design, outputs);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(other.variance), std::bit_cast<std::uint64_t>(forward.variance));
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(std::bit_cast<std::uint64_t>(other.first_order[i]),
                std::bit_cast<std::uint64_t>(forward.first_order[i]));
      EXPECT_EQ(std::bit_cast<std::uint64_t>(other.total[i]), std::bit_cast<std::uint64_t>(forward.total[i]));
      EXPECT_EQ(other.first_order_ci[i].low, forward.first_order_ci[i].low);
      EXPECT_EQ(other.first_order_ci[i].high, forward.first_order_ci[i].high);
      EXPECT_EQ(other.total_ci[i].low, forward.total_ci[i].low);
      EXPECT_EQ(other.total_ci[i].high, forward.total_ci[i].high);
    }
  }
}

TEST(Sobol, PointsFollowTheDesignLayout) {
  const SobolDesign design = sobol_design(10, 4, 5);
  for (std::size_t row = 0; row < 10; ++row) {
    const std::vector<double> a = sobol_point(design, row);
    const std::vector<double> b = sobol_point(design, 10 + row);
    ASSERT_EQ(a.size(), 4u);
    for (double u : a) EXPECT_TRUE(u > 0.0 && u < 1.0);
    for (std::size_t i = 0; i < 4; ++i) {
      const std::vector<double> ab = sobol_point(design, (2 + i) * 10 + row);
      for (std::size_t j = 0; j < 4; ++j) EXPECT_EQ(ab[j], j == i ? b[j] : a[j]) << "A_B^" << i + 1 << " row " << row;
      EXPECT_NE(a[i], b[i]);
    }
  }
  EXPECT_NE(sobol_point(sobol_design(10, 4, 6), 0), sobol_point(design, 0));  // the seed matters
}

TEST(Sobol, RejectsBadDesignsAndOutputs) {
  EXPECT_THROW(sobol_design(1, 3, 0), std::invalid_argument);
  EXPECT_THROW(sobol_design(10, 0, 0), std::invalid_argument);
  const SobolDesign design = sobol_design(10, 2, 0);
  EXPECT_THROW(sobol_point(design, 40), std::out_of_range);
  std::vector<double> outputs(design.evaluations(), 1.0);
  EXPECT_THROW(sobol_indices(design, std::span<const double>(outputs).first(39)), std::invalid_argument);
  outputs[17] = std::nan("");
  EXPECT_THROW(sobol_indices(design, outputs), std::invalid_argument);
  outputs[17] = 1.0;
  const SobolIndices flat = sobol_indices(design, outputs);  // a constant model: no variance to share
  EXPECT_EQ(flat.variance, 0.0);
  EXPECT_TRUE(std::isnan(flat.first_order[0]));
  EXPECT_TRUE(std::isnan(flat.total_ci[1].high));
  EXPECT_THROW(sobol_indices(design, outputs, {1, 0.95}), std::invalid_argument);
  EXPECT_THROW(sobol_indices(design, outputs, {100, 1.0}), std::invalid_argument);
}

}  // namespace
}  // namespace bsim::analysis
