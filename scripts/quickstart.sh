#!/usr/bin/env bash
# The main job: set up the machine, build streamcheck, and run the end-to-end flow on the
# embedded broker under `terraform test` (produce 1000 JSON messages, consume, verify).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product streamcheck 2>&1 | tail -n 1
export PATH="$PWD/.build/release:$PATH"
export TF_CLI_CONFIG_FILE="$PWD/tftest/terraform.rc"
cd tftest
rm -rf .work
terraform init -input=false -no-color >/dev/null
terraform test -no-color -filter=basic-flow.tftest.hcl -verbose 2>&1 | grep -E 'run "|messages_consumed|passed|latency_ms_p99|failed_checks|Success|Failure|Error' | head -n 60
