#!/usr/bin/env bash
# The terraform test suites in tftest/, offline (built-in resources only), against the
# embedded broker. JUnit XML goes to test-results/terraform-<suite>.xml.
# connectors.tftest.hcl also needs a real PostgreSQL and moto's S3 API: they are started here for
# every suite (a second each) and stopped on exit, whatever happens. Their endpoints reach the
# suites as TF_VAR_postgres_jdbc_url / TF_VAR_s3_endpoint; STREAMCHECK_POSTGRES_URL and AWS_*
# stay in the environment (the stand-in and streamcheck read them there).
# Usage: 20-terraform.sh [SUITE.tftest.hcl ...]   (default: every suite)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export STREAMCHECK_ROOT=${STREAMCHECK_ROOT:-$root}
source scripts/lib/services.sh
services_init
start_postgres
start_moto
# terraform test reads a TF_VAR_ value for a variable no configuration declares as an HCL
# expression, hence the quotes.
export TF_VAR_postgres_jdbc_url="\"jdbc:postgresql://127.0.0.1:$POSTGRES_PORT/postgres\""
export TF_VAR_s3_endpoint="\"$STREAMCHECK_S3_ENDPOINT\""
# The JDBC sinks' connection.password is "${env:STREAMCHECK_TEST_PG_PASSWORD}", resolved by
# streamcheck at apply time; the test Postgres trusts local connections, so any value works.
export STREAMCHECK_TEST_PG_PASSWORD=unused-trust-auth

mkdir -p test-results
export TF_CLI_CONFIG_FILE="$root/tftest/terraform.rc"
cd tftest
rm -rf .work
terraform init -input=false -no-color >/dev/null
if [ $# -gt 0 ]; then suites=("$@"); else suites=(*.tftest.hcl); fi
passed=0; failed=0
# Every configuration is formatted; examples/confluent-cloud (Confluent provider, not installable
# here) is checked by this alone.
if fmt_out=$(terraform fmt -check -recursive -list=true "$root/terraform-modules" "$root/examples" "$root/tftest" 2>&1); then
  passed=$((passed + 1)); echo "PASS terraform fmt -check (modules, examples, tftest)"
else
  failed=$((failed + 1)); echo "FAIL terraform fmt -check: run terraform fmt on:"; echo "$fmt_out"
fi
for suite in "${suites[@]}"; do
  name=${suite%.tftest.hcl}
  if terraform test -no-color -filter="$suite" -junit-xml="$root/test-results/terraform-$name.xml" >"$root/test-results/terraform-$name.log" 2>&1; then
    passed=$((passed + 1)); echo "PASS $suite"
  else
    failed=$((failed + 1)); echo "FAIL $suite"; grep -vE '^\s*$' "$root/test-results/terraform-$name.log" | tail -n 40
  fi
done
# The runnable connector example, with its own services (examples/s3-to-postgres/run-locally.sh).
if [ $# -eq 0 ]; then
  if bash "$root/examples/s3-to-postgres/run-locally.sh" >"$root/test-results/example-s3-to-postgres.log" 2>&1; then
    passed=$((passed + 1)); echo "PASS examples/s3-to-postgres"
  else
    failed=$((failed + 1)); echo "FAIL examples/s3-to-postgres"; tail -n 30 "$root/test-results/example-s3-to-postgres.log"
  fi
fi
# Nothing may be left running or written by the suites.
leftover=$(find .work -type f 2>/dev/null | head -5 || true)
if [ -n "$leftover" ]; then echo "FAIL files left behind after teardown: $leftover"; failed=$((failed + 1)); fi
# The helper modules start the embedded broker and the stand-in with --state-dir .work/...; their
# destroy provisioners must have stopped them (listed here, never killed by pattern).
running=""
for pid in $(pgrep -f -- '--state-dir[ =]"?\.work/' || true); do
  # Only processes started from this folder (other checkouts may run their own suites).
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$PWD" ] && running+="$(ps -o pid=,args= -p "$pid")"$'\n'
done
if [ -n "$running" ]; then echo "FAIL processes left running after teardown:"; echo "$running"; failed=$((failed + 1)); fi
echo "terraform suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
