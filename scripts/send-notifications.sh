#!/usr/bin/env bash
# The pipeline's report and notifications: merges the run records and JUnit files the test
# jobs left, writes one report, and sends it with `streamcheck notify`.
#
#   scripts/send-notifications.sh [--runs DIR] [--junit DIR ...] [--out DIR] [--on always|failure|success]
#
# --runs DIR   run records, searched recursively (default streamcheck-run)
# --junit DIR  JUnit files merged into the verdict, searched recursively; repeatable (default:
#              where the test jobs put them: test-results/unit, test-results/integration,
#              test-results/e2e; other files under test-results are the suites' own business)
# --out DIR    where the report goes (default report/pipeline): junit.xml, index.html,
#              summary.json, summary.md
# Channels: Slack when STREAMCHECK_SLACK_WEBHOOK_URL is set; e-mail when NOTIFY_EMAIL_TO is set
# (with NOTIFY_EMAIL_FROM, NOTIFY_SMTP_URL, optional STREAMCHECK_SMTP_USERNAME/PASSWORD;
# smtp:// URLs require STARTTLS unless NOTIFY_SMTP_STARTTLS=false). No channel: report only.
# Exit: 0 the tests passed, 2 they failed (in both cases people were told, if a channel is set;
# an undelivered notification is a warning, never a different exit code), 1 bad usage or
# nothing to report, 3 the streamcheck binary is missing.
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"
root=$(ci_root)
cd "$root"

runs=streamcheck-run junit_dirs=() out=report/pipeline on=${NOTIFY_ON:-always}
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:-}; shift 2 ;;
    --junit) junit_dirs+=("${2:-}"); shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    --on) on=${2:-}; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) ci_die "$EXIT_USAGE" "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$on" =~ ^(always|failure|success)$ ]] || ci_die "$EXIT_USAGE" "--on (NOTIFY_ON) must be always, failure or success, got '$on'"
bin=$(ci_streamcheck_bin) ||
  ci_die "$EXIT_CONFIG" "streamcheck binary not found (did swift-build fail?): no report and no notification; set STREAMCHECK_BIN"

# One flat run directory: record file names are unique (start time, operation, run id, pid).
flat=$(mktemp -d)
trap 'rm -rf "$flat"' EXIT
[ -d "$runs" ] && find "$runs" -type f -name '*.json' -exec cp {} "$flat/" \;
[ ${#junit_dirs[@]} -gt 0 ] || junit_dirs=(test-results/unit test-results/integration test-results/e2e)
merge=()
for dir in "${junit_dirs[@]}"; do
  [ -d "$dir" ] || continue
  while IFS= read -r f; do merge+=(--merge-junit "$f"); done < <(find "$dir" -type f -name '*.xml' | sort)
done
if [ -z "$(ls -A "$flat")" ]; then
  [ ${#merge[@]} -gt 0 ] || ci_die "$EXIT_USAGE" "nothing to report: no run records under $runs and no JUnit under ${junit_dirs[*]} (did the test jobs run?)"
  # Only JUnit (no e2e flow ran): a placeholder record so report and notify have a run to read.
  printf '{"operation":"pipeline","status":"passed","error":null,"result":{"checks":[],"passed":true}}\n' >"$flat/0-pipeline.json"
fi

mkdir -p "$out"
set +e
"$bin" report --run-dir "$flat" "${merge[@]}" --suite-name "${CI_PROJECT_NAME:-streamcheck}" \
  --junit "$out/junit.xml" --html "$out/index.html" --json "$out/summary.json" --markdown "$out/summary.md" \
  ${CI_PIPELINE_URL:+--pipeline-url "$CI_PIPELINE_URL"}
code=$?
set -e
[ $code -eq 0 ] || [ $code -eq 2 ] || ci_die "$EXIT_USAGE" "streamcheck report failed (exit $code)"

channels=()
[ -n "${STREAMCHECK_SLACK_WEBHOOK_URL:-}" ] && channels+=(--slack)
if [ -n "${NOTIFY_EMAIL_TO:-}" ]; then
  channels+=(--email --to "$NOTIFY_EMAIL_TO" --from "${NOTIFY_EMAIL_FROM:-}" --smtp-url "${NOTIFY_SMTP_URL:-}")
  [ "${NOTIFY_SMTP_URL:-}" = "${NOTIFY_SMTP_URL#smtp://}" ] || [ "${NOTIFY_SMTP_STARTTLS:-true}" = false ] || channels+=(--smtp-starttls)
  channels+=(--subject-prefix "[${CI_PROJECT_PATH:-streamcheck}]")
fi
if [ ${#channels[@]} -eq 0 ]; then
  echo "send-notifications: no channel configured (STREAMCHECK_SLACK_WEBHOOK_URL, NOTIFY_EMAIL_TO): report only, in $out" >&2
  exit "$code"
fi
set +e
"$bin" notify --run-dir "$flat" "${merge[@]}" --suite-name "${CI_PROJECT_NAME:-streamcheck}" --on "$on" \
  "${channels[@]}" --retries "${NOTIFY_RETRIES:-3}" --timeout 15s --result-file "$out/notify.json"
notify_code=$?
set -e
# notify exits with the run's code (0/2) whether or not delivery worked; 1 is bad settings.
[ $notify_code -ne 1 ] || ci_die "$EXIT_USAGE" "streamcheck notify refused its settings (see above)"
exit "$code"
