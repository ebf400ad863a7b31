#include "io/scenario_loader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <toml++/toml.h>

#include "io/builtin_scenarios.h"
#include "model/record.h"

namespace bsim::io {
namespace {

using core::Diagnostics;
using core::SourcePos;

/// The top-level tables of uncertain parameters; the validator of scenario keys skips them.
constexpr std::string_view kUncertainTable = "uncertain";
constexpr std::string_view kCorrelationTable = "uncertain_correlation";

/// A table present in the file: its concrete path, schema pattern and where it was opened.
struct TableInstance {
  std::string pattern;
  SourcePos pos;
  std::size_t index = 0;  ///< position in its array of tables (base elements first with `extends`)
};

bool valid_year(std::string_view year) {
  if (year.size() != 4) return false;
  for (char c : year) {
    if (c < '0' || c > '9') return false;
  }
  return year[0] != '0';
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }

std::string last_segment(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

std::string parent_of(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string table_label(const std::string& pattern) {
  if (pattern.empty()) return "the top level";
  const TableSpec* t = find_table(pattern.size() > 2 && pattern.ends_with(".*") ? pattern.substr(0, pattern.size() - 2) : pattern);
  if (t && t->array) return "[[" + t->path + "]]";
  return "[" + pattern + "]";
}

/// Names a key could have had under a table pattern (keys and sub-tables), for suggestions.
std::vector<std::string> names_under(const std::string& pattern) {
  std::vector<std::string> names;
  const std::string prefix = pattern.empty() ? "" : pattern + ".";
  auto add = [&](const std::string& path) {
    if (path.rfind(prefix, 0) != 0) return;
    const std::string rest = path.substr(prefix.size());
    if (rest.empty() || rest.find('.') != std::string::npos) return;
    names.push_back(rest);
  };
  for (const KeySpec& k : scenario_keys()) add(k.path);
  for (const TableSpec& t : scenario_tables()) add(t.path);
  if (pattern.empty()) names.insert(names.end(), {std::string(kUncertainTable), std::string(kCorrelationTable)});
  return names;
}

class Validator {
 public:
  Validator(std::string file) : file_(std::move(file)) {}

  Diagnostics diags;
  ParamMap params;
  std::map<std::string, TableInstance> tables;  // concrete path → instance ("" = root)

  SourcePos pos(const toml::source_region& r) const {
    // Values inherited through `extends` keep the position in their own file.
    return {r.path ? *r.path : file_, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
  }

  void walk_table(const toml::table& table, const std::string& concrete, const std::string& pattern) {
    tables[concrete] = {pattern, pos(table.source())};
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      const std::string child_concrete = join(concrete, name);
      const std::string child_pattern = join(pattern, name);
      const SourcePos key_pos = pos(key.source());
      if (concrete.empty() && (name == kUncertainTable || name == kCorrelationTable)) continue;  // UncertainReader
      if (const TableSpec* t = find_table(child_pattern)) {
        tables_written_.insert(child_pattern);
        if (t->array) {
          if (const toml::array* arr = node.as_array(); arr && arr->is_array_of_tables()) {
            walk_array(*arr, child_concrete, child_pattern);
          } else {
            diags.error(key_pos, fmt::format("'{}' must be an array of tables, written [[{}]]", name, t->path));
          }
        } else if (const toml::table* sub = node.as_table()) {
          walk_table(*sub, child_concrete, child_pattern);
        } else {
          diags.error(key_pos, fmt::format("'{}' must be a table, written [{}]", name, t->path));
        }
        continue;
      }
      const KeySpec* spec = find_key(child_pattern);
      if (!spec) {
        diags.error(key_pos, fmt::format("unknown key '{}' in {};{}", core::shortened(name), table_label(pattern),
                                         suggestion(name, pattern)));
        continue;
      }
      if (!spec->for_types.empty()) key_pos_[child_concrete] = key_pos;
      read_value(*spec, node, child_concrete, pos(node.source()));
    }
  }

  void walk_array(const toml::array& arr, const std::string& concrete, const std::string& pattern) {
    std::map<std::string, SourcePos> seen;
    for (std::size_t index = 0; index < arr.size(); ++index) {
      const toml::table& table = *arr[index].as_table();
      const SourcePos at = pos(table.source());
      const toml::node* id_node = table.get("id");
      const auto* id = id_node ? id_node->as_string() : nullptr;
      if (!id) {
        diags.error(id_node ? pos(id_node->source()) : at,
                    fmt::format("each [[{}]] needs an 'id' string, used to address it as {}.<id>", pattern, pattern));
        continue;
      }
      const std::string id_text = id->get();
      if (!valid_id(id_text)) {
        diags.error(pos(id_node->source()),
                    fmt::format("id '{}' must be 1–64 letters, digits, '-' or '_' (no dots or spaces)", id_text));
        continue;
      }
      if (auto [it, inserted] = seen.emplace(id_text, pos(id_node->source())); !inserted) {
        diags.error(pos(id_node->source()), fmt::format("duplicate id '{}' in [[{}]] (first defined at line {})",
                                                        id_text, pattern, it->second.line));
        continue;
      }
      walk_table(table, concrete + "." + id_text, pattern + ".*");
      tables[concrete + "." + id_text].index = index;
    }
  }

  /// Checks one value against its spec; on success stores it in `params`.
  void read_value(const KeySpec& spec, const toml::node& node, const std::string& concrete, SourcePos at) {
    switch (spec.type) {
      case ValueType::kNumber:
      case ValueType::kInteger:
        read_number(spec, node, concrete, at);
        return;
      case ValueType::kString:
      case ValueType::kMonth:
      case ValueType::kEnum:
      case ValueType::kRef: {
        const auto* s = node.as_string();
        if (!s) {
          fail(concrete, at, wrong_type(concrete, spec, node));
          return;
        }
        store_text(spec, concrete, s->get(), at);
        return;
      }
      case ValueType::kSeries: {
        const auto* table = node.as_table();
        if (!table) {
          fail(concrete, at, wrong_type(concrete, spec, node));
          return;
        }
        for (auto&& [year_key, value] : *table) {
          const std::string year(year_key.str());
          const SourcePos year_at = pos(year_key.source());
          if (!valid_year(year)) {
            fail(concrete, year_at, fmt::format("'{}' in {} must be a year written as four digits", year,
                                                last_segment(concrete)));
            continue;
          }
          // Stored with the series' own spec: a spec copied here would dangle in `params`.
          read_number(spec, value, concrete + "." + year, pos(value.source()));
        }
        return;
      }
      case ValueType::kBool: {
        const auto* b = node.as_boolean();
        if (!b) {
          fail(concrete, at, fmt::format("'{}' must be true or false, not {}", last_segment(concrete), toml_type_name(node)));
          return;
        }
        params[concrete] = {b->get(), at, &spec};
        return;
      }
    }
  }

  /// A number, or a quantity with a unit, for a number or integer key or one year of a series.
  void read_number(const KeySpec& spec, const toml::node& node, const std::string& concrete, SourcePos at) {
    double value = 0.0;
    if (auto v = node.as_integer()) {
      value = static_cast<double>(v->get());
    } else if (auto f = node.as_floating_point()) {
      value = f->get();
      if (!std::isfinite(value)) {
        fail(concrete, at, fmt::format("'{}' must be a finite number", last_segment(concrete)));
        return;
      }
    } else if (auto s = node.as_string()) {
      const ParsedQuantity q = parse_quantity(s->get(), spec.dimension);
      if (!q.error.empty()) {
        // +1 skips the opening quote of the TOML string.
        fail(concrete, {at.file, at.line, at.col + 1 + q.error_offset}, q.error);
        return;
      }
      value = q.value;
    } else {
      KeySpec number = spec;  // one year of a series is a number
      number.type = spec.type == ValueType::kSeries ? ValueType::kNumber : spec.type;
      fail(concrete, at, wrong_type(concrete, number, node));
      return;
    }
    store_number(spec, concrete, value, at);
  }

  void store_number(const KeySpec& spec, const std::string& concrete, double value, SourcePos at) {
    if (std::string problem = number_problem(spec, concrete, value); !problem.empty()) {
      fail(concrete, at, std::move(problem));
      return;
    }
    params[concrete] = {value, at, &spec};
  }

  /// Why a number is not a valid value of the key, or "".
  static std::string number_problem(const KeySpec& spec, const std::string& concrete, double value) {
    const std::string name = last_segment(concrete);
    if (spec.type == ValueType::kInteger && value != std::floor(value)) {
      return fmt::format("'{}' must be a whole number of {}, not {}", name, canonical_unit(spec.dimension),
                         fmt::format("{}", value));
    }
    const bool below = spec.min_exclusive ? value <= spec.min : value < spec.min;
    if (below || value > spec.max) {
      const std::string unit = spec.dimension == Dimension::kNone ? std::string()
                                                                   : " (" + std::string(canonical_unit(spec.dimension)) + ")";
      return fmt::format("'{}' = {} is out of range: must be {} {} and at most {}{}", name, fmt::format("{}", value),
                         spec.min_exclusive ? "above" : "at least", fmt::format("{}", spec.min),
                         fmt::format("{}", spec.max), unit);
    }
    return {};
  }

  void store_text(const KeySpec& spec, const std::string& concrete, const std::string& text, SourcePos at) {
    const std::string name = last_segment(concrete);
    if (spec.type == ValueType::kMonth && !core::Month::parse(text)) {
      fail(concrete, at, fmt::format("'{}' must be a month written \"YYYY-MM\", not \"{}\"", name, text));
      return;
    }
    if (spec.type == ValueType::kEnum &&
        std::find(spec.choices.begin(), spec.choices.end(), text) == spec.choices.end()) {
      const std::string hint = core::did_you_mean(text, spec.choices);
      fail(concrete, at, fmt::format("'{}' = \"{}\" is not {}{}", name, text, describe_type(spec),
                                  hint.empty() ? std::string() : ";" + hint));
      return;
    }
    params[concrete] = {text, at, &spec};
  }

  /// Every required table and key present (for each instance of its parent table).
  void check_required() {
    for (const TableSpec& t : scenario_tables()) {
      if (!t.required) continue;
      const std::string parent = parent_of(t.path);
      const bool parent_present = parent.empty() || tables.count(parent) > 0;
      if (!parent_present) continue;
      // A table written wrongly (as a value, or [[…]] elements without a usable id) is reported as
      // such, not also as missing.
      bool present = tables_written_.count(t.path) > 0;
      for (const auto& [path, inst] : tables) {
        if (inst.pattern == t.path || inst.pattern == t.path + ".*") present = true;
      }
      if (!present) {
        diags.error({file_, 1, 1}, fmt::format("missing required {}{}{}", t.array ? "[[" : "[", t.path,
                                               t.array ? "]] (at least one)" : "]"));
      }
    }
    for (const KeySpec& k : scenario_keys()) {
      if (!k.required && k.required_for.empty()) continue;
      const std::string parent_pattern = parent_of(k.path);
      for (const auto& [concrete, inst] : tables) {
        if (inst.pattern != parent_pattern) continue;
        // A typed key is required only for the types it applies to; an element whose type is
        // missing or rejected is reported for that alone.
        std::string of_type;
        if (!k.for_types.empty()) {
          const auto type = element_type(concrete);
          if (!type || !k.required_for_type(*type)) continue;
          of_type = " of type '" + *type + "'";
        } else if (!k.required) {
          continue;
        }
        const std::string path = join(concrete, last_segment(k.path));
        if (params.count(path) == 0 && bad_paths_.count(path) == 0) {
          diags.error(concrete.empty() ? SourcePos{file_, 1, 1} : inst.pos,
                      fmt::format("missing required key '{}' in {}{}", last_segment(k.path),
                                  concrete.empty() ? std::string("the top level") : table_label(inst.pattern) +
                                      (inst.pattern.ends_with(".*") ? " '" + last_segment(concrete) + "'" : ""),
                                  of_type));
        }
      }
    }
  }

  /// The `type` of an element of an array of tables (`contract.<id>`), if written and valid.
  std::optional<std::string> element_type(const std::string& element) const {
    const auto it = params.find(element + ".type");
    if (it == params.end()) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&it->second.value)) return *s;
    return std::nullopt;
  }

  /// Why a typed key may not be given for an element of this type.
  static std::string not_applicable(const KeySpec& spec, const std::string& type) {
    std::string types;
    for (const std::string& t : spec.for_types) types += (types.empty() ? "" : ", ") + t;
    return fmt::format("key '{}' does not apply to a {} of type '{}' (it applies to: {})", last_segment(spec.path),
                       spec.path.substr(0, spec.path.find('.')), type, types);
  }

  /// Rejects every written key that does not apply to its element's type (once the whole file,
  /// and so every `type`, has been read).
  void check_types() {
    std::vector<std::string> rejected;
    for (const auto& [concrete, value] : params) {
      if (!value.spec || value.spec->for_types.empty()) continue;
      const auto type = element_type(parent_of(concrete));
      if (type && !value.spec->applies_to(*type)) {
        const auto key = key_pos_.find(concrete);
        diags.error(key == key_pos_.end() ? value.pos : key->second, not_applicable(*value.spec, *type));
        rejected.push_back(concrete);
      }
    }
    for (const std::string& concrete : rejected) {
      params.erase(concrete);
      bad_paths_.insert(concrete);
    }
  }

  /// The schema pattern of a concrete path, using the table instances present (ids → `*`).
  std::optional<std::string> pattern_of(const std::string& concrete) const {
    const std::string parent = parent_of(concrete);
    const auto it = tables.find(parent);
    if (it == tables.end() && valid_year(last_segment(concrete))) {
      // An element of a yearly series: `<series path>.<year>`.
      if (const auto series = pattern_of(parent)) {
        if (const KeySpec* spec = find_key(*series); spec && spec->type == ValueType::kSeries) return *series;
      }
    }
    if (it == tables.end()) {
      // A key of a plain table the file leaves out (its defaults apply) can still be set.
      if (concrete.find('*') == std::string::npos && find_key(concrete)) return concrete;
      return std::nullopt;
    }
    return join(it->second.pattern, last_segment(concrete));
  }

  /// The `type` of elements whose keys depend on it (`contract.*.type`).
  static bool is_type_key(const KeySpec& k) {
    if (last_segment(k.path) != "type") return false;
    const std::string prefix = parent_of(k.path) + ".";
    return std::any_of(scenario_keys().begin(), scenario_keys().end(),
                       [&](const KeySpec& other) { return !other.for_types.empty() && other.path.rfind(prefix, 0) == 0; });
  }

  /// Every concrete path a `--set` could name (for suggestions).
  std::vector<std::string> settable_paths() const {
    std::vector<std::string> out;
    for (const KeySpec& k : scenario_keys()) {
      if (k.path.find('*') == std::string::npos && last_segment(k.path) != "id") {
        out.push_back(k.path);
        continue;
      }
      if (last_segment(k.path) == "id") continue;  // ids name elements; they are not values to set
      if (is_type_key(k)) continue;                 // nor are the types that decide their keys
      for (const auto& [concrete, inst] : tables) {
        if (inst.pattern != parent_of(k.path)) continue;
        if (const auto type = element_type(concrete); type && !k.applies_to(*type)) continue;
        out.push_back(join(concrete, last_segment(k.path)));
      }
    }
    return out;
  }

  /// Why a concrete path cannot be set (by `--set` or [uncertain]), or its spec.
  struct Settable {
    enum class Problem { kNone, kUnknown, kTypeKey, kNotApplicable, kSeriesWithoutYear } problem = Problem::kNone;
    const KeySpec* spec = nullptr;
    std::string element_type;  ///< kNotApplicable: the type of the element
  };

  Settable settable(const std::string& path) const {
    const auto pattern = pattern_of(path);
    const KeySpec* spec = pattern ? find_key(*pattern) : nullptr;
    if (!spec || last_segment(path) == "id") return {Settable::Problem::kUnknown, nullptr, {}};
    if (is_type_key(*spec)) return {Settable::Problem::kTypeKey, spec, {}};
    if (!spec->for_types.empty()) {
      if (const auto type = element_type(parent_of(path)); type && !spec->applies_to(*type)) {
        return {Settable::Problem::kNotApplicable, spec, *type};
      }
    }
    if (spec->type == ValueType::kSeries && !valid_year(last_segment(path))) {
      return {Settable::Problem::kSeriesWithoutYear, spec, {}};
    }
    return {Settable::Problem::kNone, spec, {}};
  }

  std::string unknown_path_hint(const std::string& path) const {
    const std::string hint = core::did_you_mean(path, settable_paths());
    return hint.empty() ? std::string(" see docs/scenario.md for the paths") : hint;
  }

  void apply_override(const std::string& text, int index) {
    const SourcePos at{"--set", index, 1};
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      diags.error(at, fmt::format("expected --set path=value, got '{}'", core::shortened(text)));
      return;
    }
    const std::string path = text.substr(0, eq);
    const std::string value = text.substr(eq + 1);
    const SourcePos value_at{"--set", index, static_cast<int>(eq) + 2};
    const Settable target = settable(path);
    const KeySpec* spec = target.spec;
    switch (target.problem) {
      case Settable::Problem::kNone:
        break;
      case Settable::Problem::kUnknown:
        diags.error(at, fmt::format("unknown parameter path '{}';{}", core::shortened(path), unknown_path_hint(path)));
        return;
      case Settable::Problem::kTypeKey:
        diags.error(at, fmt::format("'{}' cannot be set: the type of a {} decides which keys it has; change it in the "
                                    "file",
                                    path, spec->path.substr(0, spec->path.find('.'))));
        return;
      case Settable::Problem::kNotApplicable:
        diags.error(at, fmt::format("{}: {}", path, not_applicable(*spec, target.element_type)));
        return;
      case Settable::Problem::kSeriesWithoutYear:
        diags.error(at, fmt::format("'{}' is a series by year: set one year as {}.<year>=value", path, path));
        return;
    }
    if (spec->type == ValueType::kNumber || spec->type == ValueType::kInteger || spec->type == ValueType::kSeries) {
      const ParsedQuantity q = parse_quantity(value, spec->dimension);
      if (!q.error.empty()) {
        fail(path, {value_at.file, value_at.line, value_at.col + q.error_offset}, fmt::format("{}: {}", path, q.error));
        return;
      }
      store_number(*spec, path, q.value, value_at);
    } else if (spec->type == ValueType::kBool) {
      if (value != "true" && value != "false") {
        diags.error(value_at, fmt::format("{}: must be true or false, not '{}'", path, value));
        return;
      }
      params[path] = {value == "true", value_at, spec};
    } else {
      store_text(*spec, path, value, value_at);
    }
  }

