#!/usr/bin/env bash
# Swift unit tests (all test targets), as the unit-tests job runs them and as anyone can locally.
#
#   scripts/run-unit-tests.sh [--filter PATTERN]
#
# Writes: test-results/unit/swift.xml (+ swift-swift-testing.xml: JUnit for GitLab),
# test-results/unit/swift-test.log. Exit: 0 passed, 1 bad usage or build failed, 2 a test failed.
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"
root=$(ci_root)
cd "$root"
filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) [ -n "${2:-}" ] || ci_die "$EXIT_USAGE" "--filter needs a pattern"; filter=(--filter "$2"); shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) ci_die "$EXIT_USAGE" "unknown argument '$1' (see --help)" ;;
  esac
done
out="$root/test-results/unit"
mkdir -p "$out"
# Test runs record nothing in a report directory the job might have set.
unset STREAMCHECK_REPORT_DIR
set +e
swift build --build-tests >"$out/swift-build.log" 2>&1
build=$?
set -e
if [ $build -ne 0 ]; then
  grep -E 'error:' "$out/swift-build.log" | sort -u | head -n 20 >&2
  ci_die "$EXIT_USAGE" "the test build failed (log: test-results/unit/swift-build.log)"
fi
set +e
swift test --skip-build --parallel "${filter[@]}" --xunit-output "$out/swift.xml" >"$out/swift-test.log" 2>&1
code=$?
set -e
grep -E 'Test run with|Executed [0-9]+ tests|✘|error:' "$out/swift-test.log" | tail -n 30 || true
[ $code -eq 0 ] || ci_die "$EXIT_TESTS_FAILED" "unit tests failed (log: test-results/unit/swift-test.log)"
echo "unit tests passed"
