#!/usr/bin/env bash
# End-to-end test of the real desktop app: builds the UI and the app, then under a virtual X
# display (Xvfb) and a private keyring session, tauri-driver (WebDriver, in front of Debian's
# WebKitWebDriver) drives the app through tests/e2e/run.mjs. Screenshots of every main screen go
# to target/e2e-screenshots/. Usage: scripts/e2e.sh (sourced setup is done by the caller or here).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${RECON_SETUP_DONE:-}" ]; then source scripts/setup.sh; build_ui; fi
cargo build -p recon-workbench --locked
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "e2e: installing tauri-driver"
  cargo install tauri-driver --version "^2" --locked
fi
(cd tests/e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
home="$(mktemp -d "${TMPDIR:-/tmp}/recon-e2e.XXXXXX")"
trap 'rm -rf "$home"' EXIT
export RECON_HOME="$home"
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
bash scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" --native-driver /usr/bin/WebKitWebDriver > "$SCREENSHOT_DIR/tauri-driver.log" 2>&1 & driver=$!
  for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$DRIVER_PORT") 2>/dev/null && break; sleep 0.2; done
  node tests/e2e/run.mjs; status=$?
  kill $driver 2>/dev/null || true
  exit $status'
