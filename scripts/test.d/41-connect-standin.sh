#!/usr/bin/env bash
# Kafka Connect stand-in conformance and SMTs: pytest starts the stand-in on a free port (no
# Kafka needed) and checks it against the goldens copied from Apache Kafka's source and docs
# (tests/fixtures/connect-golden/), and checks its transforms against Kafka's connect/transforms.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test-results
python3 -m pytest -q tests/standins -p no:cacheprovider --junitxml=test-results/connect-standin.xml
