/// Fuzz target: `--set` overrides applied to the built-in `default` scenario, one override a
/// line of the input (at most kMostOverrides). Each must apply or be reported at its own
/// `--set:<index>` position.

#include <cstddef>
#include <cstdint>

#include "fuzz_checks.h"
#include "io/builtin_scenarios.h"

namespace {
constexpr std::size_t kMostOverrides = 16;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bsim;
  static const auto base = io::find_builtin_scenario("default");
  if (!base) fuzz::fail("no built-in scenario 'default'");
  const std::string_view base_text(base->bytes, base->size);

  std::vector<std::string> overrides;
  std::string_view rest = fuzz::as_text(data, size);
  while (!rest.empty() && overrides.size() < kMostOverrides) {
    const std::size_t end = rest.find('\n');
    overrides.emplace_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  const fuzz::InputShape input{base->path, fuzz::count_lines(base_text), overrides.size()};
  try {
    const io::LoadedScenario loaded = io::load_scenario_text(base_text, base->path, overrides);
    if (loaded.overrides != overrides) fuzz::fail("the loaded scenario does not record the --set strings applied");
    fuzz::check_loaded(loaded, input);
  } catch (const core::InputError& e) {
    fuzz::check_rejection(e, input);
  }
  return 0;
}
