#!/usr/bin/env bash
# End-to-end suites, as the e2e jobs run them and as anyone can run them locally.
#
#   scripts/run-e2e-tests.sh --env=dev [--suite=NAME|all] [--shard=I/N] [--parallel] [--message-count=N]
#
# --env=dev (E2E_BROKER=embedded): the terraform test suites tftest/*.tftest.hcl, each in its own
#   copy of tftest/ (own state dirs, own embedded broker, run ids "<prefix>-<suite>"), so they
#   can run at the same time; PostgreSQL and moto are started for suites that need them.
# --env=staging (E2E_BROKER=external): the flows scripts/e2e-flows/*.sh against
#   $KAFKA_BOOTSTRAP_SERVERS, topics and groups named after the run id.
# Settings come from pipeline/environments/ENV.yml (variables already set win).
#
# Writes: test-results/e2e/<job>/*.xml (JUnit: the verdict), report/<job>/ (streamcheck report:
# index.html, junit.xml, summary.json, summary.md), streamcheck-run/<job>-<suite>/ (run records),
# logs/e2e/<job>/<suite>.log. Prints "N passed, M failed".
# Exit: 0 all passed, 1 bad usage, 2 a suite failed, 3 missing/malformed settings.
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"
root=$(ci_root)
cd "$root"

