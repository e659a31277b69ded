# Sourced by test scripts. Starts test services on free loopback ports and stops them all on
# exit, even when a test fails. Each start_* exports the variables its tests read.
# Usage:  source scripts/lib/services.sh; services_init; start_postgres; start_moto; ...

services_init() {
  SERVICES_DIR=$(mktemp -d /tmp/streamcheck-services.XXXXXX)
  SERVICE_PIDS=()
  POSTGRES_DATA=""
  trap services_stop EXIT
}

services_stop() {
  local pid
  if [ -n "${POSTGRES_DATA:-}" ]; then
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$POSTGRES_DATA" -m immediate stop >/dev/null 2>&1 || true
  fi
  for pid in "${SERVICE_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVICE_PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  [ -n "${SERVICES_DIR:-}" ] && rm -rf "$SERVICES_DIR"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_port PORT SECONDS
wait_for_port() {
  local port=$1 limit=${2:-20} i
  for ((i = 0; i < limit * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "services: nothing listening on 127.0.0.1:$port after ${limit}s" >&2
  return 1
}

# PostgreSQL 15 as the postgres user (initdb refuses root). Exports STREAMCHECK_POSTGRES_URL.
start_postgres() {
  local port; port=$(free_port)
  POSTGRES_DATA="$SERVICES_DIR/pg"
  mkdir -p "$POSTGRES_DATA" && chown postgres "$SERVICES_DIR" "$POSTGRES_DATA"
  runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$POSTGRES_DATA" -U postgres --auth=trust \
    --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$POSTGRES_DATA" -l "$POSTGRES_DATA/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $POSTGRES_DATA -c fsync=off" start >/dev/null
  export POSTGRES_PORT=$port
  export STREAMCHECK_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

# moto's S3 API server. Exports AWS_* and STREAMCHECK_S3_ENDPOINT.
start_moto() {
  local port; port=$(free_port)
  moto_server -H 127.0.0.1 -p "$port" >"$SERVICES_DIR/moto.log" 2>&1 &
  SERVICE_PIDS+=($!)
  wait_for_port "$port" 20
  export MOTO_PORT=$port
  export STREAMCHECK_S3_ENDPOINT="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
}

# An SMTP sink that stores every message in a Maildir. Exports SMTP_PORT and SMTP_MAILDIR.
start_smtp() {
  local port; port=$(free_port)
  export SMTP_MAILDIR="$SERVICES_DIR/mail"
  # A Maildir needs cur/new/tmp: aiosmtpd creates them only when the folder does not exist yet.
  mkdir -p "$SMTP_MAILDIR"/cur "$SMTP_MAILDIR"/new "$SMTP_MAILDIR"/tmp
  python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$SMTP_MAILDIR" >"$SERVICES_DIR/smtp.log" 2>&1 &
  SERVICE_PIDS+=($!)
  wait_for_port "$port" 20
  export SMTP_PORT=$port
}

# start_background NAME PORT_VAR COMMAND...: any other test service (stand-ins).
start_background() {
  local name=$1; shift
  "$@" >"$SERVICES_DIR/$name.log" 2>&1 &
  SERVICE_PIDS+=($!)
}
