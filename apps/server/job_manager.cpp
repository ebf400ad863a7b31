#include "server/job_manager.h"

#include <fmt/format.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "jobs/mc_report.h"

namespace bsim::server {

void release_free_memory() {
#if defined(__GLIBC__)
  static std::atomic<std::int64_t> last_ms{0};
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t last = last_ms.load();
  if (now - last < 1000 || !last_ms.compare_exchange_strong(last, now)) return;
  malloc_trim(0);
#endif
}

const char* status_name(JobStatus s) {
  switch (s) {
    case JobStatus::kQueued: return "queued";
    case JobStatus::kRunning: return "running";
    case JobStatus::kDone: return "done";
    case JobStatus::kCancelled: return "cancelled";
    case JobStatus::kTimedOut: return "timed_out";
    case JobStatus::kFailed: return "failed";
  }
  return "failed";
}

bool is_finished(JobStatus s) { return s != JobStatus::kQueued && s != JobStatus::kRunning; }

Job::Job(std::string id, io::LoadedScenario scenario, std::uint64_t seed, std::uint64_t paths)
    : id_(std::move(id)), scenario_(std::move(scenario)) {
  view_.id = id_;
  view_.paths = paths;
  view_.seed = seed;
  view_.scenario = scenario_->scenario.name;
  view_.progress.total = paths;
}

JobView Job::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

std::uint64_t Job::wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return view_.version > seen; });
  return view_.version;
}

void Job::update(const std::function<void(JobView&)>& change) {
  {
    std::lock_guard lock(mutex_);
    change(view_);
    ++view_.version;
  }
  changed_.notify_all();
}

JobManager::JobManager(JobLimits limits) : limits_(limits) {
  const std::size_t parallel = std::max<std::size_t>(1, limits_.parallel_jobs);
  for (std::size_t i = 0; i < parallel; ++i) threads_.emplace_back([this] { job_worker(); });
  const std::size_t runners = std::max<std::size_t>(1, limits_.run_threads);
  for (std::size_t i = 0; i < runners; ++i) threads_.emplace_back([this] { run_worker(); });
}

JobManager::~JobManager() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [number, job] : jobs_) job->stop_ = true;
  }
  work_.notify_all();
  for (std::thread& t : threads_) t.join();
}

std::shared_ptr<Job> JobManager::submit(io::LoadedScenario scenario, std::uint64_t seed, std::uint64_t paths) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() + running_ >= limits_.max_jobs) {
      throw BusyError(fmt::format("{} Monte Carlo jobs are already queued or running, the server's limit (--max-jobs); "
                                  "cancel one or wait for one to finish",
                                  queue_.size() + running_));
    }
    const std::uint64_t number = next_id_++;
    job = std::make_shared<Job>(std::to_string(number), std::move(scenario), seed, paths);
    jobs_.emplace(number, job);
    queue_.push_back(job);
    ++submitted_;
  }
  work_.notify_all();
  return job;
}

std::shared_ptr<Job> JobManager::find(const std::string& id) const {
  std::uint64_t number = 0;
  for (char c : id) {
    if (c < '0' || c > '9' || number > 1'000'000'000'000ULL) return nullptr;
    number = number * 10 + static_cast<std::uint64_t>(c - '0');
  }
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(number);
  return it == jobs_.end() || it->second->id() != id ? nullptr : it->second;
}

std::vector<std::shared_ptr<Job>> JobManager::list() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Job>> out;
  for (const auto& [number, job] : jobs_) out.push_back(job);
  return out;
}

JobManager::CancelResult JobManager::cancel(const std::string& id) {
  const std::shared_ptr<Job> job = find(id);
  if (!job) return CancelResult::kNotFound;
  bool was_queued = false;
  {
    std::lock_guard lock(mutex_);
    std::lock_guard job_lock(job->mutex_);
    if (is_finished(job->view_.status)) return CancelResult::kAlreadyFinished;
    job->stop_ = true;
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (*it == job) {
        queue_.erase(it);
        was_queued = true;
        break;
      }
    }
  }
  job->update([](JobView& v) { v.status = JobStatus::kCancelled; });
  if (was_queued) {
    std::lock_guard lock(mutex_);
    job->scenario_.reset();
    ++finished_;
    forget_old_jobs();
  }
  return CancelResult::kCancelled;
}

