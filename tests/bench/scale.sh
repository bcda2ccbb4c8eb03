#!/usr/bin/env bash
# The 100,000-organization run of `make bench` (tests/bench/scale.py) on PostgreSQL:
# BENCH_SCALE_DATABASE_URL names an empty database, or a throwaway PostgreSQL 15
# cluster is started here (as in .ci/run) and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
if [ -n "${BENCH_SCALE_DATABASE_URL:-}" ]; then
  exec nice -n 10 "$PY" tests/bench/scale.py
fi
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || [ "$(id -u)" != 0 ]; then
  echo "No PostgreSQL 15 to start (needs root and postgresql-15): set BENCH_SCALE_DATABASE_URL."
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
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGROOT -c fsync=off -c shared_buffers=512MB" \
  start >/dev/null
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres smarketing
BENCH_SCALE_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/smarketing" \
  nice -n 10 "$PY" tests/bench/scale.py
