#pragma once
/// `bubblesim serve`: the playground page and the JSON API over HTTP (cpp-httplib), bound to
/// 127.0.0.1 unless told otherwise. docs/serve.md documents every endpoint and limit.
///
///   server::ServerOptions opt;
///   opt.port = 0;                      // any free port
///   server::HttpServer srv(opt);
///   const int port = srv.bind();       // listening from here on
///   std::thread t([&] { srv.serve(); });
///   ...
///   srv.stop();                        // ends open event streams, cancels jobs
///   t.join();
///
/// Simulations run on the JobManager's threads; request threads only parse, wait and answer.

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "model/scenario.h"
#include "server/job_manager.h"

namespace bsim::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                       ///< 0: any free port
  std::size_t max_body_bytes = 1 << 20;  ///< larger request bodies, in any transfer encoding, are refused (413)
  std::uint64_t max_paths = 5000;        ///< paths per Monte Carlo job (422 above)
  std::size_t max_streams = 16;          ///< event streams open at once (429 above)
  /// Most request threads; the pool starts small and grows to this while connections wait.
  std::size_t http_threads = 128;
  int backlog = 1024;                    ///< connections the kernel queues before accept (capped by somaxconn)
  /// A request (line, headers and body) must arrive within this many seconds of its first byte,
  /// and no gap in it may be longer than `read_gap_seconds`; else 408 and the connection is closed.
  double request_seconds = 10;
  double read_gap_seconds = 5;
  double keep_alive_seconds = 5;         ///< an idle kept-alive connection is closed after this
  std::uint64_t max_run_cost = 50'000;   ///< a scenario's months × (firms + contracts), per path (422 above)
  /// Host names (or name:port) accepted in `Host` and `Origin` besides the bound address and,
  /// on loopback, localhost.
  std::vector<std::string> allowed_hosts;
  JobLimits jobs;
};

/// Most byte ranges one request may ask of a page file; a request with more (or any on /api/)
/// gets the whole body once.
inline constexpr std::size_t kMaxRanges = 4;

/// The cost of one path of a scenario, as `max_run_cost` limits it: months × (firms + every
/// contract between them). The engine's time grows with it (faster than linearly).
std::uint64_t run_cost(const model::Scenario& scenario);

class HttpServer {
 public:
  explicit HttpServer(ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds the socket; returns the port. Throws std::runtime_error if it cannot.
  int bind();
  /// Answers requests until stop(); returns false if listening failed.
  bool serve();
  /// Stops answering, closes event streams, cancels the jobs. Safe from another thread.
  void stop();

  [[nodiscard]] JobManager& jobs();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The files of `web/` embedded at build time (path relative to web/, e.g. "index.html").
struct WebAsset {
  const char* path;
  const char* bytes;
  std::size_t size;
};
extern const WebAsset kWebAssets[];
extern const std::size_t kWebAssetCount;

/// The Content-Type for a file name by its extension ("application/octet-stream" if unknown).
std::string content_type_of(const std::string& path);

}  // namespace bsim::server
