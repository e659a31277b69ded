#!/usr/bin/env bash
# The Avro corpus (tests/fixtures/avro-corpus/*.avsc): every schema produced by streamcheck on
# the embedded broker (plain Avro, and a subset through the Schema Registry stand-in), decoded
# by fastavro, re-encoded by fastavro into a copy that must verify clean, and a copy with one
# changed value that must fail integrity; reader schemas resolved first by fastavro, then by
# streamcheck; schemas the generator cannot fill refused with one line.
# Then the Schema Registry client end to end against the unkind stand-in
# (tests/interop/test_schema_registry.py): retries, outages, read-only credentials, levels,
# references, non-Avro ids.
set -uo pipefail
cd "$(dirname "$0")/../.."
export STREAMCHECK_BIN=${STREAMCHECK_BIN:-$PWD/.build/release/streamcheck}
mkdir -p test-results
status=0
python3 -m pytest -q tests/interop/test_avro_corpus.py -p no:cacheprovider --junitxml=test-results/avro-corpus.xml || status=1
python3 -m pytest -q tests/interop/test_schema_registry.py -p no:cacheprovider --junitxml=test-results/schema-registry.xml || status=1
exit $status
