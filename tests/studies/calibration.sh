#!/usr/bin/env bash
# calibration.sh STUDY WORKDIR [RUNS LIMIT]: runs a study in --quick mode for seeds 1..RUNS and
# counts the runs in which some claim did not get its expected verdict (exit 1). The harness
# promises a family-wise error of at most 1% per study, so the count is at most
# Binomial(RUNS, 0.01); the test fails when it reaches LIMIT. Defaults: 400 runs, limit 12
# (P(count >= 12) = 8.5e-4); 200 runs with limit 8 gives P = 1.1e-3. A larger count means the
# intervals are too narrow (or an analytic value is slightly wrong).
set -u
probe=$1 work=$2
runs=${3:-400} limit=${4:-12}
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
false_refutations=0
for ((seed = 1; seed <= runs; ++seed)); do
  "$probe" --quick --threads 1 --seed "$seed" --out "$work/r.json" > "$work/stdout" 2> "$work/stderr"
  status=$?
  case $status in
    0) ;;
    1) false_refutations=$((false_refutations + 1)); echo "seed $seed: $(grep MISMATCH "$work/stdout")" ;;
    *) fail "seed $seed: exit $status: $(cat "$work/stderr")" ;;
  esac
done
echo "$false_refutations of $runs runs had a claim without its expected verdict (limit $((limit - 1)))"
[[ $false_refutations -lt $limit ]] || fail "family-wise error rate above 1%"
echo ok
