#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster started here (as in
# .ci/run) and removed afterwards: with_postgres.sh VARIABLE COMMAND...
# exports VARIABLE=postgres://…/smarketing (an empty database) for COMMAND.
# If VARIABLE is set already, COMMAND runs against that database instead.
set -euo pipefail
variable=$1
shift
if [ -n "${!variable:-}" ]; then
  exec "$@"
fi
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || [ "$(id -u)" != 0 ]; then
  echo "No PostgreSQL 15 to start (needs root and postgresql-15): set $variable."
  exit 0
fi
PGROOT=$(mktemp -d /tmp/smarketing-bench-pg.XXXXXX)
chown postgres: "$PGROOT"
PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_postgres() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGROOT"
}
trap stop_postgres EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 >/dev/null
# fsync off: a throwaway cluster, nothing to keep.
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGROOT -c fsync=off -c shared_buffers=512MB" \
  start >/dev/null
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres smarketing
export "$variable=postgres://postgres@127.0.0.1:$PGPORT/smarketing"
"$@"
