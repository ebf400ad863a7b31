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

// What each Monte Carlo path pays before it runs: draw the uncertain values and rebuild the
// scenario from the validated snapshot (no TOML parsing). Eight keys of the default scenario.
void BM_DrawAndInstantiate(benchmark::State& state) {
  const bsim::io::LoadedScenario loaded = bsim::io::load_scenario_text(R"(schema_version = 1
extends = "default"
name = "bench"
[uncertain]
"technology.efficiency.trend_per_year" = { dist = "lognormal", median = 2.8, sigma = 0.4 }
"segment.consumer.elasticity_long_run" = { dist = "pert", min = 0.7, mode = 1.2, max = 1.6 }
"segment.consumer.markup" = { dist = "uniform", min = 1.3, max = 4 }
"firm.openai.cash_usd_bn" = { dist = "uniform", min = 20, max = 60 }
"supply.power_price_usd_per_mwh" = { dist = "normal", mean = 80, sd = 20, min = 30, max = 200 }
"supply.failure_rate_per_year" = { dist = "triangular", min = 0.02, mode = 0.05, max = 0.1 }
"build.optimism" = { dist = "beta", alpha = 2, beta = 2 }
"supply.datacenter.lead_time_months" = { dist = "discrete", values = [18, 24, 36], weights = [1, 2, 1] }
[[uncertain_correlation]]
a = "technology.efficiency.trend_per_year"
b = "segment.consumer.elasticity_long_run"
rho = -0.3
)",
                                                                       "bench.toml");
  const bsim::analysis::ParameterSampler sampler(loaded.uncertain, loaded.correlations);
  std::uint64_t path = 0;
  for (auto _ : state) {
    const std::vector<double> x = sampler.draw(1, path++);
    std::vector<std::pair<std::string, double>> values;
    for (std::size_t i = 0; i < x.size(); ++i) values.emplace_back(loaded.uncertain[i].key, x[i]);
    const bsim::model::Scenario s = bsim::io::instantiate(loaded, values);
    benchmark::DoNotOptimize(s.firms.data());
  }
}
BENCHMARK(BM_DrawAndInstantiate)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
