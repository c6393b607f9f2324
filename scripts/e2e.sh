#!/usr/bin/env bash
# End-to-end test of the real desktop app: builds the UI and the app, then under a virtual X
# display (Xvfb) and a private keyring session, tauri-driver (WebDriver, in front of Debian's
# WebKitWebDriver) drives the app through tests/e2e/run.mjs. Screenshots of every main screen go
# to target/e2e-screenshots/. Usage: scripts/e2e.sh (sourced setup is done by the caller or here).
# Sign-in through Okta is tested against the test OpenID provider (tests/idp/server.mjs, started
# here on an ephemeral loopback port and stopped at the end): the app gets RECON_OIDC_ISSUER and
# RECON_OIDC_CLIENT_ID=recon-workbench, and as its system browser ($BROWSER) the provider's browser
# bot (tests/e2e/idp-browser.sh), which signs in as the account run.mjs names in
# $RECON_HOME/idp-user. E2E_WITHOUT_IDP=1 runs the app with no provider configured instead (demo
# mode only, as ./scripts/run.sh shows it; the Okta steps are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${RECON_SETUP_DONE:-}" ]; then source scripts/setup.sh; build_ui; fi
# svc_wait_ready: waits for the provider's and moto's "READY url" line.
source scripts/test-service.sh
cargo build -p recon-workbench -p recon-cli --locked
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "e2e: installing tauri-driver"
  cargo install tauri-driver --version "^2" --locked
fi
(cd tests/e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
home="$(mktemp -d "${TMPDIR:-/tmp}/recon-e2e.XXXXXX")"
idp_pid=""
stop_idp() { if [ -n "$idp_pid" ]; then kill "$idp_pid" 2>/dev/null || true; wait "$idp_pid" 2>/dev/null || true; fi; }
moto_pid=""
stop_moto() { if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi; }
pg_pid=""
stop_pg() { if [ -n "$pg_pid" ]; then kill "$pg_pid" 2>/dev/null || true; wait "$pg_pid" 2>/dev/null || true; fi; }
# PostgreSQL runs as the postgres user, which must reach its folder: not under the 0700 $home.
pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/recon-e2e-pg.XXXXXX")"; chmod 755 "$pg_dir"
trap 'stop_idp; stop_moto; stop_pg; rm -rf "$home" "$pg_dir"' EXIT
export RECON_HOME="$home"
# The app's sign-in configuration comes from here only (no system or user file of this machine).
export RECON_SYSTEM_CONFIG="$home/no-system-config.toml" XDG_CONFIG_HOME="$home/config"
unset RECON_CONFIG
for v in $(compgen -e | grep '^RECON_OIDC_' || true); do unset "$v"; done
if [ -n "${E2E_WITHOUT_IDP:-}" ]; then
  # What ./scripts/run.sh shows a newcomer: no identity provider, demo mode only.
  echo "e2e: E2E_WITHOUT_IDP is set: no identity provider (demo mode only; the Okta steps are skipped)"
  unset RECON_E2E_IDP_USER_FILE
else
  bash scripts/idp.sh install
  # The test OpenID provider, this run's own (not scripts/idp.sh's shared one). Its ID tokens
  # live 590 s, so a verified session ends within 10 minutes and the app's session banner shows
  # (the silent refresh starts only 60 s before the end, after the test is done with it).
  IDP_PORT=0 IDP_ID_TOKEN_TTL=590 node tests/idp/server.mjs </dev/null >"$home/idp.log" 2>&1 & idp_pid=$!
  issuer="$(svc_wait_ready idp "$home/idp.log" IDP_READY "$idp_pid" 20)"
  echo "e2e: test OpenID provider at $issuer"
  # Approval needs a sign-in no older than 1 minute (15 by default), so that the test sees the
  # app ask for a fresh one ("Sign in again to approve").
  export RECON_OIDC_ISSUER="$issuer" RECON_OIDC_CLIENT_ID=recon-workbench RECON_SIGN_IN_TIMEOUT_SECONDS=60 RECON_APPROVAL_MAX_AGE_MINUTES=1
  export BROWSER="$PWD/tests/e2e/idp-browser.sh" RECON_E2E_IDP_USER_FILE="$home/idp-user" RECON_E2E_BROWSER_LOG="$home/browser.log"
fi
# The statement inbox: moto's S3 on loopback with one good statement file and one whose stored
# checksum says other bytes (tests/e2e/inbox/); the app reads the standard AWS variables.
bash scripts/moto.sh install
MOTO_PORT=0 MOTO_STATE_DIR="$home/moto" target/test-venv/bin/python3 tests/idp/moto_server.py </dev/null >"$home/moto.log" 2>&1 & moto_pid=$!
moto_url="$(svc_wait_ready moto "$home/moto.log" MOTO_READY "$moto_pid" 30)"
echo "e2e: moto S3 at $moto_url"
fixture() { target/test-venv/bin/python3 tests/idp/s3_fixture.py --endpoint "$moto_url" "$@" >/dev/null; }
fixture bucket acme-bank-statements --versioned
fixture put acme-bank-statements NL91ABNA0417164300/2026/11/nl91-2026-11-30.sta tests/e2e/inbox/nl91-2026-11-30.sta
fixture corrupt acme-bank-statements NL91ABNA0417164300/2026/11/nl91-2026-11-29.sta tests/e2e/inbox/nl91-2026-11-29.sta
unset AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export RECON_INBOX_STATEMENTS='s3://acme-bank-statements/{account}/{yyyy}/{mm}/' RECON_INBOX_STALL_SECONDS=5
export AWS_ENDPOINT_URL="$moto_url" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
# Publishing: Debian's PostgreSQL on loopback with TLS (tests/pg/pg_server.py, its own CA), the
# schema migrated by `recon db migrate` (an administrator) and a login role for the app holding
# recon_publisher (insert and read only); the S3 archive on the same moto. Passwords go into the
# keyring session the app runs in (below). Nothing publishes by itself (interval 0): the test
# presses "Publish now".
fixture bucket acme-recon
PG_STATE_DIR="$pg_dir/pg" PG_PORT=0 python3 tests/pg/pg_server.py </dev/null >"$home/pg.out" 2>"$home/pg.log" & pg_pid=$!
pg_line="$(svc_wait_ready pg "$home/pg.out" PG_READY "$pg_pid" 30)"
pg_port="$(sed -n 's/^PG_READY postgresql:\/\/[^@]*@127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$home/pg.out")"
export E2E_PG_ADMIN_PASSWORD="postgres-test" E2E_PG_APP_PASSWORD="e2e-app-secret"
export E2E_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres" E2E_PG_SOCKET="$pg_dir/pg" E2E_PG_PORT="$pg_port"
echo "e2e: PostgreSQL at ${pg_line%% *} (port $pg_port)"
export RECON_DATABASE_URL="postgresql://clara_app@127.0.0.1:$pg_port/postgres" RECON_DATABASE_CA_FILE="$pg_dir/pg/ca.pem"
export RECON_PUBLISH_ARCHIVE="s3://acme-recon/published/" RECON_PUBLISH_INTERVAL_SECONDS=0
export RECON_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/recon"

