#include "server/http_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "analysis/summary.h"
#include "core/diagnostics.h"
#include "io/builtin_scenarios.h"
#include "io/network.h"
#include "io/output.h"
#include "io/scenario_json.h"
#include "io/schema.h"
#include "server/api_request.h"
#include "server/transport.h"
#include "sim/run_path.h"

namespace bsim::server {
namespace {

using nlohmann::json;

/// JSON text of `j`; bytes that are not UTF-8 (from a URL or a header quoted in a message) become U+FFFD.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message, const json& extra = json::object()) {
  json body = {{"error", message}};
  for (const auto& [k, v] : extra.items()) body[k] = v;
  send_json(res, status, body);
}

json progress_json(const jobs::McProgress& p) {
  return {{"done", p.done},
          {"total", p.total},
          {"busts", p.busts},
          {"elapsed_seconds", p.elapsed_seconds},
          {"paths_per_second", p.paths_per_second}};
}

/// A job as GET /api/jobs/{id} answers; `with_result` false leaves the result out (lists).
std::string job_json(const JobView& v, bool with_result) {
  json j = {{"id", v.id},
            {"status", status_name(v.status)},
            {"scenario", v.scenario},
            {"paths", v.paths},
            {"seed", v.seed},
            {"progress", progress_json(v.progress)},
            {"error", v.error.empty() ? json(nullptr) : json(v.error)},
            {"url", "/api/jobs/" + v.id},
            {"events", "/api/jobs/" + v.id + "/events"}};
  if (!with_result) return j.dump();
  // The result is kept as text: splice it in rather than parse it again.
  j["result"] = nullptr;
  std::string text = j.dump();
  if (v.result) {
    const std::string null_result = "\"result\":null";
    const std::size_t at = text.find(null_result);
    text.replace(at, null_result.size(), "\"result\":" + *v.result);
  }
  return text;
}

json scenario_list() {
  json list = json::array();
  for (const io::EmbeddedFile& f : io::builtin_scenarios()) {
    try {
      const io::LoadedScenario s = io::load_scenario_text(std::string_view(f.bytes, f.size), f.path);
      list.push_back({{"name", f.name}, {"description", s.scenario.description}, {"uncertain_keys", s.uncertain.size()}});
    } catch (const core::InputError& e) {
      list.push_back({{"name", f.name}, {"description", std::string("(invalid: ") + e.what() + ")"}, {"uncertain_keys", 0}});
    }
  }
  return {{"scenarios", list}};
}

json scenario_detail(const io::EmbeddedFile& f) {
  const io::LoadedScenario s = io::load_scenario_text(std::string_view(f.bytes, f.size), f.path);
  json values = json::object();
  for (const auto& [path, value] : s.params) {
    if (const double* x = std::get_if<double>(&value.value)) values[path] = *x;
  }
  // Keys the file leaves at their defaults, for controls that start from the scenario's value.
  for (const io::KeySpec& k : io::scenario_keys()) {
    if (k.path.find('*') != std::string::npos || !k.default_number) continue;
    if (k.type != io::ValueType::kNumber && k.type != io::ValueType::kInteger) continue;
    if (!values.contains(k.path)) values[k.path] = *k.default_number;
  }
  json uncertain = json::array();
  for (const analysis::UncertainParameter& p : s.uncertain) {
    uncertain.push_back({{"key", p.key}, {"distribution", p.distribution.describe()}});
  }
  return {{"name", f.name},
          {"source", f.path},
          {"description", s.scenario.description},
          {"toml", std::string(f.bytes, f.size)},
          {"values", values},
          {"uncertain", uncertain}};
}

/// sim::run_path month by month (the same steps and records), stopped with 503 once it has
/// run `max_seconds`: the wall-clock limit of a single run (--max-run-seconds). The test
/// Server.RunAnswersThePathTheEngineComputes fails if the two ever differ.
sim::PathResult run_path_within(const model::Scenario& scenario, std::uint64_t path_id, std::uint64_t seed, double max_seconds) {
  const auto started = std::chrono::steady_clock::now();
  model::EventLog log;
  sim::PathResult result;
  result.path_id = path_id;
  result.seed = seed;
  const auto months = static_cast<std::size_t>(std::max(0, scenario.time.months()));
  result.months.reserve(months);
  result.firms.reserve(months * scenario.firms.size());
  sim::PathRunner runner(scenario, path_id, seed);
  while (!runner.done()) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (seconds > max_seconds) {
      throw ApiError(503, fmt::format("the run was stopped after {:.1f} s with {} of {} months done, the server's limit "
                                      "(--max-run-seconds); shorten the horizon or remove firms",
                                      seconds, result.months.size(), months));
    }
    runner.step(log);
    result.months.push_back(sim::record_month(scenario, runner.world()));
    sim::record_firms(scenario, runner.world(), result.firms);
  }
  result.events = log.events();
  result.losses = sim::holder_losses(scenario, runner.world());
  result.legacy = sim::legacy_state(scenario, runner.world());
  return result;
}

