#!/usr/bin/env bash
# `bubblesim mc --check-paths` and the soak script on a few paths (the soak itself, 10^6 paths, is
# the ctest label `soak`): every month and value of passing paths counted, failing paths counted
# as failed with exit 1; and a century-long Monte Carlo run that completes (the stock-flow
# tolerance is relative to the balance sheets: with an absolute 1e-6, 19 of 40 paths to 2125 failed).
# Usage: mc_check_paths.sh BUBBLESIM WORK_DIR SOURCE_DIR
set -euo pipefail
bsim=$1
work=$2
src=$3
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
short=(--set time.end=2029-06)

# 1. Passing paths: 3 paths × 42 months (2026-01 … 2029-06), one value a timeseries column a month.
"$bsim" mc default -n 3 --threads 2 --seed 5 --check-paths --quiet --json "${short[@]}" > "$work/ok.json" 2> "$work/ok.err" \
  || fail "mc --check-paths exited $?: $(cat "$work/ok.err")"
"$bsim" run default --seed 5 "${short[@]}" --out "$work/one" > /dev/null
columns=$(( $(head -1 "$work/one/timeseries.csv" | tr ',' '\n' | wc -l) - 1 ))  # less `month`
/usr/bin/python3 - "$work/ok.json" "$columns" <<'PY' || fail "path_checks: $(cat "$work/ok.json" | head -c 2000)"
import json, sys
c = json.load(open(sys.argv[1]))["path_checks"]
columns = int(sys.argv[2])
assert c["paths"] == 3 and c["passed"] == 3 and c["failed"] == 0, c
assert c["months"] == 3 * 42, c
assert c["values"] == 3 * 42 * columns, (c, columns)
assert 0 <= c["worst_residual_share_of_tolerance"] <= 1, c
PY
grep -q "^mc: check-paths: 3 paths in .* s: 3 passed every check, 0 failed; 126 months and $((126 * columns)) timeseries values finite" \
  "$work/ok.err" || fail "no check line: $(cat "$work/ok.err")"

# 2. Failing paths: exit 1, every path failed. No valid scenario is known to drive a value to
#    inf or NaN (the run_path and path_checks tests reach one by bypassing the validator), so the
#    paths fail on drawn values the validator refuses: a market potential below the initial users.
sed '/^\[uncertain\]/,$d' "$src/scenarios/default.toml" > "$work/all-fail.toml"
cat >> "$work/all-fail.toml" <<'TOML'
[uncertain]
"segment.consumer.market_potential_users" = { dist = "uniform", min = 1, max = 2 }
TOML
set +e
"$bsim" mc "$work/all-fail.toml" -n 3 --threads 2 --check-paths --quiet "${short[@]}" > "$work/bad.txt" 2> "$work/bad.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "mc --check-paths with failing paths exited $rc: $(cat "$work/bad.err")"
grep -q "3 of 3 paths failed" "$work/bad.err" || fail "failures not counted: $(cat "$work/bad.err")"
grep -q "check-paths: 3 paths in .* s: 0 passed every check, 3 failed" "$work/bad.err" || fail "no check line: $(cat "$work/bad.err")"
grep -q "path 0 (seed 1): drawn values are invalid" "$work/bad.err" || fail "the failure is not named: $(cat "$work/bad.err")"

# 3. The soak script on a few paths: its summary line and exit code.
bash "$src/scripts/soak.sh" "$bsim" 2 default --threads 2 "${short[@]}" > "$work/soak.txt" 2> "$work/soak.err" \
  || fail "soak.sh exited $?: $(cat "$work/soak.err")"
grep -q "^soak: default: 2 paths in .* s (.* paths/s): 2 passed, 0 failed; 84 months" "$work/soak.txt" \
  || fail "soak line: $(cat "$work/soak.txt")"

# 4. A century: 4 paths to 2125-12 complete, none failed (the documented 200-path command is in
#    docs/montecarlo.md).
"$bsim" mc default -n 4 --threads 2 --check-paths --quiet --json --set time.end=2125-12 > "$work/century.json" 2> "$work/century.err" \
  || fail "mc to 2125-12 exited $?: $(cat "$work/century.err")"
/usr/bin/python3 - "$work/century.json" <<'PY' || fail "century: $(head -c 600 "$work/century.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["failed"] == 0 and doc["paths"] == 4, (doc["failed"], doc["paths"])
assert doc["path_checks"]["months"] == 4 * 1200, doc["path_checks"]
PY
echo "mc --check-paths: ok"