usage() { ci_die "$EXIT_USAGE" "usage: $0 --env=ENV [--suite=NAME|all] [--shard=I/N] [--parallel] [--message-count=N]"; }
env_name="" suite="all" shard="1/1" parallel=false message_count="${MESSAGE_COUNT:-}"
for arg in "$@"; do
  case "$arg" in
    --env=*) env_name=${arg#--env=} ;;
    --suite=*) suite=${arg#--suite=} ;;
    --shard=*) shard=${arg#--shard=} ;;
    --parallel) parallel=true ;;
    --message-count=*) message_count=${arg#--message-count=} ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "$(basename "$0"): unknown argument '$arg'" >&2; usage ;;
  esac
done
[ -n "$env_name" ] || usage
ci_load_environment "$env_name"
[ -n "$suite" ] || suite=all
[[ "$suite" =~ ^(all|[A-Za-z0-9._-]+)$ ]] || ci_die "$EXIT_USAGE" "--suite must be a suite name or all, got '$suite'"
message_count=${message_count:-1000}
[[ "$message_count" =~ ^[0-9]+$ ]] && [ "$message_count" -ge 20 ] ||
  ci_die "$EXIT_USAGE" "--message-count (or MESSAGE_COUNT) must be a whole number of at least 20, got '$message_count'"

bin=$(ci_streamcheck_bin) || ci_die "$EXIT_CONFIG" "streamcheck binary not found: set STREAMCHECK_BIN or run 'swift build -c release --product streamcheck'"
export STREAMCHECK_BIN=$bin
export PATH="$(dirname "$bin"):$PATH"

prefix=$(ci_run_id_prefix)
job=$(ci_slug "${CI_JOB_NAME:-e2e-$env_name-${shard/\//-of-}}")
results="$root/test-results/e2e/$job"
logs="$root/logs/e2e/$job"
report="$root/report/$job"
work="${E2E_WORK_DIR:-$root/.e2e-work}"
mkdir -p "$results" "$logs" "$report" "$work"

# The suites: discovered, never listed here.
case "$E2E_BROKER" in
  embedded) mapfile -t all_suites < <(cd tftest && ls ./*.tftest.hcl 2>/dev/null | sed 's|^\./||; s|\.tftest\.hcl$||') ;;
  external) mapfile -t all_suites < <(cd scripts/e2e-flows && ls ./*.sh 2>/dev/null | sed 's|^\./||; s|\.sh$||') ;;
  *) ci_die "$EXIT_CONFIG" "E2E_BROKER must be embedded or external (pipeline/environments/$env_name.yml), got '${E2E_BROKER:-}'" ;;
esac
if [ "$suite" != all ]; then
  printf '%s\n' "${all_suites[@]}" | grep -qxF "$suite" ||
    ci_die "$EXIT_USAGE" "no e2e suite '$suite' for $env_name; there are: ${all_suites[*]}"
  all_suites=("$suite")
fi
mapfile -t suites < <(ci_shard "$shard" "${all_suites[@]}")
if [ ${#suites[@]} -eq 0 ]; then
  echo "e2e: shard $shard of '${suite}' has no suite to run"
  echo "0 passed, 0 failed"
  exit "$EXIT_OK"
fi

if [ "$E2E_BROKER" = external ]; then
  bash "$root/scripts/check-credentials.sh" --env "$env_name" --no-connect >&2 || exit $?
fi

# Suites that read var.postgres_jdbc_url / var.s3_endpoint (the connector flows) get a real
# PostgreSQL and moto's S3 API, started once for the run and stopped on exit (as 20-terraform.sh).
services=false
if [ "$E2E_BROKER" = embedded ]; then
  for name in "${suites[@]}"; do
    grep -qE 'var\.(postgres_jdbc_url|s3_endpoint)' "tftest/$name.tftest.hcl" && services=true
  done
fi
if [ "$services" = true ]; then
  source "$root/scripts/lib/services.sh"
  services_init
  start_postgres
  start_moto
  # Quoted: terraform test reads a TF_VAR_ value that no configuration declares as HCL.
  export TF_VAR_postgres_jdbc_url="\"jdbc:postgresql://127.0.0.1:$POSTGRES_PORT/postgres\""
  export TF_VAR_s3_endpoint="\"$STREAMCHECK_S3_ENDPOINT\""
  export STREAMCHECK_TEST_PG_PASSWORD=unused-trust-auth
fi

# Stop whatever this run left running (brokers of interrupted suites), whatever happens.
finish() {
  bash "$root/scripts/cleanup-test-resources.sh" --env "$env_name" --run-id-prefix "$prefix" --work-dir "$work" \
    >>"$logs/cleanup.log" 2>&1 || echo "e2e: cleanup reported problems, see $logs/cleanup.log" >&2
  [ "$services" = false ] || services_stop
}
trap finish EXIT

# run_tftest_suite NAME: one tftest suite in its own copy of tftest/.
run_tftest_suite() {
  local name=$1 run_id="$prefix-$1" dir entry
  dir="$work/$run_id"
  rm -rf "$dir" && mkdir -p "$dir/tftest"
  # The suites refer to ../terraform-modules, ../examples ...: the copy sees the same tree.
  for entry in "$root"/*; do
    [ "$(basename "$entry")" = tftest ] || ln -s "$entry" "$dir/$(basename "$entry")"
  done
  tar -C "$root/tftest" --exclude=./.terraform --exclude=./.work --exclude='*.tftest.hcl' -cf - . | tar -C "$dir/tftest" -xf -
  cp "$root/tftest/$name.tftest.hcl" "$dir/tftest/"
  (
    set -e
    cd "$dir/tftest"
    export STREAMCHECK_REPORT_DIR="$root/streamcheck-run/$job-$name"
    mkdir -p "$STREAMCHECK_REPORT_DIR"
    terraform init -input=false -no-color >/dev/null
    # A var file, not -var: terraform test parses a -var value as an expression when the run's
    # module does not declare the variable ("local-1-2" would read as a reference).
    printf 'message_count = %s\nrun_id_prefix = "%s-"\n' "$message_count" "$prefix" >e2e.tfvars
    terraform test -no-color -filter="$name.tftest.hcl" -var-file=e2e.tfvars -junit-xml="$results/terraform-$name.xml"
  )
}

# run_flow NAME: one external-cluster flow.
run_flow() {
  local name=$1
  RUN_ID="$prefix-$name" MESSAGE_COUNT=$message_count STREAMCHECK_REPORT_DIR="$root/streamcheck-run/$job-$name" \
    bash "$root/scripts/e2e-flows/$name.sh"
  local code=$?
  # The flow's verdict as JUnit, from its run records.
  "$bin" report --run-dir "$root/streamcheck-run/$job-$name" --suite-name "$name" --junit "$results/$name.xml" >/dev/null 2>&1 || true
  return $code
}

# run_one NAME: runs a suite, logs it, and records "name<TAB>status<TAB>seconds<TAB>log".
run_one() {
  local name=$1 start code status
  start=$(date +%s%N)
  set +e
  if [ "$E2E_BROKER" = embedded ]; then run_tftest_suite "$name"; else run_flow "$name"; fi >"$logs/$name.log" 2>&1
  code=$?
  set -e
  status=pass; [ $code -eq 0 ] || status=fail
  local ms=$((($(date +%s%N) - start) / 1000000))
  printf '%s\t%s\t%d.%03d\t%s\n' "$name" "$status" $((ms / 1000)) $((ms % 1000)) "$logs/$name.log" >"$logs/$name.status"
  echo "$(echo "$status" | tr a-z A-Z) $name ($((ms / 1000)).$((ms % 1000 / 100)) s)"
}

echo "e2e: env $env_name, ${#suites[@]} suite(s): ${suites[*]}; $message_count messages; run id prefix $prefix; $([ $parallel = true ] && echo "in parallel (at most ${E2E_MAX_PARALLEL:-4})" || echo "one after another")"
rm -f "$logs"/*.status
if [ "$parallel" = true ]; then
  # Waits name the suites' PIDs: the services (moto) are children of this shell too.
  pids=()
  for name in "${suites[@]}"; do
    while [ "$(jobs -rp | grep -cxF -f <(printf '%s\n' "${pids[@]:-}") || true)" -ge "${E2E_MAX_PARALLEL:-4}" ]; do sleep 0.2; done
    run_one "$name" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
else
  for name in "${suites[@]}"; do run_one "$name"; done
fi

statuses=$(cat "$logs"/*.status)
passed=$(grep -c $'\tpass\t' <<<"$statuses" || true)
failed=$(grep -c $'\tfail\t' <<<"$statuses" || true)
ci_junit_suites "$results/suites.xml" "e2e-$env_name" "$statuses"
while IFS=$'\t' read -r name status _ log; do
  [ "$status" = fail ] && { echo "---- $name (last lines of $log)"; grep -vE '^\s*$' "$log" | tail -n 30; }
done <<<"$statuses"

# The job's report: every suite's run records, with terraform test's JUnit merged in.
flat=$(mktemp -d)
find "$root/streamcheck-run" -path "*/$job-*" -name '*.json' -exec cp {} "$flat/" \; 2>/dev/null || true
if [ -n "$(ls -A "$flat")" ]; then
  merge=()
  for f in "$results"/terraform-*.xml; do [ -f "$f" ] && merge+=(--merge-junit "$f"); done
  "$bin" report --run-dir "$flat" "${merge[@]}" --suite-name "$job" --junit "$report/junit.xml" \
    --html "$report/index.html" --json "$report/summary.json" --markdown "$report/summary.md" >/dev/null 2>"$logs/report.log" ||
    [ $? -eq 2 ] || echo "e2e: streamcheck report failed, see $logs/report.log" >&2
  echo "e2e: report in ${report#$root/}/index.html"
  # The report must say what Terraform said: green suites with a red report mean a negative test
  # that does not state its expected failure (expect_failed_checks / expect_error).
  report_status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$report/summary.json" 2>/dev/null || echo missing)
  if [ "$failed" -eq 0 ] && [ "$report_status" != passed ]; then
    echo "FAIL report: every suite passed but ${report#$root/}/summary.json says '$report_status':" >&2
    python3 -c 'import json,sys; [print("  ", f["suite"], "/", f["operation"], "/", f["check"], ":", f["message"]) for f in json.load(open(sys.argv[1])).get("failed", [])[:10]]' "$report/summary.json" >&2 || true
    failed=$((failed + 1))
  fi
fi
rm -rf "$flat"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit "$EXIT_TESTS_FAILED"
