#!/usr/bin/env bash
# Integration suites (scripts/test.d/NN-*.sh), as the integration jobs run them and as anyone
# can locally. Suites are discovered; a new one joins a shard by itself.
#
#   scripts/run-integration-tests.sh [--shard I/N] [--suites GLOB] [--skip "NAME ..."] [--dir DIR]
#
# --dir DIR      where the suites are (default scripts/test.d)
# --suites GLOB  only suites whose name (without .sh) matches, e.g. '6*' (default *)
# --skip NAMES   suites left out (default $INTEGRATION_SKIP, else "10-swift-tests 20-terraform
#                70-pipeline": unit tests, the e2e suites and the pipeline's own proof have jobs
#                of their own)
# Writes test-results/integration/<shard>/: the suites' own JUnit files, suites.xml (one
# testcase per suite) and <suite>.log. Prints "N passed, M failed".
# Exit: 0 all passed, 1 bad usage, 2 a suite failed, 3 the streamcheck binary is missing.
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"
root=$(ci_root)
cd "$root"
shard="1/1" glob="*" dir=scripts/test.d skip="${INTEGRATION_SKIP-10-swift-tests 20-terraform 70-pipeline}"
while [ $# -gt 0 ]; do
  case "$1" in
    --shard) shard=${2:-}; shift 2 ;;
    --suites) glob=${2:-*}; shift 2 ;;
    --skip) skip=${2:-}; shift 2 ;;
    --dir) dir=${2:-}; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) ci_die "$EXIT_USAGE" "unknown argument '$1' (see --help)" ;;
  esac
done
bin=$(ci_streamcheck_bin) || ci_die "$EXIT_CONFIG" "streamcheck binary not found: set STREAMCHECK_BIN or run 'swift build -c release --product streamcheck'"
export STREAMCHECK_BIN=$bin STREAMCHECK_ROOT=$root
export PATH="$(dirname "$bin"):$PATH"
# Suites run failing operations on purpose: they must not record into a job's run directory.
unset STREAMCHECK_REPORT_DIR

candidates=()
[ -d "$dir" ] || ci_die "$EXIT_USAGE" "--dir $dir is not a folder"
for path in "$dir"/*.sh; do
  [ -e "$path" ] || continue
  name=$(basename "$path" .sh)
  # shellcheck disable=SC2053 # the glob is meant to match
  [[ "$name" == $glob ]] || continue
  [[ " $skip " == *" $name "* ]] && continue
  candidates+=("$name")
done
mapfile -t suites < <(ci_shard "$shard" "${candidates[@]}")
out="$root/test-results/integration/$(ci_slug "shard-$shard")"
mkdir -p "$out" "$root/test-results"
results=""
for name in "${suites[@]}"; do
  marker=$(mktemp)
  start=$(date +%s%N)
  set +e
  bash "$dir/$name.sh" >"$out/$name.log" 2>&1
  code=$?
  set -e
  ms=$((($(date +%s%N) - start) / 1000000))
  status=pass; [ $code -eq 0 ] || status=fail
  echo "$(echo $status | tr a-z A-Z) $name ($((ms / 1000)) s)"
  [ $code -eq 0 ] || grep -vE '^\s*$' "$out/$name.log" | tail -n 30
  # The JUnit files the suite wrote to test-results/ go with this shard's results.
  find "$root/test-results" -maxdepth 1 -name '*.xml' -newer "$marker" -exec cp {} "$out/" \;
  rm -f "$marker"
  results+=$(printf '%s\t%s\t%d.%03d\t%s' "$name" "$status" $((ms / 1000)) $((ms % 1000)) "$out/$name.log")$'\n'
done
passed=$(grep -c $'\tpass\t' <<<"$results" || true)
failed=$(grep -c $'\tfail\t' <<<"$results" || true)
ci_junit_suites "$out/suites.xml" "integration-suites" "$results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit "$EXIT_TESTS_FAILED"
