#!/usr/bin/env bash
# `mpirun -n 2 bubblesim mc` gives the same summary and the same database contents as one
# process with one thread and with two threads (label mpi; needs a BSIM_MPI=ON build).
# Usage: mpi.sh BUBBLESIM WORK_DIR
set -euo pipefail
bsim=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export ASAN_OPTIONS=detect_leaks=0
args=(default -n 10 --seed 5 --json --quiet --set time.end=2029-06)
"$bsim" mc "${args[@]}" --threads 1 --db "$work/t1.sqlite" > "$work/t1.json"
"$bsim" mc "${args[@]}" --threads 2 --db "$work/t2.sqlite" > "$work/t2.json"
mpirun -n 2 "$bsim" mc "${args[@]}" --threads 1 --db "$work/r2.sqlite" > "$work/r2.json"
cmp "$work/t1.json" "$work/t2.json" || fail "1 and 2 threads differ"
cmp "$work/t1.json" "$work/r2.json" || fail "mpirun -n 2 differs from one process"
dump() {
  /usr/bin/python3 - "$1" <<'PY'
import sqlite3, sys, hashlib
con = sqlite3.connect(sys.argv[1])
skip = {"created_utc", "updated_utc", "command_line"}
for key, value in sorted(con.execute("SELECT key, value FROM meta")):
    if key not in skip:
        print("meta", key, value)
for table, order in [("parameters", "idx"), ("paths", "path_id"), ("path_parameters", "path_id, idx"),
                     ("path_losses", "path_id, holder"), ("quantiles", "indicator, month")]:
    for row in con.execute(f"SELECT * FROM {table} ORDER BY {order}"):
        print(table, repr(row))
blob = con.execute("SELECT bytes FROM aggregate_state").fetchone()[0]
print("aggregate", hashlib.sha256(blob).hexdigest())
PY
}
dump "$work/t1.sqlite" > "$work/t1.txt"
dump "$work/r2.sqlite" > "$work/r2.txt"
[ "$(grep -c '^paths ' "$work/t1.txt")" -eq 10 ] || fail "expected 10 path rows"
cmp "$work/t1.txt" "$work/r2.txt" || fail "the databases differ"
echo "mpi: identical summaries and databases for 1 thread, 2 threads and 2 ranks"
