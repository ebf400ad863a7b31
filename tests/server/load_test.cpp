// A bounded load test of bubblesim serve from local clients: several threads send a mix of
// requests at once (health, scenarios, schema, validate, single runs, Monte Carlo jobs followed
// to their end or cancelled, event streams). Every answer must be the expected one: only job
// submissions may be refused with 429 (the job limit, below the number of clients), and fewer
// than half of them; every single run must succeed (the clients never have more than
// --max-runs in flight), so a server answering 429 to all or most of the work fails. Afterwards
// no job is queued or running and no event stream is open.
//
// BSIM_LOAD_CLIENTS (default 4) and BSIM_LOAD_ROUNDS (default 4) scale it; the figures it
// prints are in docs/performance.md ("Server").
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>

#include "server_fixture.h"

namespace bsim::server {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::LiveServer;
using testing::short_scenario;

int env_or(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::max(1, std::atoi(v)) : fallback;
}

TEST(ServerLoad, ConcurrentClientsGetNoErrorsAndLeaveNoJobsBehind) {
  const int clients = env_or("BSIM_LOAD_CLIENTS", 4);
  const int rounds = env_or("BSIM_LOAD_ROUNDS", 4);
  ServerOptions o = LiveServer::defaults();
  // One job slot fewer than clients: the job limit is reached at times, but should refuse only
  // a minority of submissions.
  o.jobs.max_jobs = static_cast<std::size_t>(std::max(3, clients - 1));
  // Enough kept for each client to read its own job after it finishes (a finished job is
  // forgotten once `keep_finished` newer ones have finished).
  o.jobs.keep_finished = static_cast<std::size_t>(4 * clients);
  // Each client has one run in flight at most: the run limit must never be reached.
  o.jobs.max_queued_runs = std::max<std::size_t>(o.jobs.max_queued_runs, static_cast<std::size_t>(clients));
  LiveServer live(o);

  std::atomic<int> requests{0};
  std::atomic<int> limited{0};    // job submissions answered 429
  std::atomic<int> limitable{0};  // job submissions answered at all
  std::atomic<int> runs_tried{0};
  std::atomic<int> runs_ok{0};
  std::atomic<int> jobs_accepted{0};
  std::mutex mutex;
  std::vector<std::string> errors;
  std::vector<double> latencies_ms;
  // `may_be_limited`: a 429 is an expected answer (counted), not an error.
  auto record = [&](const std::string& what, const httplib::Result& r, std::initializer_list<int> expected,
                    std::chrono::steady_clock::time_point started, bool may_be_limited = false) {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    ++requests;
    std::lock_guard lock(mutex);
    latencies_ms.push_back(ms);
    if (!r) {
      errors.push_back(what + ": no answer (" + httplib::to_string(r.error()) + ")");
      return false;
    }
    if (may_be_limited) ++limitable;
    if (r->status == 429 && may_be_limited) {
      ++limited;
      return false;
    }
    if (std::find(expected.begin(), expected.end(), r->status) == expected.end()) {
      errors.push_back(what + ": HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 200));
      return false;
    }
    return true;
  };

  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto c = live.client();
      for (int round = 0; round < rounds; ++round) {
        auto t0 = std::chrono::steady_clock::now();
        record("health", c.Get("/api/health"), {200}, t0);
        t0 = std::chrono::steady_clock::now();
        record("scenarios", c.Get("/api/scenarios/default"), {200}, t0);
        t0 = std::chrono::steady_clock::now();
        record("validate bad", c.Post("/api/validate", R"({"scenario":"default","set":{"no.such.key":1}})", "application/json"),
               {422}, t0);
        t0 = std::chrono::steady_clock::now();
        ++runs_tried;
        if (record("run",
                   c.Post("/api/run", json{{"scenario", short_scenario()}, {"seed", round}}.dump(), "application/json"),
                   {200}, t0)) {
          ++runs_ok;
        }
        t0 = std::chrono::steady_clock::now();
        auto submitted = c.Post("/api/jobs", json{{"scenario", short_scenario()}, {"paths", 4}, {"seed", t}}.dump(),
                                "application/json");
        if (!record("submit", submitted, {202}, t0, true)) continue;
        ++jobs_accepted;
        const std::string id = body_of(submitted)["id"];
        if ((t + round) % 3 == 0) {
          t0 = std::chrono::steady_clock::now();
          record("cancel", c.Delete("/api/jobs/" + id), {200, 409}, t0);  // 409: it finished first
        } else if ((t + round) % 3 == 1) {
          t0 = std::chrono::steady_clock::now();
          auto events = c.Get("/api/jobs/" + id + "/events");
          if (record("events", events, {200}, t0) && events->body.find("event: end") == std::string::npos) {
            std::lock_guard lock(mutex);
            errors.push_back("events: the stream ended without an end event");
          }
        } else {
          t0 = std::chrono::steady_clock::now();
          const json job = testing::wait_finished(c, id);
          ++requests;
          if (job.is_null() || job["status"] != "done") {
            std::lock_guard lock(mutex);
            errors.push_back("job " + id + " did not finish: " + job.dump().substr(0, 200));
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  for (const std::string& e : errors) ADD_FAILURE() << e;
  // Every run succeeds; the job limit refuses some submissions under load, never most of them.
  EXPECT_EQ(runs_ok.load(), runs_tried.load());
  EXPECT_EQ(runs_tried.load(), clients * rounds);
  EXPECT_GT(jobs_accepted.load(), 0);
  EXPECT_EQ(jobs_accepted.load() + limited.load(), limitable.load());
  EXPECT_LT(limited.load() * 2, limitable.load())
      << limited.load() << " of " << limitable.load() << " submissions answered 429";
  // No leaked work: every job has ended and every stream has closed.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until && (live.server().jobs().counts().running > 0 || live.server().jobs().counts().queued > 0)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const JobCounts counts = live.server().jobs().counts();
  EXPECT_EQ(counts.running, 0u);
  EXPECT_EQ(counts.queued, 0u);
  EXPECT_EQ(counts.runs_waiting, 0u);
  EXPECT_LE(counts.kept, o.jobs.keep_finished);
  EXPECT_EQ(counts.submitted, counts.finished);
  auto c = live.client();
  const json health = body_of(c.Get("/api/health"));
  EXPECT_EQ(health["jobs"]["streams"], 0) << health.dump();

  std::sort(latencies_ms.begin(), latencies_ms.end());
  const auto pct = [&](double p) { return latencies_ms[static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size() - 1))]; };
  std::cout << "load: " << clients << " clients × " << rounds << " rounds, " << requests.load() << " requests in " << seconds
            << " s (" << static_cast<double>(requests.load()) / seconds << " requests/s), " << limited.load()
            << " answered 429, " << errors.size() << " errors; latency ms p50 " << pct(0.5) << ", p95 " << pct(0.95)
            << ", max " << latencies_ms.back() << "; jobs submitted " << counts.submitted << ", kept " << counts.kept << "\n";
}

}  // namespace
}  // namespace bsim::server