  /// Checks a number for `path` as `--set` would, given as a double in the key's canonical
  /// unit (a key of whole numbers takes the nearest one), and adds it to `overlay`. Leaves the
  /// validator as it is, so that one validated scenario serves every Monte Carlo path.
  void set_number(const std::string& path, double value, SourcePos at, ParamMap& overlay, Diagnostics& out) const {
    const Settable target = settable(path);
    if (target.problem == Settable::Problem::kUnknown) {
      out.error(at, fmt::format("unknown parameter path '{}';{}", core::shortened(path), unknown_path_hint(path)));
      return;
    }
    if (target.problem == Settable::Problem::kNotApplicable) {
      out.error(at, fmt::format("{}: {}", path, not_applicable(*target.spec, target.element_type)));
      return;
    }
    const KeySpec& spec = *target.spec;
    const bool numeric =
        spec.type == ValueType::kNumber || spec.type == ValueType::kInteger || spec.type == ValueType::kSeries;
    if (!numeric || target.problem != Settable::Problem::kNone) {
      out.error(at, fmt::format("'{}' is {}: it cannot be set to the number {}", path, describe_type(spec), value));
      return;
    }
    if (!std::isfinite(value)) {
      out.error(at, fmt::format("{}: must be a finite number, not {}", path, value));
      return;
    }
    if (spec.type == ValueType::kInteger) value = std::round(value);
    if (std::string problem = number_problem(spec, path, value); !problem.empty()) {
      out.error(at, std::move(problem));
      return;
    }
    overlay[path] = {value, at, &spec};
  }

  static std::string wrong_type(const std::string& concrete, const KeySpec& spec, const toml::node& node) {
    return fmt::format("'{}' must be {}, not {}", last_segment(concrete), describe_type(spec), toml_type_name(node));
  }

  static std::string toml_type_name(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::date: return "a date";
      case toml::node_type::time: return "a time";
      case toml::node_type::date_time: return "a date-time";
      case toml::node_type::array: return "an array";
      case toml::node_type::table: return "a table";
      default: return "an unknown value";
    }
  }

  static std::string suggestion(const std::string& name, const std::string& pattern) {
    const std::string hint = core::did_you_mean(name, names_under(pattern));
    return hint.empty() ? std::string(" see docs/scenario.md for the keys") : hint;
  }

  const std::string& file() const { return file_; }

  /// Whether a value written for `concrete` was rejected (and so its default stands in for it).
  bool rejected(const std::string& concrete) const { return bad_paths_.count(concrete) > 0; }

  void fail(const std::string& concrete, SourcePos at, std::string message) {
    bad_paths_.insert(concrete);
    diags.error(std::move(at), std::move(message));
  }

 private:
  std::string file_;
  std::set<std::string> bad_paths_;
  std::set<std::string> tables_written_;  // table patterns whose key appears, even if not usable
  std::map<std::string, SourcePos> key_pos_;  // where each typed key was written (its name, not its value)
};

/// The parameters a distribution takes in [uncertain]. Those in `dimensionless` are plain
/// numbers; the others are values of the key and may carry its units.
struct DistributionForm {
  std::string_view name;
  std::vector<std::string_view> required;
  std::vector<std::string_view> optional;
};

const std::vector<DistributionForm>& distribution_forms() {
  static const std::vector<DistributionForm> forms = {
      {"fixed", {"value"}, {}},
      {"uniform", {"min", "max"}, {}},
      {"triangular", {"min", "mode", "max"}, {}},
      {"normal", {"mean", "sd"}, {"min", "max"}},
      {"lognormal", {"median", "sigma"}, {"min", "max"}},
      {"beta", {"alpha", "beta"}, {"min", "max"}},
      {"pert", {"min", "mode", "max"}, {"lambda"}},
      {"discrete", {"values", "weights"}, {}},
  };
  return forms;
}

bool dimensionless(std::string_view parameter) {
  return parameter == "sigma" || parameter == "alpha" || parameter == "beta" || parameter == "lambda" ||
         parameter == "weights";
}

/// An uncertain parameter read from [uncertain], with where its key was written.
struct UncertainEntry {
  analysis::UncertainParameter parameter;
  SourcePos pos;
};

/// Reads [uncertain] and [[uncertain_correlation]] against the scenario's keys (after the
/// scenario itself has been read, so that element ids and types are known). Reports every
/// problem to the validator's diagnostics.
class UncertainReader {
 public:
  explicit UncertainReader(Validator& v) : v_(v) {}

  std::vector<UncertainEntry> entries;
  std::vector<analysis::RankCorrelation> correlations;

  void read(const toml::table& root) {
    if (const toml::node* node = root.get(kUncertainTable)) {
      if (const toml::table* table = node->as_table()) {
        walk(*table, "");
      } else {
        v_.diags.error(v_.pos(node->source()), "'uncertain' must be a table, written [uncertain]");
      }
    }
    // Declaration order (TOML tables iterate by name): a built-in base's entries first, then
    // each file's by position, so that a key given twice is reported at the second.
    std::stable_sort(leaves_.begin(), leaves_.end(), [&](const Leaf& a, const Leaf& b) {
      const bool a_top = a.at.file == v_.file();
      const bool b_top = b.at.file == v_.file();
      return std::tie(a_top, a.at.file, a.at.line, a.at.col) < std::tie(b_top, b.at.file, b.at.line, b.at.col);
    });
    for (const Leaf& leaf : leaves_) read_leaf(leaf.path, leaf.at, *leaf.table);
    if (const toml::node* node = root.get(kCorrelationTable)) {
      if (const toml::array* array = node->as_array(); array && array->is_array_of_tables()) {
        read_correlations(*array);
      } else {
        v_.diags.error(v_.pos(node->source()),
                       "'uncertain_correlation' must be an array of tables, written [[uncertain_correlation]]");
      }
    }
  }

 private:
  /// Leaves are tables with a `dist`; other tables continue the path (`[uncertain.segment.consumer]`).
  void walk(const toml::table& table, const std::string& prefix) {
    for (auto&& [key, node] : table) {
      const std::string path = join(prefix, std::string(key.str()));
      const SourcePos key_at = v_.pos(key.source());
      const toml::table* sub = node.as_table();
      if (sub && sub->contains("dist")) {
        leaves_.push_back({path, key_at, sub});
        continue;
      }
      const Validator::Settable target = v_.settable(path);
      const bool names_a_value = target.problem != Validator::Settable::Problem::kUnknown &&
                                 target.problem != Validator::Settable::Problem::kSeriesWithoutYear;
      if (sub && !names_a_value) {
        walk(*sub, path);  // a table or series on the way to a key
      } else if (names_a_value) {
        v_.diags.error(v_.pos(node.source()),
                       fmt::format("'{}' in [uncertain] must be a distribution: an inline table with 'dist', e.g. "
                                   "{{ dist = \"uniform\", min = 1, max = 2 }}",
                                   path));
      } else {
        v_.diags.error(key_at,
                       fmt::format("unknown parameter path '{}' in [uncertain];{}", core::shortened(path),
                                       v_.unknown_path_hint(path)));
      }
    }
  }

