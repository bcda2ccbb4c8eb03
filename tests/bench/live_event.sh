#!/usr/bin/env bash
# The live-event load test of `make bench` (tests/bench/live_event.py) on PostgreSQL:
# BENCH_LIVE_DATABASE_URL names an empty database, or a throwaway PostgreSQL 15
# cluster is started for it (tests/bench/with_postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec bash tests/bench/with_postgres.sh BENCH_LIVE_DATABASE_URL \
  .venv/bin/python tests/bench/live_event.py