export RECON_APP_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/recon-workbench"
export SCREENSHOT_DIR="$PWD/target/e2e-screenshots"
# Keep the webview compositing (the app would paint on the CPU here, having no GPU): in WebKitGTK
# 2.50, WebKitWebDriver's screenshot never answers when compositing is off, and this test saves a
# screenshot of every screen. scripts/bench-app.sh runs the app as it chooses (CPU painting).
export RECON_WEBVIEW_GPU=1
rm -rf "$SCREENSHOT_DIR"; mkdir -p "$SCREENSHOT_DIR"
source scripts/driver-ports.sh
ports=$(free_driver_ports)
read -r DRIVER_PORT NATIVE_PORT <<< "$ports"
export DRIVER_PORT NATIVE_PORT WEBDRIVER_URL="http://127.0.0.1:$DRIVER_PORT"
status=0
bash scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  set -e
  # The results database: the administrator migrates, then the app gets its role and password.
  "$RECON_BIN" db --url "$E2E_PG_ADMIN_URL" password <<< "$E2E_PG_ADMIN_PASSWORD" >/dev/null
  "$RECON_BIN" db --url "$E2E_PG_ADMIN_URL" migrate
  psql -h "$E2E_PG_SOCKET" -p "$E2E_PG_PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE clara_app LOGIN PASSWORD '"'"'$E2E_PG_APP_PASSWORD'"'"' IN ROLE recon_publisher" >/dev/null
  "$RECON_BIN" db password <<< "$E2E_PG_APP_PASSWORD" >/dev/null
  set +e
  tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" --native-driver /usr/bin/WebKitWebDriver > "$SCREENSHOT_DIR/tauri-driver.log" 2>&1 & driver=$!
  for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$DRIVER_PORT") 2>/dev/null && break; sleep 0.2; done
  node tests/e2e/run.mjs; status=$?
  kill $driver 2>/dev/null || true
  exit $status' || status=$?
cp "$home/idp.log" "$SCREENSHOT_DIR/idp.log" 2>/dev/null || true
cp "$home/browser.log" "$SCREENSHOT_DIR/browser.log" 2>/dev/null || true
cp "$home/moto.log" "$SCREENSHOT_DIR/moto.log" 2>/dev/null || true
cp "$home/pg.log" "$SCREENSHOT_DIR/pg.log" 2>/dev/null || true
cp "$pg_dir/pg/postgres.log" "$SCREENSHOT_DIR/postgres.log" 2>/dev/null || true
exit $status
