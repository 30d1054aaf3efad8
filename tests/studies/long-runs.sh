#!/usr/bin/env bash
# long-runs.sh CASE STUDY WORKDIR [MPIRUN RANKS]: interruption, checkpoints and concurrent writes
# (DESIGN.md §5, issue 13 item 3). With MPIRUN and RANKS the study runs under
# `MPIRUN -n RANKS` (e.g. "mpirun --oversubscribe --allow-run-as-root"); else as one process.
#   sigint, sigterm: a signal mid-run stops within 3 s with exit 130 / 143 (under mpirun: the
#                    launcher's non-zero status; it passes SIGTERM to the ranks), writes no
#                    report, leaves no temporary file and the earlier report intact
#   resume:          a run with --checkpoint interrupted by SIGINT, then --resume, gives the same
#                    bytes (outside provenance) as an uninterrupted run
#   concurrent:      two runs writing the same --out at once leave one complete report
# STUDY must run for more than a few seconds at default settings (sigint, sigterm) and with
# --quick (resume); every step has a bounded timeout.
set -u
case=$1 study=$2 work=$3 mpirun=${4:-} ranks=${5:-1}
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
launch=()
if [[ -n "$mpirun" ]]; then
  command -v "${mpirun%% *}" > /dev/null || { echo "SKIP: no ${mpirun%% *}"; exit 77; }
  read -r -a launch <<< "$mpirun"
  launch+=(-n "$ranks")
fi

no_leftovers() {  # no temporary file of the report or the checkpoint
  local left
  left=$(find "$work" -name '.*.tmp.*' | head -5)
  [[ -z "$left" ]] || fail "temporary files left: $left"
}

# interrupt SIGNAL SECONDS OUT ARGS...: starts the study, sends SIGNAL after SECONDS (to the
# launcher or the process), waits at most 20 s; sets $status and $stopped_after (seconds).
interrupt() {
  local sig=$1 after=$2 out=$3; shift 3
  timeout -s KILL 120 "${launch[@]}" "$study" "$@" --out "$out" > "$work/stdout" 2> "$work/stderr" &
  local pid=$!
  sleep "$after"
  # timeout(1) runs the study (or mpirun) as its child: signal that child.
  local child
  child=$(pgrep -P "$pid" | head -1)
  [[ -n "$child" ]] || fail "the run ended before the signal (exit status unknown): use a longer run"
  kill -s "$sig" "$child"
  local t0=$SECONDS
  for _ in $(seq 200); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2> /dev/null; then
    kill -s KILL "$pid"
    fail "still running 20 s after $sig"
  fi
  wait "$pid"
  status=$?
  stopped_after=$((SECONDS - t0))
}

