#!/usr/bin/env bash
# `bubblesim report` from the command line: an HTML page and --svg files from a run folder and
# from an mc database, one <svg> per chart (the loss waterfall and the contract network among
# them), nothing reaching outside the page, well-formed SVG files, the same bytes twice; an
# older run folder without network.json still reports; a shock marked at its month, the key
# figures, story, command line and versions, numbers in one style; a tornado sweep's path count;
# bad input exits 2 with a message.
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

# 3. What a reader needs at a glance: sudden-100x's shock marked at its month on the time charts,
#    the key figures and the story, the run's command line and both versions, one number style.
"$bsim" run sudden-100x "${short[@]}" --out "$work/shock" > /dev/null
"$bsim" report "$work/shock" -o "$work/shock.html" > /dev/null
[ "$(grep -c 'class="marker marker-shock" data-month="2027-06"' "$work/shock.html")" -eq 5 ] \
  || fail "the shock of 2027-06 is not marked on the five time charts"
grep -q '<table class="key-figures">' "$work/shock.html" || fail "no key-figure table"
grep -q '<table class="story">' "$work/shock.html" || fail "no story"
grep -q "<code>$bsim run sudden-100x --set time.end=2029-06" "$work/shock.html" || fail "no run command line"
version=$("$bsim" --version | awk '{print $2}')
[ "$(grep -c "<td>$version</td>" "$work/shock.html")" -eq 2 ] || fail "the run's and the report's version are not both given"
/usr/bin/python3 - "$work/shock.html" "$work/mc.html" <<'PY' || fail "numbers not in one style"
import re, sys
for f in sys.argv[1:]:
    text = re.sub(r"<[^>]*>", " ", open(f, encoding="utf-8").read())
    bad = re.findall(r"[0-9]\.?[0-9]*e[-+]?[0-9]+|[0-9] ?G\b", text)
    assert not bad, (f, bad[:5])
PY

# A tornado sweep's page counts the paths the sweep ran.
"$bsim" sweep default --tornado -n 2 --threads 1 --quiet --json --db "$work/sweep.sqlite" "${short[@]}" > "$work/sweep.json"
"$bsim" report "$work/sweep.sqlite" -o "$work/sweep.html" > /dev/null
ran=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["evaluations"])' "$work/sweep.json")
grep -q "sweep (tornado) of $ran paths over" "$work/sweep.html" || fail "the sweep's page does not count its $ran paths"
grep -q "0 of 0 paths" "$work/sweep.html" && fail "the sweep's page says 0 of 0 paths"

# 4. Bad input: exit 2 with a message, and no page written.
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
