#!/usr/bin/env bash
# mpi.sh CASE STUDY WORKDIR MPIRUN [REFERENCE]: a study binary built with MPI under
# `MPIRUN -n R` (MPIRUN e.g. "mpirun --oversubscribe --allow-run-as-root"; DESIGN.md §5).
#   ranks:        --quick at R = 1, 2, 3 (--threads 1 and 2) gives the same bytes outside
#                 provenance, equal to REFERENCE (the non-MPI build's committed quick report);
#                 provenance records the ranks and the MPI library
#   bad_input:    a bad --seed at R = 3: exit 2, one line on stderr, no report
#   bad_output:   an unwritable --out at R = 3: exit 2, one line on stderr, no report
#   rank_dies:    rank 1 killed mid-run at R = 3: the launcher ends the run (non-zero exit)
#                 within 30 s, no report, no temporary file
#   bad_data:     study 12 with a missing --data directory at R = 3: exit 2, one line, no report
set -u
case=$1 study=$2 work=$3 mpirun=$4 reference=${5:-}
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
command -v "${mpirun%% *}" > /dev/null || { echo "SKIP: no ${mpirun%% *}"; exit 77; }
read -r -a launch <<< "$mpirun"

# at R ARGS...: runs the study on R ranks (60 s at most); sets $status.
at() {
  local r=$1; shift
  timeout -s KILL 60 "${launch[@]}" -n "$r" "$study" "$@" > "$work/stdout" 2> "$work/stderr"
  status=$?
}

# one_error_line: exactly one line on stderr that is the study's (mpirun prints nothing else).
one_error_line() {
  local lines
  lines=$(grep -c . "$work/stderr")
  [[ $lines -eq 1 ]] || { cat "$work/stderr" >&2; fail "$lines lines on stderr, expected 1"; }
  grep -q ": error: " "$work/stderr" || fail "not an error line: $(cat "$work/stderr")"
}

case $case in
  ranks)
    for r in 1 2 3; do
      for t in 1 2; do
        at "$r" --quick --threads "$t" --out "$work/r$r-t$t.json"
        [[ $status -eq 0 ]] || { cat "$work/stdout" "$work/stderr" >&2; fail "R=$r --threads $t: exit $status"; }
        same_outside_provenance "$work/r1-t1.json" "$work/r$r-t$t.json" ||
          fail "R=$r --threads $t differs from R=1 --threads 1"
        python3 - "$work/r$r-t$t.json" "$r" <<'PY' || fail "R=$r: provenance"
import json, sys
p = json.load(open(sys.argv[1]))["provenance"]
assert p["ranks"] == int(sys.argv[2]), p["ranks"]
assert isinstance(p["mpi_library"], str) and p["mpi_library"], p["mpi_library"]
PY
      done
      # Output only from rank 0: one table.
      [[ $(grep -c '^verdict: ' "$work/stdout") -eq 1 ]] || fail "R=$r: not one table on stdout"
    done
    if [[ -n "$reference" ]]; then
      same_outside_provenance "$work/r3-t2.json" "$reference" ||
        fail "R=3 differs from the non-MPI build's reference $reference"
    fi ;;
  bad_input)
    at 3 --quick --seed x --out "$work/report.json"
    [[ $status -eq 2 ]] || fail "exit $status, expected 2"
    one_error_line
    [[ ! -e "$work/report.json" ]] || fail "a report was written" ;;
  bad_output)
    at 3 --quick --out "$work/no-such-dir/report.json"
    [[ $status -eq 2 ]] || fail "exit $status, expected 2"
    one_error_line ;;
  rank_dies)
    timeout -s KILL 60 "${launch[@]}" -n 3 "$study" --threads 1 --out "$work/report.json" \
      > "$work/stdout" 2> "$work/stderr" &
    pid=$!
    victim=""
    for _ in $(seq 100); do  # find rank 1 by its environment (OMPI_COMM_WORLD_RANK=1)
      for p in $(pgrep -f "$(basename "$study")"); do
        if tr '\0' '\n' < "/proc/$p/environ" 2> /dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
          victim=$p
        fi
      done
      [[ -n "$victim" ]] && break
      sleep 0.1
    done
    [[ -n "$victim" ]] || { kill -s KILL "$pid"; fail "rank 1 not found"; }
    sleep 1
    kill -s KILL "$victim"
    t0=$SECONDS
    wait "$pid"
    status=$?
    [[ $status -ne 0 ]] || fail "exit 0 after a rank died"
    ((SECONDS - t0 < 30)) || fail "the run did not end within 30 s of the rank's death"
    [[ ! -e "$work/report.json" ]] || fail "a report was written"
    left=$(find "$work" -name '.*.tmp.*' | head -5)
    [[ -z "$left" ]] || fail "temporary files left: $left" ;;
  bad_data)
    at 3 --quick --data "$work/no-such-dir" --out "$work/report.json"
    [[ $status -eq 2 ]] || fail "exit $status, expected 2"
    one_error_line
    [[ ! -e "$work/report.json" ]] || fail "a report was written" ;;
  *) fail "unknown case $case" ;;
esac
echo ok
