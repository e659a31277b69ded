#!/usr/bin/env bash
# Unit tests (TerraformIO, Kafka layer on the mock cluster, StreamcheckKit) and CLI tests
# that run the built binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift test --parallel 2>&1 | tee test-results/swift-test.log | grep -vE '^\[[0-9]+/[0-9]+\]' | tail -n 40
exit "${PIPESTATUS[0]}"
