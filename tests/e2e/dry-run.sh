#!/usr/bin/env bash
# Runs run.mjs against the built UI, on the UI's in-memory fake backend, under the app's strict
# CSP, without the desktop app: checks the scenario and the test hooks.
#   E2E_DRY_RUN_BROWSER=chrome     (default) headless Chromium via chromedriver
#                                  (Debian: chromium, chromium-driver)
#   E2E_DRY_RUN_BROWSER=webkitgtk  WebKitGTK, the engine of Tauri's Linux webview: MiniBrowser
#                                  via WebKitWebDriver under Xvfb (Debian: webkit2gtk-driver, xvfb)
# Needs ui/dist (npm run build in ui/).
set -euo pipefail
cd "$(dirname "$0")"
browser=${E2E_DRY_RUN_BROWSER:-chrome}
if [ "$browser" = webkitgtk ] && [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1440x900x24" "$0" "$@"
fi
[ -d node_modules ] || npm ci --no-fund --no-audit
port_web=${E2E_WEB_PORT:-4173}
port_wd=${E2E_WD_PORT:-4444}
node serve-dist.mjs ../../ui/dist "$port_web" &
web=$!
if [ "$browser" = webkitgtk ]; then
  WebKitWebDriver --port="$port_wd" >/dev/null 2>&1 &
else
  chromedriver --port="$port_wd" >/dev/null 2>&1 &
fi
wd=$!
trap 'kill $web $wd 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port_wd/status" >/dev/null && curl -sf "http://127.0.0.1:$port_web/" >/dev/null && break
  sleep 0.2
done
E2E_DRY_RUN_BROWSER="$browser" E2E_DRY_RUN_URL="http://127.0.0.1:$port_web/" WEBDRIVER_URL="http://127.0.0.1:$port_wd" node run.mjs
