#!/usr/bin/env bash
# The desktop app's "system browser" in the end-to-end test ($BROWSER, set by scripts/e2e.sh):
# the test provider's browser bot (tests/idp/browser.mjs), signing in as the account named in
# the file $RECON_E2E_IDP_USER_FILE (one word: clara, sam or nora; clara when there is none).
# tests/e2e/run.mjs writes that file before each "Sign in with Okta", so the test can switch users.
# The bot's one-line outcome is appended to $RECON_E2E_BROWSER_LOG when set.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
user="clara"
if [ -n "${RECON_E2E_IDP_USER_FILE:-}" ] && [ -s "$RECON_E2E_IDP_USER_FILE" ]; then
  user="$(tr -d '[:space:]' < "$RECON_E2E_IDP_USER_FILE")"
fi
export IDP_USER="$user" IDP_PASSWORD="$user-pw"
[ -n "${RECON_E2E_BROWSER_LOG:-}" ] && export IDP_BROWSER_LOG="$RECON_E2E_BROWSER_LOG"
exec node "$here/../idp/browser.mjs" "$@"
