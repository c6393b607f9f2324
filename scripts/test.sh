#!/usr/bin/env bash
# Sets up everything and runs every test: formatting, lints, unit and integration tests (against
# the real bank files in ../shared/testdata), and a short fuzz smoke run when FUZZ_SECONDS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export CARGO_TERM_COLOR=never

echo "== rustfmt"
cargo fmt --all -- --check
echo "== clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== tests"
mkdir -p target
# Under a private D-Bus session with an unlocked gnome-keyring: the workspace tests use the real
# OS keyring (Secret Service).
bash scripts/with-keyring.sh cargo test --workspace --locked 2>&1 | tee target/test-output.txt
if [ -n "${FUZZ_SECONDS:-}" ]; then
  echo "== fuzz smoke (${FUZZ_SECONDS}s per target)"
  bash scripts/fuzz.sh "$FUZZ_SECONDS"
fi
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "%d passed, %d failed\n", p, f }' target/test-output.txt
