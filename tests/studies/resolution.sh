#!/usr/bin/env bash
# resolution.sh PROBE OFFSET_PROBE WORKDIR: reads the resolution r of the probe's first claim
# (the smallest relative error it refutes with probability >= 0.9), then runs the offset probe,
# whose first analytic value is wrong by 3r, over 20 seeds: every run must refute it (exit 1);
# with an error of r/3 most runs (>= 15 of 20) must still confirm it, so the check is not a
# trivially wide or trivially narrow interval.
set -u
probe=$1 offset=$2 work=$3
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
"$probe" --quick --out "$work/base.json" > /dev/null || fail "probe failed"
r=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['claims'][0]['resolution'])" "$work/base.json")
far=$(python3 -c "print(3 * $r)") near=$(python3 -c "print($r / 3)")
confirmed_near=0
for ((seed = 2; seed <= 21; ++seed)); do
  INITLAB_PROBE_OFFSET=$far "$offset" --quick --seed "$seed" --out "$work/far.json" > /dev/null
  [[ $? -eq 1 ]] || fail "seed $seed: an error of 3 resolutions ($far) was not refuted"
  INITLAB_PROBE_OFFSET=$near "$offset" --quick --seed "$seed" --out "$work/near.json" > /dev/null
  [[ $? -eq 0 ]] && confirmed_near=$((confirmed_near + 1))
done
[[ $confirmed_near -ge 15 ]] || fail "an error of r/3 was confirmed in only $confirmed_near of 20 runs"
echo "resolution $r: 3r refuted in 20/20 runs, r/3 confirmed in $confirmed_near/20: ok"
