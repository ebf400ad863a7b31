#pragma once
/// Located error messages for bad input, collected so that all of them can be reported at once.
///
///   core::Diagnostics diags;
///   diags.error({"a.toml", 3, 7}, "unknown key 'trend'; did you mean 'trend_per_year'?");
///   if (diags.has_errors()) throw core::InputError(std::move(diags));
///
/// Printed as `a.toml:3:7: error: unknown key …` (the form editors and CI logs understand).

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bsim::core {

/// Where something was written: a file (or pseudo-file such as `--set`) and a 1-based line and
/// column. Line 0 means "the whole file". A scenario sent as JSON (the server's API) is located
/// by a JSON pointer into the document instead (`/shock/0/multiplier`), with line 0.
struct SourcePos {
  SourcePos() = default;
  SourcePos(std::string f, int l = 0, int c = 0, std::string p = {})
      : file(std::move(f)), line(l), col(c), pointer(std::move(p)) {}

  std::string file;
  int line = 0;
  int col = 0;
  std::string pointer;  ///< JSON pointer (RFC 6901) when the input was a JSON document
};

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  SourcePos pos;
  Severity severity = Severity::kError;
  std::string message;

  /// `file:line:col: error: message`, or `file#/json/pointer: error: message` for a JSON input.
  [[nodiscard]] std::string str() const;
};

class Diagnostics {
 public:
  void error(SourcePos pos, std::string message);
  void warning(SourcePos pos, std::string message);
  void note(SourcePos pos, std::string message);

  [[nodiscard]] bool has_errors() const { return error_count_ > 0; }
  [[nodiscard]] int error_count() const { return error_count_; }
  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
  /// Sorted by file, line and column (stable), so output does not depend on checking order.
  [[nodiscard]] std::vector<Diagnostic> sorted() const;
  /// Every diagnostic, one per line, sorted.
  [[nodiscard]] std::string str() const;
  void append(const Diagnostics& other);

 private:
  std::vector<Diagnostic> items_;
  int error_count_ = 0;
};

/// Thrown when input cannot be used; carries every diagnostic found. Front ends print them and
/// exit with code 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(Diagnostics diagnostics);
  /// A single located error.
  InputError(SourcePos pos, std::string message);
  [[nodiscard]] const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  Diagnostics diagnostics_;
};

/// Names (keys, paths, ids) longer than this are cut in error messages.
inline constexpr std::size_t kLongestNameShown = 80;
/// Words longer than this get no "did you mean": no key is nearly as long, and the edit
/// distance costs time in the product of the lengths.
inline constexpr std::size_t kLongestWordMatched = 256;

/// A name as an error message shows it: unchanged up to kLongestNameShown bytes, else its first
/// kLongestNameShown bytes (not splitting a UTF-8 character), "…" and its length in bytes, so
/// that a message never repeats megabytes of input.
std::string shortened(std::string_view name);

/// Levenshtein distance between two short strings (keys, units, ids).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a plausible typo, else "".
/// Always "" for a word longer than kLongestWordMatched.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// " did you mean 'x'?" when a close candidate exists, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace bsim::core
