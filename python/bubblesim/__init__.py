"""bubblesim from Python: one path, Monte Carlo runs, results read back as pandas objects.

    import bubblesim as b
    r = b.run("default")                    # one path, as `bubblesim run default`
    r.timeseries["ai_revenue_usd_bn"]       # a pandas Series indexed by month (PeriodIndex)
    m = b.mc("default", n=200, store=["capex_usd_bn"])
    m.summary["bust"]["probability"]        # `bubblesim mc --json` as a dict
    m.series["capex_usd_bn"]                # months x paths
    d = b.load_db("runs.db")                # a database written by `bubblesim mc --db`

The numbers are the command line's: `run` returns what `bubblesim run --out` writes, `mc` what
`bubblesim mc --json --db` prints and stores. The shapes are documented in docs/python.md.
"""

import json
import os
import pathlib
import sqlite3
import tempfile
from io import StringIO

import pandas as pd

from . import _bubblesim
from ._errors import DatabaseError, ScenarioError

__all__ = [
    "run", "mc", "load_run", "load_db", "scenarios", "columns", "validate",
    "RunResult", "McResult", "ScenarioError", "DatabaseError",
]
__version__ = _bubblesim.version


def _source(scenario):
    """(text, is_text): a built-in name or a file path, or TOML text (anything with a newline)."""
    if isinstance(scenario, os.PathLike):
        return os.fspath(scenario), False
    if not isinstance(scenario, str):
        raise TypeError("scenario: a built-in name, a file path or TOML text, not %s" % type(scenario).__name__)
    return scenario, "\n" in scenario


def _value_text(value):
    """A value as written after `--set key=` on the command line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value  # as typed on the command line: "2030-12", "27 USDbn"
    return repr(value)


def _sets(set):
    """{'key': value} or ['key=value', ...] as the command line's --set strings."""
    if set is None:
        return []
    if isinstance(set, dict):
        return ["%s=%s" % (key, _value_text(value)) for key, value in set.items()]
    return [str(s) for s in set]


def _by_month(frame):
    """`frame` indexed by its `month` column ("YYYY-MM") as a monthly PeriodIndex."""
    frame.index = pd.PeriodIndex(frame.pop("month"), freq="M", name="month")
    return frame


class RunResult:
    """One path: ``timeseries``, ``firms`` and ``events`` (DataFrames indexed by month, a
    PeriodIndex) and ``summary`` (the dict of summary.json)."""

    def __init__(self, timeseries, firms, events, summary):
        self.timeseries = timeseries
        self.firms = firms
        self.events = events
        self.summary = summary

    def __repr__(self):
        return "<bubblesim.RunResult %s: %d months, %d firm rows, %d events>" % (
            self.summary.get("scenario", "?"), len(self.timeseries), len(self.firms), len(self.events))


def _run_result(timeseries_csv, firms_csv, events_csv, summary):
    # The files hold the shortest text that reads back to the same double: read it back exactly
    # (round_trip; pandas' default parser can be one unit in the last place off). Text columns
    # stay text (keep_default_na=False: a firm called "NA" is not missing).
    exact = {"float_precision": "round_trip"}
    timeseries = _by_month(pd.read_csv(StringIO(timeseries_csv), **exact))
    firms = _by_month(pd.read_csv(StringIO(firms_csv), keep_default_na=False, **exact,
                                  dtype={"firm": str, "name": str, "type": str, "status": str}))
    events = _by_month(pd.read_csv(StringIO(events_csv), keep_default_na=False, **exact,
                                   dtype={"kind": str, "firm": str, "cause": str, "counterparty": str}))
    return RunResult(timeseries, firms, events, summary)


def run(scenario="default", set=None, seed=1, path=0, drawn=False):
    """Runs one path, as `bubblesim run SCENARIO --seed SEED --path PATH [--set k=v]…`.

    scenario: a built-in name (see scenarios()), a scenario file, or TOML text.
    set: {'key': value} overrides (or 'key=value' strings), as --set.
    drawn: use the values Monte Carlo path `path` draws for the [uncertain] keys (run --drawn).
    Raises ScenarioError (with every located error) for bad input.
    """
    text, is_text = _source(scenario)
    out = _bubblesim.run(text, is_text, _sets(set), int(seed), int(path), bool(drawn))
    return _run_result(out["timeseries_csv"], out["firms_csv"], out["events_csv"], json.loads(out["summary_json"]))


def load_run(directory):
    """Reads a folder written by `bubblesim run --out DIR` into a RunResult."""
    def read(name):
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            return f.read()
    return _run_result(read("timeseries.csv"), read("firms.csv"), read("events.csv"), json.loads(read("summary.json")))


