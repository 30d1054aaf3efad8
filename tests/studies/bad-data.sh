#!/usr/bin/env bash
# bad-data.sh STUDY CASE WORKDIR [DATA_DIR]: one bad `--data DIR` case of study 12: a directory
# without the Fashion-MNIST set, or with one file missing, truncated, corrupt, not gzip, with a
# wrong magic number or a label out of range. Checks: exit status 2, exactly one line on stderr
# naming the problem, the earlier report untouched, no temporary file left. The good files come
# from DATA_DIR (default: Debian's dataset-fashion-mnist); exit 77 (CTest: skipped) without them.
set -u
study=$1 case=$2 work=$3 data=${4:-/usr/share/datasets/fashion-mnist}
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz
       t10k-labels-idx1-ubyte.gz)
for f in "${files[@]}"; do
  [[ -f "$data/$f" ]] || { echo "SKIP: no Fashion-MNIST in $data (dataset-fashion-mnist)"; exit 77; }
done
earlier="$work/earlier.json"
printf 'EARLIER REPORT\n' > "$earlier"
dir="$work/data"
mkdir -p "$dir"
for f in "${files[@]}"; do ln -s "$data/$f" "$dir/$f"; done

# rewrite FILE PYTHON: replaces $dir/FILE by a gzip of its decompressed bytes `b` after PYTHON.
rewrite() {
  local file=$1 code=$2
  rm "$dir/$file"
  python3 - "$data/$file" "$dir/$file" "$code" <<'PY' || fail "cannot prepare $1"
import gzip, sys
b = bytearray(gzip.open(sys.argv[1]).read())
exec(sys.argv[3])
with gzip.open(sys.argv[2], "wb") as f:
    f.write(b)
PY
}

expect=""
case $case in
  missing_dir) dir="$work/no-such-dir"; expect="not a directory" ;;
  empty_dir) rm "$dir"/*; expect="is missing" ;;
  missing_file) rm "$dir/t10k-labels-idx1-ubyte.gz"; expect="t10k-labels-idx1-ubyte.gz is missing" ;;
  truncated)
    rm "$dir/train-labels-idx1-ubyte.gz"
    head -c 20000 "$data/train-labels-idx1-ubyte.gz" > "$dir/train-labels-idx1-ubyte.gz"
    expect="truncated" ;;
  corrupt)  # one flipped byte inside the deflate data: CRC or stream error
    rm "$dir/t10k-labels-idx1-ubyte.gz"
    python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0x55
open(sys.argv[2], "wb").write(b)' "$data/t10k-labels-idx1-ubyte.gz" "$dir/t10k-labels-idx1-ubyte.gz"
    expect="corrupt" ;;
  not_gzip)
    rm "$dir/t10k-labels-idx1-ubyte.gz"
    gzip -dc "$data/t10k-labels-idx1-ubyte.gz" > "$dir/t10k-labels-idx1-ubyte.gz"
    expect="not a gzip file" ;;
  wrong_magic) rewrite t10k-images-idx3-ubyte.gz 'b[3] = 2'; expect="wrong IDX magic" ;;
  label_range) rewrite train-labels-idx1-ubyte.gz 'b[8 + 12345] = 10'; expect="out of range" ;;
  short_labels) rewrite t10k-labels-idx1-ubyte.gz 'b = b[:-1]'; expect="promises 10000" ;;
  wrong_count)  # a consistent file with one test label too few
    rewrite t10k-labels-idx1-ubyte.gz 'b[4:8] = (9999).to_bytes(4, "big"); b = b[:-1]'
    expect="expected 10000" ;;
  *) fail "unknown case $case" ;;
esac

before=$(cat "$earlier")
"$study" --quick --threads 1 --data "$dir" --out "$earlier" >"$work/stdout" 2>"$work/stderr"
status=$?
after=$(cat "$earlier")
leftovers=$(find "$work" -maxdepth 1 -name '.*.tmp.*' 2>/dev/null)

echo "case $case: exit $status; stderr: $(cat "$work/stderr")"
[[ $status -eq 2 ]] || fail "exit status $status, expected 2"
lines=$(wc -l < "$work/stderr")
[[ $lines -eq 1 ]] || fail "stderr has $lines lines, expected exactly 1"
grep -q 'error: ' "$work/stderr" || fail "stderr does not say 'error: '"
grep -qF -- "$expect" "$work/stderr" || fail "stderr does not say '$expect'"
[[ "$before" == "$after" ]] || fail "the earlier report was changed"
[[ -z "$leftovers" ]] || fail "temporary file left behind: $leftovers"
[[ ! -s "$work/stdout" ]] || fail "something was printed on stdout"
echo "ok"
