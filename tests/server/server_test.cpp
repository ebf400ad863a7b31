// bubblesim serve over real TCP: every endpoint's success and error answers, Monte Carlo jobs
// (results equal to an in-process run, live events, cancel, limits, time limit).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>

#include "io/builtin_scenarios.h"
#include "io/network.h"
#include "io/output.h"
#include "io/scenario_json.h"
#include "jobs/mc_report.h"
#include "jobs/monte_carlo.h"
#include "server_fixture.h"
#include "sim/run_path.h"

namespace bsim::server {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::LiveServer;
using testing::short_scenario;
using testing::wait_finished;

httplib::Result post(httplib::Client& c, const std::string& path, const json& body) {
  return c.Post(path, body.dump(), "application/json");
}

/// The status and the `error` message of an answer that must be a JSON error.
void expect_error(const httplib::Result& r, int status, const std::string& fragment) {
  ASSERT_TRUE(r) << "no answer";
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  const json j = json::parse(r->body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r->body;
  ASSERT_TRUE(j.contains("error")) << r->body;
  EXPECT_NE(j["error"].get<std::string>().find(fragment), std::string::npos) << j["error"];
}

TEST(Server, HealthReportsStatusAndLimits) {
  LiveServer live;
  auto c = live.client();
  auto r = c.Get("/api/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const json j = body_of(r);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["limits"]["max_paths"], 5000);
  EXPECT_EQ(j["jobs"]["running"], 0);
}

TEST(Server, ScenariosAreListedWithTheirTextAndValues) {
  LiveServer live;
  auto c = live.client();
  const json list = body_of(c.Get("/api/scenarios"));
  std::vector<std::string> names;
  for (const json& s : list["scenarios"]) names.push_back(s["name"]);
  EXPECT_EQ(names, io::builtin_scenario_names());

  auto r = c.Get("/api/scenarios/default");
  ASSERT_EQ(r->status, 200);
  const json d = body_of(r);
  const auto f = io::find_builtin_scenario("default");
  EXPECT_EQ(d["toml"].get<std::string>(), std::string(f->bytes, f->size));
  EXPECT_DOUBLE_EQ(d["values"]["technology.efficiency.trend_per_year"].get<double>(), 2.8);
  EXPECT_DOUBLE_EQ(d["values"]["verdict.bust_capex_drop"].get<double>(), 0.4);  // a default the file leaves out
  EXPECT_EQ(d["uncertain"].size(), 14u);

  expect_error(c.Get("/api/scenarios/defalt"), 404, "did you mean 'default'");
}

TEST(Server, SchemaListsEveryKeyWithUnitAndRange) {
  LiveServer live;
  auto c = live.client();
  const json s = body_of(c.Get("/api/schema"));
  bool found = false;
  for (const json& k : s["keys"]) {
    if (k["path"] == "supply.power.lead_time_months") {
      found = true;
      EXPECT_EQ(k["type"], "integer");
      EXPECT_EQ(k["unit"], "months");
      EXPECT_EQ(k["min"], 1.0);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_GT(s["tables"].size(), 10u);
}

// The page reads numbers with units from uploaded files with these factors: the same word means
// different amounts for different keys (kW of power is 1e-6 GW, kW per H100e is canonical).
TEST(Server, SchemaGivesEachKeysUnitFactors) {
  LiveServer live;
  auto c = live.client();
  const json s = body_of(c.Get("/api/schema"));
  std::map<std::string, json> factors;
  for (const json& k : s["keys"]) factors[k["path"].get<std::string>()] = k["unit_factors"];
  EXPECT_DOUBLE_EQ(factors.at("firm.*.initial_power_gw").at("kW").get<double>(), 1e-6);
  EXPECT_DOUBLE_EQ(factors.at("generation.*.kw_per_h100e").at("kW").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(factors.at("generation.*.kw_per_h100e").at("W").get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(factors.at("generation.*.usd_per_h100e").at("kUSD").get<double>(), 1e3);
  EXPECT_DOUBLE_EQ(factors.at("generation.*.usd_per_h100e").at("USD").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(factors.at("firm.*.cash_usd_bn").at("USD").get<double>(), 1e-9);
  EXPECT_DOUBLE_EQ(factors.at("supply.power.lead_time_months").at("years").get<double>(), 12.0);
  EXPECT_TRUE(factors.at("build.optimism").empty());
}

TEST(Server, ValidateAcceptsGoodScenariosAndLocatesEveryProblem) {
  LiveServer live;
  auto c = live.client();
  auto ok = post(c, "/api/validate", {{"scenario", "default"}, {"set", {{"build.optimism", 0.5}}}});
  ASSERT_EQ(ok->status, 200) << ok->body;
  const json v = body_of(ok);
  EXPECT_EQ(v["valid"], true);
  EXPECT_EQ(v["months"], 132);
  EXPECT_EQ(v["uncertain_keys"].size(), 13u);  // build.optimism is fixed by the set

  auto bad = post(c, "/api/validate",
                  {{"scenario", {{"extends", "default"}, {"technology", {{"efficiency", {{"trend", 3}}}}}}},
                   {"set", {{"segment.consumer.markup", -1}}}});
  expect_error(bad, 422, "the scenario is invalid (2 problems)");
  const json errors = body_of(bad)["errors"];
  std::set<std::string> pointers;
  for (const json& e : errors) pointers.insert(e["pointer"].get<std::string>());
  EXPECT_EQ(pointers, (std::set<std::string>{"/scenario/technology/efficiency/trend", "/set/segment.consumer.markup"}));
  for (const json& e : errors) EXPECT_FALSE(e["message"].get<std::string>().empty());
}

TEST(Server, BadRequestsGetPrecise4xxAnswers) {
  LiveServer live;
  auto c = live.client();
  expect_error(c.Post("/api/validate", "{\"scenario\": ", "application/json"), 400, "not valid JSON");
  expect_error(c.Post("/api/validate", "", "application/json"), 400, "no body");
  expect_error(c.Post("/api/validate", "[1]", "application/json"), 400, "must be a JSON object");
  expect_error(post(c, "/api/validate", {{"scenario", "default"}, {"sett", json::object()}}), 400, "unknown field 'sett'");
  expect_error(post(c, "/api/validate", {{"set", json::object()}}), 400, "no 'scenario'");
  expect_error(post(c, "/api/validate", {{"scenario", 3}}), 400, "'scenario' must be");
  expect_error(post(c, "/api/validate", {{"scenario", "defalt"}}), 422, "did you mean 'default'");
  expect_error(post(c, "/api/validate", {{"scenario", "../../etc/passwd"}}), 422, "no built-in scenario");
  expect_error(post(c, "/api/run", {{"scenario", "default"}, {"seed", -1}}), 400, "'seed' must be a whole number");
  expect_error(post(c, "/api/run", {{"scenario", "default"}, {"set", {{"build.optimism", json::array()}}}}), 422, "invalid");
  expect_error(c.Get("/api/nothing"), 404, "no such endpoint");
  expect_error(c.Put("/api/validate", "{}", "application/json"), 405, "use POST");
  expect_error(c.Get("/api/run"), 405, "use POST");
  expect_error(c.Get("/api/jobs/999"), 404, "no job '999'");
  expect_error(c.Delete("/api/jobs/999"), 404, "no job '999'");
}

TEST(Server, AnOversizedBodyIsRefusedWith413) {
  ServerOptions o = LiveServer::defaults();
  o.max_body_bytes = 4096;
  LiveServer live(o);
  auto c = live.client();
  expect_error(c.Post("/api/validate", std::string(5000, ' '), "application/json"), 413, "larger than 4096 bytes");
  // The server goes on answering.
  EXPECT_EQ(c.Get("/api/health")->status, 200);
}

TEST(Server, RunAnswersThePathTheEngineComputes) {
  LiveServer live;
  auto c = live.client();
  auto r = post(c, "/api/run", {{"scenario", "default"}, {"seed", 3}, {"set", {{"build.optimism", 0.25}}}});
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 500);
  const json j = body_of(r);
  const io::LoadedScenario s = io::load_scenario("default", {"build.optimism=0.25"});
  const sim::PathResult path = sim::run_path(s.scenario, 0, 3);
  ASSERT_EQ(j["timeseries"]["months"].size(), path.months.size());
  for (const model::Column& col : model::kColumns) {
    const json& values = j["timeseries"]["columns"][std::string(col.name)]["values"];
    ASSERT_EQ(values.size(), path.months.size()) << col.name;
    for (std::size_t m = 0; m < path.months.size(); ++m) {
      ASSERT_EQ(values[m].get<double>(), path.months[m].*col.field) << col.name << " month " << m;
    }
  }
  EXPECT_EQ(j["summary"]["bust"]["occurred"].is_boolean(), true);
  EXPECT_EQ(j["scenario"]["name"], "default");
  EXPECT_EQ(j["network"], io::network_json(s.scenario, path));
}

TEST(Server, RunMarksTheDefaultersInTheNetwork) {
  LiveServer live;
  auto c = live.client();
  const json j = body_of(post(c, "/api/run", {{"scenario", "sudden-100x"}}));
  int defaulted = 0;
  for (const json& n : j["network"]["nodes"]) {
    if (n["defaulted"] == true) {
      ++defaulted;
      EXPECT_TRUE(n["default_month"].is_string()) << n.dump();
    }
  }
  EXPECT_GT(defaulted, 0);
  EXPECT_EQ(defaulted, j["summary"]["losses"]["defaults"].get<int>());
}

TEST(Server, AJobGivesTheSameResultAsAnInProcessRun) {
  LiveServer live;
  auto c = live.client();
  auto r = post(c, "/api/jobs", {{"scenario", short_scenario()}, {"paths", 12}, {"seed", 5}});
  ASSERT_EQ(r->status, 202) << r->body;
  const json submitted = body_of(r);
  EXPECT_EQ(r->get_header_value("Location"), "/api/jobs/" + submitted["id"].get<std::string>());
  const json job = wait_finished(c, submitted["id"]);
  ASSERT_EQ(job["status"], "done") << job.dump().substr(0, 400);
  EXPECT_EQ(job["progress"]["done"], 12);

  jobs::McOptions o;
  o.paths = 12;
  o.seed = 5;
  o.threads = 1;
  const jobs::McRun run = jobs::run_monte_carlo(io::load_scenario_json(short_scenario(), "scenario"), o);
  EXPECT_EQ(job["result"], jobs::mc_summary_json(run));
}

/// Reads a job's event stream to its end: the event names in order, and the last result's data.
struct Stream {
  std::vector<std::string> events;
  std::string last_result;
  std::string end;
};

Stream read_events(httplib::Client& c, const std::string& id) {
  Stream s;
  std::string buffer;
  auto r = c.Get("/api/jobs/" + id + "/events", [&](const char* data, std::size_t n) {
    buffer.append(data, n);
    for (std::size_t at; (at = buffer.find("\n\n")) != std::string::npos;) {
      const std::string block = buffer.substr(0, at);
      buffer.erase(0, at + 2);
      const std::size_t nl = block.find('\n');
      if (block.rfind("event: ", 0) != 0 || nl == std::string::npos) continue;
      const std::string name = block.substr(7, nl - 7);
      const std::string data_line = block.substr(nl + 1);
      s.events.push_back(name);
      if (name == "result") s.last_result = data_line.substr(6);
      if (name == "end") s.end = data_line.substr(6);
    }
    return true;
  });
  EXPECT_TRUE(r);
  if (r) {
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  }
  return s;
}

TEST(Server, EventsStreamProgressAndPartialResultsUntilTheEnd) {
  LiveServer live;
  auto c = live.client();
  const json submitted = body_of(post(c, "/api/jobs", {{"scenario", short_scenario()}, {"paths", 40}}));
  const Stream s = read_events(c, submitted["id"]);
  ASSERT_FALSE(s.events.empty());
  EXPECT_EQ(s.events.front(), "progress");
  EXPECT_EQ(s.events.back(), "end");
  EXPECT_EQ(std::count(s.events.begin(), s.events.end(), "end"), 1);
  EXPECT_GE(std::count(s.events.begin(), s.events.end(), "result"), 1);
  EXPECT_EQ(json::parse(s.end)["status"], "done");
  // The last result streamed is the final one.
  const json job = body_of(c.Get("/api/jobs/" + submitted["id"].get<std::string>()));
  EXPECT_EQ(json::parse(s.last_result), job["result"]);
  EXPECT_EQ(job["result"]["paths"], 40);
}

TEST(Server, ACancelledJobStopsAndSaysSo) {
  LiveServer live;
  auto c = live.client();
  const json submitted = body_of(post(c, "/api/jobs", {{"scenario", "default"}, {"paths", 5000}}));
  const std::string id = submitted["id"];
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto r = c.Delete("/api/jobs/" + id);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body_of(r)["status"], "cancelled");
  expect_error(c.Delete("/api/jobs/" + id), 409, "already finished (cancelled)");
  // The engine stops within moments: nothing is left running.
  for (int i = 0; i < 500 && live.server().jobs().counts().running > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(live.server().jobs().counts().running, 0u);
  const json job = body_of(c.Get("/api/jobs/" + id));
  EXPECT_EQ(job["status"], "cancelled");
  EXPECT_LT(job["progress"]["done"].get<int>(), 5000);
}

TEST(Server, LimitsOnPathsJobsAndStreamsAreAnswered) {
  ServerOptions o = LiveServer::defaults();
  o.max_paths = 100;
  o.jobs.max_jobs = 1;
  o.max_streams = 1;
  LiveServer live(o);
  auto c = live.client();
  expect_error(post(c, "/api/jobs", {{"scenario", "default"}, {"paths", 101}}), 422, "1 to 100 paths");
  expect_error(post(c, "/api/jobs", {{"scenario", "default"}, {"paths", 0}}), 422, "1 to 100 paths");
  expect_error(post(c, "/api/jobs", {{"scenario", "default"}}), 400, "no 'paths'");
  expect_error(post(c, "/api/jobs", {{"scenario", "default"}, {"paths", 2.5}}), 400, "whole number");
  const json first = body_of(post(c, "/api/jobs", {{"scenario", "default"}, {"paths", 100}}));
  expect_error(post(c, "/api/jobs", {{"scenario", "default"}, {"paths", 1}}), 429, "--max-jobs");

  // One stream open (in another client); a second is refused.
  std::atomic<bool> opened{false};
  std::thread reader([&] {
    auto c2 = live.client();
    c2.Get("/api/jobs/" + first["id"].get<std::string>() + "/events", [&](const char*, std::size_t) {
      opened = true;
      return true;
    });
  });
  while (!opened) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  expect_error(c.Get("/api/jobs/" + first["id"].get<std::string>() + "/events"), 429, "--max-streams");
  c.Delete("/api/jobs/" + first["id"].get<std::string>());
  reader.join();
}

TEST(Server, AJobPastItsTimeLimitIsStoppedAsTimedOut) {
  ServerOptions o = LiveServer::defaults();
  o.jobs.max_job_seconds = 0.5;
  LiveServer live(o);
  auto c = live.client();
  const json submitted = body_of(post(c, "/api/jobs", {{"scenario", "default"}, {"paths", 5000}}));
  const json job = wait_finished(c, submitted["id"]);
  EXPECT_EQ(job["status"], "timed_out");
  EXPECT_NE(job["error"].get<std::string>().find("--max-job-seconds"), std::string::npos) << job["error"];
  EXPECT_LT(job["progress"]["done"].get<int>(), 5000);
}

TEST(Server, FinishedJobsAreForgottenBeyondTheKeepLimit) {
  ServerOptions o = LiveServer::defaults();
  o.jobs.keep_finished = 2;
  LiveServer live(o);
  auto c = live.client();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    const json j = body_of(post(c, "/api/jobs", {{"scenario", short_scenario()}, {"paths", 1}}));
    ids.push_back(j["id"]);
    wait_finished(c, ids.back());
  }
  EXPECT_EQ(c.Get("/api/jobs/" + ids[0])->status, 404);
  EXPECT_EQ(c.Get("/api/jobs/" + ids[3])->status, 200);
  EXPECT_EQ(body_of(c.Get("/api/jobs"))["jobs"].size(), 2u);
}

}  // namespace
}  // namespace bsim::server
