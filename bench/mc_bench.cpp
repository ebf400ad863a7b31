// Benchmarks of Monte Carlo runs (DESIGN §5 target: 100,000 default paths within a minute on
// 2 cores, near-linear scaling with threads, memory flat in the number of paths).
// Run: build/release/bench/bsim_bench --benchmark_filter='EvaluatePath|Aggregate|MonteCarlo' --benchmark_min_time=1
// Results and the commands for the memory measurement are in docs/performance.md.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/mc_aggregate.h"
#include "io/scenario_loader.h"
#include "jobs/monte_carlo.h"
#include "model/record.h"

namespace {

namespace analysis = bsim::analysis;
namespace jobs = bsim::jobs;

/// Bytes an aggregate holds: every sketch's stores at their allocated capacity, the exact sums
/// and the bust-month counts. An estimate of resident memory (allocator overhead not counted).
std::size_t aggregate_resident_bytes(const analysis::McAggregate& agg) {
  std::size_t bytes = sizeof(analysis::McAggregate) + agg.bust_months().capacity() * sizeof(std::uint64_t);
  for (std::size_t c = 0; c < bsim::model::kColumns.size(); ++c) {
    for (int m = 0; m < agg.months(); ++m) {
      bytes += agg.fan(c, m).memory_bytes() + sizeof(analysis::ExactSum);
    }
  }
  for (std::size_t i = 0; i < analysis::path_figure_names().size(); ++i) {
    bytes += agg.figure(i).memory_bytes() + sizeof(analysis::ExactSum);
  }
  for (std::size_t i = 0; i < agg.holder_names().size(); ++i) {
    bytes += agg.holder_loss(i).memory_bytes() + sizeof(analysis::ExactSum) + agg.holder_names()[i].capacity();
  }
  return bytes;
}

// One path as a Monte Carlo worker runs it: the path, its month records and its verdict.
void BM_EvaluatePath(benchmark::State& state, const char* scenario) {
  const bsim::model::Scenario s = bsim::io::load_scenario(scenario).scenario;
  std::uint64_t path = 0;
  for (auto _ : state) {
    analysis::PathOutcome out = analysis::evaluate_path(s, path++, 1);
    if (out.verdict.error) state.SkipWithError(out.verdict.error->c_str());
    benchmark::DoNotOptimize(out.months.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_EvaluatePath, default, "default")->Unit(benchmark::kMillisecond);

// Adding one path to the aggregate: every timeseries column in every month goes into its
// sketch and exact sum, plus the per-path figures and the losses by holder.
void BM_AggregateAdd(benchmark::State& state) {
  const bsim::model::Scenario s = bsim::io::load_scenario("default").scenario;
  const analysis::PathOutcome out = analysis::evaluate_path(s, 0, 1);
  if (out.verdict.error) {
    state.SkipWithError(out.verdict.error->c_str());
    return;
  }
  analysis::McAggregate agg(s);
  for (auto _ : state) {
    agg.add(out.verdict, out.months);
  }
  const double values_per_path = static_cast<double>(bsim::model::kColumns.size() * out.months.size());
  state.SetItemsProcessed(state.iterations());
  state.counters["values_per_path"] = values_per_path;
  state.counters["ns_per_value"] = benchmark::Counter(values_per_path * static_cast<double>(state.iterations()),
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AggregateAdd)->Unit(benchmark::kMicrosecond);

// What a checkpoint or an MPI reduction does with a thread's partial aggregate: merge it into
// the run's aggregate and serialize the result. The partial aggregate holds 200 default paths,
// so its sketches have the bucket spread of real paths (one path repeated would not).
void BM_AggregateMergeSerialize(benchmark::State& state) {
  const bsim::io::LoadedScenario loaded = bsim::io::load_scenario("default");
  jobs::McOptions options;
  options.paths = 200;
  options.threads = 2;
  const jobs::McRun part = jobs::run_monte_carlo(loaded, options);
  analysis::McAggregate total(loaded.scenario);
  std::size_t serialized_bytes = 0;
  for (auto _ : state) {
    total.merge(part.aggregate);
    const std::string bytes = total.serialize();
    serialized_bytes = bytes.size();
    benchmark::DoNotOptimize(bytes.data());
  }
  state.counters["paths_in_aggregate"] = static_cast<double>(part.aggregate.paths());
  state.counters["serialized_bytes"] = static_cast<double>(serialized_bytes);
  state.counters["resident_bytes"] = static_cast<double>(aggregate_resident_bytes(total));
}
BENCHMARK(BM_AggregateMergeSerialize)->Unit(benchmark::kMillisecond);

// A whole Monte Carlo run of a fixed number of default paths on state.range(0) threads, wall
// time. paths_per_second reads off the scaling; the run's own thread pool does the work, so
// the benchmark's CPU time (the calling thread's) means nothing here.
constexpr std::uint64_t kMonteCarloPaths = 200;

void BM_MonteCarlo(benchmark::State& state) {
  const bsim::io::LoadedScenario loaded = bsim::io::load_scenario("default");
  jobs::McOptions options;
  options.paths = kMonteCarloPaths;
  options.threads = static_cast<int>(state.range(0));
  std::uint64_t paths = 0;
  std::size_t serialized_bytes = 0;
  std::size_t resident_bytes = 0;
  for (auto _ : state) {
    const jobs::McRun run = jobs::run_monte_carlo(loaded, options);
    if (run.aggregate.failed() > 0) state.SkipWithError("a path failed");
    paths += run.paths_run;
    state.PauseTiming();
    serialized_bytes = run.aggregate.serialize().size();
    resident_bytes = aggregate_resident_bytes(run.aggregate);
    state.ResumeTiming();
  }
  const double p = static_cast<double>(paths);
  state.counters["paths_per_second"] = benchmark::Counter(p, benchmark::Counter::kIsRate);
  state.counters["paths_per_second_per_thread"] =
      benchmark::Counter(p / static_cast<double>(state.range(0)), benchmark::Counter::kIsRate);
  state.counters["aggregate_serialized_bytes"] = static_cast<double>(serialized_bytes);
  state.counters["aggregate_resident_bytes"] = static_cast<double>(resident_bytes);
}
BENCHMARK(BM_MonteCarlo)->ArgName("threads")->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
