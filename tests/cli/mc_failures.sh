#!/usr/bin/env bash
# `bubblesim mc` when some paths fail: exit 1, how many failed and why on stderr (path id, seed and
# the command that reruns one alone), the summary saying its statistics cover only the completed
# paths, "failed_paths" in the JSON (the same on 1 and 2 threads), and meta `paths_failed` in the
# database. The failures are deterministic: an [uncertain] market potential drawn below the
# segment's initial users is a scenario the loader rejects, for about half of the paths.
# Usage: mc_failures.sh BUBBLESIM WORK_DIR SOURCE_DIR
set -euo pipefail
bsim=$1
work=$2
src=$3
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

sed '/^\[uncertain\]/,$d' "$src/scenarios/default.toml" > "$work/some-fail.toml"
cat >> "$work/some-fail.toml" <<'TOML'
[uncertain]
"segment.consumer.market_potential_users" = { dist = "uniform", min = 5e8, max = 1.5e9 }
TOML
short=(--set time.end=2029-06)

set +e
"$bsim" mc "$work/some-fail.toml" -n 8 --threads 2 --seed 3 --quiet --db "$work/f.sqlite" "${short[@]}" \
  > "$work/out.txt" 2> "$work/err.txt"
rc=$?
set -e
[ $rc -eq 1 ] || fail "mc with failed paths exited $rc, expected 1: $(cat "$work/err.txt")"
grep -q "4 of 8 paths failed" "$work/err.txt" || fail "stderr does not say how many failed: $(cat "$work/err.txt")"
grep -q "path 0 (seed 3): drawn values are invalid" "$work/err.txt" || fail "stderr does not name the first failed path"
grep -q "4 of 8 paths FAILED: every statistic below is over the 4 paths that completed" "$work/out.txt" \
  || fail "the summary does not say it covers only the completed paths: $(head -3 "$work/out.txt")"
grep -q "completed paths only; 4 failed" "$work/out.txt" || fail "the bust probability is not marked"
rerun=$(sed -n 's/^mc: rerun a failed path alone with: bubblesim //p' "$work/err.txt")
[ "$rerun" = "run $work/some-fail.toml --drawn --path 0 --seed 3 --set time.end=2029-06" ] || fail "rerun hint: '$rerun'"
# The hint reruns the path alone, and it fails the same way.
set +e
# shellcheck disable=SC2086
"$bsim" $rerun > "$work/rerun.txt" 2> "$work/rerun.err"
rc=$?
set -e
[ $rc -ne 0 ] || fail "the rerun of a failed path succeeded"
grep -q "market_potential_users (851625596.903373) is below its initial_users" "$work/rerun.err" \
  || fail "the rerun does not fail the same way: $(cat "$work/rerun.err")"

set +e
"$bsim" mc "$work/some-fail.toml" -n 8 --threads 1 --seed 3 --quiet --json "${short[@]}" > "$work/t1.json" 2> /dev/null
rc1=$?
"$bsim" mc "$work/some-fail.toml" -n 8 --threads 2 --seed 3 --quiet --json "${short[@]}" > "$work/t2.json" 2> /dev/null
rc2=$?
set -e
[ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] || fail "mc --json with failed paths exited $rc1 and $rc2, expected 1"
cmp "$work/t1.json" "$work/t2.json" || fail "the JSON differs between 1 and 2 threads"
/usr/bin/python3 - "$work/t1.json" "$work/f.sqlite" <<'PY' || fail "the JSON or the database does not mark the failures"
import json, sqlite3, sys
doc = json.load(open(sys.argv[1]))
assert doc["failed"] == 4 and doc["paths"] == 4, (doc["failed"], doc["paths"])
assert doc["statistics_over"] == "completed paths only", doc.get("statistics_over")
assert [f["path_id"] for f in doc["failed_paths"]] == [0, 2, 3, 7], doc["failed_paths"]
assert all(f["seed"] == 3 and "drawn values are invalid" in f["error"] for f in doc["failed_paths"])
con = sqlite3.connect(sys.argv[2])
meta = dict(con.execute("SELECT key, value FROM meta"))
assert meta["paths_failed"] == "4" and meta["paths_done"] == "8", meta
assert con.execute("SELECT COUNT(*) FROM paths WHERE error IS NOT NULL").fetchone()[0] == 4
PY

# Without failures nothing changes: exit 0, no failure keys in the JSON, paths_failed 0.
"$bsim" mc default -n 3 --threads 2 --seed 3 --quiet --json --db "$work/ok.sqlite" "${short[@]}" > "$work/ok.json" 2> /dev/null
/usr/bin/python3 - "$work/ok.json" "$work/ok.sqlite" <<'PY' || fail "a run without failures is marked"
import json, sqlite3, sys
doc = json.load(open(sys.argv[1]))
assert doc["failed"] == 0 and "failed_paths" not in doc and "statistics_over" not in doc, doc.keys()
meta = dict(sqlite3.connect(sys.argv[2]).execute("SELECT key, value FROM meta"))
assert meta["paths_failed"] == "0", meta
PY
echo "mc failures CLI: ok"
