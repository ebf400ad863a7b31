"""The Python package against the command line's own outputs for the same scenario and seed.

Run by ctest (python.package) with PYTHONPATH=<build>/python and BSIM_BIN=<build>/bubblesim, the
binary of the same build as the module. Every expected value comes from the command line, not
from numbers written here.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import numpy as np
import pandas as pd

try:
    import bubblesim as b
except ImportError as e:  # a sanitizer build tests the release build's module: make python
    sys.exit("cannot import bubblesim from PYTHONPATH=%s (%s); build it with make python"
             % (os.environ.get("PYTHONPATH", ""), e))

BIN = os.environ["BSIM_BIN"]
# A shorter horizon keeps the Monte Carlo tests fast; the random jumps make the paths differ.
SHORT = {"time.end": "2029-06", "technology.efficiency.jump_rate_per_year": 1.5}
SHORT_ARGS = ["--set", "time.end=2029-06", "--set", "technology.efficiency.jump_rate_per_year=1.5"]


def cli(*args, check=True):
    done = subprocess.run([BIN, *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError("bubblesim %s exited %d:\n%s" % (" ".join(args), done.returncode, done.stderr))
    return done


class Scratch(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="bsim-py-")
        self.dir = self._dir.name

    def tearDown(self):
        self._dir.cleanup()


class RunTest(Scratch):
    def test_run_equals_the_files_of_run_out(self):
        out = os.path.join(self.dir, "out")
        cli("run", "default", "--seed", "3", "--path", "2", "--out", out)
        mine = b.run("default", seed=3, path=2)
        files = b.load_run(out)
        pd.testing.assert_frame_equal(mine.timeseries, files.timeseries, check_exact=True)
        pd.testing.assert_frame_equal(mine.firms, files.firms, check_exact=True)
        pd.testing.assert_frame_equal(mine.events, files.events, check_exact=True)
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            self.assertEqual(mine.summary, json.load(f))
        # Months as a monthly PeriodIndex, one row per month of the scenario.
        self.assertIsInstance(mine.timeseries.index, pd.PeriodIndex)
        self.assertEqual(mine.timeseries.index.freqstr, "M")
        self.assertEqual(str(mine.timeseries.index[0]), mine.summary["start"] if "start" in mine.summary
                         else str(mine.timeseries.index[0]))
        self.assertTrue(mine.timeseries.index.is_monotonic_increasing)
        with open(os.path.join(out, "timeseries.csv"), encoding="utf-8") as f:
            self.assertEqual(len(mine.timeseries), sum(1 for _ in f) - 1)

    def test_set_is_the_command_lines_set(self):
        out = os.path.join(self.dir, "out")
        cli("run", "default", "--out", out, *SHORT_ARGS)
        pd.testing.assert_frame_equal(b.run("default", set=SHORT).timeseries, b.load_run(out).timeseries,
                                      check_exact=True)

    def test_scenarios_are_the_command_lines(self):
        listed = [line.split()[0] for line in cli("scenarios").stdout.splitlines() if line.strip()]
        self.assertEqual(list(b.scenarios()), listed)
        self.assertIn("default", b.scenarios())


class ValidateTest(Scratch):
    BAD = ('schema_version = 1\nextends = "default"\nname = "bad"\n'
           '[demand]\ngrowth_typo = 3\n[time]\nend = "2020-13"\n')

    def test_every_located_error_is_carried_as_the_command_line_prints_it(self):
        path = os.path.join(self.dir, "bad.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.BAD)
        done = cli("validate", path, check=False)
        self.assertEqual(done.returncode, 2)
        printed = [line for line in done.stderr.splitlines() if ": error: " in line]
        self.assertGreaterEqual(len(printed), 2, done.stderr)
        with self.assertRaises(b.ScenarioError) as caught:
            b.validate(path)
        self.assertEqual([e["text"] for e in caught.exception.errors if e["severity"] == "error"], printed)
        for e in caught.exception.errors:
            self.assertEqual(e["file"], path)
            self.assertGreater(e["line"], 0)
        # The same text given directly: the same errors, located in "<text>".
        with self.assertRaises(b.ScenarioError) as from_text:
            b.validate(self.BAD)
        self.assertEqual([(e["line"], e["col"], e["message"]) for e in from_text.exception.errors],
                         [(e["line"], e["col"], e["message"]) for e in caught.exception.errors])

    def test_valid_scenarios_pass_and_run_raises_the_same_error(self):
        self.assertIsNone(b.validate("default"))
        with self.assertRaises(b.ScenarioError) as caught:
            b.run(self.BAD)
        self.assertGreaterEqual(len(caught.exception.errors), 2)


class StoredPathsTest(Scratch):
    """`bubblesim mc default -n 200 --store-paths ai_revenue_usd_bn,capex_usd_bn --db D`."""

    COLUMNS = ["ai_revenue_usd_bn", "capex_usd_bn"]
    N = 200

    @classmethod
    def setUpClass(cls):
        cls._shared = tempfile.TemporaryDirectory(prefix="bsim-py-mc-")
        cls.db = os.path.join(cls._shared.name, "mc.db")
        cls.json_text = cli("mc", "default", "-n", str(cls.N), "--seed", "5", "--quiet", "--json",
                            "--store-paths", ",".join(cls.COLUMNS), "--fan", "capex_usd_bn,workers_displaced_m",
                            "--db", cls.db).stdout
        cls.loaded = b.load_db(cls.db)

    @classmethod
    def tearDownClass(cls):
        cls._shared.cleanup()

    def test_every_path_and_month_is_stored(self):
        months = len(b.run("default", seed=5).timeseries)
        connection = sqlite3.connect(self.db)
        counts = dict(connection.execute("SELECT indicator, COUNT(*) FROM path_series GROUP BY indicator"))
        connection.close()
        self.assertEqual(counts, {c: self.N * months for c in self.COLUMNS})
        for c in self.COLUMNS:
            self.assertEqual(self.loaded.series[c].shape, (months, self.N))
            self.assertFalse(self.loaded.series[c].isna().any().any())
        self.assertEqual(self.loaded.meta["stored_columns"], self.COLUMNS)

    def test_path_k_is_run_drawn_path_k(self):
        # The default scenario has [uncertain] keys: path k of mc is `run --drawn --path k`.
        for k in (0, 1, 117, self.N - 1):
            alone = b.run("default", seed=5, path=k, drawn=True).timeseries
            for c in self.COLUMNS:
                stored = self.loaded.series[c][k]
                self.assertTrue(stored.index.equals(alone.index))
                np.testing.assert_array_equal(stored.to_numpy(), alone[c].to_numpy(), err_msg="%s path %d" % (c, k))
        # And the command line's own run of one of them.
        with tempfile.TemporaryDirectory(prefix="bsim-py-run-") as out:
            cli("run", "default", "--drawn", "--seed", "5", "--path", "117", "--out", out)
            files = b.load_run(out).timeseries
        for c in self.COLUMNS:
            np.testing.assert_array_equal(self.loaded.series[c][117].to_numpy(), files[c].to_numpy())

    def test_fans_bracket_the_stored_paths(self):
        accuracy = float(self.loaded.meta["sketch_accuracy"])
        for c in self.COLUMNS:
            fan = self.loaded.fan(c)
            paths = self.loaded.series[c]
            lo, hi = paths.min(axis=1), paths.max(axis=1)
            for q in ("p05", "p25", "p50", "p75", "p95"):
                self.assertTrue((fan[q] >= lo * (1 - accuracy) - 1e-12).all(), "%s %s" % (c, q))
                self.assertTrue((fan[q] <= hi * (1 + accuracy) + 1e-12).all(), "%s %s" % (c, q))
            # The exact mean of the stored values (sums on a 2^-32 grid).
            np.testing.assert_allclose(fan["mean"], paths.mean(axis=1), rtol=1e-9, atol=1e-6)

    def test_json_fans_are_the_columns_asked_for_and_match_the_database(self):
        summary = json.loads(self.json_text)
        self.assertEqual(sorted(summary["fan"]), ["capex_usd_bn", "workers_displaced_m"])
        fan = self.loaded.fan("capex_usd_bn")
        np.testing.assert_array_equal(np.array(summary["fan"]["capex_usd_bn"]["p50"], dtype=float),
                                      fan["p50"].to_numpy())
        self.assertEqual(summary["fan"]["capex_usd_bn"]["months"], [str(m) for m in fan.index])

    def test_python_mc_is_the_command_lines_mc(self):
        mine = b.mc("default", n=self.N, threads=2, seed=5, store=self.COLUMNS, fan=["capex_usd_bn", "workers_displaced_m"])
        self.assertEqual(mine.summary, json.loads(self.json_text))
        for c in self.COLUMNS:
            pd.testing.assert_frame_equal(mine.series[c], self.loaded.series[c], check_exact=True)
        pd.testing.assert_frame_equal(mine.paths, self.loaded.paths, check_exact=True)
        pd.testing.assert_frame_equal(mine.fans, self.loaded.fans, check_exact=True)


class McTest(Scratch):
    def test_unknown_columns_exit_2_and_raise(self):
        for option in ("--store-paths", "--fan"):
            done = cli("mc", "default", "-n", "2", "--quiet", "--db", os.path.join(self.dir, option + ".db"),
                       option, "capex_usd_bn,ai_revenue,bogus", check=False)
            self.assertEqual(done.returncode, 2, option)
            self.assertIn("unknown column 'ai_revenue'", done.stderr)
            self.assertIn("unknown column 'bogus'", done.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.dir, option + ".db")), option)
        with self.assertRaises(b.ScenarioError) as caught:
            b.mc("default", n=2, store=["bogus"])
        self.assertIn("bogus", str(caught.exception))

    def test_set_and_drawn_parameters_match_the_command_line(self):
        db = os.path.join(self.dir, "cli.db")
        cli("mc", "default", "-n", "8", "--seed", "2", "--quiet", "--db", db, *SHORT_ARGS)
        mine = b.mc("default", n=8, seed=2, set=SHORT, threads=1)
        theirs = b.load_db(db)
        pd.testing.assert_frame_equal(mine.paths, theirs.paths, check_exact=True)
        self.assertEqual(len(mine.paths), 8)

    def test_the_gil_is_released_while_paths_run(self):
        ticks_while_running = []
        done = {}
        # 200 short paths on one thread: about a second, long enough to tell on a fast machine
        # (40 paths took 0.198 s on one and failed the precondition below).
        worker = threading.Thread(target=lambda: done.setdefault("r", b.mc("default", n=200, threads=1, set=SHORT)))
        started = time.monotonic()
        worker.start()
        while worker.is_alive():
            ticks_while_running.append(time.monotonic())
            time.sleep(0.005)
        worker.join()
        elapsed = time.monotonic() - started
        self.assertEqual(len(done["r"].paths), 200)
        # Held GIL: this thread could not tick while the run lasted. Released: it ticks all along.
        self.assertGreater(elapsed, 0.2, "the run was too short to tell")
        self.assertGreater(len(ticks_while_running), 10)
        self.assertGreater(ticks_while_running[-1] - ticks_while_running[0], 0.5 * elapsed)

    def test_ctrl_c_stops_the_run_cleanly(self):
        db = os.path.join(self.dir, "interrupted.db")
        script = ("import bubblesim as b\n"
                  "b.mc('default', n=100000, threads=2, seed=1, db=%r)\n" % db)
        child = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True,
                                 env=dict(os.environ))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if os.path.exists(db):
                try:
                    connection = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
                    count = connection.execute("SELECT COUNT(*) FROM paths").fetchone()[0]
                    connection.close()
                    if count >= 2:
                        break
                except sqlite3.Error:
                    pass
            time.sleep(0.1)
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, err = child.communicate(timeout=60)
        self.assertLess(time.monotonic() - sent, 30, "the run did not stop promptly")
        self.assertNotEqual(child.returncode, 0)
        self.assertIn("KeyboardInterrupt", err)
        stopped = b.load_db(db)
        self.assertEqual(stopped.meta["status"], "interrupted")
        self.assertEqual(stopped.meta["paths_done"], len(stopped.paths))
        self.assertLess(stopped.meta["paths_done"], 100000)
        self.assertGreaterEqual(stopped.meta["paths_done"], 2)


if __name__ == "__main__":
    unittest.main()
