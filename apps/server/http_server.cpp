#include "server/http_server.h"

#include <fmt/format.h>
#include <httplib.h>

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
#include "sim/run_path.h"

namespace bsim::server {
namespace {

using nlohmann::json;

/// An answer other than 200: its status and the JSON body `{"error": message, ...extra}`.
struct ApiError : std::runtime_error {
  ApiError(int s, const std::string& message, json more = json::object())
      : std::runtime_error(message), status(s), extra(std::move(more)) {}
  int status;
  json extra;
};

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message, const json& extra = json::object()) {
  json body = {{"error", message}};
  for (const auto& [k, v] : extra.items()) body[k] = v;
  send_json(res, status, body);
}

json parse_body(const httplib::Request& req) {
  if (req.body.empty()) throw ApiError(400, "the request has no body; send a JSON object");
  json body;
  try {
    body = json::parse(req.body);
  } catch (const json::parse_error& e) {
    throw ApiError(400, fmt::format("the body is not valid JSON: {}", e.what()));
  }
  if (!body.is_object()) throw ApiError(400, "the body must be a JSON object");
  return body;
}

/// Refuses fields the endpoint does not know, so that a misspelt field is not silently ignored.
void check_fields(const json& body, const std::vector<std::string>& known) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      throw ApiError(400, fmt::format("unknown field '{}'{}; this endpoint takes {}", key, core::did_you_mean(key, known),
                                      fmt::join(known, ", ")));
    }
  }
}

std::uint64_t whole_number(const json& body, const std::string& field, std::uint64_t fallback) {
  if (!body.contains(field)) return fallback;
  const json& v = body.at(field);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  throw ApiError(400, fmt::format("'{}' must be a whole number ≥ 0, not {}", field, v.dump()));
}

