#!/usr/bin/env bash
# The 100,000-organization run of `make bench` (tests/bench/scale.py) on PostgreSQL:
# BENCH_SCALE_DATABASE_URL names an empty database, or a throwaway PostgreSQL 15
# cluster is started for it (tests/bench/with_postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec bash tests/bench/with_postgres.sh BENCH_SCALE_DATABASE_URL \
  nice -n 10 .venv/bin/python tests/bench/scale.py