/// One path of the scenario, as POST /api/run answers.
json run_json(const io::LoadedScenario& loaded, std::uint64_t seed, std::uint64_t path_id, double max_seconds) {
  const auto started = std::chrono::steady_clock::now();
  const sim::PathResult path = run_path_within(loaded.scenario, path_id, seed, max_seconds);
  const analysis::PathSummary summary = analysis::summarise(path, loaded.scenario);
  json columns = json::object();
  for (const model::Column& c : model::kColumns) {
    std::vector<double> values;
    values.reserve(path.months.size());
    for (const model::MonthRecord& m : path.months) values.push_back(m.*c.field);
    columns[std::string(c.name)] = {{"unit", std::string(c.unit)}, {"values", values}};
  }
  std::vector<std::string> months;
  for (const model::MonthRecord& m : path.months) months.push_back(m.month.str());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return {{"scenario", {{"name", loaded.scenario.name}, {"source", loaded.source_name}, {"description", loaded.scenario.description}}},
          {"seed", seed},
          {"path", path_id},
          {"seconds", seconds},
          {"summary", io::summary_json(loaded, path, summary)},
          {"timeseries", {{"months", months}, {"columns", columns}}},
          {"network", io::network_json(loaded.scenario, path)}};
}

/// The API routes, for answering 405 to a known path with another method.
struct Route {
  std::regex pattern;
  std::vector<std::string> methods;
};

}  // namespace

std::string content_type_of(const std::string& path) {
  static const std::vector<std::pair<std::string, std::string>> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},        {".svg", "image/svg+xml"},
      {".png", "image/png"},                {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"}, {".md", "text/plain; charset=utf-8"},
      {".toml", "text/plain; charset=utf-8"}};
  for (const auto& [ext, type] : kTypes) {
    if (path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0) return type;
  }
  return "application/octet-stream";
}

namespace {

/// A `Host` header or an origin's authority: its name in lower case (IPv6 without brackets) and
/// its port (0 if none was written).
struct Authority {
  std::string name;
  int port = 0;
  bool valid = false;
};

Authority parse_authority(std::string_view text) {
  Authority a;
  std::string_view name;
  std::string_view port;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return a;
    name = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return a;
      port = rest.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) return a;  // IPv6 needs []
    name = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      has_port = true;
    }
  }
  if (name.empty() || (has_port && (port.empty() || port.size() > 5))) return a;
  for (char c : port) {
    if (c < '0' || c > '9') return a;
    a.port = a.port * 10 + (c - '0');
  }
  if (a.port > 65535) return a;
  for (char c : name) a.name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (a.name.size() > 1 && a.name.back() == '.') a.name.pop_back();
  a.valid = true;
  return a;
}

bool is_ip_literal(const std::string& name) {
  in6_addr addr{};
  return inet_pton(AF_INET, name.c_str(), &addr) == 1 || inet_pton(AF_INET6, name.c_str(), &addr) == 1;
}

bool is_loopback(const std::string& name) {
  in_addr v4{};
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return name == "::1" || name == "localhost";
}

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The media type of a Content-Type value: before any parameter, trimmed, in lower case.
std::string media_type(const std::string& content_type) {
  std::string_view v(content_type);
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return lower(v);
}

bool is_api(const httplib::Request& req) { return req.path.rfind("/api/", 0) == 0; }

}  // namespace

std::uint64_t run_cost(const model::Scenario& s) {
  const auto months = static_cast<std::uint64_t>(std::max(0, s.time.months()));
  const std::uint64_t parties = s.firms.size() + s.contracts.size() + s.debts.size() + s.leases.size() +
                                s.equity_investments.size() + s.stakes.size() + s.warrants.size() + s.ppas.size() +
                                s.securitisations.size();
  return months * std::max<std::uint64_t>(1, parties);
}

struct HttpServer::Impl {
  explicit Impl(ServerOptions o) : options(std::move(o)), jobs(options.jobs), http(transport_limits(options)) {}

