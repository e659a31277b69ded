#!/usr/bin/env bash
# Produces test data into a topic with streamcheck and writes the manifest consume verifies
# against. Made for Terraform's local-exec (settings from the environment, as in the example
# below) and usable by hand.
#
#   TOPIC_NAME=orders MESSAGE_COUNT=1000 DATA_FORMAT=json \
#   KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 scripts/produce-test-data.sh
#
#   resource "terraform_data" "data_producer" {
#     provisioner "local-exec" {
#       command     = "./scripts/produce-test-data.sh"
#       environment = { TOPIC_NAME = "test-input-topic", MESSAGE_COUNT = 1000, DATA_FORMAT = "json",
#                       KAFKA_BOOTSTRAP_SERVERS = module.broker.bootstrap_servers }
#     }
#   }
#
# Environment: TOPIC_NAME (required), KAFKA_BOOTSTRAP_SERVERS (required), MESSAGE_COUNT (1000),
# DATA_FORMAT (json|avro, default json), SCHEMA_FILE, DATA_FILE, KEY_STRATEGY (sequence), SEED (1),
# RATE (0 = as fast as possible), RUN_ID (generated), OUTPUT_DIR (.streamcheck): manifest at
# OUTPUT_DIR/RUN_ID.manifest, result at OUTPUT_DIR/RUN_ID.produce.json; KAFKA_SECURITY_PROTOCOL,
# KAFKA_SASL_MECHANISM, KAFKA_SSL_CA_FILE; secrets only as STREAMCHECK_KAFKA_* variables.
# Prints the result JSON on stdout. Exit: 0 every message acknowledged, 1 bad settings or
# produce failed, 3 the streamcheck binary is missing.
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"

case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
  *) ci_die "$EXIT_USAGE" "takes no arguments: settings come from the environment (see --help)" ;;
esac
[ -n "${TOPIC_NAME:-}" ] || ci_die "$EXIT_USAGE" "TOPIC_NAME is not set: name the topic to produce to"
[[ "$TOPIC_NAME" =~ ^[A-Za-z0-9._-]{1,249}$ ]] || ci_die "$EXIT_USAGE" "TOPIC_NAME must be 1-249 letters, digits, '.', '_' or '-'"
[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ] || ci_die "$EXIT_USAGE" "KAFKA_BOOTSTRAP_SERVERS is not set: host:port of the cluster"
count=${MESSAGE_COUNT:-1000}
[[ "$count" =~ ^[0-9]+$ ]] && [ "$count" -ge 1 ] || ci_die "$EXIT_USAGE" "MESSAGE_COUNT must be a whole number of at least 1, got '$count'"
format=${DATA_FORMAT:-json}
[[ "$format" =~ ^(json|avro)$ ]] || ci_die "$EXIT_USAGE" "DATA_FORMAT must be json or avro, got '$format'"
bin=$(ci_streamcheck_bin) || ci_die "$EXIT_CONFIG" "streamcheck binary not found: set STREAMCHECK_BIN or put streamcheck on PATH"

run_id=${RUN_ID:-$(ci_slug "$TOPIC_NAME")-$(date +%s)}
out=${OUTPUT_DIR:-.streamcheck}
mkdir -p "$out"
args=(produce --bootstrap-servers "$KAFKA_BOOTSTRAP_SERVERS" --topic "$TOPIC_NAME" --message-count "$count"
  --data-format "$format" --run-id "$run_id" --key-strategy "${KEY_STRATEGY:-sequence}" --seed "${SEED:-1}"
  --rate "${RATE:-0}" --manifest "$out/$run_id.manifest" --result-file "$out/$run_id.produce.json")
[ -n "${SCHEMA_FILE:-}" ] && args+=(--schema-file "$SCHEMA_FILE")
[ -n "${DATA_FILE:-}" ] && args+=(--data-file "$DATA_FILE")
[ -n "${KAFKA_SECURITY_PROTOCOL:-}" ] && args+=(-X "security.protocol=$KAFKA_SECURITY_PROTOCOL")
[[ "${KAFKA_SECURITY_PROTOCOL:-}" == SASL_* ]] && args+=(-X "sasl.mechanisms=${KAFKA_SASL_MECHANISM:-PLAIN}")
[ -n "${KAFKA_SSL_CA_FILE:-}" ] && args+=(-X "ssl.ca.location=$KAFKA_SSL_CA_FILE")
"$bin" "${args[@]}" >&2 || ci_die "$EXIT_USAGE" "produce to '$TOPIC_NAME' failed (see above)"
cat "$out/$run_id.produce.json"
