#!/usr/bin/env bash
# `bubblesim report` from the command line: an HTML page and --svg files from a run folder and
# from an mc database, one <svg> per chart (the loss waterfall and the contract network among
# them), nothing reaching outside the page, well-formed SVG files, the same bytes twice; an
# older run folder without network.json still reports; bad input exits 2 with a message.
# Usage: report.sh BUBBLESIM WORK_DIR
set -euo pipefail
bsim=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
short=(--set time.end=2029-06 --set technology.efficiency.jump_rate_per_year=1.5)
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. A run folder: the page, its charts as files, the same bytes twice.
"$bsim" run default "${short[@]}" --out "$work/run" > /dev/null
"$bsim" report "$work/run" -o "$work/run.html" --svg "$work/svg" > /dev/null
"$bsim" report "$work/run" -o "$work/run2.html" > /dev/null
cmp "$work/run.html" "$work/run2.html" || fail "two reports of the same folder differ"
[ -s "$work/run/network.json" ] || fail "run --out wrote no network.json"
[ "$(grep -c '<svg' "$work/run.html")" -eq 7 ] || fail "expected 7 charts in the run report"
grep -qiE 'http|<script|src=' "$work/run.html" && fail "the page reaches outside itself"
[ "$(ls "$work/svg" | wc -l)" -eq 7 ] || fail "expected 7 SVG files"
[ -s "$work/svg/network.svg" ] || fail "no network.svg"
[ -s "$work/svg/losses_waterfall.svg" ] || fail "no losses_waterfall.svg"
grep -q 'class="edge highlight"' "$work/svg/network.svg" || fail "no circular contract highlighted in network.svg"
/usr/bin/python3 - "$work/svg" <<'PY' || fail "an SVG file is not well-formed"
import glob, sys, xml.etree.ElementTree as ET
for f in sorted(glob.glob(sys.argv[1] + "/*.svg")):
    root = ET.parse(f).getroot()
    assert root.tag.endswith("svg"), f
    assert root.find("{http://www.w3.org/2000/svg}title") is not None, f
PY

# A run folder from before network.json: the report leaves the network out and says why.
mkdir -p "$work/old-run"
cp "$work/run/timeseries.csv" "$work/run/summary.json" "$work/old-run/"
"$bsim" report "$work/old-run" -o "$work/old.html" > /dev/null
[ "$(grep -c '<svg' "$work/old.html")" -eq 6 ] || fail "expected 6 charts without network.json"
grep -q 'no network.json' "$work/old.html" || fail "no note about the missing network.json"

# 2. An mc database: fan charts, bust timing, losses.
"$bsim" mc default -n 4 --threads 1 --seed 3 --quiet --db "$work/mc.sqlite" "${short[@]}" > /dev/null
"$bsim" report "$work/mc.sqlite" -o "$work/mc.html" > /dev/null
[ "$(grep -c '<svg' "$work/mc.html")" -eq 8 ] || fail "expected 8 charts in the mc report"
grep -q 'class="edge highlight"' "$work/mc.html" || fail "no base-scenario network in the mc report"
grep -q 'band-outer' "$work/mc.html" || fail "no quantile bands in the mc report"
grep -qiE 'http|<script|src=' "$work/mc.html" && fail "the mc page reaches outside itself"

# 3. Bad input: exit 2 with a message, and no page written.
expect2() {
  set +e
  "$@" > "$work/out.txt" 2> "$work/err.txt"
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "'$*' exited $rc, expected 2"
  [ -s "$work/err.txt" ] || fail "'$*' printed no error"
}
expect2 "$bsim" report "$work/no-such-thing" -o "$work/x.html"
expect2 "$bsim" report "$work/run.html" -o "$work/x.html"   # a file that is not a results database
mkdir -p "$work/empty"
expect2 "$bsim" report "$work/empty" -o "$work/x.html"      # a folder without timeseries.csv
expect2 "$bsim" report "$work/run"                          # neither -o nor --svg
expect2 "$bsim" report -o "$work/x.html"                    # no RESULTS
[ ! -e "$work/x.html" ] || fail "a page was written for bad input"
echo "report CLI: ok"
