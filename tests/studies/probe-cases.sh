#!/usr/bin/env bash
# probe-cases.sh PROBE WRONG CASE WORKDIR: the probe study on good input.
set -u
probe=$1 wrong=$2 case=$3 work=$4
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
report="$work/report.json"
case $case in
  pass)  # all verdicts as expected: exit 0, a report with the DESIGN.md §4 shape
    "$probe" --quick --out "$report" > "$work/stdout" 2> "$work/stderr" || fail "exit $?, expected 0"
    [[ ! -s "$work/stderr" ]] || fail "stderr not empty: $(cat "$work/stderr")"
    jq -e '.schema == "initlab.report/1" and .verdict == "pass"
           and (keys_unsorted == ["schema","study","settings","claims","verdict","provenance"])
           and .settings.seed == 1 and .settings.replications == 200 and .settings.quick == true
           and (.claims | length == 4)
           and all(.claims[]; .verdict == .expected and .trials == 200
                   and .ci_low <= .estimate and .estimate <= .ci_high
                   and (.confidence == 0.9975))
           and (.claims[] | select(.id == "uniform_wrong_variance") | .verdict == "refuted")
           and (.provenance | has("git_commit") and has("compiler") and has("stream_scheme")
                and has("cpu") and has("os") and has("wall_time_s") and .threads >= 1)' \
      "$report" > /dev/null || fail "report does not have the expected content"
    grep -q 'verdict: pass (4/4 claims as expected)' "$work/stdout" || fail "no summary line on stdout"
    [[ $(stat -c %a "$report") == 644 || $(stat -c %a "$report") == 664 ]] || fail "report mode $(stat -c %a "$report")" ;;
  negative_control)  # σ²/2 stated instead of σ²: refuted, exit 1, verdict fail, report written
    "$wrong" --quick --out "$report" > "$work/stdout" 2> "$work/stderr"
    status=$?
    [[ $status -eq 1 ]] || fail "exit $status, expected 1"
    jq -e '.verdict == "fail" and
           (.claims[] | select(.id == "sample_variance") | .verdict == "refuted" and .expected == "confirmed")' \
      "$report" > /dev/null || fail "negative control not refuted in the report"
    grep -q MISMATCH "$work/stdout" || fail "table does not flag the mismatch" ;;
  help)
    "$probe" --help > "$work/stdout" 2> "$work/stderr" || fail "--help exit $?"
    for flag in --seed --threads --replications --quick --out --help --version; do
      grep -q -- "$flag" "$work/stdout" || fail "--help does not mention $flag"
    done
    [[ ! -e "$report" ]] || fail "--help wrote a report" ;;
  version)
    "$probe" --version > "$work/stdout" 2> "$work/stderr" || fail "--version exit $?"
    grep -q 'initlab [0-9]' "$work/stdout" || fail "--version: $(cat "$work/stdout")" ;;
  overwrite)  # an earlier report is replaced atomically by the new one
    printf 'EARLIER\n' > "$report"
    "$probe" --quick --seed 5 --threads 1 --out "$report" > /dev/null || fail "exit $?"
    jq -e '.settings.seed == 5' "$report" > /dev/null || fail "report not replaced"
    [[ -z $(find "$work" -name '.*.tmp.*') ]] || fail "temporary file left behind" ;;
  *) fail "unknown case $case" ;;
esac
echo ok
