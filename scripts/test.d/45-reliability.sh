#!/usr/bin/env bash
# Reliability: fault injection, network faults (nftables, as root), consumer groups and lag,
# every bad input with its message, kafka-python interop. pytest drives the built binary
# against embedded brokers it starts and stops itself.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test-results
export STREAMCHECK_BIN=${STREAMCHECK_BIN:-$PWD/.build/debug/streamcheck}
python3 -m pytest -q tests/reliability -p no:cacheprovider --junitxml=test-results/reliability.xml
status=$?
python3 - test-results/reliability.xml <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(f"{tests - bad - skipped} passed, {bad} failed" + (f" ({skipped} skipped)" if skipped else ""))
PY
exit $status
