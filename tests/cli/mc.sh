#!/usr/bin/env bash
# `bubblesim mc` and `sweep` from the command line: the same JSON on 1 and 2 threads; SIGINT
# mid-run exits 130 and leaves a database that opens, counts its paths and says "interrupted";
# --resume completes it with the same summary as an uninterrupted run; bad input exits 2.
# Usage: mc.sh BUBBLESIM WORK_DIR
set -euo pipefail
bsim=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
short=(--set time.end=2029-06 --set technology.efficiency.jump_rate_per_year=1.5)
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Same seed, same bytes on 1 and 2 threads.
"$bsim" mc default -n 6 --threads 1 --seed 3 --json --quiet "${short[@]}" > "$work/t1.json"
"$bsim" mc default -n 6 --threads 2 --seed 3 --json --quiet "${short[@]}" > "$work/t2.json"
cmp "$work/t1.json" "$work/t2.json" || fail "1 and 2 threads differ"
grep -q '"probability"' "$work/t1.json" || fail "no bust probability in the JSON"

# 2. Interrupt with SIGINT once some paths are committed, then resume.
paths=2000  # enough for several seconds of work: the interrupt must land mid-run
db="$work/run.sqlite"
"$bsim" mc default -n $paths --threads 2 --seed 3 --quiet --checkpoint-seconds 0.1 --db "$db" "${short[@]}" \
  > "$work/interrupted.txt" 2> "$work/interrupted.err" &
pid=$!
count() {
  /usr/bin/python3 - "$1" <<'EOF' 2>/dev/null || echo 0
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(con.execute("SELECT COUNT(*) FROM paths").fetchone()[0])
EOF
}
for _ in $(seq 1 600); do
  [ -f "$db" ] && [ "$(count "$db")" -ge 4 ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
[ $rc -eq 130 ] || fail "interrupted mc exited $rc, expected 130 ($(cat "$work/interrupted.err"))"
/usr/bin/python3 - "$db" $paths <<'EOF' || fail "the interrupted database is not consistent"
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
meta = dict(con.execute("SELECT key, value FROM meta"))
rows = con.execute("SELECT COUNT(*) FROM paths").fetchone()[0]
assert meta["status"] == "interrupted", meta["status"]
assert int(meta["paths_done"]) == rows, (meta["paths_done"], rows)
assert 0 < rows < int(sys.argv[2]), rows
print(f"interrupted after {rows} paths")
EOF
grep -q "resume" "$work/interrupted.err" || fail "no hint how to resume"
"$bsim" mc --db "$db" --resume --threads 1 --json --quiet > "$work/resumed.json"
"$bsim" mc default -n $paths --threads 2 --seed 3 --json --quiet "${short[@]}" > "$work/full.json"
cmp "$work/resumed.json" "$work/full.json" || fail "the resumed run differs from an uninterrupted one"
/usr/bin/python3 - "$db" $paths <<'EOF' || fail "the resumed database is not complete"
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
meta = dict(con.execute("SELECT key, value FROM meta"))
assert meta["status"] == "complete", meta["status"]
# The scenario's name, not the path of the file it came from (kept apart as scenario_source).
assert meta["scenario_name"] == "default", meta["scenario_name"]
assert meta["scenario_source"].endswith("default.toml"), meta["scenario_source"]
assert con.execute("SELECT COUNT(*) FROM paths").fetchone()[0] == int(sys.argv[2])
assert con.execute("SELECT COUNT(*) FROM quantiles").fetchone()[0] > 0
EOF

# 3. `run --drawn` replays a Monte Carlo path with its drawn values: the same capital destroyed
#    and bust verdict as the path's row in the database.
"$bsim" run default --seed 3 --path 7 --drawn --json "${short[@]}" > "$work/drawn.json" 2> "$work/drawn.err"
grep -q "drawn: technology.efficiency.trend_per_year" "$work/drawn.err" || fail "run --drawn does not print the drawn values"
/usr/bin/python3 - "$db" "$work/drawn.json" <<'EOF' || fail "run --drawn differs from the mc path"
import json, sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute("SELECT capital_destroyed_usd_bn, bust FROM paths WHERE path_id = 7").fetchone()
summary = json.load(open(sys.argv[2]))
assert abs(summary["legacy"]["capital_destroyed_usd_bn"]["total"] - row[0]) <= 1e-9 * max(1.0, abs(row[0])), (summary["legacy"], row)
assert summary["bust"]["occurred"] == bool(row[1])
EOF

# 4. Bad input: exit 2 with a message.
expect2() {
  set +e
  "$@" > "$work/out.txt" 2> "$work/err.txt"
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "'$*' exited $rc, expected 2"
  [ -s "$work/err.txt" ] || fail "'$*' printed no error"
}
expect2 "$bsim" mc --resume --quiet
expect2 "$bsim" mc default -n 0 --quiet
expect2 "$bsim" mc default -n 2 --quiet --db "$db"            # exists and is not empty
expect2 "$bsim" mc default -n 2 --quiet --db "$work/t1.json" --resume  # not a results database
expect2 "$bsim" mc default -n 2 --quiet --set no.such.key=1
expect2 "$bsim" sweep default --quiet                          # no analysis chosen
expect2 "$bsim" sweep default --tornado -n 0 --quiet           # no paths
expect2 "$bsim" sweep default --grid demand.nothing=1,2 --quiet
expect2 "$bsim" sweep default --grid "verdict.bust_capex_drop=0.2,x" --quiet
echo "mc CLI: ok"
