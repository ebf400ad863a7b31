#pragma once
/// The HTTP server's connections: cpp-httplib's Server with a connection loop that bounds the
/// time and the bytes a request may take to arrive, a request-thread pool that grows while
/// connections wait, and a listen backlog of our choosing (Debian's cpp-httplib 0.11.4 is a
/// compiled library with a fixed backlog of 5 and no limit on a chunked body or on headers).
///
///   TransportLimits limits{.request_seconds = 10, .max_request_bytes = 2 << 20};
///   GuardedServer http(limits);
///   http.Get("/", handler);
///   http.bind_to_port("127.0.0.1", 8080);
///   http.set_backlog(1024);
///   http.listen_after_bind();
///
/// A handler may ask for its connection to be closed after the answer (close_connection()),
/// e.g. when it refused a body it did not read; the error handler can ask why a request failed
/// to arrive (current_request_failure()).

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bsim::server {

struct TransportLimits {
  double request_seconds = 10;    ///< a request (line, headers, body) must arrive within this of its first byte
  double read_gap_seconds = 5;    ///< and no pause in it may be longer than this
  double keep_alive_seconds = 5;  ///< an idle kept-alive connection is closed after this
  double write_seconds = 10;      ///< a write the client does not take within this fails
  std::size_t max_request_bytes = std::size_t{4} << 20;  ///< bytes read for one request, framing included
  std::size_t keep_alive_requests = 100;                 ///< requests answered on one connection before it is closed
  /// Called on each request after its headers are read, before routing (e.g. to drop ranges).
  std::function<void(httplib::Request&)> setup_request;
};

/// Why the request on this thread's connection could not be read.
enum class RequestFailure { kNone, kTimedOut, kTooLarge };

/// For the request being handled on the calling thread (kNone outside a connection).
RequestFailure current_request_failure();
/// Closes the calling thread's connection after its answer is written.
void close_connection();

/// cpp-httplib's Server with its own connection loop (see the file comment).
class GuardedServer final : public httplib::Server {
 public:
  explicit GuardedServer(TransportLimits limits);
  /// Sets the listen backlog of the bound socket (after bind_to_port); false if it cannot.
  bool set_backlog(int backlog);

 private:
  bool process_and_close_socket(socket_t sock) override;

  TransportLimits limits_;
};

/// Request threads: starts with `min_threads` and adds one whenever a connection waits and no
/// thread is idle, up to `max_threads` (then connections wait in order).
class ElasticPool final : public httplib::TaskQueue {
 public:
  ElasticPool(std::size_t min_threads, std::size_t max_threads);
  ~ElasticPool() override;
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void work();

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace bsim::server