  void read_leaf(const std::string& path, SourcePos key_at, const toml::table& leaf) {
    if (const auto [it, inserted] = first_pos_.emplace(path, key_at); !inserted) {
      v_.diags.error(key_at, fmt::format("'{}' is given a distribution twice in [uncertain] (first at line {})", path,
                                         it->second.line));
      return;
    }
    const Validator::Settable target = v_.settable(path);
    const KeySpec* spec = target.spec;
    using Problem = Validator::Settable::Problem;
    if (target.problem == Problem::kUnknown) {
      v_.diags.error(key_at,
                     fmt::format("unknown parameter path '{}' in [uncertain];{}", core::shortened(path),
                                       v_.unknown_path_hint(path)));
      return;
    }
    if (target.problem == Problem::kNotApplicable) {
      v_.diags.error(key_at, fmt::format("{}: {}", path, Validator::not_applicable(*spec, target.element_type)));
      return;
    }
    if (target.problem == Problem::kSeriesWithoutYear) {
      v_.diags.error(key_at,
                     fmt::format("'{}' is a series by year: give one year a distribution, as {}.<year>", path, path));
      return;
    }
    if (target.problem == Problem::kTypeKey ||
        (spec->type != ValueType::kNumber && spec->type != ValueType::kInteger && spec->type != ValueType::kSeries)) {
      v_.diags.error(key_at,
                     fmt::format("'{}' is {}: only numbers can have a distribution", path, describe_type(*spec)));
      return;
    }

    const toml::node& dist_node = *leaf.get("dist");
    const SourcePos dist_at = v_.pos(dist_node.source());
    const auto* dist_name = dist_node.as_string();
    std::vector<std::string> names;
    for (const DistributionForm& f : distribution_forms()) names.emplace_back(f.name);
    const auto form = dist_name ? std::find_if(distribution_forms().begin(), distribution_forms().end(),
                                               [&](const DistributionForm& f) { return f.name == dist_name->get(); })
                                : distribution_forms().end();
    if (form == distribution_forms().end()) {
      const std::string known = fmt::format("{}", fmt::join(names, ", "));
      if (!dist_name) {
        v_.diags.error(dist_at, fmt::format("'dist' must be the name of a distribution as a string ({})", known));
      } else {
        const std::string hint = core::did_you_mean(dist_name->get(), names);
        v_.diags.error(dist_at, fmt::format("unknown distribution '{}';{} (known: {})", dist_name->get(),
                                            hint.empty() ? std::string() : hint, known));
      }
      return;
    }

    // Every parameter written, checked for being one this distribution takes and for its type.
    std::vector<std::string> takes;
    for (auto list : {&form->required, &form->optional}) {
      for (std::string_view p : *list) takes.emplace_back(p);
    }
    const std::string takes_text = fmt::format("{}", fmt::join(takes, ", "));
    const int errors_before = v_.diags.error_count();
    std::map<std::string, double> numbers;
    std::map<std::string, SourcePos> at;
    std::vector<double> values;
    std::vector<double> weights;
    for (auto&& [key, node] : leaf) {
      const std::string name(key.str());
      if (name == "dist") continue;
      if (std::find(takes.begin(), takes.end(), name) == takes.end()) {
        const std::string hint = core::did_you_mean(name, takes);
        v_.diags.error(v_.pos(key.source()),
                       fmt::format("'{}' is not a parameter of a {} distribution (it takes {});{}", core::shortened(name), form->name,
                                   takes_text, hint.empty() ? std::string(" see docs/scenario.md") : hint));
        continue;
      }
      at[name] = v_.pos(node.source());
      if (name == "values" || name == "weights") {
        read_list(node, name, *spec, name == "values" ? values : weights);
        continue;
      }
      if (const auto x = number(node, name, *spec)) numbers[name] = *x;
    }
    for (std::string_view p : form->required) {
      if (!at.count(std::string(p))) {
        v_.diags.error(
            key_at, fmt::format("'{}': a {} distribution needs '{}' (it takes {})", path, form->name, p, takes_text));
      }
    }
    if (v_.diags.error_count() > errors_before) return;

    // Parameter rules, each reported at the value that breaks it.
    auto positive = [&](const char* name) {
      if (numbers.count(name) && !(numbers[name] > 0.0)) {
        v_.diags.error(at[name], fmt::format("'{}' must be above 0, not {}", name, numbers[name]));
      }
    };
    for (const char* name : {"sd", "sigma", "alpha", "beta", "lambda", "median"}) positive(name);
    if (form->name == "lognormal" && numbers.count("min") && numbers["min"] < 0.0) {
      v_.diags.error(at["min"], fmt::format("'min' of a lognormal must be at least 0, not {}", numbers["min"]));
    }
    if (numbers.count("min") && numbers.count("max") && !(numbers["min"] < numbers["max"])) {
      v_.diags.error(at["max"], fmt::format("'max' ({}) must be above 'min' ({})", numbers["max"], numbers["min"]));
    } else if (numbers.count("mode") && (numbers["mode"] < numbers["min"] || numbers["mode"] > numbers["max"])) {
      v_.diags.error(at["mode"], fmt::format("'mode' ({}) must lie in [min, max] = [{}, {}]", numbers["mode"],
                                             numbers["min"], numbers["max"]));
    }
    if (form->name == "discrete") {
      if (values.empty()) {
        v_.diags.error(at["values"], "'values' must list at least one value");
      } else if (weights.size() != values.size()) {
        v_.diags.error(at["weights"], fmt::format("'weights' has {} entries for {} values; give one weight per value",
                                                  weights.size(), values.size()));
      } else if (!(std::accumulate(weights.begin(), weights.end(), 0.0) > 0.0)) {
        v_.diags.error(at["weights"], "the weights add up to 0; give at least one value a positive weight");
      }
    }
    if (v_.diags.error_count() > errors_before) return;

    std::optional<core::Distribution> d;
    try {
      d = make(form->name, numbers, std::move(values), std::move(weights));
    } catch (const std::invalid_argument& e) {
      v_.diags.error(dist_at, fmt::format("'{}': {}", path, e.what()));
      return;
    }
    if (!check_support(path, *spec, *d, numbers, at, dist_at)) return;
    entries.push_back({{path, *d}, key_at});
  }

  static core::Distribution make(std::string_view name, std::map<std::string, double>& n, std::vector<double> values,
                                 std::vector<double> weights) {
    constexpr double kInf = core::Distribution::kInf;
    auto get = [&](const char* key, double fallback) { return n.count(key) ? n[key] : fallback; };
    if (name == "fixed") return core::Distribution::fixed(n["value"]);
    if (name == "uniform") return core::Distribution::uniform(n["min"], n["max"]);
    if (name == "triangular") return core::Distribution::triangular(n["min"], n["mode"], n["max"]);
    if (name == "normal") return core::Distribution::normal(n["mean"], n["sd"], get("min", -kInf), get("max", kInf));
    if (name == "lognormal")
      return core::Distribution::lognormal(n["median"], n["sigma"], get("min", 0.0), get("max", kInf));
    if (name == "beta") return core::Distribution::beta(n["alpha"], n["beta"], get("min", 0.0), get("max", 1.0));
    if (name == "pert") return core::Distribution::pert(n["min"], n["mode"], n["max"], get("lambda", 4.0));
    return core::Distribution::discrete(std::move(values), std::move(weights));
  }

  /// Every value the sampler can draw must be a valid value of the key. Draws invert
  /// probabilities in [kSmallestUniform01, kLargestUniform01], so an untruncated normal reaches
  /// about 8.3 standard deviations each side of its mean, not infinity.
  bool check_support(const std::string& path, const KeySpec& spec, const core::Distribution& d,
                     const std::map<std::string, double>& numbers, const std::map<std::string, SourcePos>& at,
                     SourcePos dist_at) {
    const std::string unit =
        spec.dimension == Dimension::kNone ? std::string() : " " + std::string(canonical_unit(spec.dimension));
    const bool truncatable =
        d.kind() == core::DistributionKind::kNormal || d.kind() == core::DistributionKind::kLognormal;
    // Bounds written outside the key's range are reported at the bound, before any quantile is
    // computed (a bound such as 1e308 would overflow the distribution's own arithmetic).
    bool ok = true;
    if (numbers.count("min") && numbers.at("min") < spec.min) {
      v_.diags.error(at.at("min"), fmt::format("'min' = {} of the distribution of '{}' is below the key's allowed minimum {}{}",
                                               numbers.at("min"), path, spec.min, unit));
      ok = false;
    }
    if (numbers.count("max") && numbers.at("max") > spec.max) {
      v_.diags.error(at.at("max"), fmt::format("'max' = {} of the distribution of '{}' is above the key's allowed maximum {}{}",
                                               numbers.at("max"), path, spec.max, unit));
      ok = false;
    }
    if (!ok) return false;
    double lo = 0.0;
    double hi = 0.0;
    try {
      lo = d.quantile(core::kSmallestUniform01);
      hi = d.quantile(core::kLargestUniform01);
    } catch (const std::exception& e) {
      v_.diags.error(dist_at, fmt::format("the distribution of '{}' cannot be sampled: {}", path, e.what()));
      return false;
    }
    if (spec.min_exclusive ? lo <= spec.min : lo < spec.min) {
      const std::string fix =
          numbers.count("min") || !truncatable
              ? "narrow it"
              : fmt::format("truncate it with min = {}{}", spec.min,
                            spec.min_exclusive ? " or a little above (the minimum is excluded)" : "");
      v_.diags.error(
          at.count("min") ? at.at("min") : dist_at,
          fmt::format("{} can give '{}' values as low as {}, below its {} minimum {}{}; {}", d.describe(), path,
                      fmt::format("{:.6g}", lo), spec.min_exclusive ? "excluded" : "allowed", spec.min, unit, fix));
      ok = false;
    }
    if (hi > spec.max) {
      const std::string fix =
          numbers.count("max") || !truncatable ? "narrow it" : fmt::format("truncate it with max = {}", spec.max);
      v_.diags.error(at.count("max") ? at.at("max") : dist_at,
                     fmt::format("{} can give '{}' values as high as {}, above its allowed maximum {}{}; {}",
                                 d.describe(), path, fmt::format("{:.6g}", hi), spec.max, unit, fix));
      ok = false;
    }
    return ok;
  }

  /// A parameter value: a number, or for parameters in the key's unit a quantity string.
  std::optional<double> number(const toml::node& node, const std::string& name, const KeySpec& spec) {
    const SourcePos at = v_.pos(node.source());
    if (auto i = node.as_integer()) return static_cast<double>(i->get());
    if (auto f = node.as_floating_point()) {
      if (std::isfinite(f->get())) return f->get();
      v_.diags.error(at, fmt::format("'{}' must be a finite number", name));
      return std::nullopt;
    }
    if (auto s = node.as_string(); s && !dimensionless(name)) {
      const ParsedQuantity q = parse_quantity(s->get(), spec.dimension);
      if (q.error.empty()) return q.value;
      v_.diags.error({at.file, at.line, at.col + 1 + q.error_offset}, q.error);  // +1: the opening quote
      return std::nullopt;
    }
    const std::string unit = dimensionless(name) || spec.dimension == Dimension::kNone
                                 ? std::string()
                                 : " (or a quantity in " + std::string(canonical_unit(spec.dimension)) + ")";
    v_.diags.error(at, fmt::format("'{}' must be a number{}, not {}", name, unit, Validator::toml_type_name(node)));
    return std::nullopt;
  }

  void read_list(const toml::node& node, const std::string& name, const KeySpec& spec, std::vector<double>& out) {
    const toml::array* array = node.as_array();
    if (!array) {
      v_.diags.error(v_.pos(node.source()), fmt::format("'{}' must be an array of numbers, e.g. [1, 2, 3]", name));
      return;
    }
    for (const toml::node& element : *array) {
      const auto x = number(element, name == "values" ? "each value" : "each weight", spec);
      if (!x) continue;
      if (name == "weights" && *x < 0.0) {
        v_.diags.error(v_.pos(element.source()), fmt::format("each weight must be at least 0, not {}", *x));
        continue;
      }
      out.push_back(*x);
    }
  }

  void read_correlations(const toml::array& array) {
    std::vector<std::string> keys;
    for (const UncertainEntry& e : entries) keys.push_back(e.parameter.key);
    struct Accepted {
      std::size_t a;
      std::size_t b;
      double rho;
      SourcePos at;  // of rho
    };
    std::vector<Accepted> accepted;
    std::map<std::pair<std::size_t, std::size_t>, SourcePos> seen;
    for (const toml::node& element : array) {
      const toml::table& table = *element.as_table();
      const SourcePos header = v_.pos(table.source());
      bool usable = true;
      for (auto&& [key, node] : table) {
        const std::string name(key.str());
        if (name != "a" && name != "b" && name != "rho") {
          const std::string hint = core::did_you_mean(name, {"a", "b", "rho"});
          v_.diags.error(v_.pos(key.source()),
                         fmt::format("unknown key '{}' in [[uncertain_correlation]] (it takes a, b "
                                     "and rho);{}",
                                     core::shortened(name), hint.empty() ? std::string(" see docs/scenario.md") : hint));
          usable = false;
        }
      }
      auto key_index = [&](const char* name) -> std::optional<std::size_t> {
        const toml::node* node = table.get(name);
        if (!node) {
          v_.diags.error(header, fmt::format("[[uncertain_correlation]] needs '{}': it takes a, b and rho", name));
          return std::nullopt;
        }
        const auto* text = node->as_string();
        if (!text) {
          v_.diags.error(v_.pos(node->source()), fmt::format("'{}' must name a key of [uncertain] as a string", name));
          return std::nullopt;
        }
        const auto it = std::find(keys.begin(), keys.end(), text->get());
        if (it != keys.end()) return static_cast<std::size_t>(it - keys.begin());
        // A key whose distribution was rejected is reported already.
        if (!first_pos_.count(text->get())) {
          const std::string hint = core::did_you_mean(text->get(), keys);
          v_.diags.error(v_.pos(node->source()),
                         fmt::format("'{}' has no distribution in [uncertain]: a correlation needs both keys there;{}",
                                     text->get(), hint.empty() ? std::string(" add one or fix the path") : hint));
        }
        return std::nullopt;
      };
      const auto a = key_index("a");
      const auto b = key_index("b");
      std::optional<double> rho;
      if (const toml::node* node = table.get("rho")) {
        const SourcePos rho_at = v_.pos(node->source());
        const auto i = node->as_integer();
        const auto f = node->as_floating_point();
        const double x = i ? static_cast<double>(i->get()) : f ? f->get() : 0.0;
        if (!i && !f) {
          v_.diags.error(rho_at, fmt::format("'rho' must be a number, not {}", Validator::toml_type_name(*node)));
        } else if (!(std::fabs(x) < 1.0)) {
          v_.diags.error(rho_at, fmt::format("'rho' = {} must lie strictly between -1 and 1 (a rank correlation of ±1 "
                                             "would make the two keys one)",
                                             x));
        } else {
          rho = x;
        }
      } else {
        v_.diags.error(header, "[[uncertain_correlation]] needs 'rho': it takes a, b and rho");
      }
      if (!a || !b || !rho || !usable) continue;
      if (*a == *b) {
        v_.diags.error(v_.pos(table.get("b")->source()),
                       fmt::format("'{}' is correlated with itself; name two different keys", keys[*a]));
        continue;
      }
      const auto pair = std::minmax(*a, *b);
      if (const auto [it, inserted] = seen.emplace(std::pair{pair.first, pair.second}, header); !inserted) {
        v_.diags.error(header, fmt::format("'{}' and '{}' are correlated twice (first at line {})", keys[*a], keys[*b],
                                           it->second.line));
        continue;
      }
      accepted.push_back({*a, *b, *rho, v_.pos(table.get("rho")->source())});
      correlations.push_back({keys[*a], keys[*b], *rho});
    }

    std::vector<core::GaussianCopula::Pair> pairs;
    for (const Accepted& c : accepted) pairs.push_back({c.a, c.b, c.rho});
    const auto failing = core::GaussianCopula::first_failing_dimension(keys.size(), pairs);
    if (!failing) return;
    // The leading block up to `failing` is inconsistent: reported at the last correlation, in
    // file order, that links the failing key to an earlier one.
    const Accepted* last = nullptr;
    std::set<std::string> involved;
    for (const Accepted& c : accepted) {
      if (c.a > *failing || c.b > *failing) continue;
      involved.insert(keys[c.a]);
      involved.insert(keys[c.b]);
      if (c.a == *failing || c.b == *failing) last = &c;
    }
    v_.diags.error(
        last ? last->at : accepted.back().at,
        fmt::format("the rank correlations among {} cannot all hold together (their correlation matrix is not "
                    "positive definite); weaken some of them",
                    fmt::join(involved, ", ")));
  }

