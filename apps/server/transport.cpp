#include "server/transport.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

namespace bsim::server {
namespace {

using Clock = std::chrono::steady_clock;

/// The state of the connection served on this thread, shared by the loop, the stream and the
/// handlers (which run on the same thread).
struct Connection {
  Clock::time_point deadline;  ///< the current request must have arrived by then
  std::size_t bytes = 0;       ///< read since the current request began
  RequestFailure failure = RequestFailure::kNone;
  bool close = false;  ///< close after the current answer
};

thread_local Connection* t_connection = nullptr;

int millis_until(Clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 24LL * 3600 * 1000));
}

int millis(double seconds) { return static_cast<int>(std::max(0.0, seconds) * 1000.0); }

/// 1 if `sock` is ready for `events` within `timeout_ms`, 0 if not, -1 on error.
int wait_for(int sock, short events, int timeout_ms) {
  pollfd p{sock, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    return n < 0 ? -1 : (n > 0 ? 1 : 0);
  }
}

void address_of(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  std::array<char, NI_MAXHOST> host{};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host.data(), host.size(), nullptr, 0,
                    NI_NUMERICHOST) == 0) {
    ip = host.data();
  }
  if (addr.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  } else if (addr.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
}

/// A socket stream whose reads stop at the request's deadline, after a pause longer than the
/// read gap, or past the request's byte budget; each sets the connection's failure.
class GuardedStream final : public httplib::Stream {
 public:
  GuardedStream(int sock, Connection& connection, const TransportLimits& limits)
      : sock_(sock), connection_(connection), limits_(limits) {}

  bool is_readable() const override {
    return begin_ < end_ ||
           wait_for(sock_, POLLIN, std::min(millis(limits_.read_gap_seconds), millis_until(connection_.deadline))) > 0;
  }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, millis(limits_.write_seconds)) > 0; }

  ssize_t read(char* ptr, std::size_t size) override {
    if (begin_ == end_ && !fill()) return -1;
    const std::size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, std::size_t size) override {
    if (!is_writable()) return -1;
    for (;;) {
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, len, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, len, ip, port);
  }
  socket_t socket() const override { return sock_; }

  /// True if a byte of a next request is buffered or arrives within `timeout_ms`.
  bool wait_for_request(int timeout_ms) const { return begin_ < end_ || wait_for(sock_, POLLIN, timeout_ms) > 0; }

 private:
  bool fill() {
    if (connection_.bytes >= limits_.max_request_bytes) {
      connection_.failure = RequestFailure::kTooLarge;
      return false;
    }
    const int remaining = millis_until(connection_.deadline);
    if (remaining == 0 || wait_for(sock_, POLLIN, std::min(millis(limits_.read_gap_seconds), remaining)) <= 0) {
      connection_.failure = RequestFailure::kTimedOut;
      return false;
    }
    ssize_t n = 0;
    do {
      n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    begin_ = 0;
    end_ = static_cast<std::size_t>(n);
    connection_.bytes += end_;
    return true;
  }

  int sock_;
  Connection& connection_;
  const TransportLimits& limits_;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

/// Hands the pages of this thread's stack below the frames in use back to the system. Parsing a
/// request can go deep: cpp-httplib matches a Range header with std::regex, whose recursion
/// touches about 2.7 MB of stack for 2,000 ranges, and a touched page stays resident for the
/// thread's life. The pages are zero-filled again on next use.
void release_unused_stack() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* base = nullptr;
  std::size_t size = 0;
  const bool known = pthread_attr_getstack(&attr, &base, &size) == 0;
  pthread_attr_destroy(&attr);
  if (!known) return;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const char marker = 0;
  // Under AddressSanitizer's fake stacks a local may live elsewhere: then leave the stack alone.
  const auto here = reinterpret_cast<std::uintptr_t>(&marker);
  if (here < reinterpret_cast<std::uintptr_t>(base) || here >= reinterpret_cast<std::uintptr_t>(base) + size) return;
  // Keep 64 KiB below the current frame for this function and the calls it still makes.
  const auto in_use = here - (std::uintptr_t{64} << 10);
  const auto low = (reinterpret_cast<std::uintptr_t>(base) + page - 1) / page * page;
  const auto high = in_use / page * page;
  if (high > low) ::madvise(reinterpret_cast<void*>(low), high - low, MADV_DONTNEED);
}

}  // namespace

RequestFailure current_request_failure() { return t_connection ? t_connection->failure : RequestFailure::kNone; }

void close_connection() {
  if (t_connection) t_connection->close = true;
}

// The library's own read and write timeouts are not set: GuardedStream applies limits_ instead.
GuardedServer::GuardedServer(TransportLimits limits) : limits_(std::move(limits)) {}

bool GuardedServer::set_backlog(int backlog) {
  const socket_t sock = svr_sock_.load();
  return sock != INVALID_SOCKET && ::listen(sock, backlog) == 0;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  Connection connection;
  t_connection = &connection;
  GuardedStream stream(sock, connection, limits_);
  bool ok = true;
  const std::function<void(httplib::Request&)> setup = [this](httplib::Request& req) {
    if (limits_.setup_request) limits_.setup_request(req);
  };
  for (std::size_t left = std::max<std::size_t>(1, limits_.keep_alive_requests); left > 0; --left) {
    // Wait for the next request in short steps, so that stop() ends idle connections promptly.
    const auto idle_until = Clock::now() + std::chrono::milliseconds(millis(limits_.keep_alive_seconds));
    bool arrived = false;
    while (!arrived && svr_sock_.load() != INVALID_SOCKET && Clock::now() < idle_until) {
      arrived = stream.wait_for_request(std::min(100, millis_until(idle_until)));
    }
    if (!arrived || svr_sock_.load() == INVALID_SOCKET) break;
    connection.deadline = Clock::now() + std::chrono::milliseconds(millis(limits_.request_seconds));
    connection.bytes = 0;
    connection.failure = RequestFailure::kNone;
    bool closed = false;
    ok = process_request(stream, left == 1, closed, setup);
    if (!ok || closed || connection.close || connection.failure != RequestFailure::kNone) break;
  }
  t_connection = nullptr;
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  release_unused_stack();
  return ok;
}

ElasticPool::ElasticPool(std::size_t min_threads, std::size_t max_threads)
    : max_threads_(std::max<std::size_t>(1, max_threads)) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < std::min(min_threads, max_threads_); ++i) threads_.emplace_back([this] { work(); });
}

ElasticPool::~ElasticPool() { shutdown(); }

void ElasticPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(fn));
    if (idle_ < tasks_.size() && threads_.size() < max_threads_) threads_.emplace_back([this] { work(); });
  }
  wake_.notify_one();
}

void ElasticPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (std::thread& t : threads) t.join();
}

void ElasticPool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      wake_.wait(lock, [&] { return shutdown_ || !tasks_.empty(); });
      --idle_;
      if (tasks_.empty()) return;  // shutting down with nothing left
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace bsim::server
