#!/usr/bin/env bash
# CLI and external-data-source protocol tests: pytest drives the built binary exactly as
# Terraform's hashicorp/external provider does.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -m pytest -q tests/cli -p no:cacheprovider --junitxml=test-results/cli.xml
