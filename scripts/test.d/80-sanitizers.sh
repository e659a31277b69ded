#!/usr/bin/env bash
# The Swift unit tests under AddressSanitizer and ThreadSanitizer, each in its own scratch
# path (.build-asan, .build-tsan) so the normal build is untouched. Any report fails the run
# (halt_on_error). LeakSanitizer is off: the Swift runtime keeps metadata caches for the life
# of the process by design. STREAMCHECK_SANITIZERS="address" (or "thread") runs just one.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test-results
passed=0
failed=0
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
for sanitizer in ${STREAMCHECK_SANITIZERS:-address thread}; do
  case $sanitizer in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "unknown sanitizer '$sanitizer' (address or thread)" >&2; failed=$((failed + 1)); continue ;;
  esac
  log=test-results/sanitizer-$sanitizer.log
  export STREAMCHECK_SANITIZER=$sanitizer
  started=$(date +%s)
  if swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" >"$log" 2>&1; then
    built=$(date +%s)
    swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" >>"$log" 2>&1
    status=$?
  else
    built=$(date +%s)
    status=1
  fi
  ended=$(date +%s)
  reports=$(grep -cE 'ERROR: AddressSanitizer|WARNING: ThreadSanitizer' "$log" || true)
  timing="build $((built - started))s, tests $((ended - built))s"
  if [ "$status" -eq 0 ] && [ "$reports" -eq 0 ]; then
    passed=$((passed + 1)); echo "PASS $sanitizer sanitizer ($timing)"
  else
    failed=$((failed + 1)); echo "FAIL $sanitizer sanitizer: exit $status, $reports reports ($timing; log $log)"
    grep -E -A25 'ERROR: AddressSanitizer|WARNING: ThreadSanitizer|✘' "$log" | head -n 60
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