  ServerOptions options;
  JobManager jobs;
  GuardedServer http;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> streams{0};
  std::vector<Route> routes;
  int bound_port = 0;

  static TransportLimits transport_limits(const ServerOptions& o) {
    TransportLimits t;
    t.request_seconds = o.request_seconds;
    t.read_gap_seconds = o.read_gap_seconds;
    t.keep_alive_seconds = o.keep_alive_seconds;
    // The body limit is checked exactly on the decoded body; this bounds what the headers and a
    // chunked body's framing may add.
    t.max_request_bytes = 2 * o.max_body_bytes + (std::size_t{64} << 10);
    t.setup_request = [](httplib::Request& req) {
      // Byte ranges are for the page's files, a few at a time: a request with many would make
      // the server write the file once for each. It gets the whole file once instead.
      if (req.ranges.size() > kMaxRanges || is_api(req)) req.ranges.clear();
    };
    return t;
  }

  [[nodiscard]] std::string too_large_message() const {
    return fmt::format("the request body is larger than {} bytes, the server's limit (--max-body)", options.max_body_bytes);
  }

  /// Whether a `Host` (or an origin's authority) names this server: its bound address and port;
  /// localhost names too when it is bound to loopback or to every address; any address when
  /// bound to every address; and the names of --allow-host. Anything else may be a DNS
  /// rebinding attack: a page elsewhere whose name was made to point at this machine.
  [[nodiscard]] bool host_allowed(const Authority& a) const {
    if (!a.valid) return false;
    const int port = a.port != 0 ? a.port : 80;
    for (const std::string& entry : options.allowed_hosts) {
      const Authority allowed = parse_authority(entry);
      if (allowed.valid && allowed.name == a.name && (allowed.port == 0 || allowed.port == port)) return true;
    }
    if (port != bound_port) return false;
    std::string bound = lower(options.host);
    if (bound.size() > 2 && bound.front() == '[' && bound.back() == ']') bound = bound.substr(1, bound.size() - 2);
    if (a.name == bound) return true;
    const bool every_address = bound == "0.0.0.0" || bound == "::" || bound.empty();
    if ((is_loopback(bound) || every_address) && (a.name == "localhost" || is_loopback(a.name))) return true;
    return every_address && is_ip_literal(a.name);
  }

