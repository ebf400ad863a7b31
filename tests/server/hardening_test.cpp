// bubblesim serve against hostile or careless clients, over real TCP: each test is the
// reproducer of a problem found in review (a chunked body past --max-body, thousands of byte
// ranges, runs without a cost limit, slow connections holding every thread, a burst past the
// listen backlog, 500s for bad bytes, cross-site and rebinding requests) and checks the fix.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "io/builtin_scenarios.h"
#include "io/scenario_loader.h"
#include "server_fixture.h"

namespace bsim::server {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::LiveServer;
using testing::RawConnection;
using testing::status_of;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// The JSON body of a raw response (after the blank line), or null.
json raw_body(const std::string& response) {
  const std::size_t at = response.find("\r\n\r\n");
  if (at == std::string::npos) return nullptr;
  return json::parse(response.substr(at + 4), nullptr, false);
}

std::string error_of(const httplib::Result& r) {
  if (!r) return "(no answer)";
  const json j = json::parse(r->body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : r->body.substr(0, 200);
}

std::string host_header(int port) { return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n"; }

TEST(ServerHardening, AChunkedBodyPastMaxBodyIsRefusedWith413WithoutReadingIt) {
  ServerOptions o = LiveServer::defaults();
  o.max_body_bytes = 4096;
  LiveServer live(o);
  RawConnection raw(live.port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.send("POST /api/validate HTTP/1.1\r\n" + host_header(live.port()) +
                       "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
  // Up to 50 MB in 64 KB chunks: the server must answer long before, and stop reading.
  const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  std::size_t sent = 0;
  while (sent < (std::size_t{50} << 20) && raw.send(chunk, std::chrono::milliseconds(1000))) sent += 0x10000;
  EXPECT_LT(sent, std::size_t{50} << 20) << "the server read the whole 50 MB body";
  const std::string response = raw.read_all(std::chrono::seconds(5));
  EXPECT_EQ(status_of(response), 413) << response.substr(0, 300);
  EXPECT_NE(response.find("--max-body"), std::string::npos) << response.substr(0, 300);

  // A chunked body within the limit is read as any other.
  RawConnection ok(live.port());
  const std::string body = R"({"scenario":"default"})";
  char size[16];
  std::snprintf(size, sizeof(size), "%zx", body.size());
  ASSERT_TRUE(ok.send("POST /api/validate HTTP/1.1\r\n" + host_header(live.port()) +
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                      size + "\r\n" + body + "\r\n0\r\n\r\n"));
  const std::string answer = ok.read_all(std::chrono::seconds(30));
  EXPECT_EQ(status_of(answer), 200) << answer.substr(0, 300);
  EXPECT_EQ(live.client().Get("/api/health")->status, 200);
}

TEST(ServerHardening, ACompressedBodyIsRefusedWith415) {
  LiveServer live;
  RawConnection raw(live.port());
  ASSERT_TRUE(
      raw.send("POST /api/validate HTTP/1.1\r\n" + host_header(live.port()) +
               "Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n0123456789"));
  const std::string response = raw.read_all(std::chrono::seconds(5));
  EXPECT_EQ(status_of(response), 415) << response.substr(0, 300);
}

TEST(ServerHardening, ThousandsOfRangesGetTheWholeFileOnce) {
  LiveServer live;
  auto c = live.client();
  const auto whole = c.Get("/vendor/uplot/uPlot.esm.js");
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->status, 200);
  std::string ranges = "bytes=0-";
  for (int i = 1; i < 2000; ++i) ranges += ",0-";
  auto r = c.Get("/vendor/uplot/uPlot.esm.js", {{"Range", ranges}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), whole->body.size());

  // A few ranges are still served as ranges.
  auto two = c.Get("/vendor/uplot/uPlot.esm.js", {{"Range", "bytes=0-9,20-29"}});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->status, 206);
  EXPECT_LT(two->body.size(), 1000u);

  // None on the API: the whole answer.
  auto api = c.Get("/api/health", {{"Range", "bytes=0-3"}});
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 200);
  EXPECT_TRUE(json::parse(api->body, nullptr, false).is_object()) << api->body;
}

TEST(ServerHardening, ARunBeyondTheCostLimitIsRefusedAtOnce) {
  ServerOptions o = LiveServer::defaults();
  o.max_run_cost = 1000;
  LiveServer live(o);
  auto c = live.client();
  const auto started = Clock::now();
  auto r = c.Post("/api/run", R"({"scenario":"default"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(error_of(r).find("--max-run-cost"), std::string::npos) << error_of(r);
  EXPECT_LT(seconds_since(started), 10.0);
  auto job = c.Post("/api/jobs", R"({"scenario":"default","paths":1})", "application/json");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, 422);
  EXPECT_NE(error_of(job).find("--max-run-cost"), std::string::npos) << error_of(job);
  EXPECT_EQ(live.server().jobs().counts().submitted, 0u);
}

TEST(ServerHardening, TheDefaultScenarioWithThreeThousandMoreFirmsIsRefusedBeforeItRuns) {
  LiveServer live;  // the default limit
  json firms = json::array();
  for (int i = 0; i < 3000; ++i) {
    firms.push_back(
        {{"id", "x" + std::to_string(i)}, {"name", "X" + std::to_string(i)}, {"type", "lab"}, {"inference_share", 0}});
  }
  const json body = {{"scenario", {{"extends", "default"}, {"name", "big"}, {"firm", firms}}}};
  auto c = live.client();
  const auto started = Clock::now();
  auto r = c.Post("/api/run", body.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body.substr(0, 300);
  EXPECT_NE(error_of(r).find("--max-run-cost"), std::string::npos) << error_of(r);
  EXPECT_LT(seconds_since(started), 30.0);  // it took 90 s to run in a release build

  // Two of them at once no longer hold both run threads: an ordinary run beside them is
  // answered (it waited 85 s behind them).
  std::vector<int> big_status(2, 0);
  std::vector<std::thread> big;
  for (int i = 0; i < 2; ++i) {
    big.emplace_back([&, i] {
      auto own = live.client();
      auto answer = own.Post("/api/run", body.dump(), "application/json");
      big_status[static_cast<std::size_t>(i)] = answer ? answer->status : -1;
    });
  }
  const auto ordinary_sent = Clock::now();
  auto ordinary = c.Post("/api/run", json{{"scenario", testing::short_scenario()}}.dump(), "application/json");
  const double ordinary_seconds = seconds_since(ordinary_sent);
  for (std::thread& t : big) t.join();
  ASSERT_TRUE(ordinary);
  EXPECT_EQ(ordinary->status, 200) << ordinary->body.substr(0, 300);
  EXPECT_LT(ordinary_seconds, 30.0);  // validating the two big ones shares the CPU, no more
  EXPECT_EQ(big_status, (std::vector<int>{422, 422}));
}

TEST(ServerHardening, EveryBuiltInScenarioIsWithinTheDefaultCostLimit) {
  const std::uint64_t limit = ServerOptions{}.max_run_cost;
  for (const std::string& name : io::builtin_scenario_names()) {
    const io::LoadedScenario s = io::load_scenario(name);
    EXPECT_LE(run_cost(s.scenario) * 4, limit) << name << " costs " << run_cost(s.scenario);
  }
}

TEST(ServerHardening, ARunPastItsTimeLimitIsStoppedWith503) {
  ServerOptions o = LiveServer::defaults();
  o.jobs.max_run_seconds = 1e-6;  // passed after the first month, even in a release build
  LiveServer live(o);
  auto c = live.client();
  auto r = c.Post("/api/run", R"({"scenario":"default"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(error_of(r).find("--max-run-seconds"), std::string::npos) << error_of(r);
  // The run thread is free again (it counts itself out just after answering).
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (live.server().jobs().counts().runs_waiting > 0 && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(live.server().jobs().counts().runs_waiting, 0u);
}

TEST(ServerHardening, RunsBeyondTheConcurrencyLimitAreRefusedNamingTheOption) {
  ServerOptions o = LiveServer::defaults();
  o.jobs.max_queued_runs = 1;
  o.jobs.run_threads = 1;
  LiveServer live(o);
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  std::thread busy([&] {
    live.server().jobs().run([&] {
      started = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return 0;
    });
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto c = live.client();
  auto r = c.Post("/api/run", R"({"scenario":"default"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_NE(error_of(r).find("--max-runs"), std::string::npos) << error_of(r);
  release = true;
  busy.join();
  EXPECT_EQ(c.Post("/api/run", R"({"scenario":"default"})", "application/json")->status, 200);
}

TEST(ServerHardening, SlowConnectionsDoNotBlockOthersAndAreCutOff) {
  ServerOptions o = LiveServer::defaults();
  o.request_seconds = 3;
  o.read_gap_seconds = 1;
  LiveServer live(o);
  // 24 connections (the old thread count) each trickle a header line every 0.5 s.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 24; ++i) {
    slow.push_back(std::make_unique<RawConnection>(live.port()));
    ASSERT_TRUE(slow.back()->send("GET /api/health HTTP/1.1\r\n" + host_header(live.port())));
  }
  std::atomic<bool> trickling{true};
  std::atomic<int> cut_off{0};
  std::vector<std::thread> tricklers;
  const auto started = Clock::now();
  std::vector<double> cut_after(slow.size(), 0.0);
  for (std::size_t i = 0; i < slow.size(); ++i) {
    tricklers.emplace_back([&, i] {
      for (int line = 0; trickling && line < 40; ++line) {
        const std::string got = slow[i]->read_all(std::chrono::milliseconds(500));
        if (slow[i]->closed() || !slow[i]->send("X-Slow-" + std::to_string(line) + ": 1\r\n")) {
          cut_after[i] = seconds_since(started);
          ++cut_off;
          return;
        }
      }
    });
  }
  // Meanwhile health answers at once, again and again.
  auto c = live.client();
  c.set_read_timeout(5, 0);
  double worst = 0;
  for (int i = 0; i < 10; ++i) {
    const auto t0 = Clock::now();
    auto r = c.Get("/api/health");
    worst = std::max(worst, seconds_since(t0));
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_LT(worst, 1.5);  // well before the slow connections are cut off at 3 s
  for (std::thread& t : tricklers) t.join();
  trickling = false;
  EXPECT_EQ(cut_off.load(), 24) << "every slow connection is closed at --request-timeout";
  for (double s : cut_after) EXPECT_LT(s, 3.0 + 1.5);
}

TEST(ServerHardening, MoreSlowConnectionsThanThreadsOnlyDelayOthersUntilTheirTimeout) {
  ServerOptions o = LiveServer::defaults();
  o.http_threads = 4;
  o.request_seconds = 1;
  o.read_gap_seconds = 1;
  LiveServer live(o);
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::make_unique<RawConnection>(live.port()));
    ASSERT_TRUE(slow.back()->send("GET /api/health HTTP/1.1\r\n"));
  }
  auto c = live.client();
  c.set_read_timeout(10, 0);
  const auto t0 = Clock::now();
  auto r = c.Get("/api/health");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(seconds_since(t0), 5.0);  // two rounds of 4 cut off after 1 s each, and some slack
}

TEST(ServerHardening, ABurstOfAHundredClientsIsAnswered) {
  LiveServer live;  // with cpp-httplib's backlog of 5, 9 of the 100 got through in time
  std::atomic<int> ok{0};
  std::vector<std::string> failures;
  std::mutex mutex;
  std::vector<std::thread> clients;
  std::atomic<int> ready{0};
  for (int i = 0; i < 100; ++i) {
    clients.emplace_back([&] {
      auto c = live.client();
      // Less than the first SYN retransmission (1 s): a connection the kernel dropped fails.
      c.set_connection_timeout(0, 900'000);
      ++ready;
      while (ready.load() < 100) std::this_thread::yield();
      auto r = c.Get("/api/health");
      if (r && r->status == 200) {
        ++ok;
      } else {
        std::lock_guard lock(mutex);
        failures.push_back(r ? std::to_string(r->status) : httplib::to_string(r.error()));
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(ok.load(), 100) << (failures.empty() ? "" : failures.front());
}

TEST(ServerHardening, BadBytesAndHugeNumbersAre400NeverA500) {
  LiveServer live;
  auto c = live.client();
  auto huge = c.Post("/api/validate", R"({"scenario": 1e99999})", "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 400) << huge->body;
  EXPECT_NE(error_of(huge).find("not usable JSON"), std::string::npos) << error_of(huge);

  auto bad_body = c.Post("/api/validate", std::string("{\"scenario\": \"def\xff\xfe\"}"), "application/json");
  ASSERT_TRUE(bad_body);
  EXPECT_EQ(bad_body->status, 400) << bad_body->body;
  EXPECT_NE(error_of(bad_body).find("not valid UTF-8"), std::string::npos) << error_of(bad_body);

  auto bad_key = c.Post("/api/validate", std::string("{\"sc\xc3\x28\": 1}"), "application/json");
  ASSERT_TRUE(bad_key);
  EXPECT_EQ(bad_key->status, 400) << bad_key->body;

  for (const char* path : {"/api/%FF%FE", "/api/scenarios/%C0%AF", "/%FF.js", "/api/jobs/%ED%A0%80"}) {
    RawConnection raw(live.port());
    ASSERT_TRUE(raw.send(std::string("GET ") + path + " HTTP/1.1\r\n" + host_header(live.port()) +
                         "Connection: close\r\n\r\n"));
    const std::string response = raw.read_all(std::chrono::seconds(5));
    EXPECT_EQ(status_of(response), 400) << path << ": " << response.substr(0, 300);
    const json j = raw_body(response);
    ASSERT_TRUE(j.is_object()) << response.substr(0, 300);
    EXPECT_NE(j["error"].get<std::string>().find("not valid UTF-8"), std::string::npos) << j.dump();
  }
  // Raw bytes, not percent-encoded.
  RawConnection raw(live.port());
  ASSERT_TRUE(raw.send("GET /api/\xff\xfe HTTP/1.1\r\n" + host_header(live.port()) + "Connection: close\r\n\r\n"));
  const std::string response = raw.read_all(std::chrono::seconds(5));
  EXPECT_EQ(status_of(response), 400) << response.substr(0, 300);
}

TEST(ServerHardening, DeeplyNestedBodiesAre400AndTheServerStaysUp) {
  LiveServer live;
  auto c = live.client();
  // 400,000 levels in 800 KB, within --max-body: quoting such a value in an error message (a bad
  // `set` value, a `seed` of the wrong type) recursed once per level and overflowed the request
  // thread's stack, killing the server.
  const std::string deep = std::string(400'000, '[') + std::string(400'000, ']');
  const std::string deep_object = [] {
    std::string s;
    for (int i = 0; i < 100'000; ++i) s += "{\"a\":";
    return s + "1" + std::string(100'000, '}');
  }();
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"/api/validate", R"({"scenario":"default","set":{"a":)" + deep + "}}"},
      {"/api/run", R"({"scenario":"default","seed":)" + deep + "}"},
      {"/api/jobs", R"({"scenario":"default","paths":)" + deep + "}"},
      {"/api/validate", R"({"scenario":)" + deep_object + "}"},
  };
  for (const auto& [path, body] : bodies) {
    auto r = c.Post(path, body, "application/json");
    ASSERT_TRUE(r) << path << ": " << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 400) << path << ": " << r->body.substr(0, 300);
    EXPECT_NE(error_of(r).find("levels deep"), std::string::npos) << error_of(r);
  }
  // A scenario nested past its own limit (16) but within the body's still gets its pointer.
  json nested = 1;
  for (int i = 0; i < 20; ++i) nested = json{{"a", nested}};
  auto r = c.Post("/api/validate", json{{"scenario", nested}}.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body.substr(0, 300);
  EXPECT_EQ(c.Get("/api/health")->status, 200);
}

TEST(ServerHardening, CrossSiteAndRebindingRequestsAreRefused) {
  LiveServer live;
  auto c = live.client();
  // The CSRF reproducer: a form-style POST from another origin must not start a job.
  auto csrf =
      c.Post("/api/jobs", {{"Origin", "http://evil.example"}}, R"({"scenario":"default","paths":1})", "text/plain");
  ASSERT_TRUE(csrf);
  EXPECT_EQ(csrf->status, 403) << csrf->body;
  auto plain = c.Post("/api/jobs", R"({"scenario":"default","paths":1})", "text/plain");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 415) << plain->body;
  EXPECT_NE(error_of(plain).find("application/json"), std::string::npos);
  auto form = c.Post("/api/run", R"({"scenario":"default"})", "application/x-www-form-urlencoded");
  EXPECT_EQ(form->status, 415);
  EXPECT_EQ(live.server().jobs().counts().submitted, 0u);

  // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
  auto rebound = c.Get("/api/health", {{"Host", "evil.example:" + std::to_string(live.port())}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  EXPECT_NE(error_of(rebound).find("--allow-host"), std::string::npos) << error_of(rebound);
  EXPECT_EQ(c.Get("/", {{"Host", "evil.example:" + std::to_string(live.port())}})->status, 403);
  EXPECT_EQ(c.Get("/api/health", {{"Host", "127.0.0.1:1"}})->status, 403);  // another port

  // The server's own names and origin are accepted.
  const std::string port = std::to_string(live.port());
  EXPECT_EQ(c.Get("/api/health", {{"Host", "localhost:" + port}})->status, 200);
  EXPECT_EQ(c.Get("/api/health", {{"Host", "[::1]:" + port}})->status, 200);
  auto own = c.Post("/api/validate", {{"Origin", "http://127.0.0.1:" + port}}, R"({"scenario":"default"})",
                    "application/json; charset=utf-8");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;
  EXPECT_EQ(c.Get("/api/health", {{"Origin", "null"}})->status, 403);
}

TEST(ServerHardening, AllowedHostsAreAccepted) {
  ServerOptions o = LiveServer::defaults();
  o.allowed_hosts = {"bubblesim.example"};
  LiveServer live(o);
  auto c = live.client();
  EXPECT_EQ(c.Get("/api/health", {{"Host", "bubblesim.example"}})->status, 200);
  EXPECT_EQ(
      c.Get("/api/health", {{"Host", "bubblesim.example:8443"}, {"Origin", "http://bubblesim.example:8443"}})->status,
      200);
  EXPECT_EQ(c.Get("/api/health", {{"Host", "other.example"}})->status, 403);
}

TEST(ServerHardening, ATimedOutRequestIsAnswered408AndClosed) {
  ServerOptions o = LiveServer::defaults();
  o.request_seconds = 1;
  o.read_gap_seconds = 1;
  LiveServer live(o);
  RawConnection raw(live.port());
  ASSERT_TRUE(raw.send("POST /api/validate HTTP/1.1\r\n" + host_header(live.port()) +
                       "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"scen"));
  const auto t0 = Clock::now();
  const std::string response = raw.read_all(std::chrono::seconds(5));
  EXPECT_EQ(status_of(response), 408) << response.substr(0, 300);
  EXPECT_NE(response.find("--request-timeout"), std::string::npos);
  EXPECT_TRUE(raw.closed());
  EXPECT_LT(seconds_since(t0), 3.0);
}

}  // namespace
}  // namespace bsim::server
