#!/usr/bin/env bash
# The test OpenID provider (tests/idp/server.mjs, npm oidc-provider) on 127.0.0.1, for the sign-in
# tests. Installs its node modules (npm ci from the committed lock) when missing.
#
#   scripts/idp.sh start     start in the background; prints the issuer URL, also written to
#                            target/idp/url (pid in target/idp/pid, log in target/idp/log)
#   scripts/idp.sh stop | restart | status | url
#   scripts/idp.sh env       prints "export RECON_TEST_IDP_URL=http://127.0.0.1:PORT"
#   scripts/idp.sh install   only installs the node modules (npm ci); "deps" is the same
#   scripts/idp.sh rotate-keys   new signing keys sign from now on, the old ones stay published
#                            (SIGHUP); prints "IDP_KEYS_ROTATED <new kids>"
#
# The provider reads IDP_PORT (default 0: ephemeral), IDP_ID_TOKEN_TTL, IDP_ACCESS_TOKEN_TTL,
# IDP_REFRESH_TOKEN_TTL, IDP_SESSION_TTL, IDP_DEVICE_CODE_TTL, IDP_KEYS_FILE from the environment
# (see tests/idp/README.md). Already running? start just prints its URL (restart to change them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test-service.sh

idp_deps() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "idp: node and npm are needed (scripts/setup.sh installs them)" >&2
    return 2
  fi
  # oidc-provider 9 needs Node >= 20.18 (URL.parse); it warns below v22 but works.
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=18)?0:1)'; then
    echo "idp: Node $(node --version) is too old: oidc-provider 9 needs Node >= 20.18" >&2
    return 2
  fi
  (cd tests/idp && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] ||
    npm ci --no-audit --no-fund --loglevel=error >&2; })
}

idp_start() {
  idp_deps
  svc_start idp IDP_READY 20 node tests/idp/server.mjs
}

case "${1:-}" in
  deps | install) idp_deps ;;
  rotate-keys)
    svc_running idp || { echo "idp: not running" >&2; exit 1; }
    before="$(grep -c '^IDP_KEYS_ROTATED' target/idp/log || true)"
    kill -HUP "$(cat target/idp/pid)"
    for _ in $(seq 50); do
      [ "$(grep -c '^IDP_KEYS_ROTATED' target/idp/log || true)" -gt "$before" ] && break
      sleep 0.1
    done
    grep '^IDP_KEYS_ROTATED' target/idp/log | tail -n1 ;;
  *) svc_main idp RECON_TEST_IDP_URL idp_start "$@" ;;
esac
