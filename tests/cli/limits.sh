#!/usr/bin/env bash
# Resource limits of the command line: `mc -n` at the CLI's maximum (2^40) with a database is
# refused before any file is written (exit 2, naming --paths and the disk it would need); without
# a database it runs (no memory per path up front) until interrupted (exit 130); a sweep too big
# for memory is refused (exit 2); a 5 MB unknown key is reported in a short message without a
# "did you mean".
# Usage: limits.sh BUBBLESIM WORK_DIR
set -euo pipefail
bsim=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
max=1099511627776

expect2() {
  set +e
  "$@" > "$work/out.txt" 2> "$work/err.txt"
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "'${*:0:6}' exited $rc, expected 2: $(head -c 600 "$work/err.txt")"
}

# 1. Too many paths for the disk: refused at once, and no database is left behind.
expect2 "$bsim" mc default -n $max --quiet --db "$work/big.sqlite"
grep -q "^--paths: error: a results database of $max paths needs about .* of disk" "$work/err.txt" \
  || fail "no clear message: $(cat "$work/err.txt")"
[ ! -e "$work/big.sqlite" ] || fail "a refused run left a database"

# 2. Without a database nothing is kept per path: the run starts, and Ctrl-C stops it cleanly.
"$bsim" mc default -n $max --quiet --threads 1 --set time.end=2029-06 > "$work/run.txt" 2> "$work/run.err" &
pid=$!
sleep 3  # --quiet prints nothing before the end: give it time to start paths
kill -0 $pid 2>/dev/null || fail "mc -n $max stopped by itself: $(cat "$work/run.err")"
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
[ $rc -eq 130 ] || fail "mc -n $max exited $rc, expected 130: $(cat "$work/run.err")"
grep -q "of $max paths (seed 1) — INTERRUPTED" "$work/run.txt" || fail "no partial summary: $(head -3 "$work/run.txt")"

# 3. A sweep whose outcomes would not fit in memory is refused before it runs.
expect2 "$bsim" sweep default --grid verdict.bust_capex_drop=0.1,0.2,0.3 -n 4294967296 --quiet
grep -q "^sweep: error: a sensitivity analysis of 12884901888 path evaluations needs about .* of memory" "$work/err.txt" \
  || fail "no clear message: $(cat "$work/err.txt")"

# 4. A 5 MB unknown key: a short message, its name cut, no did-you-mean.
/usr/bin/python3 -c "import sys; open(sys.argv[1], 'w').write('extends = \"default\"\n[supply]\n' + 'a' * 5_000_000 + ' = 1\n')" \
  "$work/long-key.toml"
expect2 "$bsim" validate "$work/long-key.toml"
[ "$(wc -c < "$work/err.txt")" -lt 1000 ] || fail "the message repeats the key: $(wc -c < "$work/err.txt") bytes"
grep -q "unknown key 'aaaaaaaaaa.*… (5000000 bytes)' in \[supply\]; see docs/scenario.md" "$work/err.txt" \
  || fail "the key is not cut: $(cat "$work/err.txt")"
echo "CLI limits: ok"
