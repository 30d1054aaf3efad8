#!/usr/bin/env bash
# reproducibility.sh MODE STUDY WORKDIR [REFERENCE]
#   threads:   --quick with --threads 1 and --threads 2: identical outside provenance
#   reference: --quick report identical (outside provenance) to the committed REFERENCE
#   results:   default-settings report identical (outside provenance) to the committed REFERENCE
set -u
mode=$1 study=$2 work=$3 reference=${4:-}
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
run() {  # run OUT ARGS...: the study must exit 0 (every verdict as expected)
  local out=$1; shift
  "$study" "$@" --out "$out" > "$out.stdout" 2> "$out.stderr"
  local status=$?
  [[ $status -eq 0 ]] || { cat "$out.stdout" "$out.stderr" >&2; fail "$study $* exited $status"; }
}
case $mode in
  threads)
    run "$work/t1.json" --quick --threads 1
    run "$work/t2.json" --quick --threads 2
    same_outside_provenance "$work/t1.json" "$work/t2.json" || fail "--threads 1 and 2 differ" ;;
  reference)
    [[ -f "$reference" ]] || fail "no reference $reference (build target update_study_references)"
    run "$work/quick.json" --quick
    same_outside_provenance "$work/quick.json" "$reference" ||
      fail "quick report differs from $reference (if intended: build update_study_references)" ;;
  results)
    [[ -f "$reference" ]] || fail "no committed report $reference (run scripts/run-studies)"
    run "$work/default.json"
    same_outside_provenance "$work/default.json" "$reference" ||
      fail "report differs from the committed $reference (rerun scripts/run-studies)" ;;
  *) fail "unknown mode $mode" ;;
esac
echo ok