class McResult:
    """A Monte Carlo run (from mc() or load_db()).

    summary: mc() — the dict `bubblesim mc --json` prints; load_db() — the database's
        run_summary view (paths, failed, busts, bust_share, status) with its meta table.
    meta: the database's meta table as a dict (seed, paths_requested, stored_columns, …).
    fans: per-month quantiles of every indicator, a DataFrame indexed by month with columns
        indicator, n, mean, p05, p25, p50, p75, p95 (the database's quantiles table).
    paths: one row per completed path, indexed by path_id (the paths table), with each drawn
        [uncertain] value as a column named by its key.
    series: {column: DataFrame months x path ids} of the stored columns (store=[…] or
        --store-paths); empty without any.
    """

    def __init__(self, summary, meta, fans, paths, series):
        self.summary = summary
        self.meta = meta
        self.fans = fans
        self.paths = paths
        self.series = series

    def fan(self, indicator):
        """The per-month quantiles of one indicator: a DataFrame indexed by month."""
        if indicator not in set(self.fans["indicator"]):
            raise ScenarioError("no quantiles of '%s' in this run" % indicator)
        return self.fans[self.fans["indicator"] == indicator].drop(columns="indicator")

    def __repr__(self):
        return "<bubblesim.McResult %s: %d paths, stored series %s>" % (
            self.meta.get("scenario_name", "?"), len(self.paths), sorted(self.series))


def _read_db(path):
    if not os.path.isfile(path):
        raise DatabaseError("%s: no such file" % path)
    # Read-only, by a file: URI (as_uri escapes the characters a URI gives a meaning to).
    connection = sqlite3.connect(pathlib.Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as e:
            raise DatabaseError("%s: not a bubblesim results database (%s)" % (path, e)) from None
        if meta.get("schema_version") != "2":
            raise DatabaseError("%s: results database of schema version %s; this bubblesim reads version 2"
                                % (path, meta.get("schema_version")))
        for key in ("seed", "paths_requested", "paths_done", "paths_failed"):
            if key in meta:
                meta[key] = int(meta[key])
        for key in ("overrides", "stored_columns"):
            meta[key] = json.loads(meta.get(key, "[]"))
        fans = _by_month(pd.read_sql_query(
            "SELECT indicator, month, n, mean, p05, p25, p50, p75, p95 FROM quantiles ORDER BY indicator, month",
            connection))
        paths = pd.read_sql_query("SELECT * FROM paths ORDER BY path_id", connection, index_col="path_id")
        paths["bust"] = paths["bust"].astype(bool)
        drawn = pd.read_sql_query(
            "SELECT p.path_id, k.key, p.value FROM path_parameters p JOIN parameters k USING (idx)", connection)
        if len(drawn):
            paths = paths.join(drawn.pivot(index="path_id", columns="key", values="value"))
        series = {}
        for column in meta["stored_columns"]:
            long = pd.read_sql_query("SELECT path_id, month, value FROM path_series WHERE indicator = ?",
                                     connection, params=(column,))
            wide = long.pivot(index="month", columns="path_id", values="value")
            wide.index = pd.PeriodIndex(wide.index, freq="M", name="month")
            wide.columns.name = "path_id"
            series[column] = wide
        run_summary = dict(zip(("paths_requested", "paths", "failed", "busts", "bust_share", "status"),
                               connection.execute("SELECT * FROM run_summary").fetchone()))
    finally:
        connection.close()
    return meta, fans, paths, series, run_summary


def load_db(path):
    """Reads a results database written by `bubblesim mc --db FILE` (or mc(db=…)) into an
    McResult; with `--store-paths`, `series` holds every stored path's monthly series."""
    meta, fans, paths, series, run_summary = _read_db(os.fspath(path))
    return McResult(run_summary, meta, fans, paths, series)


def mc(scenario="default", n=1000, threads=0, seed=1, set=None, store=None, fan=None, db=None):
    """Runs a Monte Carlo, as `bubblesim mc SCENARIO -n N --threads T --seed S --json --db DB
    [--store-paths store] [--fan fan]`, and returns an McResult.

    threads: worker threads (0: one per hardware thread).
    store: timeseries columns whose monthly series each path keeps (result.series).
    fan: the columns of summary["fan"] (default: the key indicators); result.fans has every one.
    db: keep the results database in this (new) file; by default a temporary one is used and
        removed.
    The GIL is released while paths run. Ctrl-C stops the run as it stops `bubblesim mc`
    (paths under way finish; with db=…, the file holds them, status "interrupted") and raises
    KeyboardInterrupt.
    """
    text, is_text = _source(scenario)
    store = [store] if isinstance(store, str) else list(store or [])
    fan = [fan] if isinstance(fan, str) else list(fan or [])
    with tempfile.TemporaryDirectory(prefix="bubblesim-mc-") as scratch:
        db_path = os.fspath(db) if db is not None else os.path.join(scratch, "mc.db")
        out = _bubblesim.mc(text, is_text, _sets(set), int(n), int(threads), int(seed), store, fan, db_path)
        meta, fans, paths, series, _ = _read_db(db_path)
    return McResult(json.loads(out["summary_json"]), meta, fans, paths, series)


def scenarios():
    """The built-in scenarios: {name: description}."""
    return {s["name"]: s["description"] for s in _bubblesim.scenarios()}


def columns():
    """The timeseries columns: a DataFrame indexed by name with unit and description."""
    return pd.DataFrame(_bubblesim.columns()).set_index("name")


def validate(scenario, set=None):
    """Checks a scenario (built-in name, file path or TOML text) without running it.

    Returns None when it is valid; raises ScenarioError carrying every located error otherwise
    (as `bubblesim validate` prints them).
    """
    text, is_text = _source(scenario)
    found = _bubblesim.validate(text, is_text, _sets(set))
    errors = [d for d in found if d["severity"] == "error"]
    if errors:
        raise ScenarioError("\n".join(d["text"] for d in found), found)
    return None
