#include "jobs/monte_carlo.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "analysis/sampler.h"
#include "core/diagnostics.h"
#include "io/results_db.h"
#include "jobs/resources.h"

namespace bsim::jobs {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kFailedKept = 100;

io::McPathRow row_of(const analysis::PathVerdict& v, const std::vector<model::MonthRecord>& months,
                     const std::vector<std::size_t>& stored) {
  io::McPathRow row;
  row.path_id = v.path_id;
  row.bust = v.bust.occurred;
  if (v.bust.occurred) row.bust_month = v.bust.month.str();
  row.bust_trigger = v.bust.trigger;
  row.defaults = v.defaults;
  row.claims_written_off_usd_bn = v.claims_written_off_usd_bn;
  row.equity_wiped_out_usd_bn = v.equity_wiped_out_usd_bn;
  row.accelerator_writedown_usd_bn = v.accelerator_writedown_usd_bn;
  row.capital_destroyed_usd_bn = v.capital_destroyed_usd_bn;
  row.peak_ai_equity_value_usd_bn = v.peak_ai_equity_value_usd_bn;
  row.max_equity_drawdown = v.max_equity_drawdown;
  row.end_spot_price_usd_per_h100e_hour = v.end_spot_price_usd_per_h100e_hour;
  row.legacy_power_gw = v.legacy_power_gw;
  row.legacy_datacenter_gw = v.legacy_datacenter_gw;
  row.parameters = v.parameters;
  row.losses_by_holder = v.losses_by_holder;
  row.error = v.error;
  if (!v.error) {
    for (const std::size_t c : stored) {
      std::vector<double>& series = row.series.emplace_back();
      series.reserve(months.size());
      for (const model::MonthRecord& m : months) series.push_back(m.*model::kColumns[c].field);
    }
  }
  return row;
}

// The (key, value) pairs of a path's drawn values, for io::instantiate.
std::vector<std::pair<std::string, double>> keyed(const io::LoadedScenario& loaded, const std::vector<double>& drawn) {
  std::vector<std::pair<std::string, double>> values;
  for (std::size_t i = 0; i < drawn.size(); ++i) values.emplace_back(loaded.uncertain[i].key, drawn[i]);
  return values;
}

// One worker's share of the results since the last checkpoint, under its own lock so that a
// checkpoint takes the rows and the aggregate of exactly the same paths.
struct WorkerShelf {
  std::mutex mutex;
  std::optional<analysis::McAggregate> aggregate;
  std::vector<io::McPathRow> rows;
  std::vector<analysis::PathVerdict> failed;
  analysis::PathCheckTotals checks;
};

// Lower estimates of what a path costs where it is kept: a database row (measured: about 8 kB
// a path with 14 parameters and 8 holder classes, pages and indexes included) and a row in
// memory. Lower, so that a run that would fit is never refused.
constexpr long double kDbBytesPerPath = 100;
constexpr long double kDbBytesPerValue = 40;  // a drawn parameter
constexpr long double kMemoryBytesPerValue = 48;

// A stored series value: a path_series row with its key, in pages (measured: about 46 bytes,
// 200 default paths with two stored columns); and in memory, a double.
constexpr long double kDbBytesPerSeriesValue = 30;
constexpr long double kMemoryBytesPerSeriesValue = 8;

void require_resources(const McOptions& options, const io::LoadedScenario& loaded) {
  const long double paths = static_cast<long double>(options.paths);
  // The drawn parameters (the holders' losses, a few more values a path, are left out).
  const auto parameters = static_cast<long double>(loaded.uncertain.size());
  const auto series_values =
      static_cast<long double>(options.store_columns.size()) * static_cast<long double>(loaded.scenario.time.months());
  const long double values = parameters + series_values * kDbBytesPerSeriesValue / kDbBytesPerValue;
  if (!options.db_path.empty()) {
    require_disk(paths * (kDbBytesPerPath + kDbBytesPerValue * values), options.db_path, "--paths",
                 fmt::format("a results database of {} paths", options.paths));
  }
  if (options.keep_rows) {
    require_memory(paths / static_cast<long double>(options.ranks) *
                       (static_cast<long double>(sizeof(io::McPathRow)) + kMemoryBytesPerValue * values),
                   "--paths", fmt::format("keeping the rows of {} paths", options.paths));
    require_memory(paths / static_cast<long double>(options.ranks) * series_values * kMemoryBytesPerSeriesValue,
                   "--store-paths", fmt::format("keeping the stored series of {} paths", options.paths));
  }
}

}  // namespace