  struct Leaf {
    std::string path;
    SourcePos at;  // of the key
    const toml::table* table;
  };

  Validator& v_;
  std::vector<Leaf> leaves_;
  std::map<std::string, SourcePos> first_pos_;  // every key given a distribution, valid or not
};

/// Typed reads from the validated parameter map, with schema defaults.
class Reader {
 public:
  /// Concrete path → validated value, hashed, for the lookups of build() once per path.
  using Index = std::unordered_map<std::string_view, const ParamValue*>;

  /// Reads `params` and, where it has a value, `overlay` instead. `index`, if given, must index
  /// exactly that: `params` with `overlay`'s values in place.
  explicit Reader(const ParamMap& params, const ParamMap* overlay = nullptr, const Index* index = nullptr)
      : params_(params), overlay_(overlay), index_(index) {}

  static Index make_index(const ParamMap& params) {
    Index index;
    index.reserve(params.size());
    for (const auto& [path, value] : params) index.emplace(path, &value);
    return index;
  }

  /// The validated value at a concrete path, or nullptr.
  const ParamValue* find(const std::string& concrete) const {
    if (index_) {
      const auto it = index_->find(concrete);
      return it == index_->end() ? nullptr : it->second;
    }
    if (overlay_) {
      if (auto it = overlay_->find(concrete); it != overlay_->end()) return &it->second;
    }
    const auto it = params_.find(concrete);
    return it == params_.end() ? nullptr : &it->second;
  }
  /// Whether a value was written (or set) for the path.
  bool has(const std::string& concrete) const { return find(concrete) != nullptr; }

  /// The schema entry of a key pattern the loader reads. A pattern with no entry is a bug in
  /// the loader (a misspelt path), not bad input: it must not read as zero.
  static const KeySpec& schema_entry(const std::string& pattern) {
    const KeySpec* spec = find_key(pattern);
    if (spec == nullptr) throw std::logic_error("scenario loader: no schema entry for '" + pattern + "'");
    return *spec;
  }

  double number(const std::string& concrete, const std::string& pattern) const {
    if (const ParamValue* v = find(concrete)) return std::get<double>(v->value);
    const KeySpec& spec = schema_entry(pattern);
    return spec.default_number ? *spec.default_number : 0.0;
  }
  std::string text(const std::string& concrete, const std::string& pattern) const {
    if (const ParamValue* v = find(concrete)) return std::get<std::string>(v->value);
    const KeySpec& spec = schema_entry(pattern);
    return spec.default_text ? *spec.default_text : std::string();
  }
  bool boolean(const std::string& path) const { return boolean(path, path); }
  bool boolean(const std::string& concrete, const std::string& pattern) const {
    if (const ParamValue* v = find(concrete)) return std::get<bool>(v->value);
    return schema_entry(pattern).default_text == "true";
  }
  // Keys of a typed element (`contract.<id>.<key>`): the value written, else the default for its type.
  double number(const std::string& concrete, const std::string& pattern, const std::string& type) const {
    if (const ParamValue* v = find(concrete)) return std::get<double>(v->value);
    return schema_entry(pattern).default_number_for(type).value_or(0.0);
  }
  std::string text(const std::string& concrete, const std::string& pattern, const std::string& type) const {
    if (const ParamValue* v = find(concrete)) return std::get<std::string>(v->value);
    return schema_entry(pattern).default_text_for(type).value_or(std::string());
  }
  bool boolean(const std::string& concrete, const std::string& pattern, const std::string& type) const {
    if (const ParamValue* v = find(concrete)) return std::get<bool>(v->value);
    return schema_entry(pattern).default_text_for(type) == "true";
  }
  /// The yearly series written under `concrete` (`<concrete>.<year>` entries), by year.
  model::YearSeries series(const std::string& concrete) const {
    const std::string prefix = concrete + ".";
    std::map<int, double> points;
    for (const ParamMap* map : {&params_, overlay_}) {
      if (!map) continue;
      for (auto it = map->lower_bound(prefix); it != map->end() && it->first.rfind(prefix, 0) == 0; ++it) {
        const std::string rest = it->first.substr(prefix.size());
        if (rest.size() == 4 && rest.find('.') == std::string::npos) {
          points[std::stoi(rest)] = std::get<double>(it->second.value);
        }
      }
    }
    model::YearSeries out;
    for (const auto& [year, value] : points) out.points.emplace_back(year, value);
    return out;
  }
  core::Month month(const std::string& concrete) const {
    if (const ParamValue* v = find(concrete)) {
      return core::Month::parse(std::get<std::string>(v->value)).value_or(core::Month());
    }
    return {};
  }
  SourcePos pos(const std::string& concrete, const SourcePos& fallback) const {
    if (const ParamValue* v = find(concrete)) return v->pos;
    return fallback;
  }

 private:
  const ParamMap& params_;
  const ParamMap* overlay_;
  const Index* index_;
};

