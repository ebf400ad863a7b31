#!/usr/bin/env bash
# `run --out DIR` writes whole sets: two runs (seeds 1 and 2) started together into one folder, three
# times over, leave every file from one of them, never a mix; the loser of the lock exits 1 and says
# so. While another process holds DIR.lock a run exits 1 and leaves the folder as it was. A rerun
# removes files drawn from the previous run (report.html, svg/) and names them. A folder no run
# wrote, or the current folder, is refused with exit 2.
# Usage: out_folder.sh BUBBLESIM WORK_DIR
set -euo pipefail
bsim=$(realpath "$1")
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
short=(--set time.end=2029-06)
files=(timeseries.csv firms.csv events.csv summary.json network.json)
# run.json records the command line, which names the folder, so it differs between a reference
# run and a run into the shared folder: it is matched by its seed instead of byte for byte.

"$bsim" run default --seed 1 "${short[@]}" --out "$work/ref1" > /dev/null
"$bsim" run default --seed 2 "${short[@]}" --out "$work/ref2" > /dev/null

# The folder holds exactly one reference's files (named by the reference that matches summary.json).
whole_set() {
  local dir=$1 ref
  for ref in ref1 ref2; do
    cmp -s "$dir/summary.json" "$work/$ref/summary.json" || continue
    for f in "${files[@]}"; do cmp -s "$dir/$f" "$work/$ref/$f" || fail "$dir/$f is not $ref's: a mixed set"; done
    grep -qx "  \"seed\": ${ref#ref}" "$dir/run.json" || fail "$dir/run.json is not $ref's: a mixed set"
    [ "$(ls "$dir" | wc -l)" -eq $((${#files[@]} + 1)) ] || fail "$dir holds other files: $(ls "$dir")"
    return 0
  done
  fail "$dir/summary.json is neither run's"
}

# 1. Concurrent writers.
for round in 1 2 3; do
  "$bsim" run default --seed 1 "${short[@]}" --out "$work/shared" > /dev/null 2> "$work/a.err" &
  a=$!
  "$bsim" run default --seed 2 "${short[@]}" --out "$work/shared" > /dev/null 2> "$work/b.err" &
  b=$!
  set +e
  wait $a; rc_a=$?
  wait $b; rc_b=$?
  set -e
  for who in a b; do
    rc=$([ $who = a ] && echo $rc_a || echo $rc_b)
    case $rc in
      0) ;;
      1) grep -q "is being written by another bubblesim run" "$work/$who.err" || fail "round $round: $who exited 1: $(cat "$work/$who.err")" ;;
      *) fail "round $round: $who exited $rc: $(cat "$work/$who.err")" ;;
    esac
  done
  [ $rc_a -eq 0 ] || [ $rc_b -eq 0 ] || fail "round $round: neither run wrote the folder"
  whole_set "$work/shared"
  leftovers=$(ls -A "$work" | grep -c '^\.shared\.' || true)
  [ "$leftovers" -eq 0 ] || fail "round $round: temporary folders left: $(ls -A "$work")"
done

# 2. While another process holds the lock: exit 1, the folder untouched.
before=$(cat "$work/shared/summary.json")
set +e
flock -x "$work/shared.lock" "$bsim" run default --seed 1 "${short[@]}" --out "$work/shared" > /dev/null 2> "$work/held.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "a run while the lock is held exited $rc: $(cat "$work/held.err")"
grep -q "shared is being written by another bubblesim run (it holds .*shared.lock)" "$work/held.err" \
  || fail "no clear message: $(cat "$work/held.err")"
[ "$before" = "$(cat "$work/shared/summary.json")" ] || fail "the refused run changed the folder"

# 3. A rerun takes away what was drawn from the previous run, and says so.
"$bsim" report "$work/shared" -o "$work/shared/report.html" > /dev/null
mkdir "$work/shared/svg"
echo '<svg/>' > "$work/shared/svg/old.svg"
"$bsim" run default --seed 2 "${short[@]}" --out "$work/shared" > /dev/null 2> "$work/rerun.err"
whole_set "$work/shared"
grep -q "removing what was drawn from it: report.html, svg" "$work/rerun.err" || fail "no note of the removed files: $(cat "$work/rerun.err")"

# 4. Folders that are not run folders are refused (exit 2) and left alone.
mkdir -p "$work/mine"
echo keep > "$work/mine/notes.txt"
expect2() {
  set +e
  (cd "$1" && shift && "$@") > /dev/null 2> "$work/err.txt"
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "'${*:2}' exited $rc, expected 2: $(cat "$work/err.txt")"
}
expect2 "$work" "$bsim" run default "${short[@]}" --out mine
grep -q "'mine' is not empty and holds no summary.json" "$work/err.txt" || fail "message: $(cat "$work/err.txt")"
[ "$(cat "$work/mine/notes.txt")" = keep ] || fail "the refused folder was changed"
expect2 "$work/mine" "$bsim" run default "${short[@]}" --out .
grep -q "is the current folder or holds it" "$work/err.txt" || fail "message: $(cat "$work/err.txt")"
echo "run --out folders: ok"
