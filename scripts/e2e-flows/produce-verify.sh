#!/usr/bin/env bash
# e2e flow for an external cluster (run by scripts/run-e2e-tests.sh with E2E_BROKER=external):
# start a consumer, produce MESSAGE_COUNT JSON messages to a topic named after the run id, then
# collect the verdict: count, integrity, ordering, duplicates, loss and the delivery SLA against
# the real produce -> consume latency.
# Environment: RUN_ID, MESSAGE_COUNT, KAFKA_BOOTSTRAP_SERVERS, E2E_PARTITIONS, E2E_TIMEOUT,
# E2E_DELIVERY_SLA, KAFKA_SECURITY_PROTOCOL/KAFKA_SASL_MECHANISM (+ STREAMCHECK_KAFKA_* secrets).
# Exit: 0 verified, 1 error, 2 a check failed.
set -euo pipefail
source "$(dirname "$0")/../lib/e2e-flow.sh"
flow_create_topic "$RUN_ID-orders"
flow_start_consumer "$RUN_ID-orders" --group-id "$RUN_ID-verify" >/dev/null
flow_produce "$RUN_ID-orders"
flow_collect "$RUN_ID-orders"