/// Ids of the elements of one array of tables, in array order: file order, and with `extends`
/// the base's elements first (line numbers of two files do not compare).
std::vector<std::string> element_ids(const std::map<std::string, TableInstance>& tables, const std::string& array) {
  std::vector<std::pair<std::size_t, std::string>> found;
  for (const auto& [concrete, inst] : tables) {
    if (inst.pattern == array + ".*") found.emplace_back(inst.index, last_segment(concrete));
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> ids;
  for (auto& [index, id] : found) ids.push_back(id);
  return ids;
}

model::FirmType firm_type(const std::string& s) {
  if (s == "hyperscaler") return model::FirmType::kHyperscaler;
  if (s == "neocloud") return model::FirmType::kNeocloud;
  if (s == "chipmaker") return model::FirmType::kChipmaker;
  if (s == "developer") return model::FirmType::kDeveloper;
  if (s == "utility") return model::FirmType::kUtility;
  if (s == "investor") return model::FirmType::kInvestor;
  if (s == "households") return model::FirmType::kHouseholds;
  return model::FirmType::kLab;
}

/// The `[[contract]]`s (DESIGN §1.6): each element's `type` decides its record; firm ids resolve
/// to FirmId, investor classes to HolderClass, and `securitisation` to an index into
/// Scenario::securitisations. Elements without a valid type are reported already and skipped.
void build_contracts(const Validator& v, const Reader& r, const std::vector<std::string>& firm_ids, bool horizon_known,
                     model::Scenario& s, Diagnostics& diags) {
  const SourcePos top{v.file(), 1, 1};
  auto firm_ref = [&](const std::string& path) -> model::FirmId {
    if (!r.has(path)) return {};
    const std::string id = r.text(path, "");
    for (std::size_t i = 0; i < firm_ids.size(); ++i) {
      if (firm_ids[i] == id) return model::FirmId{static_cast<std::uint32_t>(i)};
    }
    const std::string hint = core::did_you_mean(id, firm_ids);
    diags.error(r.pos(path, top), fmt::format("{} names firm '{}', which is not defined in any [[firm]];{}", path, id,
                                              hint.empty() ? std::string(" define it or fix the id") : hint));
    return {};
  };
  auto firm_name = [&](model::FirmId f) { return firm_ids.at(f.index()); };

  std::vector<std::string> class_names;  // model::HolderClass after kFirm, in order
  for (std::size_t c = 1; c < model::kHolderClassCount; ++c) {
    class_names.emplace_back(model::holder_class_name(static_cast<model::HolderClass>(c)));
  }
  std::string class_list;
  for (const std::string& c : class_names) class_list += (class_list.empty() ? "" : ", ") + c;

  // A party that may be a firm or, where `classes_allowed`, a class of outside investors.
  auto holder_ref = [&](const std::string& path, const std::string& pattern, const std::string& type,
                        bool classes_allowed) -> model::Holder {
    model::Holder h;
    const bool written = r.has(path);
    const KeySpec* spec = find_key(pattern);
    if (!written && spec && spec->required_for_type(type)) return h;  // left out: reported already
    const std::string name = r.text(path, pattern, type);
    if (name.empty()) return h;
    const bool is_firm = std::find(firm_ids.begin(), firm_ids.end(), name) != firm_ids.end();
    const auto cls = std::find(class_names.begin(), class_names.end(), name);
    if (cls != class_names.end() && !(is_firm && written)) {
      if (!classes_allowed) {
        diags.error(r.pos(path, top), fmt::format("{} must name a firm for a contract of type '{}', not the investor "
                                                  "class '{}'",
                                                  path, type, name));
        return h;
      }
      h.cls = static_cast<model::HolderClass>(1 + (cls - class_names.begin()));
      return h;
    }
    if (is_firm && cls != class_names.end()) {
      diags.error(r.pos(path, top), fmt::format("{} = '{}' is both a firm id and an investor class; rename the firm",
                                                path, name));
      return h;
    }
    if (is_firm || !classes_allowed) {
      h.cls = model::HolderClass::kFirm;
      h.firm = firm_ref(path);  // reports a firm that is not defined
      return h;
    }
    std::vector<std::string> candidates = firm_ids;
    candidates.insert(candidates.end(), class_names.begin(), class_names.end());
    const std::string hint = core::did_you_mean(name, candidates);
    diags.error(r.pos(path, top),
                fmt::format("{} names '{}', which is neither a firm defined in [[firm]] nor an investor class ({});{}",
                            path, name, class_list, hint.empty() ? std::string(" define the firm or fix the name") : hint));
    return h;
  };

  auto in_horizon = [&](const std::string& path) {
    if (!horizon_known || !r.has(path)) return;
    const core::Month m = r.month(path);
    if (m < s.time.start || m > s.time.end) {
      diags.error(r.pos(path, top), fmt::format("{} = {} is outside the horizon {} to {}", path, m.str(),
                                                s.time.start.str(), s.time.end.str()));
    }
  };
  // Debt and leases may be outstanding at the start, but may not start after the horizon.
  auto not_after_horizon = [&](const std::string& path) {
    if (!horizon_known || !r.has(path)) return;
    const core::Month m = r.month(path);
    if (m > s.time.end) {
      diags.error(r.pos(path, top), fmt::format("{} = {} is after the horizon ends {}", path, m.str(), s.time.end.str()));
    }
  };
  // `<p>later` is not before `<p>start`; true when both are given and in order.
  auto not_before_start = [&](const std::string& p, const char* later) {
    if (!r.has(p + "start") || !r.has(p + later)) return false;
    const core::Month start = r.month(p + "start");
    const core::Month end = r.month(p + later);
    if (end < start) {
      diags.error(r.pos(p + later, top), fmt::format("{}{} {} is before its start {}", p, later, end.str(), start.str()));
      return false;
    }
    return true;
  };

  const std::vector<std::string> contract_ids = element_ids(v.tables, "contract");
  std::map<std::string, std::string> types;  // id → type, for elements whose type is valid
  for (const std::string& id : contract_ids) {
    if (const auto type = v.element_type("contract." + id)) types[id] = *type;
  }
  auto type_of = [&](const std::string& id) {
    const auto it = types.find(id);
    return it == types.end() ? std::string() : it->second;
  };

  // Securitisations first, so that tranches and leases can name them by index.
  std::vector<std::string> securitisation_ids;
  for (const std::string& id : contract_ids) {
    if (type_of(id) != "securitisation") continue;
    s.securitisations.push_back({id, firm_ref("contract." + id + ".issuer")});
    securitisation_ids.push_back(id);
  }
  bool securitisation_ref_failed = false;
  auto securitisation_ref = [&](const std::string& path) -> std::size_t {
    if (!r.has(path)) return model::kNone;
    const std::string name = r.text(path, "");
    for (std::size_t i = 0; i < securitisation_ids.size(); ++i) {
      if (securitisation_ids[i] == name) return i;
    }
    securitisation_ref_failed = true;
    if (types.count(name)) {
      diags.error(r.pos(path, top), fmt::format("{} names contract '{}', which is of type '{}', not a securitisation",
                                                path, name, types.at(name)));
    } else if (std::find(contract_ids.begin(), contract_ids.end(), name) == contract_ids.end()) {
      const std::string hint = core::did_you_mean(name, securitisation_ids);
      diags.error(r.pos(path, top),
                  fmt::format("{} names contract '{}', which is not defined in any [[contract]];{}", path, name,
                              hint.empty() ? std::string(" define a [[contract]] of type \"securitisation\" or fix the id")
                                           : hint));
    }  // else the named contract's own type is invalid, and reported
    return model::kNone;
  };

  for (const std::string& id : contract_ids) {
    const std::string type = type_of(id);
    if (type.empty()) continue;
    const std::string p = "contract." + id + ".";
    const SourcePos header = v.tables.at("contract." + id).pos;
    auto num = [&](const char* key) { return r.number(p + key, std::string("contract.*.") + key, type); };
    auto integer = [&](const char* key) { return static_cast<int>(num(key)); };
    auto txt = [&](const char* key) { return r.text(p + key, std::string("contract.*.") + key, type); };
    auto flag = [&](const char* key) { return r.boolean(p + key, std::string("contract.*.") + key, type); };
    auto party = [&](const char* key, bool classes_allowed) {
      return holder_ref(p + key, std::string("contract.*.") + key, type, classes_allowed);
    };
    // Two roles played by one firm, reported at the second role's key.
    auto distinct = [&](model::FirmId a, model::FirmId b, const char* role_a, const char* role_b) {
      if (a.valid() && a == b) {
        diags.error(r.pos(p + role_b, header), fmt::format("contract '{}' has the same firm as {} and {}", id, role_a, role_b));
      }
    };

    if (type == "compute_commitment") {
      model::ComputeCommitment c;
      c.id = id;
      c.buyer = firm_ref(p + "buyer");
      c.seller = firm_ref(p + "seller");
      c.start = r.month(p + "start");
      c.end = r.month(p + "end");
      in_horizon(p + "start");
      not_before_start(p, "end");
      distinct(c.buyer, c.seller, "buyer", "seller");
      c.volume = core::Compute{num("volume_h100e")};
      c.price_usd_per_h100e_hour = num("price_usd_per_h100e_hour");
      c.take_or_pay_share = num("take_or_pay_share");
      c.termination_penalty_months = num("termination_penalty_months");
      c.termination_claim_share = num("termination_claim_share");
      s.contracts.push_back(c);
    } else if (type == "loan" || type == "bond" || type == "vendor_financing" || type == "abs_tranche") {
      model::DebtContract d;
      d.id = id;
      d.kind = type == "loan"               ? model::DebtKind::kLoan
               : type == "bond"             ? model::DebtKind::kBond
               : type == "vendor_financing" ? model::DebtKind::kVendorFinancing
                                            : model::DebtKind::kAbsTranche;
      d.borrower = firm_ref(p + "borrower");
      d.lender = party("lender", type != "vendor_financing");
      if (d.lender.is_firm()) distinct(d.borrower, d.lender.firm, "borrower", "lender");
      d.start = r.month(p + "start");
      d.maturity = r.month(p + "maturity");
      not_after_horizon(p + "start");
      if (not_before_start(p, "maturity") && horizon_known && d.maturity < s.time.start) {
        diags.error(r.pos(p + "maturity", top),
                    fmt::format("{}maturity {} is before time.start {}: the debt is repaid before the horizon; leave it "
                                "out or fix the dates",
                                p, d.maturity.str(), s.time.start.str()));
      }
      d.principal_usd_bn = num("principal_usd_bn");
      d.rate_per_year = num("rate_per_year");
      d.amortisation = txt("amortisation") == "linear" ? model::Amortisation::kLinear : model::Amortisation::kBullet;
      d.seniority = integer("seniority");
      d.secured = flag("secured");
      d.off_balance_sheet = flag("off_balance_sheet");
      d.tranche = txt("tranche");
      if (d.tranche.empty()) d.tranche = id;
      d.min_dscr = num("covenant_min_dscr");
      d.max_ltv = num("covenant_max_ltv");
      d.breach = txt("breach") == "step_up" ? model::BreachAction::kStepUp : model::BreachAction::kDefault;
      d.step_up_per_year = num("step_up_per_year");
      if (type == "abs_tranche") {
        d.securitisation = securitisation_ref(p + "securitisation");
        if (d.securitisation == model::kNone) securitisation_ref_failed = true;  // left out: reported already
        if (d.securitisation != model::kNone) {
          const model::FirmId issuer = s.securitisations[d.securitisation].issuer;
          if (d.borrower.valid() && issuer.valid() && d.borrower != issuer) {
            diags.error(r.pos(p + "borrower", header),
                        fmt::format("{}borrower is '{}', but an abs_tranche borrows for the issuer of its "
                                    "securitisation: '{}' is issued by '{}'",
                                    p, firm_name(d.borrower), securitisation_ids[d.securitisation], firm_name(issuer)));
          }
        }
      }
      s.debts.push_back(d);
    } else if (type == "lease") {
      model::Lease l;
      l.id = id;
      l.lessor = firm_ref(p + "lessor");
      l.lessee = firm_ref(p + "lessee");
      distinct(l.lessor, l.lessee, "lessor", "lessee");
      l.start = r.month(p + "start");
      not_after_horizon(p + "start");
      l.term_months = integer("term_months");
      l.renewals = integer("renewals");
      if (horizon_known && r.has(p + "start") && r.has(p + "term_months")) {
        const core::Month last = l.start + (l.term_months * (1 + l.renewals) - 1);
        if (last < s.time.start) {
          diags.error(r.pos(p + "start", top),
                      fmt::format("contract '{}' ends {} ({} term(s) of {} months from {}), before time.start {}; leave "
                                  "it out or fix the dates",
                                  id, last.str(), 1 + l.renewals, l.term_months, l.start.str(), s.time.start.str()));
        }
      }
      l.rent_usd_bn_per_year = num("rent_usd_bn_per_year");
      l.datacenter_gw = num("datacenter_gw");
      l.power_gw = num("power_gw");
      l.build_months = integer("build_months");
      l.residual_value_guarantee_usd_bn = num("residual_value_guarantee_usd_bn");
      l.termination_penalty_months = num("termination_penalty_months");
      l.termination_claim_share = num("termination_claim_share");
      l.off_balance_sheet = flag("off_balance_sheet");
      l.securitisation = securitisation_ref(p + "securitisation");
      if (l.securitisation != model::kNone) {
        const model::FirmId issuer = s.securitisations[l.securitisation].issuer;
        if (l.lessor.valid() && issuer.valid() && l.lessor != issuer) {
          diags.error(r.pos(p + "securitisation", header),
                      fmt::format("{}securitisation names '{}', issued by '{}', but the lessor is '{}': a securitisation "
                                  "pools the lease rents of its issuer",
                                  p, securitisation_ids[l.securitisation], firm_name(issuer), firm_name(l.lessor)));
        }
      }
      s.leases.push_back(l);
    } else if (type == "equity_investment") {
      model::EquityInvestment e;
      e.id = id;
      e.investor = party("investor", true);
      e.investee = firm_ref(p + "investee");
      if (e.investor.is_firm()) distinct(e.investor.firm, e.investee, "investor", "investee");
      e.start = r.month(p + "start");
      in_horizon(p + "start");
      e.usd_bn = num("usd_bn");
      e.usd_bn_per_gw = num("usd_bn_per_gw");
      const double max = num("max_usd_bn");
      e.max_usd_bn = max > 0.0 ? max : e.usd_bn;  // 0 = usd_bn only
      if (max > 0.0 && max < e.usd_bn) {
        diags.error(r.pos(p + "max_usd_bn", header),
                    fmt::format("{}max_usd_bn ({}) is below its usd_bn ({}): max_usd_bn is the most paid in all", p, max,
                                e.usd_bn));
      } else if (e.usd_bn_per_gw > 0.0 && e.max_usd_bn <= e.usd_bn) {
        diags.error(r.pos(p + "usd_bn_per_gw", header),
                    fmt::format("{}usd_bn_per_gw is never paid: max_usd_bn ({}; 0 = usd_bn only) leaves nothing above "
                                "usd_bn ({}) for milestone tranches",
                                p, max, e.usd_bn));
      }
      e.calls_usd_bn_per_year = r.series(p + "calls_usd_bn_per_year").points;
      if (!e.calls_usd_bn_per_year.empty() && r.has(p + "start") && e.calls_usd_bn_per_year.front().first < e.start.year()) {
        const int year = e.calls_usd_bn_per_year.front().first;
        diags.error(r.pos(p + "calls_usd_bn_per_year." + std::to_string(year), header),
                    fmt::format("{}calls_usd_bn_per_year has a call in {}, before the contract's start {}: calls are made "
                                "from the start on",
                                p, year, e.start.str()));
      }
      double called = 0.0;
      for (const auto& call : e.calls_usd_bn_per_year) called += call.second;
      if (e.usd_bn == 0.0 && e.usd_bn_per_gw == 0.0 && called == 0.0 && !v.rejected(p + "usd_bn") &&
          !v.rejected(p + "usd_bn_per_gw")) {
        diags.error(r.pos(p + "usd_bn", r.pos(p + "usd_bn_per_gw", header)),
                    fmt::format("contract '{}' invests nothing: give usd_bn, usd_bn_per_gw or both, or calls_usd_bn_per_year", id));
      }
      e.milestone_firm = r.has(p + "milestone_firm") ? firm_ref(p + "milestone_firm") : e.investee;
      s.equity_investments.push_back(e);
    } else if (type == "equity_stake") {
      model::EquityStake st;
      st.id = id;
      st.holder = party("holder", true);
      st.issuer = firm_ref(p + "issuer");
      if (st.holder.is_firm()) distinct(st.holder.firm, st.issuer, "holder", "issuer");
      st.share = num("share");
      if (st.share <= 0.0 && r.has(p + "share")) {
        // The key allows 0 for warrants (switched off); a stake of nothing is a mistake.
        diags.error(r.pos(p + "share", header),
                    "'share' = 0 is out of range: must be above 0 and at most 1 for an equity_stake");
      }
      s.stakes.push_back(st);
    } else if (type == "warrant") {
      model::Warrant w;
      w.id = id;
      w.issuer = firm_ref(p + "issuer");
      w.holder = party("holder", false);
      if (w.holder.is_firm()) distinct(w.issuer, w.holder.firm, "issuer", "holder");
      w.start = r.month(p + "start");
      in_horizon(p + "start");
      w.share = num("share");
      w.tranches = integer("tranches");
      w.gw_per_tranche = num("gw_per_tranche");
      w.strike_usd_bn = num("strike_usd_bn");
      w.milestone_firm = r.has(p + "milestone_firm") ? firm_ref(p + "milestone_firm")
                         : w.holder.is_firm()        ? w.holder.firm
                                                     : model::FirmId{};
      if (w.share > 0.0) s.warrants.push_back(w);  // share = 0 switches the warrant off
    } else if (type == "ppa") {
      model::PowerPurchase pp;
      pp.id = id;
      pp.buyer = firm_ref(p + "buyer");
      pp.seller = firm_ref(p + "seller");
      distinct(pp.buyer, pp.seller, "buyer", "seller");
      pp.start = r.month(p + "start");
      pp.end = r.month(p + "end");
      in_horizon(p + "start");
      not_before_start(p, "end");
      pp.gw = num("gw");
      pp.price_usd_per_mwh = num("price_usd_per_mwh");
      pp.take_or_pay_share = num("take_or_pay_share");
      s.ppas.push_back(pp);
    }
  }

  // The opening stakes in one issuer hold at most all of its shares: reported at the share of
  // the last stake (in file order) of an issuer whose stakes add up to more.
  std::map<std::size_t, std::vector<const model::EquityStake*>> stakes_by_issuer;
  for (const model::EquityStake& st : s.stakes) {
    if (st.issuer.valid()) stakes_by_issuer[st.issuer.index()].push_back(&st);
  }
  for (const auto& [issuer, stakes] : stakes_by_issuer) {
    double total = 0.0;
    std::string parts;
    for (const model::EquityStake* st : stakes) {
      total += st->share;
      parts += fmt::format("{}'{}' {}", parts.empty() ? "" : ", ", st->id, st->share);
    }
    if (total > 1.0 + 1e-9) {
      const std::string last = stakes.back()->id;
      diags.error(r.pos("contract." + last + ".share", v.tables.at("contract." + last).pos),
                  fmt::format("the equity stakes in '{}' add up to {}, more than 1 ({})", firm_ids.at(issuer), total,
                              parts));
    }
  }

  // A securitisation pools the rents of at least one lease and pays at least one tranche.
  if (!securitisation_ref_failed) {
    for (std::size_t i = 0; i < s.securitisations.size(); ++i) {
      const bool has_tranche = std::any_of(s.debts.begin(), s.debts.end(),
                                           [&](const model::DebtContract& d) { return d.securitisation == i; });
      const bool has_lease =
          std::any_of(s.leases.begin(), s.leases.end(), [&](const model::Lease& l) { return l.securitisation == i; });
      const std::string& id = securitisation_ids[i];
      const SourcePos header = v.tables.at("contract." + id).pos;
      if (!has_tranche) {
        diags.error(header, fmt::format("securitisation '{}' pays no tranche: give a [[contract]] of type \"abs_tranche\" "
                                        "with securitisation = \"{}\"",
                                        id, id));
      }
      if (!has_lease) {
        diags.error(header, fmt::format("securitisation '{}' pools no lease: name it as the securitisation of a lease "
                                        "of its issuer",
                                        id));
      }
    }
  }
}

/// The scenario from the validated values that `r` reads (the validator's, or those with a
/// path's values over them); every problem found goes to `diags`.
/// `[validation]`, `[[observed]]` and `[[shape_target]]`: what a scenario declares for
/// comparison with history (analysis::validate_history).
model::HistoryValidation build_validation(const Validator& v, const Reader& r, Diagnostics& diags) {
  const SourcePos top{v.file(), 1, 1};
  model::HistoryValidation out;
  out.fitted_through = static_cast<int>(r.number("validation.fitted_through", "validation.fitted_through"));
  const std::vector<std::string> firm_ids = element_ids(v.tables, "firm");  // in Scenario::firms order
  const std::vector<std::string> series_ids = element_ids(v.tables, "observed");
  for (const std::string& id : series_ids) {
    const std::string p = "observed." + id + ".";
    model::ObservedSeries o;
    o.id = id;
    o.label = r.text(p + "label", "observed.*.label");
    if (o.label.empty()) o.label = id;
    o.unit = r.text(p + "unit", "observed.*.unit");
    o.column = r.text(p + "column", "observed.*.column");
    const std::string firm = r.text(p + "firm", "observed.*.firm");
    if (!firm.empty()) {
      for (std::size_t f = 0; f < firm_ids.size(); ++f) {
        if (firm_ids[f] == firm) o.firm = f;
      }
      const bool firm_column = std::any_of(model::kFirmColumns.begin(), model::kFirmColumns.end(),
                                           [&](const model::FirmColumn& c) { return c.name == o.column; });
      if (o.firm && !firm_column && !o.column.empty()) {
        diags.error(r.pos(p + "column", top), fmt::format("{}column '{}' is not a firms.csv column a series with a firm can use", p, o.column));
      }
    } else if (!o.column.empty() && std::none_of(model::kColumns.begin(), model::kColumns.end(),
                                                 [&](const model::Column& c) { return c.name == o.column; })) {
      diags.error(r.pos(p + "column", top), fmt::format("{}column '{}' is a firms.csv column: name the firm with {}firm", p, o.column, p));
    }
    const std::string aggregate = r.text(p + "aggregate", "observed.*.aggregate");
    o.aggregate = aggregate == "sum"   ? model::YearAggregate::kSum
                  : aggregate == "end" ? model::YearAggregate::kEnd
                  : aggregate == "min" ? model::YearAggregate::kMin
                  : aggregate == "max" ? model::YearAggregate::kMax
                                       : model::YearAggregate::kMean;
    o.change = r.boolean(p + "change", "observed.*.change");
    o.scale = r.number(p + "scale", "observed.*.scale");
    std::map<int, model::ObservedPoint> points;
    for (const auto& [year, value] : r.series(p + "values").points) points[year].value = value;
    for (const auto& [year, value] : r.series(p + "low").points) points[year].low = value;
    for (const auto& [year, value] : r.series(p + "high").points) points[year].high = value;
    for (auto& [year, point] : points) {
      point.year = year;
      if (point.low && point.high && *point.low > *point.high) {
        diags.error(r.pos(p + "low." + std::to_string(year), top),
                    fmt::format("{}low.{} ({}) is above {}high.{} ({})", p, year, *point.low, p, year, *point.high));
      }
      o.points.push_back(point);
    }
    out.series.push_back(std::move(o));
  }
  for (const std::string& id : element_ids(v.tables, "shape_target")) {
    const std::string p = "shape_target." + id + ".";
    const std::string type = r.text(p + "type", "shape_target.*.type");
    if (type.empty()) continue;  // reported already
    model::ShapeTarget t;
    t.id = id;
    t.kind = type == "peak_year"        ? model::ShapeKind::kPeakYear
             : type == "fall_from_peak" ? model::ShapeKind::kFallFromPeak
             : type == "lowest"         ? model::ShapeKind::kLowest
             : type == "defaults"       ? model::ShapeKind::kDefaults
             : type == "value_loss"     ? model::ShapeKind::kValueLoss
                                        : model::ShapeKind::kEachYear;
    auto n = [&](const char* key) { return r.number(p + key, std::string("shape_target.*.") + key, type); };
    auto txt = [&](const char* key) { return r.text(p + key, std::string("shape_target.*.") + key, type); };
    t.description = txt("description");
    t.from_year = static_cast<int>(n("from"));
    t.to_year = static_cast<int>(n("to"));
    t.year = static_cast<int>(n("year"));
    t.min = n("min");
    t.max = n("max");
    t.max_recovery = n("max_recovery");
    t.select_equity_financed = txt("financing") == "equity";
    if (const std::string ft = txt("firm_type"); !ft.empty()) t.firm_type = firm_type(ft);
    if (t.from_year > t.to_year) {
      diags.error(r.pos(p + "to", top), fmt::format("{}to ({}) is before {}from ({})", p, t.to_year, p, t.from_year));
    }
    if (r.has(p + "series")) {
      const std::string series = txt("series");
      const auto it = std::find(series_ids.begin(), series_ids.end(), series);
      if (it == series_ids.end()) {
        const std::string hint = core::did_you_mean(series, series_ids);
        diags.error(r.pos(p + "series", top),
                    fmt::format("{}series names '{}', which is not defined in any [[observed]];{}", p, series,
                                hint.empty() ? std::string(" define it or fix the id") : hint));
      } else {
        t.series = static_cast<std::size_t>(it - series_ids.begin());
      }
    }
    out.targets.push_back(std::move(t));
  }
  return out;
}

model::Scenario build(const Validator& v, const Reader& r, Diagnostics& diags) {
  const SourcePos top{v.file(), 1, 1};
  model::Scenario s;
  s.name = r.text("name", "name");
  s.description = r.text("description", "description");
  s.service_unit_name = r.text("units.service", "units.service");
  s.capacity_unit_name = r.text("units.capacity", "units.capacity");
  s.time.start = r.month("time.start");
  s.time.end = r.month("time.end");
  if (r.has("time.start") && r.has("time.end")) {
    if (s.time.end < s.time.start) {
      diags.error(r.pos("time.end", top), fmt::format("time.end {} is before time.start {}", s.time.end.str(), s.time.start.str()));
    } else if (s.time.months() > 1200) {
      diags.error(r.pos("time.end", top), fmt::format("the horizon is {} months; at most 1200 (100 years) are allowed", s.time.months()));
    }
  }
  const bool horizon_known = r.has("time.start") && r.has("time.end") && !(s.time.end < s.time.start);
  auto check_in_horizon = [&](const std::string& path) {
    if (!horizon_known || !r.has(path)) return;
    const core::Month m = r.month(path);
    if (m < s.time.start || m > s.time.end) {
      diags.error(r.pos(path, top), fmt::format("{} = {} is outside the horizon {} to {}", path, m.str(),
                                                s.time.start.str(), s.time.end.str()));
    }
  };

  auto& eff = s.technology.efficiency;
  eff.trend_per_year = r.number("technology.efficiency.trend_per_year", "technology.efficiency.trend_per_year");
  eff.jump_rate_per_year = r.number("technology.efficiency.jump_rate_per_year", "technology.efficiency.jump_rate_per_year");
  eff.jump_median_multiplier = r.number("technology.efficiency.jump_median_multiplier", "technology.efficiency.jump_median_multiplier");
  eff.jump_sigma = r.number("technology.efficiency.jump_sigma", "technology.efficiency.jump_sigma");
  eff.jump_rate_spending_elasticity =
      r.number("technology.efficiency.jump_rate_spending_elasticity", "technology.efficiency.jump_rate_spending_elasticity");
  auto& edge = s.technology.edge;
  edge.max_share = r.number("technology.edge.max_share", "technology.edge.max_share");
  edge.midpoint_efficiency = r.number("technology.edge.midpoint_efficiency", "technology.edge.midpoint_efficiency");
  edge.steepness = r.number("technology.edge.steepness", "technology.edge.steepness");

  for (const std::string& id : element_ids(v.tables, "shock")) {
    const std::string p = "shock." + id + ".";
    model::Shock shock;
    shock.id = id;
    shock.month = r.month(p + "month");
    shock.multiplier = r.number(p + "multiplier", "shock.*.multiplier");
    shock.kind = r.text(p + "kind", "shock.*.kind") == "training_efficiency" ? model::ShockKind::kTrainingEfficiency
                                                                           : model::ShockKind::kEfficiency;
    check_in_horizon(p + "month");
    s.shocks.push_back(shock);
  }

  auto top_number = [&](const std::string& path) { return r.number(path, path); };
  auto top_int = [&](const std::string& path) { return static_cast<int>(r.number(path, path)); };
  auto& sup = s.supply;
  sup.failure_rate_per_year = top_number("supply.failure_rate_per_year");
  sup.power_price_usd_per_mwh = top_number("supply.power_price_usd_per_mwh");
  sup.opex_usd_per_h100e_hour = top_number("supply.opex_usd_per_h100e_hour");
  sup.opex_per_device = r.boolean("supply.opex_per_device");
  auto& prod = sup.production;
  prod.initial_cap_per_month = core::Compute{top_number("supply.production.initial_cap_h100e_per_month")};
  prod.initial_backlog = core::Compute{top_number("supply.production.initial_backlog_h100e")};
  prod.project_lead_time_months = top_int("supply.production.project_lead_time_months");
  prod.project_life_months = top_int("supply.production.project_life_months");
  prod.target_backlog_months = top_number("supply.production.target_backlog_months");
  prod.expansion_share = top_number("supply.production.expansion_share");
  prod.usd_bn_per_h100e_per_month = top_number("supply.production.usd_per_h100e_per_month") / 1e9;
  prod.cancellation_fee_share = top_number("supply.production.cancellation_fee_share");
  prod.noncancellable_months = top_number("supply.production.noncancellable_months");
  for (auto [name, params] : {std::pair{std::string("datacenter"), &sup.datacenter}, std::pair{std::string("power"), &sup.power}}) {
    params->lead_time_months = top_int("supply." + name + ".lead_time_months");
    params->life_months = top_int("supply." + name + ".life_months");
    params->usd_bn_per_gw = top_number("supply." + name + ".usd_bn_per_gw");
    params->construction_gw_per_year = top_number("supply." + name + ".construction_gw_per_year");
    params->construction_growth_per_year = top_number("supply." + name + ".construction_growth_per_year");
  }
  sup.power.slip_share = top_number("supply.power.slip_share");
  sup.power.slip_months = top_int("supply.power.slip_months");

  // Hardware generations: those listed, sorted by date, then extrapolated through the horizon.
  std::vector<std::string> generation_ids = element_ids(v.tables, "generation");
  for (const std::string& id : generation_ids) {
    const std::string p = "generation." + id + ".";
    model::Generation g;
    g.id = id;
    g.available = r.month(p + "available");
    g.h100e_per_unit = r.number(p + "h100e_per_unit", "generation.*.h100e_per_unit");
    g.kw_per_h100e = r.number(p + "kw_per_h100e", "generation.*.kw_per_h100e");
    g.usd_per_h100e = r.number(p + "usd_per_h100e", "generation.*.usd_per_h100e");
    s.technology.generations.push_back(g);
  }
  std::stable_sort(s.technology.generations.begin(), s.technology.generations.end(),
                   [](const model::Generation& a, const model::Generation& b) { return a.available < b.available; });
  auto& hw = s.technology.hardware;
  hw.months_between_generations = top_int("technology.hardware.months_between_generations");
  hw.h100e_per_unit_multiplier = top_number("technology.hardware.h100e_per_unit_multiplier");
  hw.kw_per_h100e_multiplier = top_number("technology.hardware.kw_per_h100e_multiplier");
  hw.usd_per_h100e_multiplier = top_number("technology.hardware.usd_per_h100e_multiplier");
  if (!s.technology.generations.empty() && hw.months_between_generations > 0 && horizon_known) {
    for (int k = 1;; ++k) {
      model::Generation next = s.technology.generations.back();
      next.available = next.available + hw.months_between_generations;
      if (next.available > s.time.end) break;
      next.id = s.technology.generations.back().id + "+";
      next.h100e_per_unit *= hw.h100e_per_unit_multiplier;
      next.kw_per_h100e *= hw.kw_per_h100e_multiplier;
      next.usd_per_h100e *= hw.usd_per_h100e_multiplier;
      s.technology.generations.push_back(next);
      if (k > 1200) break;
    }
  }
  if (horizon_known && !s.technology.generations.empty() && s.technology.generations.front().available > s.time.start) {
    const std::string first = s.technology.generations.front().id;
    diags.error(r.pos("generation." + first + ".available", top),
                fmt::format("no hardware generation is available at the start {}: the earliest, '{}', arrives {}",
                            s.time.start.str(), first, s.technology.generations.front().available.str()));
  }
  s.technology.training_efficiency.follows_inference = r.boolean("technology.training_efficiency.follows_inference");
  s.technology.training_efficiency.trend_per_year = top_number("technology.training_efficiency.trend_per_year");

  s.build.reserve_margin = r.number("build.reserve_margin", "build.reserve_margin");
  s.build.expectations_half_life_months = r.number("build.expectations_half_life_months", "build.expectations_half_life_months");
  s.build.optimism = r.number("build.optimism", "build.optimism");
  s.build.price_discipline = r.boolean("build.price_discipline");
  s.build.financing_limit = r.boolean("build.financing_limit");
  s.build.order_cancellation = r.boolean("build.order_cancellation");
  s.build.price_response = r.number("build.price_response", "build.price_response");
  s.build.max_growth_per_year = r.number("build.max_growth_per_year", "build.max_growth_per_year");
  s.build.initial_growth_per_year = top_number("build.initial_growth_per_year");
  s.build.max_planning_months = top_int("build.max_planning_months");
  s.build.rule = r.text("build.rule", "build.rule") == "queue" ? model::BuildParams::Rule::kQueue
                                                                : model::BuildParams::Rule::kStockManagement;
  s.build.stock_adjustment_months = r.number("build.stock_adjustment_months", "build.stock_adjustment_months");
  s.build.supply_line_weight = r.number("build.supply_line_weight", "build.supply_line_weight");
  s.build.abandon_before_share = r.number("build.abandon_before_share", "build.abandon_before_share");
  s.build.contracts_in_target = r.boolean("build.contracts_in_target");
  s.build.power_aware = r.boolean("build.power_aware");
  s.build.powered_shells = r.boolean("build.powered_shells");
  s.build.buildings_in_cost = r.boolean("build.buildings_in_cost");
  s.build.market_cost_of_capital = r.boolean("build.market_cost_of_capital");
  s.build.price_trend_in_returns = r.boolean("build.price_trend_in_returns");
  s.build.power_horizon_months = top_int("build.power_horizon_months");

  for (const std::string& id : element_ids(v.tables, "segment")) {
    const std::string p = "segment." + id + ".";
    auto n = [&](const char* key) { return r.number(p + key, std::string("segment.*.") + key); };
    model::Segment seg;
    seg.id = id;
    seg.initial_users = n("initial_users");
    seg.market_potential_users = n("market_potential_users");
    seg.bass_innovation_per_year = n("bass_innovation_per_year");
    seg.bass_imitation_per_year = n("bass_imitation_per_year");
    seg.usage_growth_per_year = n("usage_growth_per_year");
    seg.usage_ceiling_multiple = n("usage_ceiling_multiple");
    seg.initial_demand = core::Service{n("initial_service_units_per_month")};
    seg.initial_gap = n("initial_gap");
    seg.compute_h100e_hours_per_unit = n("compute_h100e_hours_per_unit");
    seg.markup = n("markup");
    seg.other_cost_usd_per_unit = n("other_cost_usd_per_unit");
    seg.elasticity_short_run = n("elasticity_short_run");
    seg.elasticity_long_run = n("elasticity_long_run");
    seg.adjustment_months = n("adjustment_months");
    seg.diffusion_limit_per_year = n("diffusion_limit_per_year");
    seg.quality_share = n("quality_share");
    seg.surprise_quality_share = n("surprise_quality_share");
    seg.price_half_life_months = n("price_half_life_months");
    seg.served_by_labs = !r.has(p + "served_by_labs") || r.boolean(p + "served_by_labs");
    const std::string ceiling = r.text(p + "ceiling", "segment.*.ceiling");
    using Ceiling = model::Segment::Ceiling;
    seg.ceiling = ceiling == "labour"        ? Ceiling::kLabour
                  : ceiling == "consumption" ? Ceiling::kConsumption
                  : ceiling == "owner_revenue" ? Ceiling::kOwnerRevenue
                                               : Ceiling::kNone;
    seg.ceiling_base_usd_bn_per_year = n("ceiling_base_usd_bn_per_year");
    seg.ceiling_base_growth_per_year = n("ceiling_base_growth_per_year");
    seg.ceiling_share = n("ceiling_share");
    seg.inhouse_share = n("inhouse_share");
    seg.inhouse_success_share = n("inhouse_success_share");
    if (seg.market_potential_users < seg.initial_users && r.has(p + "market_potential_users")) {
      diags.error(r.pos(p + "market_potential_users", top),
                  fmt::format("segment.{}.market_potential_users ({}) is below its initial_users ({})", id,
                              seg.market_potential_users, seg.initial_users));
    }
    s.segments.push_back(seg);
  }

  auto& lab = s.labour;
  lab.exposed_workers_m = top_number("labour.exposed_workers_m");
  lab.wage_usd_per_year = top_number("labour.wage_usd_per_year");
  lab.wage_growth_per_year = top_number("labour.wage_growth_per_year");
  lab.task_share = top_number("labour.task_share");
  lab.displaced_wages = r.text("labour.displaced_wages", "labour.displaced_wages") == "lost"
                            ? model::LabourParams::Displaced::kLost
                            : model::LabourParams::Displaced::kReemployed;
  lab.reemployment_months = top_number("labour.reemployment_months");
  lab.consumption_share_of_wages = top_number("labour.consumption_share_of_wages");

  s.training.initial_budget_per_month = core::Money{r.number("training.initial_budget_usd_bn_per_month", "training.initial_budget_usd_bn_per_month")};
  s.training.budget_growth_per_year = r.number("training.budget_growth_per_year", "training.budget_growth_per_year");
  s.training.budget_growth_fade_years = top_number("training.budget_growth_fade_years");
  s.training.savings_banked_share = r.number("training.savings_banked_share", "training.savings_banked_share");
  s.training.funding_discipline = r.boolean("training.funding_discipline");
  s.training.min_runway_months = r.number("training.min_runway_months", "training.min_runway_months");
  s.training.min_budget_share = r.number("training.min_budget_share", "training.min_budget_share");

  s.market.initial_spot_price = r.number("market.initial_spot_price_usd_per_h100e_hour", "market.initial_spot_price_usd_per_h100e_hour");
  s.market.scarcity_price_cap = r.number("market.scarcity_price_cap_usd_per_h100e_hour", "market.scarcity_price_cap_usd_per_h100e_hour");
  s.market.stickiness = r.number("market.stickiness", "market.stickiness");
  s.competition.kappa = top_number("competition.kappa");
  s.competition.adjustment_months = top_number("competition.adjustment_months");
  s.competition.initial_stock_months = top_number("competition.initial_stock_months");
  s.competition.leave_on_failure_share = top_number("competition.leave_on_failure_share");
  s.finance.default_cost_external = top_number("finance.default_cost_external");
  s.finance.covenant_window_months = top_int("finance.covenant_window_months");
  s.finance.discount_rate_per_year = top_number("finance.discount_rate_per_year");
  s.finance.fire_sale_impact = top_number("finance.fire_sale_impact");
  s.finance.default_cost_interfirm = top_number("finance.default_cost_interfirm");
  s.finance.new_money_available = r.boolean("finance.new_money_available");
  s.finance.campus_resale = r.text("finance.campus_resale", "finance.campus_resale") == "book"
                                ? model::FinanceParams::CampusResale::kBook
                                : model::FinanceParams::CampusResale::kMarket;
  auto& sent = s.sentiment;
  sent.enabled = r.boolean("sentiment.enabled");
  sent.initial_index = top_number("sentiment.initial_index");
  sent.revenue_multiple = top_number("sentiment.revenue_multiple");
  sent.expectations_half_life_months = top_number("sentiment.expectations_half_life_months");
  sent.initial_expected_growth_per_year = top_number("sentiment.initial_expected_growth_per_year");
  sent.surprise_elasticity = top_number("sentiment.surprise_elasticity");
  sent.loss_sensitivity = top_number("sentiment.loss_sensitivity");
  sent.loss_scale_usd_bn = top_number("sentiment.loss_scale_usd_bn");
  sent.reversion_half_life_months = top_number("sentiment.reversion_half_life_months");
  sent.min_index = top_number("sentiment.min_index");
  sent.max_index = top_number("sentiment.max_index");
  sent.equity_access = r.boolean("sentiment.equity_access");
  if (sent.min_index > sent.max_index) {
    diags.error(r.pos("sentiment.min_index", top),
                fmt::format("sentiment.min_index ({}) is above sentiment.max_index ({})", sent.min_index, sent.max_index));
  } else if (sent.initial_index < sent.min_index || sent.initial_index > sent.max_index) {
    diags.error(r.pos("sentiment.initial_index", top),
                fmt::format("sentiment.initial_index ({}) is outside [min_index, max_index] = [{}, {}]", sent.initial_index,
                            sent.min_index, sent.max_index));
  }
  auto& cred = s.credit;
  cred.enabled = r.boolean("credit.enabled");
  cred.loss_capacity_usd_bn = top_number("credit.loss_capacity_usd_bn");
  cred.recovery_half_life_months = top_number("credit.recovery_half_life_months");
  cred.max_spread_per_year = top_number("credit.max_spread_per_year");
  cred.limit_cut = top_number("credit.limit_cut");
  cred.closed_above = top_number("credit.closed_above");
  cred.policy_rate_per_year = r.series("rates.policy_rate_per_year");
  cred.rate_pass_through = r.boolean("rates.pass_through");
  cred.collateral_spread_per_year = top_number("credit.collateral_spread_per_year");
  auto& val = s.valuation;
  val.enabled = r.boolean("valuation.enabled");
  val.equity_premium_per_year = top_number("valuation.equity_premium_per_year");
  val.premium_sentiment_sensitivity = top_number("valuation.premium_sentiment_sensitivity");
  val.premium_credit_sensitivity = top_number("valuation.premium_credit_sensitivity");
  val.min_equity_premium_per_year = top_number("valuation.min_equity_premium_per_year");
  val.fundamental_growth_per_year = top_number("valuation.fundamental_growth_per_year");
  val.extrapolation_weight = top_number("valuation.extrapolation_weight");
  val.extrapolation_half_life_years = top_number("valuation.extrapolation_half_life_years");
  val.growth_years = static_cast<int>(top_number("valuation.growth_years"));
  val.terminal_growth_per_year = top_number("valuation.terminal_growth_per_year");
  val.max_growth_per_year = top_number("valuation.max_growth_per_year");
  val.long_run_margin = top_number("valuation.long_run_margin");
  val.margin_half_life_years = top_number("valuation.margin_half_life_years");
  val.revenue_half_life_months = top_number("valuation.revenue_half_life_months");
  val.mark_stakes = r.boolean("valuation.mark_stakes");
  s.verdict.equity_drawdown = top_number("verdict.bust_equity_drawdown");
  s.verdict.capex_drop = top_number("verdict.bust_capex_drop");
  s.verdict.writeoffs_usd_bn = top_number("verdict.bust_writeoffs_usd_bn");
  s.verdict.post_bust_months = top_int("verdict.post_bust_months");
  s.verdict.persist_months = top_int("verdict.persist_months");
  model::Generation on_sale_at_start;  // none on sale: only opex counts
  on_sale_at_start.kw_per_h100e = 0.0;
  for (const model::Generation& g : s.technology.generations) {
    if (g.available <= s.time.start) on_sale_at_start = g;
  }
  const double marginal_cost = model::marginal_cost(sup, on_sale_at_start);
  if (s.market.scarcity_price_cap <= marginal_cost) {
    diags.error(r.pos("market.scarcity_price_cap_usd_per_h100e_hour", top),
                fmt::format("market.scarcity_price_cap_usd_per_h100e_hour ({}) must exceed the marginal cost of "
                            "the newest generation at the start, power × kW + opex = {:.4g} USD per H100e-hour",
                            s.market.scarcity_price_cap, marginal_cost));
  }

  std::vector<std::string> firm_ids = element_ids(v.tables, "firm");
  for (const std::string& id : firm_ids) {
    model::Firm f;
    f.id = id;
    f.name = r.text("firm." + id + ".name", "firm.*.name");
    if (f.name.empty()) f.name = id;
    f.type = firm_type(r.text("firm." + id + ".type", "firm.*.type"));
    const std::string p = "firm." + id + ".";
    auto n = [&](const char* key) { return r.number(p + key, std::string("firm.*.") + key); };
    f.initial_h100e = core::Compute{n("initial_h100e")};
    f.initial_datacenter_gw = core::Power{n("initial_datacenter_gw")};
    f.initial_power_gw = core::Power{n("initial_power_gw")};
    f.datacenter_gw_under_construction = core::Power{n("datacenter_gw_under_construction")};
    f.power_gw_under_construction = core::Power{n("power_gw_under_construction")};
    f.datacenter_gw_completions = r.series(p + "datacenter_gw_completions");
    f.power_gw_completions = r.series(p + "power_gw_completions");
    f.build_share = n("build_share");
    f.cash = core::Money{n("cash_usd_bn")};
    f.debt = core::Money{n("debt_usd_bn")};
    f.other_assets = core::Money{n("other_assets_usd_bn")};
    f.debt_rate_per_year = n("debt_rate_per_year");
    f.book_life_months = static_cast<int>(n("book_life_months"));
    f.min_dscr = n("min_dscr");
    f.financing = r.text(p + "financing", "firm.*.financing") == "equity" ? model::Firm::Financing::kEquity
                                                                          : model::Firm::Financing::kDebt;
    f.credit_limit_usd_bn = n("credit_limit_usd_bn");
    f.equity_limit_usd_bn_per_year = n("equity_limit_usd_bn_per_year");
    f.shareholders = r.text(p + "shareholders", "firm.*.shareholders") == "venture" ? model::HolderClass::kVenture
                                                                                  : model::HolderClass::kPublicEquity;
    if (r.has(p + "forced_default_month")) {
      f.forced_default_month = r.month(p + "forced_default_month");
      check_in_horizon(p + "forced_default_month");
    }
    if (r.has(p + "equity_closed_from")) {
      f.equity_closed_from = r.month(p + "equity_closed_from");
      check_in_horizon(p + "equity_closed_from");
    }
    f.inference_share = n("inference_share");
    f.training_budget_usd_bn_per_year = r.series(p + "training_budget_usd_bn_per_year");
    f.training_budget_usd_bn_per_year.growth_after_per_year = n("training_budget_growth_after_per_year");
    f.core_cash_flow_usd_bn_per_year = r.series(p + "core_cash_flow_usd_bn_per_year");
    f.core_capex_usd_bn_per_year = r.series(p + "core_capex_usd_bn_per_year");
    f.core_cash_flow_usd_bn_per_year.growth_after_per_year = n("core_growth_after_per_year");
    f.core_capex_usd_bn_per_year.growth_after_per_year = n("core_growth_after_per_year");
    // Initial accelerators: the named generation, else the newest available a year before the start.
    const std::string gen = r.text(p + "initial_generation", "firm.*.initial_generation");
    const auto& gens = s.technology.generations;
    if (!gen.empty()) {
      bool found = false;
      for (std::size_t g = 0; g < gens.size(); ++g) {
        if (gens[g].id == gen) {
          f.initial_generation = g;
          found = true;
        }
      }
      if (!found) {
        const std::string hint = core::did_you_mean(gen, generation_ids);
        diags.error(r.pos(p + "initial_generation", top),
                    fmt::format("{}initial_generation names generation '{}', which is not defined in any [[generation]];{}", p,
                                gen, hint.empty() ? std::string(" define it or fix the id") : hint));
      }
    } else {
      for (std::size_t g = 0; g < gens.size(); ++g) {
        if (gens[g].available <= s.time.start - 12) f.initial_generation = g;
      }
    }
    s.firms.push_back(f);
  }
  double inference_shares = 0.0;
  double build_shares = 0.0;
  double initial_h100e = 0.0;
  for (const model::Firm& f : s.firms) {
    inference_shares += f.inference_share;
    build_shares += f.build_share;
    initial_h100e += f.initial_h100e.value();
  }
  if (inference_shares > 1.0 + 1e-9) {
    diags.error(top, fmt::format("the firms' inference_share values add up to {}, more than 1", inference_shares));
  }
  // Build shares: as given (normalised), or else in proportion to the initial fleets.
  for (model::Firm& f : s.firms) {
    if (build_shares > 0.0) {
      f.build_share /= build_shares;
    } else if (initial_h100e > 0.0) {
      f.build_share = f.initial_h100e.value() / initial_h100e;
    }
  }
  // A rejected initial_h100e or build_share is reported already; its default must not add "no owner".
  const bool owner_value_rejected = std::any_of(firm_ids.begin(), firm_ids.end(), [&](const std::string& id) {
    return v.rejected("firm." + id + ".initial_h100e") || v.rejected("firm." + id + ".build_share");
  });
  if (v.tables.count("time") && !owner_value_rejected && s.firms.end() == std::find_if(s.firms.begin(), s.firms.end(),
                                                               [](const model::Firm& f) { return f.owns_capacity(); })) {
    diags.error(top, "no firm owns or builds compute: give at least one [[firm]] initial_h100e or build_share");
  }
  build_contracts(v, r, firm_ids, horizon_known, s, diags);
  s.validation = build_validation(v, r, diags);
  return s;
}

/// Overlays `top` on `base`: tables merge key by key, arrays of tables merge element by `id`
/// (a new id is appended), anything else in `top` replaces what `base` had. Moves out of `top`:
/// a copied toml++ node loses its source position, and errors must point into `top`'s file.
void merge_into(toml::table& base, toml::table& top) {
  for (auto&& [key, node] : top) {
    toml::node* existing = base.get(key.str());
    // A distribution in [uncertain] (a table with `dist`) replaces the base's as a whole.
    if (existing && existing->is_table() && node.is_table() && !node.as_table()->contains("dist")) {
      merge_into(*existing->as_table(), *node.as_table());
    } else if (existing && existing->is_array_of_tables() && node.is_array_of_tables()) {
      toml::array& into = *existing->as_array();
      for (toml::node& element : *node.as_array()) {
        toml::table& t = *element.as_table();
        const auto id = t["id"].value<std::string>();
        toml::table* match = nullptr;
        for (toml::node& candidate : into) {
          if (id && candidate.as_table() && (*candidate.as_table())["id"].value<std::string>() == id) {
            match = candidate.as_table();
          }
        }
        if (match) {
          merge_into(*match, t);
        } else {
          into.push_back(std::move(t));
        }
      }
    } else {
      base.erase(key.str());
      base.insert(key, std::move(node));  // `top`'s key too, so errors about it point into `top`
    }
  }
}

/// A character beyond ASCII where toml++ 3.3.0 asks whether it is whitespace, which for many of
/// them (U+00A1–U+0499, U+2D6E–U+3168 but U+3000, U+FBB6–U+FEFE) reaches a point its code marks
/// unreachable, undefined behaviour: outside strings and comments (where TOML allows none), and
/// in a multi-line basic string right after a backslash or after the whitespace a line-ending
/// backslash trims. A quote opens a string only where TOML lets one start (after whitespace, `=`,
/// `[`, `{`, `,` or `.`): glued to a bare value, as in `0.8"b`, it is part of what the parser scans
/// as that value, up to a character that ends it, and a character beyond ASCII there is tested
/// too. Valid UTF-8 is assumed. Returns the position (1-based, columns in code points) and the
/// message, or nothing.
std::optional<std::pair<SourcePos, std::string>> find_non_ascii_the_parser_mishandles(std::string_view text) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  In in = In::kCode;
  bool string_may_start = true;  // in code: the previous character lets a quote open a string
  bool after_backslash = false;  // in a multi-line basic string: a backslash and only whitespace since
  int line = 1;
  int col = 1;
  const auto starts = [&](std::size_t i, std::string_view s) { return text.substr(i, s.size()) == s; };
  // After the backslash at i: an ASCII character that is not whitespace.
  const auto ascii_escape_follows = [&](std::size_t i) {
    if (i + 1 >= text.size()) return false;
    const auto next = static_cast<unsigned char>(text[i + 1]);
    return next < 0x80 && next != ' ' && next != '\t' && next != '\r' && next != '\n';
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = 1;
    if (c >= 0x80) {
      len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      if (in == In::kCode || (in == In::kMultiBasic && after_backslash)) {
        const std::string_view character = text.substr(i, len);
        return std::make_pair(
            SourcePos{"", line, col},
            in == In::kCode
                ? fmt::format("TOML syntax error: '{}' outside a string or comment (TOML allows characters beyond "
                              "ASCII only in strings and comments)",
                              character)
                : fmt::format("'{}' right after a backslash in a multi-line string, or first on a line that a "
                              "line-ending backslash continues, is not accepted (the TOML parser mishandles it); "
                              "start that line with an ASCII character",
                              character));
      }
    } else {
      switch (in) {
        case In::kCode:
          if (c == '#') {
            in = In::kComment;
          } else if (string_may_start && starts(i, "\"\"\"")) {
            in = In::kMultiBasic;
            len = 3;
          } else if (string_may_start && starts(i, "'''")) {
            in = In::kMultiLiteral;
            len = 3;
          } else if (string_may_start && c == '"') {
            in = In::kBasic;
          } else if (string_may_start && c == '\'') {
            in = In::kLiteral;
          }
          string_may_start = std::string_view(" \t\r\n=[{,.").find(static_cast<char>(c)) != std::string_view::npos;
          break;
        case In::kComment:
          if (c == '\n') in = In::kCode;
          string_may_start = true;
          break;
        case In::kBasic:
          if (c == '\\' && ascii_escape_follows(i)) {
            len = 2;  // the escaped character is content, a quote too
          } else if (c == '"' || c == '\n') {
            in = In::kCode;
            string_may_start = c == '\n';
          }
          break;
        case In::kLiteral:
          if (c == '\'' || c == '\n') {
            in = In::kCode;
            string_may_start = c == '\n';
          }
          break;
        case In::kMultiBasic:
          if (c == '\\') {
            // The parser asks whether the character after a backslash is whitespace: harmless
            // for ASCII, which is content (a quote too); whitespace starts a line-ending backslash.
            if (ascii_escape_follows(i)) {
              len = 2;
              after_backslash = false;
            } else {
              after_backslash = true;
            }
          } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            // whitespace keeps a line-ending backslash's trimming going
          } else {
            after_backslash = false;
            if (starts(i, "\"\"\"")) {
              // Up to two more quotes belong to the string, before the closing three.
              len = 3;
              while (len < 5 && i + len < text.size() && text[i + len] == '"') ++len;
              in = In::kCode;
              string_may_start = false;
            }
          }
          break;
        case In::kMultiLiteral:
          if (starts(i, "'''")) {
            len = 3;
            while (len < 5 && i + len < text.size() && text[i + len] == '\'') ++len;
            in = In::kCode;
            string_may_start = false;
          }
          break;
      }
    }
    // Columns as find_invalid_utf8 counts them: one per code point, from 1 on each line.
    for (std::size_t k = 0; k < len && i + k < text.size(); ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if (b == '\n') {
        ++line;
        col = 1;
      } else if ((b & 0xC0) != 0x80) {
        ++col;
      }
    }
    i += len;
  }
  return std::nullopt;
}

