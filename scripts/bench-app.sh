#!/usr/bin/env bash
# Speed benchmark of the desktop app (release build): prepares a workspace with 100,000+
# exceptions (`recon gen` data for BENCH_LINES bank lines, default 1,000,000, moved to one EUR
# account, imported and matched with the default rules through the `recon ws` CLI), then under
# Xvfb and a private keyring session drives the app with tauri-driver (tests/e2e/bench.mjs) and
# prints the figures recorded in BENCHMARKS.md. Not part of the test command: figures are
# recorded, not asserted. Usage: scripts/bench-app.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
build_ui
cargo build --release --locked -p recon-workbench -p recon-cli
command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --version "^2" --locked
(cd tests/e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
target="${CARGO_TARGET_DIR:-$PWD/target}"
home="$(mktemp -d "${TMPDIR:-/tmp}/recon-bench-app.XXXXXX")"
trap 'rm -rf "$home"' EXIT
export RECON_HOME="$home" RECON_APP_BIN="$target/release/recon-workbench" RECON_BIN="$target/release/recon"
export BENCH_LINES="${BENCH_LINES:-1000000}" BENCH_WORKSPACE=bench
source scripts/driver-ports.sh
ports=$(free_driver_ports)
read -r DRIVER_PORT NATIVE_PORT <<< "$ports"
export DRIVER_PORT NATIVE_PORT WEBDRIVER_URL="http://127.0.0.1:$DRIVER_PORT"
bash scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  set -euo pipefail
  gen="$RECON_HOME/gen"
  "$RECON_BIN" gen --bank-lines "$BENCH_LINES" --seed 42 --out "$gen" >/dev/null
  # One account and currency for every line (the generator spreads them over four).
  for f in bank ledger; do
    col=$([ $f = bank ] && echo 6 || echo 5)
    awk -F, -v OFS=, -v c=$col "NR > 1 { \$2 = \"NL91ABNA0417164300\"; \$c = \"EUR\" } 1" "$gen/$f.csv" > "$gen/$f-eur.csv"
  done
  export RECON_WS="$RECON_HOME/workspaces/$BENCH_WORKSPACE" RECON_USER=clara RECON_DEMO=true
  "$RECON_BIN" ws create --account NL91ABNA0417164300 --currency EUR --from 2026-01-01 --to 2026-03-31 >/dev/null
  t=$(date +%s%N)
  "$RECON_BIN" ws import --bank "$gen/bank-eur.csv" --ledger "$gen/ledger-eur.csv" | tail -1
  "$RECON_BIN" ws match | tail -3
  echo "bench-app: workspace imported and matched in $(( ($(date +%s%N) - t) / 1000000 )) ms"
  unset RECON_WS RECON_USER RECON_DEMO
  tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" --native-driver /usr/bin/WebKitWebDriver > "$RECON_HOME/tauri-driver.log" 2>&1 & driver=$!
  for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$DRIVER_PORT") 2>/dev/null && break; sleep 0.2; done
  node tests/e2e/bench.mjs; status=$?
  # The floor: plain HTML rows scrolled in the same webview, no grid library.
  node tests/e2e/paint-floor.mjs || status=1
  # Whether the webview painted on the CPU (no GPU here) or composited with GL.
  grep -h "no GPU render node" "$RECON_HOME/tauri-driver.log" | head -1 || echo "bench-app: the webview composited with GL"

  kill $driver 2>/dev/null || true
  exit $status'
