#!/usr/bin/env bash
# py.sh MODULES SCRIPT [ARGS...]: runs the Python test SCRIPT with the first interpreter
# (Debian's /usr/bin/python3 first: scripts/install-deps installs its modules, then python3)
# that imports every module of the comma-separated MODULES ("-" for none); exit 77 (skipped)
# when none does.
set -u
modules=$1 script=$2
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree
shift 2
imports=""
[[ $modules == - ]] || imports="import ${modules}"
for py in /usr/bin/python3 python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c "$imports" >/dev/null 2>&1; then
    exec "$py" "$script" "$@"
  fi
done
echo "py.sh: no python3 with the modules ${modules} (scripts/install-deps installs them)" >&2
exit 77