toml::table parse_toml(std::string_view text, const std::string& source_name) {
  if (auto bad = find_invalid_utf8(text)) {
    bad->file = source_name;
    throw core::InputError(*bad, "the file is not valid UTF-8 (scenario files are UTF-8 text)");
  }
  if (auto bad = find_non_ascii_the_parser_mishandles(text)) {
    bad->first.file = source_name;
    throw core::InputError(bad->first, bad->second);
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw core::InputError({source_name, 1, 1}, "the scenario file is empty; see docs/scenario.md for the format");
  }
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    throw core::InputError({source_name, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)},
                           "TOML syntax error: " + std::string(e.description()));
  }
}

/// Resolves `extends = "<built-in>"` chains (at most 8 deep) into one merged table.
/// `layers` receives the files of the chain, the file itself first and its furthest base last.
toml::table resolve_extends(toml::table root, const std::string& source_name, std::vector<std::string>& layers,
                            int depth = 0) {
  layers.push_back(source_name);
  const toml::node* ext = root.get("extends");
  if (!ext) return root;
  const auto* name = ext->as_string();
  const core::SourcePos at{source_name, static_cast<int>(ext->source().begin.line),
                           static_cast<int>(ext->source().begin.column)};
  if (!name) throw core::InputError(at, "'extends' must be the name of a built-in scenario, as a string");
  if (depth >= 8) throw core::InputError(at, "'extends' chains more than 8 scenarios deep (a cycle?)");
  const auto base_file = find_builtin_scenario(name->get());
  if (!base_file) {
    const std::string hint = core::did_you_mean(name->get(), builtin_scenario_names());
    throw core::InputError(at, "'extends' names no built-in scenario '" + name->get() + "';" +
                                   (hint.empty() ? std::string(" `bubblesim scenarios` lists them") : hint));
  }
  toml::table base = resolve_extends(parse_toml(std::string_view(base_file->bytes, base_file->size), base_file->path),
                                     base_file->path, layers, depth + 1);
  root.erase("extends");
  merge_into(base, root);
  return base;
}

}  // namespace

