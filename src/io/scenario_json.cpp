#include "io/scenario_json.h"

#include <fmt/format.h>

#include <cstdio>
#include <optional>

#include "core/diagnostics.h"

namespace bsim::io {
namespace {

using nlohmann::json;

/// A TOML basic string: quotes, backslashes and control characters escaped; other UTF-8 as is
/// (nlohmann::json has checked it is valid UTF-8).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

bool is_table(const json& v) { return v.is_object(); }

/// An array whose elements are all objects (and at least one): an array of tables.
bool is_table_array(const json& v) {
  if (!v.is_array() || v.empty()) return false;
  for (const json& e : v) {
    if (!e.is_object()) return false;
  }
  return true;
}

class Writer {
 public:
  explicit Writer(std::string source) : source_(std::move(source)) {}

  JsonAsToml write(const json& document) {
    if (!document.is_object()) {
      diags_.error(at(""), fmt::format("a scenario is a JSON object of tables and keys, not {}", type_name(document)));
    } else {
      table(document, "", "", 1);
    }
    if (diags_.has_errors()) throw core::InputError(std::move(diags_));
    return std::move(out_);
  }

 private:
  core::SourcePos at(const std::string& pointer) const { return core::SourcePos{source_, 0, 0, pointer}; }

  static std::string type_name(const json& v) {
    switch (v.type()) {
      case json::value_t::null: return "null";
      case json::value_t::boolean: return "a boolean";
      case json::value_t::string: return "a string";
      case json::value_t::array: return "an array";
      case json::value_t::object: return "an object";
      default: return "a number";
    }
  }

  void line(std::string text, const std::string& pointer) {
    out_.text += text;
    out_.text += '\n';
    out_.line_pointers.push_back(pointer);
  }

  bool deep(int depth, const std::string& pointer) {
    if (depth <= kMaxJsonScenarioDepth) return false;
    diags_.error(at(pointer), fmt::format("nested more than {} levels deep; a scenario needs far fewer", kMaxJsonScenarioDepth));
    return true;
  }

  /// A value written inline (`key = value`): a number, string, boolean, or an array of them.
  std::optional<std::string> inline_value(const json& v, const std::string& pointer, int depth) {
    switch (v.type()) {
      case json::value_t::null:
        diags_.error(at(pointer), "null is not a scenario value; leave the key out for its default");
        return std::nullopt;
      case json::value_t::boolean:
        return v.get<bool>() ? "true" : "false";
      case json::value_t::string:
        return quoted(v.get<std::string>());
      case json::value_t::number_integer:
        return std::to_string(v.get<std::int64_t>());
      case json::value_t::number_unsigned:
        return std::to_string(v.get<std::uint64_t>());
      case json::value_t::number_float: {
        std::string s = fmt::format("{}", v.get<double>());
        if (s.find_first_of(".eE") == std::string::npos) s += ".0";  // TOML: a float needs a '.' or an exponent
        return s;
      }
      case json::value_t::array: {
        if (deep(depth, pointer)) return std::nullopt;
        std::string s = "[";
        bool ok = true;
        for (std::size_t i = 0; i < v.size(); ++i) {
          const std::string p = pointer + "/" + std::to_string(i);
          if (v[i].is_object()) {
            diags_.error(at(p), "an array mixes objects (tables) with other values; TOML arrays of tables hold tables only");
            ok = false;
            continue;
          }
          const auto element = inline_value(v[i], p, depth + 1);
          if (!element) {
            ok = false;
            continue;
          }
          if (i > 0) s += ", ";
          s += *element;
        }
        s += "]";
        if (!ok) return std::nullopt;
        return s;
      }
      default:
        diags_.error(at(pointer), "this value cannot be written in a scenario");
        return std::nullopt;
    }
  }

  /// The keys of one table: plain values first, then sub-tables and arrays of tables (TOML
  /// requires a table's own keys before its sub-tables' headers).
  void table(const json& object, const std::string& header, const std::string& pointer, int depth) {
    if (deep(depth, pointer)) return;
    for (const auto& [key, value] : object.items()) {
      if (is_table(value) || is_table_array(value)) continue;
      const std::string p = pointer + "/" + json_pointer_token(key);
      if (const auto text = inline_value(value, p, depth + 1)) line(quoted(key) + " = " + *text, p);
    }
    for (const auto& [key, value] : object.items()) {
      const std::string p = pointer + "/" + json_pointer_token(key);
      const std::string name = header.empty() ? quoted(key) : header + "." + quoted(key);
      if (is_table(value)) {
        line("[" + name + "]", p);
        table(value, name, p, depth + 1);
      } else if (is_table_array(value)) {
        for (std::size_t i = 0; i < value.size(); ++i) {
          const std::string element = p + "/" + std::to_string(i);
          line("[[" + name + "]]", element);
          table(value[i], name, element, depth + 2);
        }
      }
    }
  }

  std::string source_;
  core::Diagnostics diags_;
  JsonAsToml out_;
};

}  // namespace

std::string json_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

JsonAsToml json_to_toml(const json& document, const std::string& source_name) {
  return Writer(source_name).write(document);
}

LoadedScenario load_scenario_json(const json& document, const std::string& source_name,
                                  const std::vector<std::string>& overrides) {
  const JsonAsToml toml = json_to_toml(document, source_name);
  try {
    return load_scenario_text(toml.text, source_name, overrides);
  } catch (const core::InputError& e) {
    // Every position in the written text becomes the pointer of the line it is on.
    core::Diagnostics located;
    for (const core::Diagnostic& d : e.diagnostics().items()) {
      core::SourcePos pos = d.pos;
      if (pos.file == source_name && pos.pointer.empty()) {
        const bool on_a_line = pos.line >= 1 && static_cast<std::size_t>(pos.line) <= toml.line_pointers.size();
        // "" (the document as a whole) for a problem of the whole file, such as a missing table.
        pos.pointer = on_a_line ? toml.line_pointers[static_cast<std::size_t>(pos.line) - 1] : "";
        pos.line = 0;
        pos.col = 0;
      }
      switch (d.severity) {
        case core::Severity::kError: located.error(pos, d.message); break;
        case core::Severity::kWarning: located.warning(pos, d.message); break;
        case core::Severity::kNote: located.note(pos, d.message); break;
      }
    }
    throw core::InputError(std::move(located));
  }
}

}  // namespace bsim::io
