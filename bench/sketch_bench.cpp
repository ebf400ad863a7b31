// Benchmarks of the streaming Monte Carlo aggregates (src/analysis/sketch.h): the cost of adding
// a value, of merging two sketches (one per thread or rank), of a quantile and of the binary form.
// Run: build/release/bench/bsim_bench --benchmark_filter='Sketch|ExactSum' --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "analysis/sketch.h"
#include "core/random.h"

namespace {

// Losses of either sign spanning about six decades, like a Monte Carlo indicator.
std::vector<double> sample_values(std::size_t n) {
  bsim::core::RandomStream rng(7, 0, 0);
  std::vector<double> values(n);
  for (double& v : values) {
    const double loss = rng.lognormal(3.0, 2.0);
    v = rng.bernoulli(0.2) ? -loss : loss;
  }
  return values;
}

bsim::analysis::QuantileSketch sketch_of(const std::vector<double>& values) {
  bsim::analysis::QuantileSketch s;
  for (double v : values) s.add(v);
  return s;
}

void BM_SketchAdd(benchmark::State& state) {
  const std::vector<double> values = sample_values(1 << 16);
  bsim::analysis::QuantileSketch s;
  std::size_t i = 0;
  for (auto _ : state) {
    s.add(values[i]);
    i = (i + 1) & ((1 << 16) - 1);
  }
  benchmark::DoNotOptimize(s.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SketchAdd);

void BM_SketchMerge(benchmark::State& state) {
  const bsim::analysis::QuantileSketch part = sketch_of(sample_values(100'000));
  bsim::analysis::QuantileSketch total = part;
  for (auto _ : state) total.merge(part);
  benchmark::DoNotOptimize(total.count());
  state.counters["buckets"] = static_cast<double>(part.bucket_count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SketchMerge)->Unit(benchmark::kMicrosecond);

void BM_SketchQuantile(benchmark::State& state) {
  const bsim::analysis::QuantileSketch s = sketch_of(sample_values(100'000));
  for (auto _ : state) benchmark::DoNotOptimize(s.quantile(0.95));
}
BENCHMARK(BM_SketchQuantile)->Unit(benchmark::kMicrosecond);

void BM_SketchSerializeRoundTrip(benchmark::State& state) {
  const bsim::analysis::QuantileSketch s = sketch_of(sample_values(100'000));
  std::string bytes;
  for (auto _ : state) {
    bytes.clear();
    s.serialize(bytes);
    std::string_view in = bytes;
    benchmark::DoNotOptimize(bsim::analysis::QuantileSketch::deserialize(in).count());
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
  state.counters["memory_bytes"] = static_cast<double>(s.memory_bytes());
}
BENCHMARK(BM_SketchSerializeRoundTrip)->Unit(benchmark::kMicrosecond);

void BM_ExactSumAdd(benchmark::State& state) {
  const std::vector<double> values = sample_values(1 << 16);
  bsim::analysis::ExactSum sum;
  std::size_t i = 0;
  for (auto _ : state) {
    sum.add(values[i]);
    i = (i + 1) & ((1 << 16) - 1);
  }
  benchmark::DoNotOptimize(sum.value());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExactSumAdd);

}  // namespace
