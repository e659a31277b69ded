#!/usr/bin/env bash
# e2e flow for an external cluster (run by scripts/run-e2e-tests.sh with E2E_BROKER=external):
# produce MESSAGE_COUNT messages, then two members of one consumer group split the partitions
# and must read every message exactly once (exclusive_assignment, duplicates), and a second
# group must read them all again.
# Environment: as produce-verify.sh. Exit: 0 verified, 1 error, 2 a check failed.
set -euo pipefail
source "$(dirname "$0")/../lib/e2e-flow.sh"
flow_create_topic "$RUN_ID-group"
flow_produce "$RUN_ID-group"
flow_verify "$RUN_ID-group" --group-id "$RUN_ID-shared" --members 2
flow_verify "$RUN_ID-group" --group-id "$RUN_ID-second"
