#!/usr/bin/env bash
# Runs this example offline, start to finish, on one machine:
#   a PostgreSQL 15 and moto's S3 API (scripts/lib/services.sh), streamcheck's embedded broker,
#   and the Kafka Connect STAND-IN (tests/standins/kafka_connect_standin.py: a test double that
#   answers Kafka Connect's REST API and really moves data; it is not Kafka Connect).
# Then `terraform apply`, the outputs, and `terraform destroy`. Everything is stopped and removed
# on exit, even on failure; Terraform's state lives in a temporary folder.
# Needs streamcheck on PATH (or STREAMCHECK_BIN) and the packages of scripts/setup.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export STREAMCHECK_ROOT=$(cd "$here/../.." && pwd)
export STREAMCHECK_BIN=${STREAMCHECK_BIN:-$(command -v streamcheck || true)}
[ -x "$STREAMCHECK_BIN" ] || { echo "run-locally: streamcheck not found: put it on PATH or set STREAMCHECK_BIN" >&2; exit 1; }

source "$STREAMCHECK_ROOT/scripts/lib/services.sh"
source "$STREAMCHECK_ROOT/scripts/lib/connect-standin.sh"
services_init
tf_state="$SERVICES_DIR/terraform"
mkdir -p "$tf_state"
export TF_DATA_DIR="$tf_state/data" TF_IN_AUTOMATION=1
export TF_CLI_CONFIG_FILE="$STREAMCHECK_ROOT/tftest/terraform.rc"   # offline: no provider registry
destroy() {
  (cd "$here" && terraform destroy -auto-approve -input=false -no-color -state="$tf_state/terraform.tfstate" "${tf_vars[@]}" >"$tf_state/destroy.log" 2>&1) \
    || { echo "run-locally: terraform destroy failed:" >&2; tail -n 20 "$tf_state/destroy.log" >&2; }
  rm -rf "$here/.streamcheck"
  services_stop
}

start_postgres           # exports STREAMCHECK_POSTGRES_URL (trust auth: no password)
start_moto               # exports STREAMCHECK_S3_ENDPOINT and AWS_*
start_test_kafka s3_orders:2
start_connect_standin CONNECT
export ORDERS_DB_PASSWORD=unused-with-trust-auth   # the JDBC sink's ${env:ORDERS_DB_PASSWORD}

tf_vars=(-var "connect_url=$CONNECT_URL" -var "bootstrap_servers=$KAFKA_BOOTSTRAP" -var "s3_endpoint=$STREAMCHECK_S3_ENDPOINT"
  -var "postgres_jdbc_url=jdbc:postgresql://127.0.0.1:$POSTGRES_PORT/postgres" -var "streamcheck_bin=$STREAMCHECK_BIN")
trap destroy EXIT

cd "$here"
terraform init -input=false -no-color >/dev/null
terraform apply -auto-approve -input=false -no-color -state="$tf_state/terraform.tfstate" "${tf_vars[@]}" >"$tf_state/apply.log" 2>&1 \
  || { echo "run-locally: terraform apply failed:" >&2; tail -n 30 "$tf_state/apply.log" >&2; exit 1; }
terraform output -no-color -state="$tf_state/terraform.tfstate"
[ "$(terraform output -raw -state="$tf_state/terraform.tfstate" passed)" = true ]
