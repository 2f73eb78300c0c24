#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 + PostGIS cluster for the test suite (sourced by .ci/run).
# Sets REFERRAL_TEST_POSTGRES_URL and stop_postgres; the caller stops it on exit.
PG_BIN=/usr/lib/postgresql/15/bin
pg_workdir=$(mktemp -d)
chown postgres "$pg_workdir"
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$PG_BIN/initdb" -D "$pg_workdir/data" -U postgres --auth=trust -E UTF8 >/dev/null
cat >>"$pg_workdir/data/postgresql.conf" <<CONF
port = $pg_port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_workdir'
max_connections = 200
fsync = off
CONF
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_workdir/data" -l "$pg_workdir/log" -w start >/dev/null
export REFERRAL_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"

stop_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_workdir"
}
