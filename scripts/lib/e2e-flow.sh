# Sourced by scripts/e2e-flows/*.sh: the steps of a flow against an external cluster. Every
# name (topic, group, manifest) starts with $RUN_ID so parallel runs never meet and
# scripts/cleanup-test-resources.sh --run-id-prefix finds them.
source "$(dirname "${BASH_SOURCE[0]}")/ci.sh"
: "${RUN_ID:?RUN_ID is not set}" "${KAFKA_BOOTSTRAP_SERVERS:?KAFKA_BOOTSTRAP_SERVERS is not set}"
FLOW_ROOT=$(ci_root)
FLOW_BIN=$(ci_streamcheck_bin) || ci_die "$EXIT_CONFIG" "streamcheck binary not found: set STREAMCHECK_BIN"
FLOW_DIR=${E2E_WORK_DIR:-$FLOW_ROOT/.e2e-work}/$RUN_ID
mkdir -p "$FLOW_DIR"
# librdkafka settings for the cluster; secrets are read by streamcheck from STREAMCHECK_KAFKA_*.
FLOW_KAFKA=()
[ -n "${KAFKA_SECURITY_PROTOCOL:-}" ] && FLOW_KAFKA+=(-X "security.protocol=$KAFKA_SECURITY_PROTOCOL")
[[ "${KAFKA_SECURITY_PROTOCOL:-}" == SASL_* ]] && FLOW_KAFKA+=(-X "sasl.mechanisms=${KAFKA_SASL_MECHANISM:-PLAIN}")
[ -n "${KAFKA_SSL_CA_FILE:-}" ] && FLOW_KAFKA+=(-X "ssl.ca.location=$KAFKA_SSL_CA_FILE")

flow_create_topic() { # TOPIC
  python3 "$FLOW_ROOT/scripts/lib/kafka_admin.py" create-topic --bootstrap-servers "$KAFKA_BOOTSTRAP_SERVERS" \
    --topic "$1" --partitions "${E2E_PARTITIONS:-4}"
}

flow_produce() { # TOPIC: manifest at $FLOW_DIR/TOPIC.manifest
  TOPIC_NAME=$1 RUN_ID=$1 OUTPUT_DIR=$FLOW_DIR MESSAGE_COUNT=${MESSAGE_COUNT:-1000} \
    bash "$FLOW_ROOT/scripts/produce-test-data.sh" >/dev/null
}

flow_verify() { # TOPIC [consume flags...]: consume after produce (no latency: see flow_start_consumer)
  local topic=$1; shift
  "$FLOW_BIN" consume --bootstrap-servers "$KAFKA_BOOTSTRAP_SERVERS" --manifest "$FLOW_DIR/$topic.manifest" \
    --timeout "${E2E_TIMEOUT:-120s}" "${FLOW_KAFKA[@]}" "$@"
}

flow_start_consumer() { # TOPIC [consume flags...]: a consumer reading before produce, so the
  # delivery SLA is checked against the real produce -> consume latency; flow_collect ends it.
  local topic=$1; shift
  rm -f "$FLOW_DIR/$topic.manifest"
  "$FLOW_BIN" consume --background --handle "$FLOW_DIR/$topic.handle" --bootstrap-servers "$KAFKA_BOOTSTRAP_SERVERS" \
    --topic "$topic" --manifest "$FLOW_DIR/$topic.manifest" --timeout "${E2E_TIMEOUT:-120s}" \
    --delivery-sla "${E2E_DELIVERY_SLA:-30s}" "${FLOW_KAFKA[@]}" "$@"
}

flow_collect() { # TOPIC
  local topic=$1; shift
  "$FLOW_BIN" consume --collect --handle "$FLOW_DIR/$topic.handle" --bootstrap-servers "$KAFKA_BOOTSTRAP_SERVERS" \
    --manifest "$FLOW_DIR/$topic.manifest" --timeout "${E2E_TIMEOUT:-120s}" "$@"
}
