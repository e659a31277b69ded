#!/usr/bin/env bash
# Stand-in conformance: pytest starts each stand-in on a free port (no Kafka needed) and checks it
# against goldens copied from the real source. Kafka Connect: Apache Kafka's source and docs
# (tests/fixtures/connect-golden/) and its SMTs against Kafka's connect/transforms. Schema
# Registry: Confluent's schema-registry source, Avro's SchemaCompatibility and Karapace
# (tests/fixtures/registry-golden/): error codes and texts, answer shapes per flavor, verbose
# compatibility messages, references, plus the stand-in's fault queue, request log and read-only user.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test-results
python3 -m pytest -q tests/standins -p no:cacheprovider --junitxml=test-results/connect-standin.xml
