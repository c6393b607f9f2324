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
echo "== real components: the OpenID provider, the browser bot, moto S3/STS, the fault proxy"
# Installs tests/idp/node_modules and the moto virtualenv the Rust sign-in tests start per test.
bash scripts/test-components.sh 2>&1 | tee target/components-output.txt
echo "== tests"
# Under a private D-Bus session with an unlocked gnome-keyring: the workspace and sign-in tests use
# the real OS keyring (Secret Service). RECON_IDP_TESTS: a sign-in test that cannot start its
# provider or moto fails instead of skipping.
RECON_IDP_TESTS=1 bash scripts/with-keyring.sh cargo test --workspace --locked 2>&1 | tee target/test-output.txt
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
# The summary: every runner's counts summed. Colour codes are stripped first (CI terminals may force
# colour), and a runner whose count line is missing counts as one failure rather than aborting here.
strip_ansi() { sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1"; }
{
  strip_ansi target/test-output.txt
  strip_ansi target/components-output.txt | grep -E '^test result:' \
    || echo "test result: FAILED. 0 passed; 1 failed; (no components count line)"
  strip_ansi target/ui-test-output.txt | grep -E '^ *Tests +[0-9]+ passed' | sed -E 's/.*Tests +([0-9]+) passed.*/test result: ok. \1 passed; 0 failed;/' \
    || echo "test result: FAILED. 0 passed; 1 failed; (no Vitest count line)"
  strip_ansi target/e2e-output.txt | grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' | sed -E 's/e2e: ([0-9]+) passed, ([0-9]+) failed/test result: e2e. \1 passed; \2 failed;/' \
    || echo "test result: FAILED. 0 passed; 1 failed; (no e2e count line)"
} | awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }'
