# Helpers shared by the study-binary tests (sourced, not run).

fail() { echo "FAIL: $*" >&2; exit 1; }

# report_body FILE: the report up to (excluding) its "provenance" member, which must be the
# last member of the top-level object. Everything printed is what must be reproducible.
report_body() {
  awk '
    /^  "provenance": \{$/ { found = 1; exit }
    { print }
    END { if (!found) exit 3 }
  ' "$1"
}

# same_outside_provenance A B: byte comparison of the two reports outside provenance.
same_outside_provenance() {
  local a b
  a=$(report_body "$1") || fail "$1: no top-level \"provenance\" member (or not a report)"
  b=$(report_body "$2") || fail "$2: no top-level \"provenance\" member (or not a report)"
  [[ -n "$a" ]] || fail "$1: empty report"
  if [[ "$a" != "$b" ]]; then
    diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -20 >&2
    return 1
  fi
}

# fresh_dir DIR: an empty directory.
fresh_dir() { rm -rf "$1" && mkdir -p "$1"; }