  /// Refuses, before the body is read, what no endpoint should act on: a URL that is not UTF-8,
  /// a Host or Origin that is not this server (DNS rebinding, cross-site requests), and on API
  /// writes a body that is not plain JSON or is declared larger than --max-body.
  httplib::Server::HandlerResponse screen(const httplib::Request& req, httplib::Response& res) const {
    const auto refuse = [&](int status, const std::string& message) {
      close_connection();  // the body, if any, is not read
      send_error(res, status, message);
      return httplib::Server::HandlerResponse::Handled;
    };
    if (const std::size_t at = invalid_utf8_at(req.path); at != std::string_view::npos) {
      return refuse(400, fmt::format("the URL's path is not valid UTF-8 (byte {} after decoding)", at));
    }
    const std::string host = req.get_header_value("Host");
    if (host.empty()) return refuse(400, "the request has no Host header");
    if (!host_allowed(parse_authority(host))) {
      return refuse(403, fmt::format("Host '{}' does not name this server (port {}); if it should, start the server with "
                                     "--allow-host {}",
                                     host, bound_port, host));
    }
    if (req.has_header("Origin")) {
      const std::string origin = req.get_header_value("Origin");
      const bool own = origin.rfind("http://", 0) == 0 && host_allowed(parse_authority(std::string_view(origin).substr(7)));
      if (!own) {
        return refuse(403, fmt::format("requests from pages of origin '{}' are refused; the API answers only pages this "
                                       "server serves (or names given with --allow-host)",
                                       origin));
      }
    }
    const bool writes = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (writes && is_api(req)) {
      const std::string encoding = lower(req.get_header_value("Content-Encoding"));
      if (!encoding.empty() && encoding != "identity") {
        return refuse(415, fmt::format("Content-Encoding '{}' is not accepted; send the JSON body uncompressed", encoding));
      }
      const std::string type = req.get_header_value("Content-Type");
      if (media_type(type) != "application/json") {
        return refuse(415, fmt::format("the body must be sent with Content-Type: application/json, not '{}'", type));
      }
      if (req.has_header("Content-Length") &&
          std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > options.max_body_bytes) {
        return refuse(413, too_large_message());
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  /// Reads the body, refusing it (413, connection closed) once it passes --max-body, whatever its
  /// transfer or content encoding.
  [[nodiscard]] std::string read_body(const httplib::ContentReader& reader) const {
    std::string body;
    bool too_large = false;
    const bool complete = reader([&](const char* data, std::size_t n) {
      if (n > options.max_body_bytes - body.size()) {
        too_large = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
    if (too_large || current_request_failure() == RequestFailure::kTooLarge) {
      close_connection();
      throw ApiError(413, too_large_message());
    }
    if (!complete) {
      close_connection();
      if (current_request_failure() == RequestFailure::kTimedOut) throw ApiError(408, timeout_message());
      throw ApiError(400, "the request body could not be read (cut short, or its chunked encoding is broken)");
    }
    return body;
  }

  [[nodiscard]] std::string timeout_message() const {
    return fmt::format("the request did not arrive within {} s, or paused for more than {} s, the server's limit "
                       "(--request-timeout)",
                       options.request_seconds, options.read_gap_seconds);
  }

  /// Answers what a handler throws: ApiError with its status, BusyError 429, a JSON value of the
  /// wrong kind 400, anything else 500.
  template <typename F>
  static void guarded(httplib::Response& res, F&& handler) {
    try {
      handler();
    } catch (const ApiError& e) {
      send_error(res, e.status, e.what(), e.extra);
    } catch (const BusyError& e) {
      send_error(res, 429, e.what());
    } catch (const json::exception& e) {
      send_error(res, 400, std::string("the request does not have the form this endpoint expects: ") + e.what());
    } catch (const std::exception& e) {
      send_error(res, 500, std::string("internal error: ") + e.what());
    }
  }

  void route(const std::string& method, const std::string& pattern,
             const std::function<void(const httplib::Request&, httplib::Response&)>& handler) {
    auto call = [handler](const httplib::Request& req, httplib::Response& res) { guarded(res, [&] { handler(req, res); }); };
    if (method == "GET") http.Get(pattern, call);
    if (method == "DELETE") http.Delete(pattern, call);
    routes.push_back({std::regex(pattern), {method}});
  }

  /// A POST endpoint: its handler gets the body read within --max-body.
  void post_route(const std::string& pattern,
                  const std::function<void(const httplib::Request&, const std::string&, httplib::Response&)>& handler) {
    http.Post(pattern, [this, handler](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
      guarded(res, [&] { handler(req, read_body(reader), res); });
    });
    routes.push_back({std::regex(pattern), {"POST"}});
  }

  /// Refuses a scenario whose paths would cost more than --max-run-cost.
  void check_cost(const io::LoadedScenario& s) const {
    const std::uint64_t cost = run_cost(s.scenario);
    if (cost > options.max_run_cost) {
      throw ApiError(422, fmt::format("the scenario is too large for this server: {} months × {} firms and contracts = {}, "
                                      "above the limit of {} a path (--max-run-cost)",
                                      s.scenario.time.months(), cost / static_cast<std::uint64_t>(std::max(1, s.scenario.time.months())),
                                      cost, options.max_run_cost));
    }
  }

  void install() {
    http.new_task_queue = [n = options.http_threads] { return new ElasticPool(std::min<std::size_t>(8, n), n); };
    http.set_payload_max_length(options.max_body_bytes);
    http.set_keep_alive_max_count(100);
    http.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return screen(req, res); });
    http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      const RequestFailure failure = current_request_failure();
      if (failure == RequestFailure::kTimedOut) {
        send_error(res, 408, timeout_message());
      } else if (failure == RequestFailure::kTooLarge || res.status == 413) {
        send_error(res, 413, too_large_message());
      } else if (res.status == 404) {
        send_error(res, 404, fmt::format("no such resource: {} {}", req.method, req.path));
      } else if (res.status == 400) {
        send_error(res, 400, "the request is malformed (its request line, headers or body framing)");
      } else {
        send_error(res, res.status, fmt::format("HTTP {}", res.status));
      }
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      send_error(res, 500, "internal error: " + what);
    });

    route("GET", "/api/health", [this](const httplib::Request&, httplib::Response& res) {
      const JobCounts c = jobs.counts();
      const JobLimits& l = jobs.limits();
      send_json(res, 200,
                {{"status", "ok"},
                 {"version", BSIM_VERSION},
                 {"jobs", {{"queued", c.queued}, {"running", c.running}, {"kept", c.kept}, {"submitted", c.submitted},
                           {"finished", c.finished}, {"runs_waiting", c.runs_waiting}, {"streams", streams.load()}}},
                 {"limits", {{"max_body_bytes", options.max_body_bytes}, {"max_paths", options.max_paths},
                             {"max_jobs", l.max_jobs}, {"parallel_jobs", l.parallel_jobs},
                             {"threads_per_job", l.threads_per_job}, {"max_job_seconds", l.max_job_seconds},
                             {"keep_jobs", l.keep_finished}, {"max_streams", options.max_streams},
                             {"max_run_cost", options.max_run_cost}, {"max_run_seconds", l.max_run_seconds},
                             {"max_runs", l.max_queued_runs}, {"run_threads", l.run_threads},
                             {"http_threads", options.http_threads}, {"request_timeout_seconds", options.request_seconds}}}});
    });
    route("GET", "/api/scenarios", [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, scenario_list()); });
    route("GET", R"(/api/scenarios/([A-Za-z0-9_./-]+))", [](const httplib::Request& req, httplib::Response& res) {
      const std::string name = req.matches[1];
      const auto f = io::find_builtin_scenario(name);
      if (!f) {
        const std::string hint = core::did_you_mean(name, io::builtin_scenario_names());
        throw ApiError(404, fmt::format("no built-in scenario '{}';{}", name, hint.empty() ? " GET /api/scenarios lists them" : hint));
      }
      send_json(res, 200, scenario_detail(*f));
    });
    route("GET", "/api/schema", [](const httplib::Request&, httplib::Response& res) {
      static const std::string schema = io::schema_json().dump();
      res.set_content(schema, "application/json");
    });
    post_route("/api/validate", [](const httplib::Request&, const std::string& text, httplib::Response& res) {
      const io::LoadedScenario s = parse_validate_request(text).scenario;
      json keys = json::array();
      for (const analysis::UncertainParameter& p : s.uncertain) keys.push_back(p.key);
      send_json(res, 200,
                {{"valid", true},
                 {"name", s.scenario.name},
                 {"start", s.scenario.time.start.str()},
                 {"end", s.scenario.time.end.str()},
                 {"months", s.scenario.time.months()},
                 {"uncertain_keys", keys}});
    });
    post_route("/api/run", [this](const httplib::Request&, const std::string& text_in, httplib::Response& res) {
      const RunRequest r = parse_run_request(text_in);
      check_cost(r.scenario);
      const double max_seconds = jobs.limits().max_run_seconds;
      const std::string text = jobs.run([&] { return dump(run_json(r.scenario, r.seed, r.path, max_seconds)); });
      res.status = 200;
      res.set_content(text, "application/json");
    });
    post_route("/api/jobs", [this](const httplib::Request&, const std::string& text, httplib::Response& res) {
      JobRequest r = parse_job_request(text, options.max_paths);
      check_cost(r.scenario);
      const std::shared_ptr<Job> job = jobs.submit(std::move(r.scenario), r.seed, r.paths);
      res.status = 202;
      res.set_header("Location", "/api/jobs/" + job->id());
      res.set_content(job_json(job->view(), false), "application/json");
    });
    route("GET", "/api/jobs", [this](const httplib::Request&, httplib::Response& res) {
      std::string text = "{\"jobs\":[";
      bool first = true;
      for (const auto& job : jobs.list()) {
        text += (first ? "" : ",") + job_json(job->view(), false);
        first = false;
      }
      text += "]}";
      res.set_content(text, "application/json");
    });
    route("GET", R"(/api/jobs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      const auto job = jobs.find(req.matches[1]);
      if (!job) throw ApiError(404, fmt::format("no job '{}' (finished jobs are kept for a while, then forgotten)", std::string(req.matches[1])));
      res.set_content(job_json(job->view(), true), "application/json");
    });
    route("DELETE", R"(/api/jobs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string id = req.matches[1];
      switch (jobs.cancel(id)) {
        case JobManager::CancelResult::kNotFound: throw ApiError(404, fmt::format("no job '{}'", id));
        case JobManager::CancelResult::kAlreadyFinished: {
          const auto job = jobs.find(id);
          throw ApiError(409, fmt::format("job {} has already finished ({}); there is nothing to cancel", id,
                                          job ? status_name(job->view().status) : "forgotten"));
        }
        case JobManager::CancelResult::kCancelled: break;
      }
      send_json(res, 200, {{"id", id}, {"status", "cancelled"}});
    });
    route("GET", R"(/api/jobs/([^/]+)/events)", [this](const httplib::Request& req, httplib::Response& res) {
      const auto job = jobs.find(req.matches[1]);
      if (!job) throw ApiError(404, fmt::format("no job '{}'", std::string(req.matches[1])));
      if (streams.fetch_add(1) >= options.max_streams) {
        streams.fetch_sub(1);
        throw ApiError(429, fmt::format("{} event streams are open, the server's limit (--max-streams); poll GET /api/jobs/{} instead",
                                        options.max_streams, job->id()));
      }
      struct Seen {
        std::uint64_t version = 0;
        std::uint64_t result = 0;
        bool first = true;
        std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
      };
      auto seen = std::make_shared<Seen>();
      res.set_header("Cache-Control", "no-cache");
      res.set_chunked_content_provider(
          "text/event-stream",
          [this, job, seen](std::size_t, httplib::DataSink& sink) {
            if (!seen->first) job->wait_for_change(seen->version, std::chrono::milliseconds(250));
            if (stopping) {
              sink.done();
              return true;
            }
            const JobView v = job->view();
            std::string out;
            if (seen->first || v.version != seen->version) {
              out += "event: progress\ndata: " + progress_json(v.progress).dump() + "\n\n";
              if (v.result && v.result_version != seen->result) out += "event: result\ndata: " + *v.result + "\n\n";
            }
            seen->first = false;
            seen->version = v.version;
            seen->result = v.result_version;
            const bool finished = is_finished(v.status);
            if (finished) out += "event: end\ndata: " + job_json(v, false) + "\n\n";
            const auto now = std::chrono::steady_clock::now();
            if (out.empty() && now - seen->last_write > std::chrono::seconds(15)) out = ": keep-alive\n\n";
            if (!out.empty()) {
              if (!sink.write(out.data(), out.size())) return false;  // the client has gone
              seen->last_write = now;
            }
            if (finished) sink.done();
            return true;
          },
          [this](bool) { streams.fetch_sub(1); });
    });

