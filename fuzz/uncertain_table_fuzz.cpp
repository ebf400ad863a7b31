/// Fuzz target: the input as the body of an `[uncertain]` table (and whatever tables follow it,
/// such as `[[uncertain_correlation]]`) in the smallest complete scenario, one that extends
/// `default`. Loaded scenarios must sample their keys (fuzz_checks.h).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bsim;
  static const std::string kHead = "schema_version = 1\nextends = \"default\"\nname = \"fuzz-uncertain\"\n\n[uncertain]\n";
  std::string text = kHead;
  text.append(fuzz::as_text(data, size));
  const fuzz::InputShape input{"fuzz-uncertain.toml", fuzz::count_lines(text), 0};
  fuzz::check_scenario_text(text, input);
  return 0;
}
