#!/usr/bin/env bash
# Puts Kafka Connect connectors back as they were before a pipeline changed them: every
# *.previous.json in DIR (written by `streamcheck connector apply --save-previous`, or by the
# connector module's previous_config_file) is restored with `streamcheck connector rollback`.
# The pipeline's manual `rollback` job runs it on the saved files its e2e jobs left as artifacts.
#
#   scripts/rollback-connectors.sh [--env ENV] [DIR]     (DIR default: $CONNECTOR_PREVIOUS_DIR)
#
# Connect: KAFKA_CONNECT_URL, credentials from the environment as for every connector command.
# A secret the saved file left out comes from the live connector; give it otherwise with
# ROLLBACK_CONFIG_<n>="key=\${env:VAR}" ... (each passed as --config to every rollback).
# Exit: 0 all restored (or nothing saved), 1 bad usage, 3 bad settings, 2 a rollback failed
# (named on stderr; the others still ran).
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"

env_name="" dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --env) env_name=${2:-}; shift 2 ;;
    --env=*) env_name=${1#*=}; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) ci_die "$EXIT_USAGE" "unknown argument '$1' (see --help)" ;;
    *) [ -z "$dir" ] || ci_die "$EXIT_USAGE" "one folder only, got '$dir' and '$1'"; dir=$1; shift ;;
  esac
done
[ -z "$env_name" ] || ci_load_environment "$env_name"
dir=${dir:-${CONNECTOR_PREVIOUS_DIR:-}}
[ -n "$dir" ] || ci_die "$EXIT_USAGE" "no folder: give DIR or set CONNECTOR_PREVIOUS_DIR"

shopt -s nullglob
saved=("$dir"/*.previous.json)
if [ ${#saved[@]} -eq 0 ]; then
  echo "rollback: nothing to roll back: no *.previous.json in $dir" >&2
  exit 0
fi
[ -n "${KAFKA_CONNECT_URL:-}" ] || ci_die "$EXIT_CONFIG" "KAFKA_CONNECT_URL is not set: the Kafka Connect REST URL to roll back on"
bin=$(ci_streamcheck_bin) || ci_die "$EXIT_CONFIG" "streamcheck not found: set STREAMCHECK_BIN or put it on PATH"

extra=()
while IFS='=' read -r name _; do
  extra+=(--config "${!name}")
done < <(env | grep -E '^ROLLBACK_CONFIG_[0-9]+=' | sort -V || true)

failed=0
for file in "${saved[@]}"; do
  # The connector's name is inside the file (its file name may be a sanitised form of it).
  connector=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["connector"])' "$file" 2>/dev/null) || {
    echo "rollback: $file is not a saved connector config; skipped" >&2; failed=1; continue; }
  if ! "$bin" connector rollback --connect-url "$KAFKA_CONNECT_URL" --name "$connector" --previous "$file" "${extra[@]}" --timeout 120s; then
    echo "rollback: connector $connector was NOT rolled back (see above)" >&2
    failed=1
  fi
done
[ $failed = 0 ] || exit "$EXIT_TESTS_FAILED"
