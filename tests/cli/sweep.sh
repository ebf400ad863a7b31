#!/usr/bin/env bash
# `bubblesim sweep --tornado` on a scenario file with two [uncertain] keys: exit 0, both keys and
# their swings in the table, the same table on 1 and 2 threads, and the rows in the database's
# `sensitivity` table and in the JSON.
# Usage: sweep.sh BUBBLESIM WORK_DIR SOURCE_DIR
set -euo pipefail
bsim=$1
work=$2
src=$3
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# default.toml without its own [uncertain] table and correlation (its last part), then two keys.
sed '/^\[uncertain\]/,$d' "$src/scenarios/default.toml" > "$work/two-keys.toml"
cat >> "$work/two-keys.toml" <<'TOML'
[uncertain]
"verdict.post_bust_months" = { dist = "uniform", min = 6, max = 18 }
"verdict.bust_equity_drawdown" = { dist = "uniform", min = 0.05, max = 0.95 }
TOML
short=(--set time.end=2029-06 --set technology.efficiency.jump_rate_per_year=0.2
       --set verdict.bust_capex_drop=0 --set verdict.bust_writeoffs_usd_bn=0)

"$bsim" sweep "$work/two-keys.toml" --tornado -n 6 --threads 2 --seed 5 --quiet "${short[@]}" \
  --db "$work/tornado.sqlite" > "$work/t2.txt" || fail "sweep --tornado exited $?"
for key in verdict.post_bust_months verdict.bust_equity_drawdown; do
  grep -q "$key" "$work/t2.txt" || fail "the tornado does not name $key: $(cat "$work/t2.txt")"
done
grep -q "swing" "$work/t2.txt" || fail "no swing in the tornado"
# The drawdown threshold decides the bust, the post-bust window cannot: it comes second.
first=$(grep -o 'verdict\.[a-z_]*  ~' "$work/t2.txt" | head -1)
[ "$first" = "verdict.bust_equity_drawdown  ~" ] || fail "the decisive key is not first: $first"

# Without --quiet and with stderr not a terminal, progress comes as plain lines labelled
# "sweep:" (they used to say "mc:").
"$bsim" sweep "$work/two-keys.toml" --tornado -n 6 --threads 2 --seed 5 "${short[@]}" > /dev/null 2> "$work/progress.txt" \
  || fail "sweep with progress exited $?"
grep -q '^sweep: [0-9]*/[0-9]* paths' "$work/progress.txt" || fail "no 'sweep:' progress line: $(cat "$work/progress.txt")"
if grep -q '^mc: [0-9]*/[0-9]* paths' "$work/progress.txt"; then fail "sweep's progress says mc:"; fi

"$bsim" sweep "$work/two-keys.toml" --tornado -n 6 --threads 1 --seed 5 --quiet "${short[@]}" > "$work/t1.txt"
cmp "$work/t1.txt" "$work/t2.txt" || fail "1 and 2 threads differ"

"$bsim" sweep "$work/two-keys.toml" --tornado -n 6 --threads 2 --seed 5 --quiet --json "${short[@]}" > "$work/t.json"
/usr/bin/python3 - "$work/t.json" "$work/tornado.sqlite" <<'PY' || fail "the JSON or the database rows are wrong"
import json, sqlite3, sys
doc = json.load(open(sys.argv[1]))
assert doc["evaluations"] == 6 * 5, doc["evaluations"]
rows = {(r["analysis"], r["keys"], r["setting"], r["statistic"]): r["value"] for r in doc["rows"]}
assert rows[("tornado", "verdict.post_bust_months", "", "swing")] == 0
assert rows[("tornado", "", "base", "paths")] == 6
con = sqlite3.connect(sys.argv[2])
stored = {tuple(r[:4]): r[4] for r in con.execute("SELECT analysis, keys, setting, statistic, value FROM sensitivity")}
assert set(stored) == set(rows), set(stored) ^ set(rows)
assert stored[("tornado", "verdict.bust_equity_drawdown", "low", "value")] == rows[("tornado", "verdict.bust_equity_drawdown", "low", "value")]
PY
echo "sweep CLI: ok"