model::Scenario path_scenario(const io::LoadedScenario& loaded, std::uint64_t seed, std::uint64_t path_id,
                              std::vector<double>& drawn) {
  drawn.clear();
  if (loaded.uncertain.empty()) return loaded.scenario;
  const analysis::ParameterSampler sampler(loaded.uncertain, loaded.correlations);
  drawn = sampler.draw(seed, path_id);
  return io::instantiate(loaded, keyed(loaded, drawn));
}

std::vector<std::string> checked_columns(const std::vector<std::string>& names, const std::string& option) {
  std::vector<std::string> known;
  for (const model::Column& c : model::kColumns) known.emplace_back(c.name);
  core::Diagnostics diags;
  std::vector<std::string> seen;
  for (const std::string& name : names) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      diags.error({option, 0, 0}, fmt::format("unknown column '{}';{} the columns are those of timeseries.csv "
                                              "(docs/outputs.md)",
                                              core::shortened(name), core::did_you_mean(name, known)));
    } else if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      diags.error({option, 0, 0}, fmt::format("column '{}' is named twice", name));
    } else {
      seen.push_back(name);
    }
  }
  if (names.empty()) diags.error({option, 0, 0}, "needs at least one column name");
  if (diags.has_errors()) throw core::InputError(std::move(diags));
  return seen;
}

io::McRunMeta run_meta(const io::LoadedScenario& loaded, std::uint64_t seed, std::uint64_t paths,
                       const std::string& command_line, const std::vector<std::string>& stored_columns) {
  io::McRunMeta meta;
  meta.scenario_name = loaded.scenario.name;
  meta.scenario_source = loaded.source_name;
  meta.scenario_text = loaded.text;
  meta.overrides = loaded.overrides;
  meta.seed = seed;
  meta.paths_requested = paths;
  meta.bubblesim_version = BSIM_VERSION;
  meta.command_line = command_line;
  meta.stored_columns = stored_columns;
  if (!stored_columns.empty()) meta.series_start = loaded.scenario.time.start.str();
  for (const analysis::UncertainParameter& p : loaded.uncertain) {
    meta.parameter_keys.push_back(p.key);
    meta.parameter_distributions.push_back(p.distribution.describe());
  }
  return meta;
}

io::LoadedScenario scenario_of_database(const std::string& db_path) {
  const io::ResultsDb db = io::ResultsDb::open_existing(db_path);
  const io::McRunMeta& meta = db.meta();
  // Databases written before `scenario_source` kept the source in `scenario_name`.
  const std::string& source = meta.scenario_source.empty() ? meta.scenario_name : meta.scenario_source;
  return io::load_scenario_text(meta.scenario_text, source, meta.overrides);
}

