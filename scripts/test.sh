#!/usr/bin/env bash
# Sets up everything and runs every test: the UI's component tests (Vitest), formatting, lints,
# unit and integration tests (against the real bank files in ../shared/testdata, a real
# gnome-keyring, poppler), the check that the generated TypeScript bindings are committed, the
# end-to-end test of the real desktop app under Xvfb (tauri-driver + WebKitWebDriver), and a short
# fuzz smoke run when FUZZ_SECONDS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export CARGO_TERM_COLOR=never RECON_SETUP_DONE=1
mkdir -p target

echo "== ui: build and component tests"
build_ui
(cd ui && npx vitest run 2>&1) | tee target/ui-test-output.txt
echo "== rustfmt"
cargo fmt --all -- --check
echo "== clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== tests"
# Under a private D-Bus session with an unlocked gnome-keyring: the workspace tests use the real
# OS keyring (Secret Service).
bash scripts/with-keyring.sh cargo test --workspace --locked 2>&1 | tee target/test-output.txt
echo "== generated TypeScript bindings are committed"
git diff --exit-code -- ui/src/bindings || {
  echo "ui/src/bindings differ from what recon-api's DTOs generate: commit the regenerated files" >&2
  exit 1
}
echo "== end to end (the real app under Xvfb)"
bash scripts/e2e.sh 2>&1 | tee target/e2e-output.txt
if [ -n "${FUZZ_SECONDS:-}" ]; then
  echo "== fuzz smoke (${FUZZ_SECONDS}s per target)"
  bash scripts/fuzz.sh "$FUZZ_SECONDS"
fi
{
  cat target/test-output.txt
  grep -E '^ *Tests +[0-9]+ passed' target/ui-test-output.txt | sed -E 's/.*Tests +([0-9]+) passed.*/test result: ok. \1 passed; 0 failed;/'
  grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' target/e2e-output.txt | sed -E 's/e2e: ([0-9]+) passed, ([0-9]+) failed/test result: e2e. \1 passed; \2 failed;/'
} | awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "%d passed, %d failed\n", p, f }'
