#!/usr/bin/env bash
# Sets up everything and runs the workbench: builds the UI and the desktop app and opens it on the
# demo workspace (bundled sample files; demo users clara, clerk, and sam, supervisor). With no
# display it says so and runs the headless `recon demo` instead. With no S3/Okta/PostgreSQL
# configured everything runs locally.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display (DISPLAY/WAYLAND_DISPLAY unset): running the headless demo instead of the desktop app"
  cargo build --release -p recon-cli --bin recon
  exec ./target/release/recon demo "$@"
fi
build_ui
cargo build --release -p recon-workbench
exec ./target/release/recon-workbench "$@"
