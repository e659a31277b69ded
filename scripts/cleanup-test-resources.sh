#!/usr/bin/env bash
# Removes what test runs with a given run-id prefix left behind. Safe to run twice; usable
# locally and as the pipeline's cleanup job.
#
#   scripts/cleanup-test-resources.sh --run-id-prefix PREFIX [--env ENV] [--work-dir DIR] [--dry-run]
#
# - embedded brokers (dev): the embedded broker has no delete APIs, so its topics and groups
#   go with it: every broker whose state dir (broker.json) lies under a folder named PREFIX*
#   in the work dir is stopped (`streamcheck broker stop`; by PID if the binary is missing);
# - external cluster (E2E_BROKER=external): topics and consumer groups whose names start with
#   PREFIX are deleted (Kafka admin API, credentials from the environment) where the cluster
#   allows it;
# - Kafka Connect (when KAFKA_CONNECT_URL is set and `streamcheck connector delete` exists):
#   connectors whose names start with PREFIX are deleted;
# - files: the work dir's PREFIX* folders.
# Exit: 0 nothing left (or nothing found), 1 bad usage, 3 bad settings, 5 something could not
# be removed (named on stderr).
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"
root=$(ci_root)
readonly EXIT_LEFT_BEHIND=5

prefix="" env_name="" work="" dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --run-id-prefix) prefix=${2:-}; shift 2 ;;
    --run-id-prefix=*) prefix=${1#*=}; shift ;;
    --env) env_name=${2:-}; shift 2 ;;
    --env=*) env_name=${1#*=}; shift ;;
    --work-dir) work=${2:-}; shift 2 ;;
    --work-dir=*) work=${1#*=}; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) ci_die "$EXIT_USAGE" "unknown argument '$1' (see --help)" ;;
  esac
done
# A short or empty prefix would match other people's resources: refuse it.
[[ "$prefix" =~ ^[a-z0-9][a-z0-9-]{3,}$ ]] ||
  ci_die "$EXIT_USAGE" "--run-id-prefix must be at least 4 lower-case letters, digits or '-' (e.g. sc-1234), got '$prefix'"
[ -z "$env_name" ] || ci_load_environment "$env_name"
work=${work:-${E2E_WORK_DIR:-$root/.e2e-work}}
bin=$(ci_streamcheck_bin || true)
left=0
act() { if [ "$dry_run" = true ]; then echo "would run: $*"; else "$@"; fi; }

# 1. Embedded brokers found in state dirs of this run.
if [ -d "$work" ]; then
  while IFS= read -r state_file; do
    state_dir=$(dirname "$state_file")
    if [ -n "$bin" ]; then
      if act "$bin" broker stop --state-dir "$state_dir" >/dev/null 2>&1; then echo "stopped embedded broker in $state_dir"
      else echo "cleanup: could not stop the embedded broker in $state_dir" >&2; left=$((left + 1)); fi
    else
      pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("pid",""))' "$state_file" 2>/dev/null || true)
      # Only a process that is a streamcheck broker: a PID may have been reused since.
      if [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'streamcheck.*broker'; then
        act kill "$pid" && echo "stopped embedded broker pid $pid ($state_dir)"
      fi
    fi
  done < <(find "$work" -maxdepth 1 -name "$prefix*" -print0 2>/dev/null | xargs -0 -r -I{} find {} -name broker.json 2>/dev/null)
fi

# 2. Topics and consumer groups on an external cluster.
if [ "${E2E_BROKER:-embedded}" = external ]; then
  if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    echo "cleanup: KAFKA_BOOTSTRAP_SERVERS is not set: topics and groups of $prefix were not checked" >&2
    left=$((left + 1))
  else
    args=(--bootstrap-servers "$KAFKA_BOOTSTRAP_SERVERS" --prefix "$prefix")
    [ "$dry_run" = true ] && args+=(--dry-run)
    python3 "$root/scripts/lib/kafka_admin.py" cleanup "${args[@]}" || left=$((left + 1))
  fi
fi

# 3. Connectors, when the connector commands exist (Kafka Connect support) and Connect is set.
if [ -n "${KAFKA_CONNECT_URL:-}" ] && [ -n "$bin" ] && "$bin" connector delete --help >/dev/null 2>&1; then
  # The list comes straight from the REST API; credentials go to curl on stdin, not argv.
  auth=""
  [ -n "${STREAMCHECK_CONNECT_USERNAME:-}" ] && auth="user = \"${STREAMCHECK_CONNECT_USERNAME}:${STREAMCHECK_CONNECT_PASSWORD:-}\""
  if names=$(printf '%s\n' "$auth" | curl -sSf --max-time 20 -K - "${KAFKA_CONNECT_URL%/}/connectors" 2>/dev/null); then
    for name in $(python3 -c 'import json,sys; print("\n".join(json.loads(sys.stdin.read())))' <<<"$names"); do
      case "$name" in "$prefix"*) ;; *) continue ;; esac
      if act "$bin" connector delete --connect-url "$KAFKA_CONNECT_URL" --name "$name" --timeout 60s >/dev/null; then echo "deleted connector $name"
      else echo "cleanup: could not delete connector $name" >&2; left=$((left + 1)); fi
    done
  else
    echo "cleanup: cannot list connectors at KAFKA_CONNECT_URL: connectors of $prefix were not checked" >&2
    left=$((left + 1))
  fi
fi

# 4. Files of this run.
if [ -d "$work" ]; then
  while IFS= read -r -d '' dir; do
    act rm -rf "$dir" && echo "removed $dir"
  done < <(find "$work" -maxdepth 1 -mindepth 1 -name "$prefix*" -print0)
fi

if [ "$left" -gt 0 ]; then
  echo "cleanup: $left problem(s); what is named above may still exist" >&2
  exit "$EXIT_LEFT_BEHIND"
fi
echo "cleanup: nothing of $prefix is left"
