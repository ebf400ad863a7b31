/// Fuzz target: the input as the request body of each JSON API endpoint that takes one
/// (POST /api/validate, /api/run, /api/jobs), through the parsing the handlers call. A body
/// must be accepted or refused with server::ApiError 400 or 422 whose answer can be written;
/// a scenario's problems (422) each carry a JSON pointer or a file position.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "fuzz_checks.h"
#include "server/api_request.h"

namespace {

using bsim::fuzz::fail;
using nlohmann::json;

/// What the server sends for `e`, checked as the fuzz property of a refusal.
void check_refusal(const bsim::server::ApiError& e) {
  if (e.status != 400 && e.status != 422) fail("a request refused with status " + std::to_string(e.status) + ": " + e.what());
  if (std::string(e.what()).empty()) fail("a request refused without a message");
  json body = {{"error", e.what()}};
  for (const auto& [k, v] : e.extra.items()) body[k] = v;
  (void)body.dump(-1, ' ', false, json::error_handler_t::replace);  // as the server writes it
  if (!e.extra.contains("errors")) return;
  const json& errors = e.extra.at("errors");
  if (!errors.is_array() || errors.empty()) fail("a 422 whose 'errors' is not a list of problems: " + errors.dump());
  for (const json& item : errors) {
    if (!item.contains("message") || !item.at("message").is_string() || item.at("message").get<std::string>().empty()) {
      fail("a problem without a message: " + item.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    const json& pointer = item.at("pointer");
    const bool by_pointer = pointer.is_string() && pointer.get<std::string>().rfind('/', 0) == 0;
    const bool by_line = pointer.is_null() && item.at("file").is_string() && !item.at("file").get<std::string>().empty();
    if (!by_pointer && !by_line) fail("a problem located neither by pointer nor by file: " + item.dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bsim;
  const std::string body(reinterpret_cast<const char*>(data), size);
  // A JSON scenario is validated as TOML text the loader names "scenario"; its lines are not the
  // body's, so only the form of its diagnostics is checked (by check_refusal).
  const fuzz::InputShape input{"scenario", std::numeric_limits<std::size_t>::max() - 1, 0};
  constexpr std::uint64_t kMaxPaths = 5000;  // the server's default --max-paths
  try {
    fuzz::check_loaded(server::parse_validate_request(body).scenario, input);
  } catch (const server::ApiError& e) {
    check_refusal(e);
  }
  try {
    fuzz::check_loaded(server::parse_run_request(body).scenario, input);
  } catch (const server::ApiError& e) {
    check_refusal(e);
  }
  try {
    const server::JobRequest r = server::parse_job_request(body, kMaxPaths);
    if (r.paths < 1 || r.paths > kMaxPaths) fail("a job request accepted with " + std::to_string(r.paths) + " paths");
    fuzz::check_loaded(r.scenario, input);
  } catch (const server::ApiError& e) {
    check_refusal(e);
  }
  return 0;
}
