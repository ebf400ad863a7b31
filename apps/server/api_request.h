#pragma once
/// The JSON API's request bodies: checked and turned into what a handler acts on, apart from
/// the network so that tests and the fuzz targets call exactly what the server calls.
///
///   const server::RunRequest r = server::parse_run_request(R"({"scenario": "default", "seed": 7})");
///   // r.scenario is validated; a bad body throws server::ApiError (400 or 422)
///
/// Every rejection is an ApiError whose status and message the server sends as
/// `{"error": message, ...extra}`; a scenario's problems (422) list each one in `extra["errors"]`,
/// located by a JSON pointer into the body or by the built-in file's line and column.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "io/scenario_loader.h"

namespace bsim::server {

/// An answer other than 200: its status and the JSON body `{"error": message, ...extra}`.
struct ApiError : std::runtime_error {
  ApiError(int s, const std::string& message, nlohmann::json more = nlohmann::json::object())
      : std::runtime_error(message), status(s), extra(std::move(more)) {}
  int status;
  nlohmann::json extra;
};

/// The offset of the first byte of `text` that is not part of valid UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view text);

/// Most levels of arrays and objects a request body may nest (a JSON scenario may nest 16).
inline constexpr int kMaxBodyDepth = 64;

/// The body as a JSON object. Throws ApiError 400 if it is empty, not UTF-8, not JSON, nests
/// deeper than kMaxBodyDepth, holds a number beyond a double, or is not an object.
nlohmann::json parse_body(const std::string& text);

/// Refuses (ApiError 400) fields the endpoint does not know, so that a misspelt field is not
/// silently ignored.
void check_fields(const nlohmann::json& body, const std::vector<std::string>& known);

/// `body[field]` as a whole number ≥ 0, or `fallback` when absent. Throws ApiError 400.
std::uint64_t whole_number(const nlohmann::json& body, const std::string& field, std::uint64_t fallback);

/// The scenario a request names (a built-in name or a JSON scenario), with its `set` overrides.
/// Throws ApiError: 400 for a body of the wrong form, 422 with every problem of the scenario.
io::LoadedScenario scenario_of(const nlohmann::json& body);

/// POST /api/validate: `{"scenario", "set"}`.
struct ValidateRequest {
  io::LoadedScenario scenario;
};
ValidateRequest parse_validate_request(const std::string& text);

/// POST /api/run: `{"scenario", "set", "seed" (default 1), "path" (default 0)}`.
struct RunRequest {
  io::LoadedScenario scenario;
  std::uint64_t seed = 1;
  std::uint64_t path = 0;
};
RunRequest parse_run_request(const std::string& text);

/// POST /api/jobs: `{"scenario", "set", "seed" (default 1), "paths"}`, 1 ≤ paths ≤ max_paths
/// (else ApiError 422).
struct JobRequest {
  io::LoadedScenario scenario;
  std::uint64_t seed = 1;
  std::uint64_t paths = 0;
};
JobRequest parse_job_request(const std::string& text, std::uint64_t max_paths);

}  // namespace bsim::server
