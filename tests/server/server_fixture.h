#pragma once
// A real `bubblesim serve` in the test process: HttpServer on a free port of 127.0.0.1, its
// own thread, and an httplib client talking to it over TCP.
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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

/// A raw TCP connection to the server, for requests cpp-httplib's client would not send (a
/// trickle of header lines, a huge chunked body, bytes that are not UTF-8 in the URL).
class RawConnection {
 public:
  explicit RawConnection(int port) : sock_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(sock_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() { ::close(sock_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }

  /// Sends every byte; false once the server has closed the connection (or stopped reading
  /// for `timeout`).
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    while (!bytes.empty()) {
      pollfd p{sock_, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0 || (p.revents & (POLLERR | POLLHUP)) != 0) return false;
      const ssize_t n = ::send(sock_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads until the server closes the connection or `timeout` passes.
  std::string read_all(std::chrono::milliseconds timeout) {
    std::string out;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return out;
      pollfd p{sock_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
      char buffer[65536];
      const ssize_t n = ::recv(sock_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        closed_ = true;
        return out;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  /// True once a read has seen the server close the connection.
  [[nodiscard]] bool closed() const { return closed_; }

 private:
  int sock_;
  bool connected_ = false;
  bool closed_ = false;
};

/// The status of the first response in `text` ("HTTP/1.1 413 ..."), 0 if there is none.
inline int status_of(const std::string& text) {
  if (text.rfind("HTTP/1.", 0) != 0 || text.size() < 12) return 0;
  return std::atoi(text.substr(9, 3).c_str());
}

}  // namespace bsim::server::testing
