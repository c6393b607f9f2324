#!/usr/bin/env bash
# Runs run.mjs against the built UI in headless Chromium (chromedriver), on the UI's in-memory
# fake backend, under the app's strict CSP. Checks the scenario and the test hooks without the
# desktop app. Needs: chromium and chromium-driver (Debian), ui/dist (npm run build in ui/).
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-fund --no-audit
port_web=${E2E_WEB_PORT:-4173}
port_wd=${E2E_WD_PORT:-4444}
node serve-dist.mjs ../../ui/dist "$port_web" &
web=$!
chromedriver --port="$port_wd" >/dev/null 2>&1 &
wd=$!
trap 'kill $web $wd 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port_wd/status" >/dev/null && curl -sf "http://127.0.0.1:$port_web/" >/dev/null && break
  sleep 0.2
done
E2E_DRY_RUN_URL="http://127.0.0.1:$port_web/" WEBDRIVER_URL="http://127.0.0.1:$port_wd" node run.mjs
