#!/usr/bin/env bash
# identical.sh THIS OTHER: two reports of one study from builds with different compilers are
# identical outside provenance, and their provenances name different compilers (so the test
# cannot pass by comparing a build with itself).
set -u
source "$(dirname "$0")/../studies/common.sh"
this=$1 other=$2
[[ -f "$this" ]] || fail "no report $this (its studies.*.reference test did not run)"
[[ -f "$other" ]] || fail "no report $other (run the other build's tests first: ctest -L studies -R reference)"
same_outside_provenance "$this" "$other" || fail "$this and $other differ outside provenance"
compilers=$(python3 -c '
import json, sys
print(*(json.load(open(p))["provenance"]["compiler"] for p in sys.argv[1:]), sep=" | ")' "$this" "$other") ||
  fail "cannot read the provenance compilers"
a=${compilers% | *} b=${compilers#* | }
[[ "$a" != "$b" ]] || fail "both reports were built by $a: not a comparison of two compilers"
echo "ok: identical outside provenance ($a vs $b)"
