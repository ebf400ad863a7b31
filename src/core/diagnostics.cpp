#include "core/diagnostics.h"

#include <algorithm>
#include <numeric>

namespace bsim::core {
namespace {

std::string_view severity_word(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

}  // namespace

std::string Diagnostic::str() const {
  std::string out = pos.file.empty() ? std::string("<input>") : pos.file;
  if (!pos.pointer.empty()) {
    out += '#' + pos.pointer;
  } else if (pos.line > 0) {
    out += ':' + std::to_string(pos.line) + ':' + std::to_string(pos.col > 0 ? pos.col : 1);
  }
  out += ": ";
  out += severity_word(severity);
  out += ": ";
  out += message;
  return out;
}

void Diagnostics::error(SourcePos pos, std::string message) {
  items_.push_back({std::move(pos), Severity::kError, std::move(message)});
  ++error_count_;
}

void Diagnostics::warning(SourcePos pos, std::string message) {
  items_.push_back({std::move(pos), Severity::kWarning, std::move(message)});
}

void Diagnostics::note(SourcePos pos, std::string message) {
  items_.push_back({std::move(pos), Severity::kNote, std::move(message)});
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.pos.file != b.pos.file) return a.pos.file < b.pos.file;
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    if (a.pos.col != b.pos.col) return a.pos.col < b.pos.col;
    return a.pos.pointer < b.pos.pointer;
  });
  return out;
}

std::string Diagnostics::str() const {
  std::string out;
  for (const Diagnostic& d : sorted()) {
    out += d.str();
    out += '\n';
  }
  return out;
}

void Diagnostics::append(const Diagnostics& other) {
  for (const Diagnostic& d : other.items_) {
    items_.push_back(d);
  }
  error_count_ += other.error_count_;
}

namespace {
std::string first_line(const Diagnostics& d) {
  const auto items = d.sorted();
  return items.empty() ? std::string("invalid input") : items.front().str();
}
}  // namespace

InputError::InputError(Diagnostics diagnostics)
    : std::runtime_error(first_line(diagnostics)), diagnostics_(std::move(diagnostics)) {}

InputError::InputError(SourcePos pos, std::string message)
    : InputError([&] {
        Diagnostics d;
        d.error(std::move(pos), std::move(message));
        return d;
      }()) {}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  std::iota(prev.begin(), prev.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string shortened(std::string_view name) {
  if (name.size() <= kLongestNameShown) return std::string(name);
  std::size_t cut = kLongestNameShown;
  // Back off UTF-8 continuation bytes (10xxxxxx) so that the cut falls between characters.
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0U) == 0x80U) --cut;
  return std::string(name.substr(0, cut)) + "… (" + std::to_string(name.size()) + " bytes)";
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > kLongestWordMatched) return {};
  // A typo is at most a third of the word's letters (and at least 2 edits for short words).
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    // The distance is at least the difference in length: skip candidates that cannot be closer.
    const std::size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap >= best_distance) continue;
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string best = closest_match(word, candidates);
  return best.empty() ? std::string() : " did you mean '" + best + "'?";
}

}  // namespace bsim::core