case $case in
  sigint | sigterm)
    sig=${case#sig}; sig=${sig^^}
    want=$([[ $sig == INT ]] && echo 130 || echo 143)
    printf 'EARLIER REPORT\n' > "$work/report.json"
    interrupt "$sig" 2 "$work/report.json" --threads 2
    if ((${#launch[@]} == 0)); then
      [[ $status -eq $want ]] || { cat "$work/stderr" >&2; fail "SIG$sig: exit $status, expected $want"; }
      grep -q "interrupted by SIG$sig" "$work/stderr" || fail "no 'interrupted by SIG$sig' message"
    else  # mpirun passes SIGTERM to the ranks (exit 143 each) and exits non-zero itself
      [[ $status -ne 0 ]] || fail "SIG$sig: mpirun exited 0"
      grep -q "interrupted by SIGTERM" "$work/stderr" || fail "no 'interrupted by SIGTERM' message"
    fi
    ((stopped_after <= 3)) || fail "SIG$sig: stopped after ${stopped_after} s (more than 3)"
    [[ "$(cat "$work/report.json")" == "EARLIER REPORT" ]] || fail "the earlier report changed"
    no_leftovers ;;
  resume)
    timeout 300 "${launch[@]}" "$study" --quick --out "$work/whole.json" > /dev/null 2>&1 ||
      fail "uninterrupted run failed"
    # Interrupt as soon as a checkpoint exists (written after every segment with interval 0,
    # atomically, so it is complete): early in the trials even on a loaded machine, never while
    # the finished run prints its table (mpirun may then stop forwarding the ranks' output).
    timeout -s KILL 300 "${launch[@]}" "$study" --quick --checkpoint "$work/run.ckpt" \
      --checkpoint-interval 0 --out "$work/resumed.json" > "$work/stdout" 2> "$work/stderr" &
    pid=$!
    for _ in $(seq 6000); do
      [[ -f "$work/run.ckpt" ]] && break
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.005
    done
    child=$(pgrep -P "$pid" | head -1)
    [[ -n "$child" ]] || fail "the run ended before it could be interrupted: use a longer run"
    kill -s INT "$child"
    wait "$pid"
    status=$?
    if ((${#launch[@]} == 0)); then
      [[ $status -eq 130 ]] || { cat "$work/stderr" >&2; fail "interrupted run: exit $status, expected 130"; }
    else
      [[ $status -ne 0 ]] || fail "interrupted run: mpirun exited 0"
    fi
    [[ ! -e "$work/resumed.json" ]] || fail "the interrupted run wrote a report"
    [[ -s "$work/run.ckpt" ]] || fail "no checkpoint after the interruption"
    grep -q "continue with --resume" "$work/stderr" || fail "no message naming the checkpoint"
    no_leftovers
    timeout 300 "${launch[@]}" "$study" --quick --resume "$work/run.ckpt" --out "$work/resumed.json" \
      > "$work/stdout2" 2> "$work/stderr2" || { cat "$work/stderr2" >&2; fail "resumed run failed"; }
    same_outside_provenance "$work/whole.json" "$work/resumed.json" ||
      fail "the resumed report differs from the uninterrupted one"
    grep -q '"resumed_from"' "$work/resumed.json" || fail "provenance does not record the resume"
    # A checkpoint of another run (other seed) is refused: exit 2, one line.
    timeout 60 "${launch[@]}" "$study" --quick --seed 7 --resume "$work/run.ckpt" \
      --out "$work/other.json" > /dev/null 2> "$work/stderr3"
    status=$?
    [[ $status -eq 2 ]] || fail "a foreign checkpoint: exit $status, expected 2"
    [[ $(grep -c . "$work/stderr3") -eq 1 ]] || { cat "$work/stderr3" >&2; fail "not one line"; }
    [[ ! -e "$work/other.json" ]] || fail "a foreign checkpoint wrote a report"
    # A damaged checkpoint is refused.
    head -c 100 "$work/run.ckpt" > "$work/damaged.ckpt"
    timeout 60 "${launch[@]}" "$study" --quick --resume "$work/damaged.ckpt" \
      --out "$work/other.json" > /dev/null 2> "$work/stderr4"
    status=$?
    [[ $status -eq 2 ]] || fail "a damaged checkpoint: exit $status, expected 2"
    grep -q "damaged\|not a checkpoint" "$work/stderr4" || fail "damaged: $(cat "$work/stderr4")"
    no_leftovers ;;
  concurrent)
    timeout 300 "${launch[@]}" "$study" --quick --seed 1 --out "$work/same.json" > /dev/null 2>&1 &
    a=$!
    timeout 300 "${launch[@]}" "$study" --quick --seed 2 --out "$work/same.json" > /dev/null 2>&1 &
    b=$!
    wait "$a" || fail "first run failed"
    wait "$b" || fail "second run failed"
    timeout 300 "${launch[@]}" "$study" --quick --seed 1 --out "$work/one.json" > /dev/null 2>&1
    timeout 300 "${launch[@]}" "$study" --quick --seed 2 --out "$work/two.json" > /dev/null 2>&1
    same_outside_provenance "$work/same.json" "$work/one.json" 2> /dev/null ||
      same_outside_provenance "$work/same.json" "$work/two.json" ||
      fail "the report is neither run's complete report"
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/same.json" ||
      fail "the report does not parse"
    no_leftovers ;;
  *) fail "unknown case $case" ;;
esac
echo ok
