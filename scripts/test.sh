#!/usr/bin/env bash
# The test command: builds streamcheck, then runs every suite in scripts/test.d in order.
# Each suite starts the services it needs and stops them when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
export STREAMCHECK_ROOT=$PWD
mkdir -p test-results

swift build -c release --product streamcheck 2>&1 | tail -n 3
export STREAMCHECK_BIN="$PWD/.build/release/streamcheck"
export PATH="$PWD/.build/release:$PATH"
# The Python tools' venv, when scripts/setup.sh made one (a system-managed Python, PEP 668).
venv=${STREAMCHECK_VENV:-$PWD/.venv}
[ ! -x "$venv/bin/python3" ] || export PATH="$venv/bin:$PATH"

failed=()
for suite in scripts/test.d/*.sh; do
  echo "==> $suite"
  if ! bash "$suite"; then
    failed+=("$suite")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}" >&2
  exit 1
fi
echo "all suites passed"
