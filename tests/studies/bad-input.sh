#!/usr/bin/env bash
# bad-input.sh PROBE CASE WORKDIR: one bad-input case of the study harness. Checks: exit
# status 2, exactly one line on stderr, the earlier report untouched, no temporary file left.
# Exit 77 (CTest: skipped) when the case cannot run here (e.g. no tmpfs mount permission).
set -u
probe=$1 case=$2 work=$3
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
earlier="$work/earlier.json"
printf 'EARLIER REPORT\n' > "$earlier"
out=(--out "$earlier")
args=() cleanup=() check_dir=$work

case $case in
  seed_not_number) args=(--seed abc) ;;
  seed_negative) args=(--seed -1) ;;
  seed_overflow) args=(--seed 18446744073709551616) ;;
  seed_fraction) args=(--seed 1.5) ;;
  seed_empty) args=(--seed "") ;;
  seed_hex) args=(--seed 0x10) ;;
  seed_space) args=(--seed " 7") ;;
  threads_zero) args=(--threads 0) ;;
  threads_negative) args=(--threads -2) ;;
  threads_not_number) args=(--threads two) ;;
  threads_overflow) args=(--threads 99999999999999999999999) ;;
  replications_zero) args=(--replications 0) ;;
  replications_one) args=(--replications 1) ;;
  replications_negative) args=(--replications -5) ;;
  replications_overflow) args=(--replications 184467440737095516160) ;;
  unknown_flag) args=(--frobnicate) ;;
  missing_value) out+=(--seed) ;;  # the value is missing at the end of the line
  extra_argument) args=(stray) ;;
  repeated_option) args=(--seed 1 --seed 2) ;;
  out_empty) out=(--out "") ;;
  out_missing_directory) out=(--out "$work/missing/report.json") ;;
  out_is_directory) out=(--out "$work") ;;
  out_parent_is_file) out=(--out "$earlier/report.json") ;;
  out_dev_full) out=(--out /dev/full) ;;
  out_dev_null) out=(--out /dev/null) ;;
  out_symlink) ln -s "$earlier" "$work/link.json"; out=(--out "$work/link.json") ;;
  out_unwritable_directory)
    # Root ignores permission bits, so use a read-only mount; without mount rights, procfs
    # (which refuses new files to everyone) is the unwritable directory.
    mnt="$work/ro"
    mkdir -p "$mnt"
    if mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
      cleanup+=("$mnt")
      printf 'EARLIER REPORT\n' > "$mnt/earlier.json"
      mount -o remount,ro "$mnt" || { umount "$mnt"; echo "SKIP: cannot remount read-only"; exit 77; }
      earlier="$mnt/earlier.json" check_dir=$mnt
      out=(--out "$earlier")
    else
      out=(--out /proc/initlab_report.json) check_dir=/proc
    fi ;;
  out_disk_full)
    mnt="$work/full"
    mkdir -p "$mnt"
    if ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
      echo "SKIP: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)"; exit 77
    fi
    cleanup+=("$mnt")
    printf 'EARLIER REPORT\n' > "$mnt/earlier.json"
    dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null  # until the disk is full
    earlier="$mnt/earlier.json" check_dir=$mnt
    out=(--out "$earlier") ;;
  *) fail "unknown case $case" ;;
esac

before=$(cat "$earlier")
"$probe" --quick "${args[@]}" "${out[@]}" >"$work/stdout" 2>"$work/stderr"
status=$?
after=$(cat "$earlier")
leftovers=$(find "$check_dir" -maxdepth 1 -name '.*.tmp.*' 2>/dev/null)
for m in "${cleanup[@]}"; do umount "$m"; done

echo "case $case: exit $status; stderr: $(cat "$work/stderr")"
[[ $status -eq 2 ]] || fail "exit status $status, expected 2"
lines=$(wc -l < "$work/stderr")
[[ $lines -eq 1 ]] || fail "stderr has $lines lines, expected exactly 1"
grep -q 'error: ' "$work/stderr" || fail "stderr does not say 'error: '"
[[ "$before" == "$after" ]] || fail "the earlier report was changed"
[[ -z "$leftovers" ]] || fail "temporary file left behind: $leftovers"
echo "ok"
