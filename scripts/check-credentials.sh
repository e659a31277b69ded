#!/usr/bin/env bash
# Checks, before any test runs, that the CI/CD variables the pipeline needs for ENV are set and
# well-formed, and (where a cheap check exists) that the Kafka cluster accepts them. Prints
# variable NAMES only, never a value.
#
#   scripts/check-credentials.sh --env ENV [--no-connect]
#
# Required by environment:
#   staging (E2E_BROKER=external): KAFKA_BOOTSTRAP_SERVERS; with KAFKA_SECURITY_PROTOCOL
#     SASL_*: STREAMCHECK_KAFKA_SASL_USERNAME and STREAMCHECK_KAFKA_SASL_PASSWORD.
#   dev (embedded broker): nothing.
# Checked when set (all optional): STREAMCHECK_SLACK_WEBHOOK_URL; NOTIFY_EMAIL_TO with
#   NOTIFY_EMAIL_FROM and NOTIFY_SMTP_URL; STREAMCHECK_SMTP_USERNAME with
#   STREAMCHECK_SMTP_PASSWORD; KAFKA_CONNECT_URL with STREAMCHECK_CONNECT_USERNAME and
#   STREAMCHECK_CONNECT_PASSWORD.
# Every secret NAME may be given as NAME_FILE instead (a file holding it, read at each use, as
# streamcheck itself does): rotating it is rewriting the file.
# --no-connect skips the connection check (kcat -L against the cluster, 20 s bound).
# Exit: 0 ready, 1 bad usage, 3 a variable is missing or malformed, 4 the cluster cannot be
# reached, 6 the cluster answered and refused the credentials (wrong, revoked or expired).
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"

env_name="" connect=true
while [ $# -gt 0 ]; do
  case "$1" in
    --env) env_name=${2:-}; shift 2 ;;
    --env=*) env_name=${1#*=}; shift ;;
    --no-connect) connect=false; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) ci_die "$EXIT_USAGE" "unknown argument '$1' (see --help)" ;;
  esac
done
[ -n "$env_name" ] || ci_die "$EXIT_USAGE" "--env is required (dev or staging)"
ci_load_environment "$env_name"

problems=()
problem() { problems+=("$1"); }
# value NAME: the variable's value, or the content of the file NAME_FILE names (one trailing
# newline dropped), or nothing.
value() {
  local file_var="$1_FILE"
  if [ -n "${!1:-}" ]; then printf '%s' "${!1}"
  elif [ -n "${!file_var:-}" ] && [ -r "${!file_var}" ]; then printf '%s' "$(cat "${!file_var}")"
  fi
}
is_set() { [ -n "$(value "$1")" ]; }

# require NAME WHY: the variable must be set and non-empty.
require() {
  local file_var="$1_FILE"
  if [ -n "${!file_var:-}" ] && [ ! -r "${!file_var}" ]; then
    problem "$file_var names ${!file_var}, which cannot be read ($2)"; return 0
  fi
  if [ -n "${!1:-}" ] && [ -n "${!file_var:-}" ]; then problem "both $1 and $file_var are set: give the secret one way"; return 0; fi
  is_set "$1" || problem "$1 is not set, nor $file_var ($2): add it under Settings > CI/CD > Variables"
}

# secret NAME: a secret must survive GitLab masking and copy-paste: no surrounding blanks, no
# line break, at least 8 characters (GitLab masks nothing shorter).
secret() {
  local name=$1 value
  value=$(value "$1"; echo x); value=${value%x}
  [ -n "$value" ] || return 0
  case "$value" in
    *$'\n'*|*$'\r'*) problem "$name contains a line break: paste the value again without it" ;;
  esac
  [[ "$value" =~ ^[[:space:]] || "$value" =~ [[:space:]]$ ]] && problem "$name starts or ends with a blank: remove it"
  [ ${#value} -ge 8 ] || problem "$name is shorter than 8 characters: GitLab cannot mask it (use a longer secret)"
  return 0
}

# url NAME SCHEMES: a URL with one of the schemes (space-separated), no credentials inside;
# plain http only to loopback (local stand-ins).
url() {
  local name=$1 schemes=$2 value=${!1:-} scheme ok=false
  [ -n "$value" ] || return 0
  scheme=${value%%://*}
  for s in $schemes; do [ "$scheme" = "$s" ] && ok=true; done
  if [ "$value" = "$scheme" ] || [ "$ok" = false ]; then
    problem "$name is not a ${schemes// /:// or }:// URL"; return 0
  fi
  [[ "$value" =~ [[:space:]] ]] && problem "$name contains a blank"
  [[ "${value#*://}" =~ ^[^/]*@ ]] && problem "$name carries credentials in the URL: put them in the matching *_USERNAME/*_PASSWORD variables"
  if [ "$scheme" = http ] && ! [[ "${value#http://}" =~ ^(127\.0\.0\.1|localhost|\[::1\])(:|/|$) ]]; then
    problem "$name uses plain http:// to a remote host: use https://"
  fi
  return 0
}

email() { # email NAME: one address or a comma-separated list
  local name=$1 value=${!1:-} a
  [ -n "$value" ] || return 0
  IFS=',' read -ra addresses <<<"$value"
  for a in "${addresses[@]}"; do
    [[ "$a" =~ ^[^@[:space:]]+@[^@[:space:]]+$ ]] || { problem "$name holds a malformed e-mail address"; return 0; }
  done
}

# Kafka (external clusters only).
if [ "${E2E_BROKER:-embedded}" = external ]; then
  require KAFKA_BOOTSTRAP_SERVERS "the $env_name Kafka cluster, host:port[,host:port]"
  hostport='[][A-Za-z0-9._:-]+:[0-9]{1,5}'   # host or [IPv6] literal, then :port
  if is_set KAFKA_BOOTSTRAP_SERVERS && ! [[ "$KAFKA_BOOTSTRAP_SERVERS" =~ ^$hostport(,$hostport)*$ ]]; then
    problem "KAFKA_BOOTSTRAP_SERVERS is not host:port[,host:port]"
  fi
  case "${KAFKA_SECURITY_PROTOCOL:-PLAINTEXT}" in
    SASL_SSL|SASL_PLAINTEXT)
      require STREAMCHECK_KAFKA_SASL_USERNAME "SASL login for KAFKA_SECURITY_PROTOCOL=$KAFKA_SECURITY_PROTOCOL"
      require STREAMCHECK_KAFKA_SASL_PASSWORD "SASL password for KAFKA_SECURITY_PROTOCOL=$KAFKA_SECURITY_PROTOCOL"
      secret STREAMCHECK_KAFKA_SASL_PASSWORD ;;
    PLAINTEXT|SSL) ;;
    *) problem "KAFKA_SECURITY_PROTOCOL must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL" ;;
  esac
