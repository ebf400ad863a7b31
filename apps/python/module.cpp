/// The compiled half of the Python package `bubblesim` (python/bubblesim): runs, Monte Carlo
/// runs, validation and the built-in scenarios, returning plain Python values (CSV and JSON text,
/// lists of dicts) that the package turns into pandas objects. pybind11 is used in this file only.
///
/// Every call releases the GIL while the simulator works. A Monte Carlo run checks for Ctrl-C
/// (Python's pending signals) about ten times a second; on one it stops as `mc` does on SIGINT
/// (paths under way finish, the database gets its last checkpoint, status "interrupted") and
/// then raises KeyboardInterrupt.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <string>
#include <vector>

#include "analysis/summary.h"
#include "core/diagnostics.h"
#include "io/builtin_scenarios.h"
#include "io/output.h"
#include "io/results_db.h"
#include "io/scenario_loader.h"
#include "jobs/mc_report.h"
#include "jobs/monte_carlo.h"
#include "sim/run_path.h"

namespace py = pybind11;

namespace {

using namespace bsim;

/// A scenario given as a built-in name or a file path (`is_text` false), or as TOML text.
io::LoadedScenario load(const std::string& scenario, bool is_text, const std::vector<std::string>& sets) {
  if (is_text) return io::load_scenario_text(scenario, "<text>", sets);
  return io::load_scenario(scenario, sets);
}

const char* severity_name(core::Severity s) {
  switch (s) {
    case core::Severity::kError:
      return "error";
    case core::Severity::kWarning:
      return "warning";
    case core::Severity::kNote:
      return "note";
  }
  return "error";
}

/// Every diagnostic, sorted as the command line prints them, as dicts.
py::list diagnostics_list(const core::Diagnostics& diags) {
  py::list out;
  for (const core::Diagnostic& d : diags.sorted()) {
    py::dict item;
    item["file"] = d.pos.file;
    item["line"] = d.pos.line;
    item["col"] = d.pos.col;
    item["pointer"] = d.pos.pointer;
    item["severity"] = severity_name(d.severity);
    item["message"] = d.message;
    item["text"] = d.str();
    out.append(item);
  }
  return out;
}

py::dict run(const std::string& scenario, bool is_text, const std::vector<std::string>& sets, std::uint64_t seed,
             std::uint64_t path_id, bool drawn) {
  std::string timeseries, firms, events, summary;
  {
    py::gil_scoped_release release;
    io::LoadedScenario loaded = load(scenario, is_text, sets);
    if (drawn) {
      std::vector<double> values;
      loaded.scenario = jobs::path_scenario(loaded, seed, path_id, values);
    }
    const sim::PathResult path = sim::run_path(loaded.scenario, path_id, seed);
    const analysis::PathSummary s = analysis::summarise(path, loaded.scenario);
    timeseries = io::timeseries_csv(path.months);
    firms = io::firms_csv(loaded.scenario, path.firms);
    events = io::events_csv(path.events);
    summary = io::summary_json(loaded, path, s).dump();
  }
  py::dict out;
  out["timeseries_csv"] = timeseries;
  out["firms_csv"] = firms;
  out["events_csv"] = events;
  out["summary_json"] = summary;
  return out;
}

py::dict mc(const std::string& scenario, bool is_text, const std::vector<std::string>& sets, std::uint64_t paths,
            int threads, std::uint64_t seed, const std::vector<std::string>& store, const std::vector<std::string>& fan,
            const std::string& db_path) {
  std::atomic<bool> stop{false};
  bool interrupted_by_signal = false;
  std::string summary;
  bool interrupted = false;
  std::uint64_t failed = 0;
  {
    py::gil_scoped_release release;
    const io::LoadedScenario loaded = load(scenario, is_text, sets);
    if (!store.empty()) (void)jobs::checked_columns(store, "store");
    const std::vector<std::string> fans = fan.empty() ? jobs::fan_chart_columns() : jobs::checked_columns(fan, "fan");
    jobs::McOptions mo;
    mo.paths = paths;
    mo.seed = seed;
    mo.threads = threads;
    mo.db_path = db_path;
    mo.store_columns = store;
    mo.command_line = "bubblesim.mc (Python)";
    mo.stop = &stop;
    // Called on this thread: take the GIL briefly and let Python run its signal handlers.
    mo.progress = [&](const jobs::McProgress&) {
      if (stop.load()) return;
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        PyErr_Clear();
        interrupted_by_signal = true;
        stop.store(true);
      }
    };
    const jobs::McRun result = jobs::run_monte_carlo(loaded, mo);
    if (!db_path.empty()) {
      io::ResultsDb db = io::ResultsDb::open_existing(db_path);
      db.write_quantiles(jobs::quantile_rows(result.aggregate));
    }
    summary = jobs::mc_summary_json(result, fans).dump();
    interrupted = result.interrupted;
    failed = result.aggregate.failed();
  }
  if (interrupted_by_signal) {
    PyErr_SetString(PyExc_KeyboardInterrupt, "bubblesim.mc interrupted; the paths done so far are in the database");
    throw py::error_already_set();
  }
  py::dict out;
  out["summary_json"] = summary;
  out["interrupted"] = interrupted;
  out["failed"] = failed;
  return out;
}

