#!/usr/bin/env bash
# The closing figures of a fuzz run (make fuzz): one line per fuzz target read from the CTest log,
# with its result, the executions libFuzzer counted, executions per second, the seconds it ran
# and its peak memory. The targets run with -print_final_stats=1, whose lines CTest keeps in full
# in LastTest.log. docs/architecture.md, "Fuzzing".
# Usage: scripts/fuzz-summary.sh [build/fuzz/Testing/Temporary/LastTest.log]
set -euo pipefail
log=${1:-build/fuzz/Testing/Temporary/LastTest.log}
[ -f "$log" ] || { echo "fuzz-summary: no CTest log at $log (run make fuzz first)" >&2; exit 2; }
awk '
  function flush() {
    if (name != "") printf "%-24s %-7s %14s %10s %8s %8s\n", name, result, units, per_sec, seconds, rss
  }
  BEGIN { printf "%-24s %-7s %14s %10s %8s %8s\n", "target", "result", "executions", "exec/s", "seconds", "peak MB" }
  /^[0-9]+\/[0-9]+ Test: / { flush(); name = $3; result = "?"; units = per_sec = seconds = rss = "-" }
  /^stat::number_of_executed_units:/ { units = $2 }
  /^stat::average_exec_per_sec:/ { per_sec = $2 }
  /^stat::peak_rss_mb:/ { rss = $2 }
  /^Done [0-9]+ runs in [0-9]+ second/ { seconds = $5 }
  /^Test Passed\./ { result = "passed" }
  /^Test Failed\./ || /^Test Failed/ { result = "FAILED" }
  END { flush() }
' "$log"
