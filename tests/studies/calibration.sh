#!/usr/bin/env bash
# calibration.sh PROBE WORKDIR: runs the probe in --quick mode for seeds 1..400 and counts the
# runs in which some claim did not get its expected verdict (exit 1). The harness promises a
# family-wise error of at most 1% per study, so the count is at most Binomial(400, 0.01):
# P(count >= 12) = 8.5e-4. A larger count means the intervals are too narrow.
# (The probe's claims are exact for Gaussian data, except the delta-method ratio.)
set -u
probe=$1 work=$2
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
runs=400 limit=12 false_refutations=0
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