/// The scenario a request names, with its `set` overrides. Errors in either are 422 with every
/// problem located by a JSON pointer into the request body (or the built-in file's line).
io::LoadedScenario scenario_of(const json& body) {
  if (!body.contains("scenario")) throw ApiError(400, "the body has no 'scenario': a built-in name or a JSON scenario");
  std::vector<std::string> overrides;
  std::vector<std::string> set_keys;
  if (body.contains("set")) {
    const json& set = body.at("set");
    if (!set.is_object()) throw ApiError(400, "'set' must be an object of scenario keys and values");
    for (const auto& [key, value] : set.items()) {
      std::string text;
      if (value.is_number_integer() || value.is_number_unsigned()) {
        text = value.dump();
      } else if (value.is_number_float()) {
        text = fmt::format("{}", value.get<double>());
      } else if (value.is_string()) {
        text = value.get<std::string>();
      } else if (value.is_boolean()) {
        text = value.get<bool>() ? "true" : "false";
      } else {
        throw ApiError(422, "the scenario is invalid (1 problem)",
                       {{"errors", json::array({{{"pointer", "/set/" + io::json_pointer_token(key)}, {"file", ""}, {"line", 0}, {"col", 0},
                                                 {"message", "a value to set is a number, a string or a boolean, not " + value.dump()}}})}});
      }
      overrides.push_back(key + "=" + text);
      set_keys.push_back(key);
    }
  }
  const json& scenario = body.at("scenario");
  try {
    if (scenario.is_string()) {
      const std::string name = scenario.get<std::string>();
      const auto builtin = io::find_builtin_scenario(name);  // never a file on the server's disk
      if (!builtin) {
        throw ApiError(422, fmt::format("no built-in scenario '{}';{}", name,
                                        [&] {
                                          const std::string hint = core::did_you_mean(name, io::builtin_scenario_names());
                                          return hint.empty() ? std::string(" GET /api/scenarios lists them") : hint;
                                        }()));
      }
      return io::load_scenario_text(std::string_view(builtin->bytes, builtin->size), builtin->path, overrides);
    }
    if (scenario.is_object()) return io::load_scenario_json(scenario, "scenario", overrides);
    throw ApiError(400, "'scenario' must be the name of a built-in scenario or a JSON scenario object");
  } catch (const core::InputError& e) {
    json errors = json::array();
    for (const core::Diagnostic& d : e.diagnostics().sorted()) {
      if (d.severity != core::Severity::kError) continue;
      json item = {{"message", d.message}, {"text", d.str()}};
      if (d.pos.file == "--set" && d.pos.line >= 1 && static_cast<std::size_t>(d.pos.line) <= set_keys.size()) {
        item["pointer"] = "/set/" + io::json_pointer_token(set_keys[static_cast<std::size_t>(d.pos.line) - 1]);
        item["file"] = "";
        item["line"] = 0;
        item["col"] = 0;
      } else if (d.pos.file == "scenario" && scenario.is_object()) {
        item["pointer"] = "/scenario" + d.pos.pointer;
        item["file"] = "";
        item["line"] = 0;
        item["col"] = 0;
      } else {
        item["pointer"] = nullptr;
        item["file"] = d.pos.file;
        item["line"] = d.pos.line;
        item["col"] = d.pos.col;
      }
      errors.push_back(item);
    }
    throw ApiError(422, fmt::format("the scenario is invalid ({} problem{})", errors.size(), errors.size() == 1 ? "" : "s"),
                   {{"errors", errors}});
  }
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

const char* type_word(io::ValueType t) {
  switch (t) {
    case io::ValueType::kNumber: return "number";
    case io::ValueType::kInteger: return "integer";
    case io::ValueType::kString: return "string";
    case io::ValueType::kMonth: return "month";
    case io::ValueType::kBool: return "bool";
    case io::ValueType::kEnum: return "enum";
    case io::ValueType::kRef: return "ref";
    case io::ValueType::kSeries: return "series";
  }
  return "string";
}

json finite_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

json schema_json() {
  json tables = json::array();
  for (const io::TableSpec& t : io::scenario_tables()) {
    tables.push_back({{"path", t.path}, {"array", t.array}, {"required", t.required}, {"doc", t.doc}});
  }
  json keys = json::array();
  for (const io::KeySpec& k : io::scenario_keys()) {
    json key = {{"path", k.path},
                {"type", type_word(k.type)},
                {"unit", std::string(io::canonical_unit(k.dimension))},
                {"accepted_units", io::accepted_units(k.dimension)},
                {"min", finite_or_null(k.min)},
                {"max", finite_or_null(k.max)},
                {"min_exclusive", k.min_exclusive},
                {"required", k.required},
                {"doc", k.doc},
                {"choices", k.choices}};
    if (k.default_number) {
      key["default"] = *k.default_number;
    } else if (k.default_text) {
      key["default"] = *k.default_text;
    } else {
      key["default"] = nullptr;
    }
    if (!k.for_types.empty()) key["for_types"] = k.for_types;
    keys.push_back(key);
  }
  return {{"tables", tables}, {"keys", keys}};
}

/// One path of the scenario, as POST /api/run answers.
json run_json(const io::LoadedScenario& loaded, std::uint64_t seed, std::uint64_t path_id) {
  const auto started = std::chrono::steady_clock::now();
  const sim::PathResult path = sim::run_path(loaded.scenario, path_id, seed);
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

struct HttpServer::Impl {
  explicit Impl(ServerOptions o) : options(std::move(o)), jobs(options.jobs) {}

  ServerOptions options;
  JobManager jobs;
  httplib::Server http;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> streams{0};
  std::vector<Route> routes;

  void route(const std::string& method, const std::string& pattern,
             const std::function<void(const httplib::Request&, httplib::Response&)>& handler) {
    auto guarded = [handler](const httplib::Request& req, httplib::Response& res) {
      try {
        handler(req, res);
      } catch (const ApiError& e) {
        send_error(res, e.status, e.what(), e.extra);
      } catch (const BusyError& e) {
        send_error(res, 429, e.what());
      } catch (const std::exception& e) {
        send_error(res, 500, std::string("internal error: ") + e.what());
      }
    };
    if (method == "GET") http.Get(pattern, guarded);
    if (method == "POST") http.Post(pattern, guarded);
    if (method == "DELETE") http.Delete(pattern, guarded);
    routes.push_back({std::regex(pattern), {method}});
  }

  void install() {
    http.new_task_queue = [n = options.http_threads] { return new httplib::ThreadPool(n); };
    http.set_payload_max_length(options.max_body_bytes);
    http.set_read_timeout(10, 0);
    http.set_write_timeout(10, 0);
    http.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});
    http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 413) {
        send_error(res, 413, fmt::format("the request body is larger than {} bytes, the server's limit (--max-body)",
                                         options.max_body_bytes));
      } else if (res.status == 404) {
        send_error(res, 404, fmt::format("no such resource: {} {}", req.method, req.path));
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
                             {"keep_jobs", l.keep_finished}, {"max_streams", options.max_streams}}}});
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
      static const std::string schema = schema_json().dump();
      res.set_content(schema, "application/json");
    });
    route("POST", "/api/validate", [](const httplib::Request& req, httplib::Response& res) {
      const json body = parse_body(req);
      check_fields(body, {"scenario", "set"});
      const io::LoadedScenario s = scenario_of(body);
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
    route("POST", "/api/run", [this](const httplib::Request& req, httplib::Response& res) {
      const json body = parse_body(req);
      check_fields(body, {"scenario", "set", "seed", "path"});
      const std::uint64_t seed = whole_number(body, "seed", 1);
      const std::uint64_t path = whole_number(body, "path", 0);
      io::LoadedScenario s = scenario_of(body);
      const std::string text = jobs.run([&] { return run_json(s, seed, path).dump(); });
      res.status = 200;
      res.set_content(text, "application/json");
    });
    route("POST", "/api/jobs", [this](const httplib::Request& req, httplib::Response& res) {
      const json body = parse_body(req);
      check_fields(body, {"scenario", "set", "seed", "paths"});
      const std::uint64_t seed = whole_number(body, "seed", 1);
      if (!body.contains("paths")) throw ApiError(400, "the body has no 'paths': how many Monte Carlo paths to run");
      const std::uint64_t paths = whole_number(body, "paths", 0);
      if (paths < 1 || paths > options.max_paths) {
        throw ApiError(422, fmt::format("'paths' is {}; this server runs 1 to {} paths a job (--max-paths)", paths, options.max_paths));
      }
      io::LoadedScenario s = scenario_of(body);
      const std::shared_ptr<Job> job = jobs.submit(std::move(s), seed, paths);
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
  return port;
}

bool HttpServer::serve() { return impl_->http.listen_after_bind(); }

void HttpServer::stop() {
  impl_->stopping = true;
  impl_->http.stop();
}

JobManager& HttpServer::jobs() { return impl_->jobs; }

}  // namespace bsim::server
