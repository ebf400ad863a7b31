#!/usr/bin/env bash
# The soak: many Monte Carlo paths of one scenario, every month of every path checked as written
# (bubblesim mc --check-paths: all timeseries values finite, the stock-flow residual within its
# tolerance), then one line with the time, the paths and the failures. Exit 0 when every path
# passed, 1 when any failed (the first are listed by mc), 2 on bad input. docs/montecarlo.md.
# Usage: scripts/soak.sh BUBBLESIM [PATHS [SCENARIO [MC OPTIONS…]]]
#   scripts/soak.sh build/release/bubblesim                   # 10^6 paths of default
#   scripts/soak.sh build/release/bubblesim 10000             # 10^4 paths, to try it
#   scripts/soak.sh build/release/bubblesim 200 default --set time.end=2125-12
set -uo pipefail
bsim=${1:?usage: soak.sh BUBBLESIM [PATHS [SCENARIO [MC OPTIONS…]]]}
paths=${2:-1000000}
scenario=${3:-default}
shift $(( $# < 3 ? $# : 3 ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
"$bsim" mc "$scenario" -n "$paths" --check-paths --quiet --json "$@" > "$out/summary.json" 2> "$out/stderr.txt"
rc=$?
end=$(date +%s.%N)
cat "$out/stderr.txt" >&2
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
  echo "soak: bubblesim mc exited $rc" >&2
  exit $rc
fi
/usr/bin/python3 - "$out/summary.json" "$start" "$end" "$scenario" "$rc" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
c = doc["path_checks"]
wall = float(sys.argv[3]) - float(sys.argv[2])
print(f"soak: {sys.argv[4]}: {c['paths']} paths in {wall:.1f} s ({c['paths'] / wall:.1f} paths/s): "
      f"{c['passed']} passed, {c['failed']} failed; {c['months']} months, {c['values']} values finite; "
      f"largest stock-flow residual {c['worst_residual_share_of_tolerance']:.3g} of its tolerance; exit {sys.argv[5]}")
PY
exit $rc
