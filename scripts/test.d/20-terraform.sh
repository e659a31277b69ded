#!/usr/bin/env bash
# The terraform test suites in tftest/, offline (built-in resources only), against the
# embedded broker. JUnit XML goes to test-results/terraform-<suite>.xml.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mkdir -p test-results
export TF_CLI_CONFIG_FILE="$root/tftest/terraform.rc"
cd tftest
rm -rf .work
terraform init -input=false -no-color >/dev/null
passed=0; failed=0
for suite in *.tftest.hcl; do
  name=${suite%.tftest.hcl}
  if terraform test -no-color -filter="$suite" -junit-xml="$root/test-results/terraform-$name.xml" >"$root/test-results/terraform-$name.log" 2>&1; then
    passed=$((passed + 1)); echo "PASS $suite"
  else
    failed=$((failed + 1)); echo "FAIL $suite"; grep -vE '^\s*$' "$root/test-results/terraform-$name.log" | tail -n 40
  fi
done
# Nothing may be left running or written by the suites.
leftover=$(find .work -type f 2>/dev/null | head -5 || true)
if [ -n "$leftover" ]; then echo "FAIL files left behind after teardown: $leftover"; failed=$((failed + 1)); fi
echo "terraform suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
