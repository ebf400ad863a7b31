#!/usr/bin/env bash
# `bubblesim validate-history` from the command line: the built-in history/telecom-1996 by its
# short name, the side-by-side table, an error per series and each shape target; the exit code
# is 0 exactly when every target passes; --json says the same; a scenario that declares no
# history is bad input (exit 2); `bubblesim scenarios` lists the history scenario.
# Usage: validate_history.sh BUBBLESIM WORK_DIR
set -uo pipefail
bsim=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bsim" validate-history telecom-1996 > "$work/text.txt"
code=$?
[ "$code" -eq 0 ] || fail "exit code $code: every shape target of V1 should pass"
grep -q "scenario 'history/telecom-1996' (1995-01 to 2004-12" "$work/text.txt" || fail "no header"
for label in "carrier capex" "backbone traffic" "capacity price" "utilization of capacity" "debt written off" \
             "equity wiped out in defaults" "sector equity value" "firms in default"; do
  grep -q "$label" "$work/text.txt" || fail "no series '$label'"
done
grep -qE "^2000 " "$work/text.txt" || fail "no row for 2000"
grep -q "in sample" "$work/text.txt" || fail "no error table"
fails=$(grep -cE "^  FAIL " "$work/text.txt")
passes=$(grep -cE "^  PASS " "$work/text.txt")
[ $((fails + passes)) -ge 8 ] || fail "expected at least 8 shape targets, saw $((fails + passes))"
if [ "$fails" -eq 0 ]; then [ "$code" -eq 0 ] || fail "all targets pass but exit $code"; else [ "$code" -eq 1 ] || fail "$fails targets fail but exit $code"; fi

"$bsim" validate-history history/telecom-1996 --json > "$work/out.json"
[ $? -eq "$code" ] || fail "--json exits differently"
/usr/bin/python3 - "$work/out.json" "$code" <<'PY' || fail "bad JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["scenario"]["name"] == "history/telecom-1996"
assert j["fitted_through"] == 1999
ids = [s["id"] for s in j["series"]]
assert "capex" in ids and "traffic" in ids and "price" in ids, ids
capex = next(s for s in j["series"] if s["id"] == "capex")
assert [r["year"] for r in capex["rows"]] == list(range(1995, 2005))
assert capex["error"]["all"] is not None
assert j["all_targets_pass"] == (sys.argv[2] == "0")
assert all(t["pass"] in (True, False) for t in j["targets"])
PY

"$bsim" validate-history default > /dev/null 2> "$work/err.txt"
[ $? -eq 2 ] || fail "a scenario without history should exit 2"
grep -q "declares no \[\[observed\]\]" "$work/err.txt" || fail "no message for a scenario without history"

"$bsim" scenarios | grep -q "^history/telecom-1996" || fail "scenarios does not list history/telecom-1996"
echo "ok"
