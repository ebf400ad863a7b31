#pragma once
// A real `bubblesim serve` in the test process: HttpServer on a free port of 127.0.0.1, its
// own thread, and an httplib client talking to it over TCP.
#include <httplib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server/http_server.h"

namespace bsim::server::testing {

/// A short scenario for Monte Carlo in tests (the dev build runs sanitized -O0 code): `default`
/// to 2029-01 (its last contract start), 37 months of 132, with its [uncertain] keys.
inline nlohmann::json short_scenario() {
  return {{"extends", "default"}, {"name", "short"}, {"time", {{"end", "2029-01"}}}};
}

class LiveServer {
 public:
  explicit LiveServer(ServerOptions options = defaults()) : server_(std::make_unique<HttpServer>(options)) {
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->serve(); });
  }
  ~LiveServer() {
    server_->stop();
    thread_.join();
  }
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  static ServerOptions defaults() {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.jobs.threads_per_job = 2;
    o.jobs.partial_seconds = 0.05;
    return o;
  }

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] HttpServer& server() { return *server_; }
  [[nodiscard]] httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120, 0);
    c.set_connection_timeout(5, 0);
    return c;
  }

 private:
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::thread thread_;
};

inline nlohmann::json body_of(const httplib::Result& r) { return nlohmann::json::parse(r->body); }

/// Polls GET /api/jobs/{id} until the job has finished (or `limit` passes); returns the job.
inline nlohmann::json wait_finished(httplib::Client& c, const std::string& id,
                                    std::chrono::seconds limit = std::chrono::seconds(300)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto r = c.Get("/api/jobs/" + id);
    if (!r || r->status != 200) return nullptr;
    nlohmann::json j = body_of(r);
    const std::string status = j["status"];
    if (status != "queued" && status != "running") return j;
    if (std::chrono::steady_clock::now() > until) return j;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace bsim::server::testing