JobCounts JobManager::counts() const {
  std::lock_guard lock(mutex_);
  JobCounts c;
  c.queued = queue_.size();
  c.running = running_;
  c.kept = jobs_.size() - queue_.size() - running_;
  c.submitted = submitted_;
  c.finished = finished_;
  c.runs_waiting = runs_.size() + runs_busy_;
  return c;
}

void JobManager::forget_old_jobs() {
  std::size_t finished = 0;
  for (const auto& [number, job] : jobs_) {
    if (is_finished(job->view().status)) ++finished;
  }
  for (auto it = jobs_.begin(); it != jobs_.end() && finished > limits_.keep_finished;) {
    if (is_finished(it->second->view().status)) {
      it = jobs_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

void JobManager::job_worker() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      ++running_;
    }
    execute(*job);
    {
      std::lock_guard lock(mutex_);
      --running_;
      ++finished_;
      job->scenario_.reset();
      forget_old_jobs();
    }
    job = nullptr;
    release_free_memory();
  }
}

void JobManager::execute(Job& job) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  std::atomic<bool> timed_out{false};
  job.update([](JobView& v) {
    if (v.status == JobStatus::kQueued) v.status = JobStatus::kRunning;
  });
  jobs::McOptions options;
  {
    const JobView v = job.view();
    options.paths = v.paths;
    options.seed = v.seed;
  }
  options.threads = limits_.threads_per_job;
  options.stop = &job.stop_;
  options.partial_seconds = limits_.partial_seconds;
  options.progress = [&](const jobs::McProgress& p) {
    job.update([&](JobView& v) { v.progress = p; });
    if (std::chrono::duration<double>(Clock::now() - started).count() > limits_.max_job_seconds && !timed_out) {
      timed_out = true;
      job.stop_ = true;
    }
  };
  options.partial = [&](const jobs::McRun& run) {
    if (run.aggregate.paths() + run.aggregate.failed() == 0) return;
    auto text = std::make_shared<const std::string>(jobs::mc_summary_json(run).dump());
    job.update([&](JobView& v) {
      v.result = std::move(text);
      ++v.result_version;
    });
  };
  try {
    const jobs::McRun run = jobs::run_monte_carlo(*job.scenario_, options);
    std::shared_ptr<const std::string> text;
    if (run.aggregate.paths() + run.aggregate.failed() > 0) {
      text = std::make_shared<const std::string>(jobs::mc_summary_json(run).dump());
    }
    job.update([&](JobView& v) {
      if (text) {
        v.result = std::move(text);
        ++v.result_version;
      }
      if (v.status == JobStatus::kCancelled) return;
      if (timed_out) {
        v.status = JobStatus::kTimedOut;
        v.error = fmt::format("stopped after {:.0f} s, the server's limit (--max-job-seconds), with {} of {} paths done",
                              limits_.max_job_seconds, run.paths_run, v.paths);
      } else {
        v.status = JobStatus::kDone;
      }
    });
  } catch (const std::exception& e) {
    const std::string message = e.what();
    job.update([&](JobView& v) {
      if (v.status == JobStatus::kCancelled) return;
      v.status = JobStatus::kFailed;
      v.error = message;
    });
  }
}

void JobManager::enqueue_run(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw BusyError("the server is shutting down");
    if (runs_.size() + runs_busy_ >= limits_.max_queued_runs) {
      throw BusyError(fmt::format("{} single runs are already queued or running, the server's limit (--max-runs); "
                                  "try again shortly",
                                  runs_.size() + runs_busy_));
    }
    runs_.push_back(std::move(task));
  }
  work_.notify_all();
}

void JobManager::run_worker() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stopping_ || !runs_.empty(); });
      if (runs_.empty()) return;  // stopping, nothing left
      task = std::move(runs_.front());
      runs_.pop_front();
      ++runs_busy_;
    }
    task();
    task = nullptr;  // the run's answer and scenario are freed before the memory is trimmed
    {
      std::lock_guard lock(mutex_);
      --runs_busy_;
    }
    release_free_memory();
  }
}

}  // namespace bsim::server
