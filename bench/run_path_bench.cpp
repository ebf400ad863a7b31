// Benchmarks of one path (DESIGN §5 target: about a millisecond of CPU for a default path).
// Run: make bench   (or build/release/bench/bsim_bench --benchmark_min_time=1)
#include <benchmark/benchmark.h>

#include "io/scenario_loader.h"
#include "sim/run_path.h"

namespace {

void BM_RunPath(benchmark::State& state, const char* scenario) {
  const bsim::model::Scenario s = bsim::io::load_scenario(scenario).scenario;
  bsim::model::NullEventSink sink;
  std::uint64_t path = 0;
  for (auto _ : state) {
    auto months = bsim::sim::run_path(s, path++, 1, sink);
    benchmark::DoNotOptimize(months.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_RunPath, default_scenario, "default")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RunPath, sudden_100x, "sudden-100x")->Unit(benchmark::kMicrosecond);

void BM_LoadScenario(benchmark::State& state) {
  for (auto _ : state) {
    auto loaded = bsim::io::load_scenario("sudden-100x");
    benchmark::DoNotOptimize(loaded.scenario.segments.data());
  }
}
BENCHMARK(BM_LoadScenario)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
