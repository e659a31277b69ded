# Sourced after scripts/lib/services.sh (and services_init). Starts the Kafka Connect STAND-IN
# (tests/standins/kafka_connect_standin.py; no real Kafka Connect can be installed here) and
# streamcheck's embedded broker as its Kafka. Needs $STREAMCHECK_BIN (the built binary).

# start_test_kafka [TOPIC:PARTITIONS ...]: exports KAFKA_BOOTSTRAP and KAFKA_STATE_DIR.
start_test_kafka() {
  local dir="$SERVICES_DIR/kafka" args=() t i
  for t in "$@"; do args+=(--topic "$t"); done
  # `broker run` serves in the foreground, so the PID list stops it with everything else.
  "$STREAMCHECK_BIN" broker run --state-dir "$dir" "${args[@]}" >"$SERVICES_DIR/kafka.log" 2>&1 &
  SERVICE_PIDS+=($!)
  for ((i = 0; i < 100; i++)); do [ -f "$dir/broker.json" ] && break; sleep 0.1; done
  [ -f "$dir/broker.json" ] || { echo "services: the embedded broker did not start: $(cat "$SERVICES_DIR/kafka.log")" >&2; return 1; }
  export KAFKA_STATE_DIR=$dir
  export KAFKA_BOOTSTRAP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bootstrap_servers"])' "$dir/broker.json")
}

# start_connect_standin NAME [ENV=VALUE ...]: a stand-in whose connectors use $KAFKA_BOOTSTRAP.
# Exports <NAME>_URL (e.g. start_connect_standin CONNECT -> CONNECT_URL) and <NAME>_PID.
start_connect_standin() {
  local name=$1; shift
  local dir="$SERVICES_DIR/$name" i
  env "$@" python3 "$STREAMCHECK_ROOT/tests/standins/kafka_connect_standin.py" --state-dir "$dir" \
    --bootstrap-servers "${KAFKA_BOOTSTRAP:-}" >"$SERVICES_DIR/$name.log" 2>&1 &
  local pid=$!
  SERVICE_PIDS+=($pid)
  for ((i = 0; i < 100; i++)); do [ -f "$dir/connect.json" ] && break; sleep 0.1; done
  [ -f "$dir/connect.json" ] || { echo "services: the Kafka Connect stand-in did not start: $(cat "$SERVICES_DIR/$name.log")" >&2; return 1; }
  export "${name}_URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["connect_url"])' "$dir/connect.json")"
  export "${name}_PID=$pid"
}