fi

# Notifications (optional; checked when configured).
url STREAMCHECK_SLACK_WEBHOOK_URL "https http"
secret STREAMCHECK_SLACK_WEBHOOK_URL
if is_set NOTIFY_EMAIL_TO; then
  require NOTIFY_EMAIL_FROM "sender of the notification e-mail"
  require NOTIFY_SMTP_URL "SMTP server, smtp://host:587 or smtps://host:465"
  email NOTIFY_EMAIL_TO; email NOTIFY_EMAIL_FROM
  url NOTIFY_SMTP_URL "smtp smtps"
fi
if is_set STREAMCHECK_SMTP_USERNAME || is_set STREAMCHECK_SMTP_PASSWORD; then
  require STREAMCHECK_SMTP_USERNAME "SMTP login (STREAMCHECK_SMTP_PASSWORD is set)"
  require STREAMCHECK_SMTP_PASSWORD "SMTP password (STREAMCHECK_SMTP_USERNAME is set)"
  secret STREAMCHECK_SMTP_PASSWORD
fi

# Kafka Connect (optional).
url KAFKA_CONNECT_URL "https http"
if is_set STREAMCHECK_CONNECT_USERNAME || is_set STREAMCHECK_CONNECT_PASSWORD; then
  require STREAMCHECK_CONNECT_USERNAME "Kafka Connect login (STREAMCHECK_CONNECT_PASSWORD is set)"
  require STREAMCHECK_CONNECT_PASSWORD "Kafka Connect password (STREAMCHECK_CONNECT_USERNAME is set)"
  secret STREAMCHECK_CONNECT_PASSWORD
fi

if [ ${#problems[@]} -gt 0 ]; then
  for p in "${problems[@]}"; do echo "check-credentials: $p" >&2; done
  ci_die "$EXIT_CONFIG" "${#problems[@]} problem(s) with the CI/CD variables for $env_name"
fi

# The cheap real check: can we list the cluster's metadata with these credentials?
if [ "$connect" = true ] && [ "${E2E_BROKER:-embedded}" = external ]; then
  command -v kcat >/dev/null || ci_die "$EXIT_CONFIG" "kcat is missing (bash scripts/setup.sh): cannot check the connection"
  conf=$(mktemp)
  chmod 600 "$conf"
  trap 'rm -f "$conf"' EXIT
  # The secrets go through a private file, not kcat's command line (visible in ps).
  {
    echo "security.protocol=${KAFKA_SECURITY_PROTOCOL:-PLAINTEXT}"
    if [[ "${KAFKA_SECURITY_PROTOCOL:-}" == SASL_* ]]; then
      echo "sasl.mechanisms=${KAFKA_SASL_MECHANISM:-PLAIN}"
      echo "sasl.username=$(value STREAMCHECK_KAFKA_SASL_USERNAME)"
      echo "sasl.password=$(value STREAMCHECK_KAFKA_SASL_PASSWORD)"
    fi
    [ -n "${KAFKA_SSL_CA_FILE:-}" ] && echo "ssl.ca.location=$KAFKA_SSL_CA_FILE"
    echo "socket.timeout.ms=10000"
  } >"$conf"
  if ! out=$(timeout 20 kcat -L -F "$conf" -b "$KAFKA_BOOTSTRAP_SERVERS" -m 15 2>&1); then
    if grep -qiE 'auth|sasl' <<<"$out"; then
      ci_die "$EXIT_REJECTED" "the cluster at KAFKA_BOOTSTRAP_SERVERS answered and refused the credentials (wrong, revoked or expired: a rotated key whose old value is still set?): check STREAMCHECK_KAFKA_SASL_USERNAME, STREAMCHECK_KAFKA_SASL_PASSWORD (or their _FILE) and KAFKA_SASL_MECHANISM"
    fi
    ci_die "$EXIT_UNREACHABLE" "cannot reach the cluster at KAFKA_BOOTSTRAP_SERVERS within 20 s: check the address, KAFKA_SECURITY_PROTOCOL and the runner's network"
  fi
  echo "check-credentials: the $env_name cluster answered with these credentials"
fi
echo "check-credentials: variables for $env_name are set and well-formed"