McRun run_monte_carlo(const io::LoadedScenario& loaded, const McOptions& options) {
  if (options.ranks < 1 || options.rank < 0 || options.rank >= options.ranks) {
    throw std::invalid_argument("run_monte_carlo: rank out of range");
  }
  const auto started = Clock::now();
  McRun run{.scenario_name = loaded.scenario.name,
            .seed = options.seed,
            .paths_requested = options.paths,
            .parameter_keys = {},
            .parameter_distributions = {},
            .aggregate = analysis::McAggregate(loaded.scenario, options.sketch_accuracy, loaded.uncertain),
            .failed = {},
            .rows = {},
            .checks = {},
            .bust_rule = analysis::bust_rule_text(loaded.scenario.verdict),
            .persist_months = loaded.scenario.verdict.persist_months,
            .stored_columns = {},
            .series_start = {}};
  for (const analysis::UncertainParameter& p : loaded.uncertain) {
    run.parameter_keys.push_back(p.key);
    run.parameter_distributions.push_back(p.distribution.describe());
  }
  const std::optional<analysis::ParameterSampler> sampler =
      loaded.uncertain.empty() ? std::nullopt
                               : std::optional<analysis::ParameterSampler>(std::in_place, loaded.uncertain, loaded.correlations);

  if (!options.store_columns.empty()) run.stored_columns = checked_columns(options.store_columns, "--store-paths");
  // A run the machine cannot hold stops here, before any file is written.
  if (!options.resume) require_resources(options, loaded);

  // The database: a new one, or the one being resumed (its aggregate so far and its paths).
  std::optional<io::ResultsDb> db;
  std::vector<std::uint64_t> completed;
  if (!options.db_path.empty()) {
    if (options.resume) {
      db.emplace(io::ResultsDb::open_existing(options.db_path));
      const std::string state = db->aggregate_state();
      if (!state.empty()) run.aggregate.deserialize(state);
      completed = db->completed_path_ids();
      run.seed = db->meta().seed;
      run.paths_requested = db->meta().paths_requested;
      run.stored_columns = db->meta().stored_columns;
    } else {
      io::McRunMeta meta = run_meta(loaded, options.seed, options.paths, options.command_line, run.stored_columns);
      meta.sketch_accuracy = options.sketch_accuracy;
      db.emplace(io::ResultsDb::create(options.db_path, meta));
    }
  }

  // The columns whose series each path's row keeps (model::kColumns indices).
  std::vector<std::size_t> stored;
  for (const std::string& name : run.stored_columns) stored.push_back(analysis::McAggregate::column_index(name));
  if (!stored.empty()) run.series_start = loaded.scenario.time.start.str();

  // This process's path ids are rank, rank + ranks, … below paths_requested, less the completed
  // ones. They are handed out in increasing order by a counter (`next`), not listed up front, so
  // that memory does not grow with the number of paths.
  const auto ranks = static_cast<std::uint64_t>(options.ranks);
  const auto rank = static_cast<std::uint64_t>(options.rank);
  const std::uint64_t mine = run.paths_requested > rank ? (run.paths_requested - rank - 1) / ranks + 1 : 0;
  std::erase_if(completed, [&](std::uint64_t id) { return id >= run.paths_requested || id % ranks != rank; });
  const std::uint64_t todo = mine - completed.size();
  const std::uint64_t resumed = run.aggregate.paths() + run.aggregate.failed();

  const int threads = std::max(1, options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<WorkerShelf> shelves(static_cast<std::size_t>(threads));
  for (WorkerShelf& s : shelves) s.aggregate.emplace(loaded.scenario, options.sketch_accuracy, loaded.uncertain);
  std::atomic<std::uint64_t> next{0};  // the k-th of this process's ids is rank + k · ranks
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> busts{run.aggregate.busts()};
  auto stopping = [&] { return options.stop != nullptr && options.stop->load(std::memory_order_relaxed); };

  std::atomic<int> running{static_cast<int>(shelves.size())};
  auto work = [&](WorkerShelf& shelf) {
    std::vector<double> drawn;
    while (!stopping()) {
      const std::uint64_t k = next.fetch_add(1);
      if (k >= mine) break;
      const std::uint64_t id = rank + k * ranks;
      if (std::binary_search(completed.begin(), completed.end(), id)) continue;  // resumed
      analysis::PathOutcome out;
      try {
        drawn.clear();
        if (sampler) {
          drawn = sampler->draw(run.seed, id);
          out = analysis::evaluate_path(io::instantiate(loaded, keyed(loaded, drawn)), id, run.seed, options.checks);
        } else {
          out = analysis::evaluate_path(loaded.scenario, id, run.seed, options.checks);
        }
      } catch (const std::exception& e) {
        // Only instantiate() can throw here (evaluate_path catches its own): a drawn value the
        // scenario rejects.
        out = analysis::PathOutcome{};
        out.verdict.path_id = id;
        out.verdict.error = std::string("drawn values are invalid: ") + e.what();
      }
      out.verdict.parameters = drawn;
      {
        std::lock_guard lock(shelf.mutex);
        shelf.aggregate->add(out.verdict, out.months);
        if (db || options.keep_rows) shelf.rows.push_back(row_of(out.verdict, out.months, stored));
        if (out.verdict.error && shelf.failed.size() < kFailedKept) shelf.failed.push_back(out.verdict);
        shelf.checks.merge(out.checks);
      }
      if (out.verdict.bust.occurred) busts.fetch_add(1);
      finished.fetch_add(1);
    }
    running.fetch_sub(1);
  };

  // Merges the workers' aggregates into the run's. Their rows wait in `pending` until a
  // checkpoint commits them together with the aggregate that includes them, so that the
  // database's aggregate always covers exactly its rows (a partial result for a live display
  // merges without committing).
  std::vector<io::McPathRow> pending;
  auto collect = [&](io::McStatus status, bool checkpoint) {
    for (WorkerShelf& shelf : shelves) {
      std::lock_guard lock(shelf.mutex);
      run.aggregate.merge(*shelf.aggregate);
      shelf.aggregate->clear();
      std::move(shelf.rows.begin(), shelf.rows.end(), std::back_inserter(pending));
      shelf.rows.clear();
      std::move(shelf.failed.begin(), shelf.failed.end(), std::back_inserter(run.failed));
      shelf.failed.clear();
      run.checks.merge(shelf.checks);
      shelf.checks = {};
    }
    // The failed paths with the lowest ids, whatever the threads: each worker takes ids in
    // increasing order, so its first kFailedKept since the last collection hold its lowest.
    std::sort(run.failed.begin(), run.failed.end(),
              [](const analysis::PathVerdict& a, const analysis::PathVerdict& b) { return a.path_id < b.path_id; });
    if (run.failed.size() > kFailedKept) run.failed.resize(kFailedKept);
    if (!checkpoint) return;
    std::sort(pending.begin(), pending.end(), [](const io::McPathRow& a, const io::McPathRow& b) { return a.path_id < b.path_id; });
    if (db) db->checkpoint(pending, run.aggregate.serialize(), status);
    if (options.keep_rows) std::move(pending.begin(), pending.end(), std::back_inserter(run.rows));
    pending.clear();
  };

  auto report = [&] {
    if (!options.progress) return;
    McProgress p;
    p.done = resumed + finished.load();
    p.total = resumed + todo;
    p.busts = busts.load();
    p.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    p.paths_per_second = p.elapsed_seconds > 0 ? static_cast<double>(finished.load()) / p.elapsed_seconds : 0.0;
    options.progress(p);
  };

  {
    std::vector<std::thread> pool;
    pool.reserve(shelves.size());
    for (WorkerShelf& shelf : shelves) pool.emplace_back(work, std::ref(shelf));
    auto last_checkpoint = Clock::now();
    auto last_partial = Clock::now();
    auto seconds_since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    // Short naps while a live display waits for its next partial result.
    const auto nap = std::chrono::milliseconds(options.partial && options.partial_seconds < 0.2 ? 20 : 100);
    while (running.load() > 0) {
      std::this_thread::sleep_for(nap);
      report();
      const bool checkpoint_due = db && seconds_since(last_checkpoint) >= options.checkpoint_seconds;
      const bool partial_due = options.partial && seconds_since(last_partial) >= options.partial_seconds;
      if (checkpoint_due || partial_due) {
        collect(io::McStatus::kRunning, checkpoint_due);
        if (checkpoint_due) last_checkpoint = Clock::now();
      }
      if (partial_due) {
        run.paths_run = finished.load();
        run.seconds = seconds_since(started);
        options.partial(run);
        last_partial = Clock::now();
      }
    }
    // Explicit joins: every worker finishes the path it is on before the last checkpoint.
    for (std::thread& t : pool) t.join();
  }
  run.paths_run = finished.load();
  run.interrupted = run.paths_run < todo;
  collect(run.interrupted ? io::McStatus::kInterrupted : io::McStatus::kComplete, true);
  report();
  run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::sort(run.rows.begin(), run.rows.end(), [](const io::McPathRow& a, const io::McPathRow& b) { return a.path_id < b.path_id; });
  return run;
}

}  // namespace bsim::jobs
