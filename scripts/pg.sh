#!/usr/bin/env bash
# A real PostgreSQL server (Debian's postgresql-15) on 127.0.0.1 with TLS, for the tests, through
# tests/pg/pg_server.py: a fresh cluster, a throwaway CA (target/pg/ca.pem) and a server certificate
# for localhost / 127.0.0.1. scripts/setup.sh installs postgresql and openssl.
#
#   scripts/pg.sh start     start in the background; prints the URL
#                           postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres, also written to
#                           target/pg/url (pid in target/pg/pid, the script's log in target/pg/log,
#                           the server's in target/pg/postgres.log, the cluster in target/pg/data)
#   scripts/pg.sh stop | restart | status | url
#   scripts/pg.sh env       prints "export RECON_TEST_PG_URL=postgresql://...", then
#                           "export RECON_TEST_PG_CA=.../target/pg/ca.pem" and
#                           "export RECON_TEST_PG_OTHER_CA=.../target/pg/other-ca.pem"
#   scripts/pg.sh smoke     starts its own server on a temporary directory and checks it with psql
#                           (verify-full against ca.pem connects, against other-ca.pem is refused,
#                           ...); ends with "pg_smoke: N passed, M failed"
#
# PG_PORT (default 0: ephemeral), PG_SUPERUSER_PASSWORD (default postgres-test), PG_KEY_TYPE and
# PG_BIN are passed through (see tests/pg/README.md). A start wipes the cluster of the last one.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test-service.sh

pg_deps() {
  if ! command -v openssl >/dev/null || ! command -v psql >/dev/null ||
    { [ -z "${PG_BIN:-}" ] && [ ! -x /usr/lib/postgresql/15/bin/postgres ] && ! command -v pg_config >/dev/null; }; then
    echo "pg: the PostgreSQL server, psql and openssl are needed (scripts/setup.sh installs postgresql and openssl)" >&2
    return 2
  fi
}

pg_start() {
  pg_deps
  local dir
  dir="$(svc_dir pg)"
  mkdir -p "$dir"
  PG_STATE_DIR="$dir" svc_start pg PG_READY 60 python3 tests/pg/pg_server.py
}

case "${1:-}" in
  smoke)
    pg_deps
    exec python3 tests/pg/pg_smoke.py ;;
  env)
    svc_main pg RECON_TEST_PG_URL pg_start env
    echo "export RECON_TEST_PG_CA=$(svc_dir pg)/ca.pem"
    echo "export RECON_TEST_PG_OTHER_CA=$(svc_dir pg)/other-ca.pem" ;;
  *) svc_main pg RECON_TEST_PG_URL pg_start "$@" ;;
esac
