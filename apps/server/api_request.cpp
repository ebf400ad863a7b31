#include "server/api_request.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/diagnostics.h"
#include "io/builtin_scenarios.h"
#include "io/scenario_json.h"

namespace bsim::server {

using nlohmann::json;

/// The offset of the first byte of `text` that is not part of valid UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    unsigned min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + extra >= text.size()) return i;  // cut short
    unsigned code = c & (0x3Fu >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      code = (code << 6) | (b & 0x3Fu);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += extra + 1;
  }
  return std::string_view::npos;
}

json parse_body(const std::string& text) {
  if (text.empty()) throw ApiError(400, "the request has no body; send a JSON object");
  if (const std::size_t at = invalid_utf8_at(text); at != std::string_view::npos) {
    throw ApiError(400, fmt::format("the body is not valid UTF-8 (byte {} of {}); send JSON in UTF-8", at, text.size()));
  }
  json body;
  try {
    // Depth is checked as the parser goes: the parser itself is iterative, but writing a value
    // out (an error message quoting it) recurses, and 1 MB of '[' would overflow the stack.
    body = json::parse(text, [](int depth, json::parse_event_t event, json&) {
      if (depth >= kMaxBodyDepth &&
          (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start)) {
        throw ApiError(400, fmt::format("the body nests arrays or objects more than {} levels deep", kMaxBodyDepth));
      }
      return true;
    });
  } catch (const json::out_of_range& e) {  // a number beyond a double, e.g. 1e99999
    throw ApiError(400, fmt::format("the body is not usable JSON: {}; numbers must fit in a double", e.what()));
  } catch (const json::exception& e) {
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

ValidateRequest parse_validate_request(const std::string& text) {
  const json body = parse_body(text);
  check_fields(body, {"scenario", "set"});
  return {scenario_of(body)};
}

RunRequest parse_run_request(const std::string& text) {
  const json body = parse_body(text);
  check_fields(body, {"scenario", "set", "seed", "path"});
  RunRequest r;
  r.seed = whole_number(body, "seed", 1);
  r.path = whole_number(body, "path", 0);
  r.scenario = scenario_of(body);
  return r;
}

JobRequest parse_job_request(const std::string& text, std::uint64_t max_paths) {
  const json body = parse_body(text);
  check_fields(body, {"scenario", "set", "seed", "paths"});
  JobRequest r;
  r.seed = whole_number(body, "seed", 1);
  if (!body.contains("paths")) throw ApiError(400, "the body has no 'paths': how many Monte Carlo paths to run");
  r.paths = whole_number(body, "paths", 0);
  if (r.paths < 1 || r.paths > max_paths) {
    throw ApiError(422, fmt::format("'paths' is {}; this server runs 1 to {} paths a job (--max-paths)", r.paths, max_paths));
  }
  r.scenario = scenario_of(body);
  return r;
}

}  // namespace bsim::server