std::optional<core::SourcePos> find_invalid_utf8(std::string_view text) {
  int line = 1;
  int col = 1;
  std::size_t i = 0;
  const auto* b = reinterpret_cast<const unsigned char*>(text.data());
  while (i < text.size()) {
    const unsigned char c = b[i];
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return core::SourcePos{"", line, col};
    }
    if (i + len > text.size()) return core::SourcePos{"", line, col};
    for (std::size_t k = 1; k < len; ++k) {
      if ((b[i + k] & 0xC0) != 0x80) return core::SourcePos{"", line, col};
      cp = (cp << 6) | (b[i + k] & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return core::SourcePos{"", line, col};
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    i += len;
  }
  return std::nullopt;
}

/// What instantiate needs from validation: the validator's state after the file, its
/// `extends` and its `--set`s, and an index of its values, so that only the conversion into
/// model::Scenario reruns. Immutable once made, so paths on several threads can share it.
struct ScenarioSnapshot {
  ScenarioSnapshot(Validator validated, std::map<std::string, SourcePos> positions)
      : validator(std::move(validated)),
        index(Reader::make_index(validator.params)),
        uncertain_pos(std::move(positions)) {}
  // `index` points into `validator.params`.
  ScenarioSnapshot(const ScenarioSnapshot&) = delete;
  ScenarioSnapshot& operator=(const ScenarioSnapshot&) = delete;

  Validator validator;
  Reader::Index index;
  std::map<std::string, SourcePos> uncertain_pos;  ///< where each key of [uncertain] was written
};

LoadedScenario load_scenario_text(std::string_view text, const std::string& source_name,
                                  const std::vector<std::string>& overrides) {
  std::vector<std::string> layers;
  const toml::table root = resolve_extends(parse_toml(text, source_name), source_name, layers);

  Validator v(source_name);
  v.walk_table(root, "", "");
  v.check_types();
  v.check_required();
  UncertainReader uncertain(v);
  uncertain.read(root);
  for (std::size_t i = 0; i < overrides.size(); ++i) v.apply_override(overrides[i], static_cast<int>(i) + 1);

  LoadedScenario out;
  out.scenario = build(v, Reader(v.params), v.diags);
  if (v.diags.has_errors()) throw core::InputError(std::move(v.diags));
  out.params = v.params;
  out.source_name = source_name;
  out.text = std::string(text);
  // A value written in a more specific layer than the distribution — a file that extends the one
  // declaring it, or --set — fixes the key: `gradual-10x` sets the efficiency trend that
  // `default` makes uncertain, and its Monte Carlo keeps the trend at ×10.
  auto layer_of = [&](const std::string& file) {
    const auto it = std::find(layers.begin(), layers.end(), file);
    return it == layers.end() ? -1 : static_cast<int>(it - layers.begin());  // -1: --set
  };
  std::map<std::string, SourcePos> uncertain_pos;
  for (UncertainEntry& e : uncertain.entries) {
    const auto value = out.params.find(e.parameter.key);
    if (value != out.params.end() && layer_of(value->second.pos.file) < layer_of(e.pos.file)) continue;
    uncertain_pos[e.parameter.key] = e.pos;
    out.uncertain.push_back(std::move(e.parameter));
  }
  for (analysis::RankCorrelation& c : uncertain.correlations) {
    if (uncertain_pos.count(c.a) != 0 && uncertain_pos.count(c.b) != 0) out.correlations.push_back(std::move(c));
  }
  out.snapshot = std::make_shared<const ScenarioSnapshot>(std::move(v), std::move(uncertain_pos));
  out.overrides = overrides;
  return out;
}

model::Scenario instantiate(const LoadedScenario& loaded, const std::vector<std::pair<std::string, double>>& values) {
  if (!loaded.snapshot) {
    throw std::logic_error("io::instantiate: the LoadedScenario was not made by load_scenario or load_scenario_text");
  }
  const ScenarioSnapshot& snapshot = *loaded.snapshot;
  Diagnostics diags;
  ParamMap overlay;
  for (const auto& [path, value] : values) {
    const auto it = snapshot.uncertain_pos.find(path);
    const SourcePos at = it != snapshot.uncertain_pos.end() ? it->second : SourcePos{loaded.source_name, 0, 0};
    snapshot.validator.set_number(path, value, at, overlay, diags);
  }
  if (diags.has_errors()) throw core::InputError(std::move(diags));
  // One hashed lookup per read: the snapshot's index (a copy costs far less than the
  // thousands of reads of build) with this path's values in place.
  Reader::Index index = snapshot.index;
  for (const auto& [path, value] : overlay) index[path] = &value;
  model::Scenario s = build(snapshot.validator, Reader(snapshot.validator.params, &overlay, &index), diags);
  if (diags.has_errors()) throw core::InputError(std::move(diags));
  return s;
}

std::vector<std::string> keys_written_with_role(const LoadedScenario& loaded, Role role) {
  std::set<std::string> keys;
  for (const auto& [concrete, value] : loaded.params) {
    if (!value.spec || value.spec->role != role || value.pos.file != loaded.source_name) continue;
    // An element of a yearly series (`<series>.<year>`) names its series.
    const bool series_element = value.spec->type == ValueType::kSeries &&
                                std::count(concrete.begin(), concrete.end(), '.') >
                                    std::count(value.spec->path.begin(), value.spec->path.end(), '.');
    keys.insert(series_element ? parent_of(concrete) : concrete);
  }
  if (loaded.snapshot) {
    for (const auto& [key, pos] : loaded.snapshot->uncertain_pos) {
      if (pos.file != loaded.source_name) continue;
      const auto pattern = loaded.snapshot->validator.pattern_of(key);
      const KeySpec* spec = pattern ? find_key(*pattern) : nullptr;
      if (spec && spec->role == role) keys.insert(key);
    }
  }
  return {keys.begin(), keys.end()};
}

LoadedScenario load_scenario(const std::string& name_or_path, const std::vector<std::string>& overrides) {
  if (auto builtin = find_builtin_scenario(name_or_path)) {
    return load_scenario_text(std::string_view(builtin->bytes, builtin->size), builtin->path, overrides);
  }
  std::ifstream in(name_or_path, std::ios::binary);
  if (!in) {
    const std::string hint = core::did_you_mean(name_or_path, builtin_scenario_names());
    throw core::InputError({name_or_path, 0, 0},
                           "no built-in scenario of that name and no such file" +
                               (hint.empty() ? std::string("; `bubblesim scenarios` lists the built-in ones") : ";" + hint));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_scenario_text(buffer.str(), name_or_path, overrides);
}

}  // namespace bsim::io
