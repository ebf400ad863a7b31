/// Fuzz target: any bytes as a scenario file, through io::load_scenario_text. The loader must
/// load it or throw core::InputError with located diagnostics; nothing else.

#include <cstddef>
#include <cstdint>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bsim;
  const std::string_view text = fuzz::as_text(data, size);
  const fuzz::InputShape input{"fuzz.toml", fuzz::count_lines(text), 0};
  fuzz::check_scenario_text(text, input);
  return 0;
}
