#pragma once
/// The properties every fuzz target checks: bad input is refused with located diagnostics, and
/// input that loads gives a scenario that rebuilds from its snapshot and samples its
/// [uncertain] keys. A broken property prints what broke and aborts, which both the fuzzer and
/// the replay driver report as a finding.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "io/scenario_loader.h"

namespace bsim::fuzz {

/// Prints `what` (and the input's size) to stderr and aborts.
[[noreturn]] void fail(std::string_view what);

/// The fuzzer's bytes as text (any bytes; UTF-8 is the loader's to check).
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Where the input came from, to check that diagnostics point into it.
struct InputShape {
  std::string source_name;   ///< the file name the text was loaded as
  std::size_t lines = 0;     ///< lines of that text (a last line without '\n' counts)
  std::size_t overrides = 0; ///< `--set` strings given
};

/// Lines in `text`, counting a last line that has no newline.
std::size_t count_lines(std::string_view text);

/// An InputError from the loader must hold at least one error, and every error a message and a
/// position: in the input's own file a line within it (0: the whole file) and a column ≥ 1 on
/// a line; for `--set` the index of an override given; elsewhere (a built-in it extends) a file.
void check_rejection(const core::InputError& error, const InputShape& input);

/// A loaded scenario must rebuild unchanged from its snapshot (io::instantiate with no values),
/// its [uncertain] keys and correlations must make a sampler, and a drawn path must instantiate
/// or be refused with located diagnostics (a rule between keys can refuse it).
void check_loaded(const io::LoadedScenario& loaded, const InputShape& input);

/// Loads `text` as a scenario file named `input.source_name`: a loaded scenario is checked with
/// check_loaded, a refusal with check_rejection.
void check_scenario_text(std::string_view text, const InputShape& input);

}  // namespace bsim::fuzz
