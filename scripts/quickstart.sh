#!/usr/bin/env bash
# The main job: set up the machine, build streamcheck, and run the end-to-end flow on the
# embedded broker under `terraform test` (produce 1000 JSON messages, consume, verify).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product streamcheck 2>&1 | tail -n 1
export PATH="$PWD/.build/release:$PATH"
export TF_CLI_CONFIG_FILE="$PWD/tftest/terraform.rc"
report_dir=$(mktemp -d /tmp/streamcheck-quickstart.XXXXXX)
trap 'rm -rf "$report_dir"' EXIT
cd tftest
rm -rf .work
terraform init -input=false -no-color >/dev/null
# Every operation records its result in the run directory; the report below summarises them.
STREAMCHECK_REPORT_DIR="$report_dir" terraform test -no-color -filter=basic-flow.tftest.hcl 2>&1 \
  | grep -E '^  run "|Success|Failure|Error' || true
echo
streamcheck report --run-dir "$report_dir" --markdown "$report_dir/summary.md" --suite-name basic-flow >/dev/null 2>&1 || true
cat "$report_dir/summary.md"
