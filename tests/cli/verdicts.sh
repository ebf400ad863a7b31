#!/usr/bin/env bash
# Verdicts condition by condition and their persistence from the command line: `mc --json` gives
# each condition's P(bust) inside its 95% interval and at least its first-to-count share;
# `--persist-months 3` can only lower P(bust) and is named in the rule (mc, run, sweep), and is
# refused with --resume; `schema --json` gives every key one of the four roles; `validate-history`
# warns about the behaviour keys a history file sets itself.
# Usage: verdicts.sh BUBBLESIM WORK_DIR
set -euo pipefail
bsim=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
# To 2031-12 with the capex condition at 70%: some paths bust and some do not (at the default
# 40% every path's capex drop counts by then).
short=(--set time.end=2031-12 --set verdict.bust_capex_drop=0.7)

# 1. mc: per-condition figures, and persistence lowers P(bust).
"$bsim" mc default -n 40 --threads 2 --seed 5 --json --quiet "${short[@]}" > "$work/n1.json"
"$bsim" mc default -n 40 --threads 2 --seed 5 --json --quiet --persist-months 3 "${short[@]}" > "$work/n3.json"
/usr/bin/python3 - "$work/n1.json" "$work/n3.json" <<'EOF' || fail "mc per-condition JSON"
import json, sys
one, three = (json.load(open(p)) for p in sys.argv[1:3])
for run, months in ((one, 1), (three, 3)):
    bust = run["bust"]
    assert bust["persist_months"] == months, bust["persist_months"]
    union = 0
    for name in ("equity_drawdown", "capex_drop", "writeoffs"):
        c = bust["conditions"][name]
        assert set(c) == {"busts", "probability", "ci95", "median_month"}, c
        assert c["busts"] >= bust["by_condition"][name], (name, c, bust["by_condition"])
        assert c["probability"] == c["busts"] / run["paths"], (name, c)
        low, high = c["ci95"]
        assert low <= c["probability"] <= high, (name, c)
        assert (c["median_month"] is None) == (c["busts"] == 0), (name, c)
        union = max(union, c["busts"])
    assert bust["busts"] >= union, bust
    for d in run["drivers"]:
        assert set(d["conditions"]) == {"equity_drawdown", "capex_drop", "writeoffs"}, d["key"]
assert 0 < one["bust"]["busts"] < one["paths"], "all or no paths bust with N = 1: the comparison would be empty"
assert three["bust"]["probability"] <= one["bust"]["probability"], (three["bust"]["probability"], one["bust"]["probability"])
for name in ("equity_drawdown", "capex_drop", "writeoffs"):
    assert three["bust"]["conditions"][name]["busts"] <= one["bust"]["conditions"][name]["busts"], name
assert "3 consecutive months" in three["bust"]["rule"], three["bust"]["rule"]
assert "consecutive" not in one["bust"]["rule"], one["bust"]["rule"]
print("P(bust):", one["bust"]["probability"], "with 1 month,", three["bust"]["probability"], "with 3")
EOF
"$bsim" mc default -n 4 --threads 1 --quiet --persist-months 3 "${short[@]}" > "$work/n3.txt"
grep -q "each condition on its own" "$work/n3.txt" || fail "the mc text has no per-condition lines"
grep -q "each held for 3 consecutive months" "$work/n3.txt" || fail "the mc text does not name the persistence"

# 2. run: the rule names the persistence; summary.json gives it and each condition's own month.
"$bsim" run default --persist-months 3 > "$work/run.txt"
grep -q "each held for 3 consecutive months" "$work/run.txt" || fail "run does not name the persistence"
grep -q "each condition first counts" "$work/run.txt" || fail "run does not give each condition's month"
"$bsim" run default --persist-months 3 --json > "$work/run.json"
/usr/bin/python3 - "$work/run.json" <<'EOF' || fail "run --json persistence"
import json, sys
bust = json.load(open(sys.argv[1]))["bust"]
assert bust["persist_months"] == 3, bust
assert set(bust["conditions"]) == {"equity_drawdown", "capex_drop", "writeoffs"}, bust
if bust["occurred"]:
    assert bust["month"] == min(m for m in bust["conditions"].values() if m), bust
EOF

# 3. sweep accepts it (the same --set), and bad values or --resume are refused with exit 2.
"$bsim" sweep default --grid verdict.bust_capex_drop=0.3,0.5 -n 2 --threads 2 --quiet --persist-months 2 "${short[@]}" \
  > "$work/sweep.txt" || fail "sweep --persist-months"
set +e
"$bsim" mc default -n 2 --persist-months 0 > /dev/null 2>&1
rc_zero=$?
"$bsim" mc --db "$work/none.sqlite" --resume --persist-months 3 > /dev/null 2> "$work/resume.err"
rc_resume=$?
set -e
[ $rc_zero -eq 2 ] || fail "--persist-months 0 exited $rc_zero, expected 2"
[ $rc_resume -eq 2 ] || fail "--resume with --persist-months exited $rc_resume, expected 2"

# 4. schema --json: every key has one of the four roles.
"$bsim" schema --json > "$work/schema.json"
/usr/bin/python3 - "$work/schema.json" <<'EOF' || fail "schema --json roles"
import json, sys
keys = json.load(open(sys.argv[1]))["keys"]
bad = [k["path"] for k in keys if k.get("role") not in ("world", "behaviour", "verdict", "numerics")]
assert not bad, bad
assert all(k["role"] == "verdict" for k in keys if k["path"].startswith("verdict.")), "verdict keys"
EOF

# 5. validate-history warns about the behaviour keys a history file sets itself (not its base's).
cat > "$work/with-behaviour.toml" <<'EOF'
schema_version = 1
name = "with-behaviour"
extends = "history/telecom-1996"

[build]
optimism = 0.4

[market]
stickiness = 0.9
EOF
"$bsim" validate-history "$work/with-behaviour.toml" > /dev/null 2> "$work/with.err" || true
grep -qx "warning: $work/with-behaviour.toml: sets behaviour keys: build.optimism" "$work/with.err" \
  || fail "no warning naming build.optimism alone: $(cat "$work/with.err")"
cat > "$work/world-only.toml" <<'EOF'
schema_version = 1
name = "world-only"
extends = "history/telecom-1996"

[market]
stickiness = 0.9
EOF
"$bsim" validate-history "$work/world-only.toml" > /dev/null 2> "$work/world.err" || true
if grep -q "^warning: .*behaviour" "$work/world.err"; then fail "a warning for a file without behaviour keys"; fi
echo "ok"