/// The diagnostics of a scenario: an empty list when it is valid.
py::list validate(const std::string& scenario, bool is_text, const std::vector<std::string>& sets) {
  core::Diagnostics found;
  {
    py::gil_scoped_release release;
    try {
      (void)load(scenario, is_text, sets);
    } catch (const core::InputError& e) {
      found = e.diagnostics();
    }
  }
  return diagnostics_list(found);
}

py::list scenarios() {
  py::list out;
  for (const io::EmbeddedFile& f : io::builtin_scenarios()) {
    py::dict item;
    item["name"] = f.name;
    try {
      item["description"] = io::load_scenario(f.name).scenario.description;
    } catch (const core::InputError& e) {
      item["description"] = std::string("(invalid: ") + e.what() + ")";
    }
    out.append(item);
  }
  return out;
}

py::list columns() {
  py::list out;
  for (const model::Column& c : model::kColumns) {
    py::dict item;
    item["name"] = std::string(c.name);
    item["unit"] = std::string(c.unit);
    item["description"] = std::string(c.description);
    out.append(item);
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_bubblesim, m) {
  m.doc() = "The compiled part of bubblesim; use the package bubblesim, not this module.";
  m.attr("version") = BSIM_VERSION;
  // Bad input becomes bubblesim.ScenarioError carrying every located error; a results database
  // that cannot be used becomes bubblesim.DatabaseError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const core::InputError& e) {
      const py::object error = py::module_::import("bubblesim._errors").attr("ScenarioError");
      const py::object instance = error(e.diagnostics().str(), diagnostics_list(e.diagnostics()));
      PyErr_SetObject(error.ptr(), instance.ptr());
    } catch (const io::DatabaseError& e) {
      const py::object error = py::module_::import("bubblesim._errors").attr("DatabaseError");
      PyErr_SetObject(error.ptr(), error(e.what()).ptr());
    }
  });
  m.def("run", &run, py::arg("scenario"), py::arg("is_text"), py::arg("sets"), py::arg("seed"), py::arg("path"),
        py::arg("drawn"));
  m.def("mc", &mc, py::arg("scenario"), py::arg("is_text"), py::arg("sets"), py::arg("paths"), py::arg("threads"),
        py::arg("seed"), py::arg("store"), py::arg("fan"), py::arg("db"));
  m.def("validate", &validate, py::arg("scenario"), py::arg("is_text"), py::arg("sets"));
  m.def("scenarios", &scenarios);
  m.def("columns", &columns);
}