    // Anything else under /api/: 405 for a known path with another method, else 404.
    auto not_routed = [this](const httplib::Request& req, httplib::Response& res) {
      std::set<std::string> allowed;
      for (const Route& r : routes) {
        if (std::regex_match(req.path, r.pattern)) allowed.insert(r.methods.begin(), r.methods.end());
      }
      if (!allowed.empty()) {
        res.set_header("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
        send_error(res, 405, fmt::format("{} is not allowed on {}; use {}", req.method, req.path, fmt::join(allowed, " or ")));
      } else {
        send_error(res, 404, fmt::format("no such endpoint: {} {}", req.method, req.path));
      }
    };
    http.Get(R"(/api/.*)", not_routed);
    http.Post(R"(/api/.*)", not_routed);
    http.Delete(R"(/api/.*)", not_routed);
    http.Put(R"(/api/.*)", not_routed);
    http.Patch(R"(/api/.*)", not_routed);

    // The page: files of web/ embedded in the binary.
    http.Get(R"(/(.*))", [](const httplib::Request& req, httplib::Response& res) {
      std::string path = req.matches[1];
      if (path.empty()) path = "index.html";
      for (std::size_t i = 0; i < kWebAssetCount; ++i) {
        if (path == kWebAssets[i].path) {
          res.set_content(std::string(kWebAssets[i].bytes, kWebAssets[i].size), content_type_of(path));
          // The page loads nothing from elsewhere: scripts, styles and data from this server only.
          res.set_header("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                         "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
          return;
        }
      }
      res.status = 404;
      res.set_content(fmt::format("no such file: /{}\n", path), "text/plain; charset=utf-8");
    });
  }
};

HttpServer::HttpServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) { impl_->install(); }

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  const int port = impl_->options.port == 0 ? impl_->http.bind_to_any_port(impl_->options.host)
                                            : (impl_->http.bind_to_port(impl_->options.host, impl_->options.port)
                                                   ? impl_->options.port
                                                   : -1);
  if (port < 0) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)",
                                         impl_->options.host, impl_->options.port));
  }
  // cpp-httplib listens with a backlog of 5: a burst of clients would be refused or delayed.
  if (!impl_->http.set_backlog(impl_->options.backlog)) {
    throw std::runtime_error(fmt::format("cannot set the listen backlog to {}", impl_->options.backlog));
  }
  impl_->bound_port = port;
  return port;
}

bool HttpServer::serve() { return impl_->http.listen_after_bind(); }

void HttpServer::stop() {
  impl_->stopping = true;
  impl_->http.stop();
}

JobManager& HttpServer::jobs() { return impl_->jobs; }

}  // namespace bsim::server
