#include "fuzz_checks.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "analysis/sampler.h"

namespace bsim::fuzz {

void fail(std::string_view what) {
  std::fprintf(stderr, "fuzz property broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

std::size_t count_lines(std::string_view text) {
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  return lines + (text.empty() || text.back() == '\n' ? 0 : 1);
}

void check_rejection(const core::InputError& error, const InputShape& input) {
  const core::Diagnostics& diags = error.diagnostics();
  if (!diags.has_errors()) fail("an InputError without an error: " + std::string(error.what()));
  for (const core::Diagnostic& d : diags.items()) {
    const std::string text = d.str();
    if (d.message.empty()) fail("a diagnostic without a message: " + text);
    if (d.pos.file.empty()) fail("a diagnostic without a file: " + text);
    if (d.pos.line < 0 || d.pos.col < 0) fail("a diagnostic at a negative position: " + text);
    if (d.pos.line > 0 && d.pos.col < 1) fail("a diagnostic on a line but at column 0: " + text);
    if (d.pos.file == "--set") {
      if (d.pos.line < 1 || static_cast<std::size_t>(d.pos.line) > input.overrides) {
        fail("a --set diagnostic that names no override given: " + text);
      }
    } else if (d.pos.file == input.source_name) {
      // One past the last line: an unterminated construct is reported where the text ends.
      if (static_cast<std::size_t>(d.pos.line) > input.lines + 1) fail("a diagnostic past the end of the input: " + text);
    }
  }
}

void check_loaded(const io::LoadedScenario& loaded, const InputShape& input) {
  model::Scenario rebuilt;
  try {
    rebuilt = io::instantiate(loaded, {});
  } catch (const core::InputError& e) {
    fail("a loaded scenario does not rebuild from its snapshot: " + e.diagnostics().str());
  }
  if (rebuilt.time.months() != loaded.scenario.time.months() || rebuilt.firms.size() != loaded.scenario.firms.size() ||
      rebuilt.contracts.size() != loaded.scenario.contracts.size()) {
    fail("the scenario rebuilt from its snapshot differs from the one loaded");
  }
  if (loaded.uncertain.empty()) return;
  std::vector<double> drawn;
  try {
    const analysis::ParameterSampler sampler(loaded.uncertain, loaded.correlations);
    drawn = sampler.draw(/*seed=*/1, /*path_id=*/0);
  } catch (const std::invalid_argument& e) {
    fail(std::string("the checked [uncertain] keys do not make a sampler: ") + e.what());
  }
  std::vector<std::pair<std::string, double>> values;
  for (std::size_t i = 0; i < drawn.size(); ++i) values.emplace_back(loaded.uncertain[i].key, drawn[i]);
  try {
    (void)io::instantiate(loaded, values);
  } catch (const core::InputError& e) {
    check_rejection(e, input);
  }
}

void check_scenario_text(std::string_view text, const InputShape& input) {
  try {
    check_loaded(io::load_scenario_text(text, input.source_name), input);
  } catch (const core::InputError& e) {
    check_rejection(e, input);
  }
}

}  // namespace bsim::fuzz
