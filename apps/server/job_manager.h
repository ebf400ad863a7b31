#pragma once
/// The server's engine side: Monte Carlo jobs and single runs execute on threads owned here,
/// never on the HTTP server's request threads.
///
///   server::JobManager jobs({.max_jobs = 4, .parallel_jobs = 1, .threads_per_job = 2});
///   std::shared_ptr<server::Job> job = jobs.submit(io::load_scenario("default"), /*seed=*/1, /*paths=*/1000);
///   job->wait_for_change(0, std::chrono::seconds(1));
///   server::JobView v = job->view();  // status, progress, the (partial) result as JSON text
///   jobs.cancel(job->id());
///
/// A job's result while it runs is the same JSON as `bubblesim mc --json` over the paths done so
/// far (jobs::mc_summary_json), refreshed about every `partial_seconds`. Finished jobs are kept
/// for GET requests up to `keep_finished`, the oldest dropped first, so the server's memory is
/// bounded however many jobs it has run.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "io/scenario_loader.h"
#include "jobs/monte_carlo.h"

namespace bsim::server {

enum class JobStatus { kQueued, kRunning, kDone, kCancelled, kTimedOut, kFailed };

/// "queued", "running", "done", "cancelled", "timed_out", "failed".
const char* status_name(JobStatus s);
bool is_finished(JobStatus s);

/// What a job looks like at one moment (a copy; the job goes on changing).
struct JobView {
  std::string id;
  JobStatus status = JobStatus::kQueued;
  jobs::McProgress progress;
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  std::string scenario;                        ///< the scenario's name
  std::shared_ptr<const std::string> result;   ///< JSON text, or null before the first partial result
  std::uint64_t result_version = 0;            ///< increases with each new result
  std::uint64_t version = 0;                   ///< increases with any change
  std::string error;                           ///< why it failed or stopped, for failed and timed_out
};

class Job {
 public:
  Job(std::string id, io::LoadedScenario scenario, std::uint64_t seed, std::uint64_t paths);

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] JobView view() const;
  /// Blocks until the job's version exceeds `seen` or `timeout` passes; returns the version.
  std::uint64_t wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout) const;

 private:
  friend class JobManager;
  void update(const std::function<void(JobView&)>& change);

  const std::string id_;
  std::optional<io::LoadedScenario> scenario_;  ///< released when the job ends
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  JobView view_;
};

struct JobLimits {
  std::size_t max_jobs = 4;          ///< jobs queued or running at once; more are refused (429)
  std::size_t parallel_jobs = 1;     ///< jobs running at once; the others wait in the queue
  int threads_per_job = 0;           ///< 0: one per hardware thread
  double max_job_seconds = 120;      ///< a job running longer is stopped (status timed_out)
  std::size_t keep_finished = 32;    ///< finished jobs kept for GET; the oldest go first
  double partial_seconds = 0.3;      ///< how often a running job's result is refreshed
  std::size_t run_threads = 2;       ///< threads for single runs (POST /api/run)
  std::size_t max_queued_runs = 16;  ///< single runs queued or running at once; more are refused (429)
  double max_run_seconds = 30;       ///< a single run taking longer is stopped (503)
};

/// Gives memory that the allocator holds free back to the system (glibc's malloc_trim), at
/// most about once a second however often it is called. The server calls it after a run or a
/// job ends and after old jobs are forgotten, so its resident size falls back after a burst.
void release_free_memory();

/// Thrown by submit and run when the server has reached a limit; the API answers 429.
class BusyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct JobCounts {
  std::size_t queued = 0;
  std::size_t running = 0;
  std::size_t kept = 0;            ///< finished jobs still kept
  std::uint64_t submitted = 0;     ///< since start
  std::uint64_t finished = 0;      ///< since start
  std::size_t runs_waiting = 0;    ///< single runs queued or running
};

class JobManager {
 public:
  explicit JobManager(JobLimits limits);
  /// Cancels every job and joins the threads.
  ~JobManager();
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  /// Queues a Monte Carlo job. Throws BusyError when `max_jobs` are queued or running.
  std::shared_ptr<Job> submit(io::LoadedScenario scenario, std::uint64_t seed, std::uint64_t paths);
  [[nodiscard]] std::shared_ptr<Job> find(const std::string& id) const;
  /// Every job known, oldest first.
  [[nodiscard]] std::vector<std::shared_ptr<Job>> list() const;

  enum class CancelResult { kCancelled, kNotFound, kAlreadyFinished };
  /// Stops a queued or running job: it ends as `cancelled` (a running one after the paths under
  /// way finish, a few milliseconds).
  CancelResult cancel(const std::string& id);

  /// Runs `task` on the single-run threads and waits for it; rethrows what it throws. Throws
  /// BusyError when `max_queued_runs` are waiting.
  template <typename F>
  auto run(F task) -> decltype(task()) {
    using R = decltype(task());
    auto packaged = std::make_shared<std::packaged_task<R()>>(std::move(task));
    std::future<R> result = packaged->get_future();
    enqueue_run([packaged] { (*packaged)(); });
    return result.get();
  }

  [[nodiscard]] JobCounts counts() const;
  [[nodiscard]] const JobLimits& limits() const { return limits_; }

 private:
  void job_worker();
  void run_worker();
  void execute(Job& job);
  void enqueue_run(std::function<void()> task);
  void forget_old_jobs();  // with mutex_ held

  const JobLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  bool stopping_ = false;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Job>> jobs_;  ///< by id number: oldest first
  std::deque<std::shared_ptr<Job>> queue_;
  std::size_t running_ = 0;
  std::uint64_t submitted_ = 0;
  std::uint64_t finished_ = 0;
  std::deque<std::function<void()>> runs_;
  std::size_t runs_busy_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace bsim::server
