#!/usr/bin/env bash
# moto's AWS server (PyPI moto[server], pinned in tests/idp/requirements-moto.txt) on 127.0.0.1,
# for the S3 and STS tests, through tests/idp/moto_server.py (STS AssumeRoleWithWebIdentity checks
# the token as AWS does). Installs moto into a virtualenv, target/test-venv, when missing.
#
#   scripts/moto.sh start     start in the background; prints the endpoint URL, also written to
#                             target/moto/url (pid in target/moto/pid, log in target/moto/log)
#   scripts/moto.sh stop | restart | status | url
#   scripts/moto.sh env       prints "export RECON_TEST_MOTO_URL=http://127.0.0.1:PORT"
#   scripts/moto.sh smoke     the smoke test (own provider and moto): web-identity credentials sign
#                             real S3 calls; ends with "moto_smoke: N passed, M failed"
#   scripts/moto.sh python    prints the virtualenv's python (it has boto3), for set-up scripts
#   scripts/moto.sh install   only installs moto into the virtualenv
#
# The OpenID provider to trust: MOTO_OIDC_ISSUER, else RECON_TEST_IDP_URL, else the one that
# scripts/idp.sh started (target/idp/url), if any. With one, moto starts with it registered as an IAM
# OIDC identity provider and the roles recon-clerk and recon-supervisor (see tests/idp/README.md).
# MOTO_PORT (default 0: ephemeral) and MOTO_IAM_AUTH=1 (signatures and IAM policies enforced; an
# admin key in target/moto/admin.json) are passed through.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test-service.sh

VENV=target/test-venv
REQS=tests/idp/requirements-moto.txt

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "moto: need root (or sudo) to run: $*" >&2; return 1; fi
}

moto_deps() {
  local want
  want="$(sha256sum "$REQS" | cut -d' ' -f1)"
  [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" = "$want" ] && return 0
  echo "moto: installing moto into $VENV" >&2
  if ! python3 -m venv --clear "$VENV" >/dev/null 2>&1; then
    # Debian's python3 keeps venv (and its ensurepip) in a package of its own.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv </dev/null
    python3 -m venv --clear "$VENV"
  fi
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-input -r "$REQS" >&2
  echo "$want" >"$VENV/.requirements.sha256"
}

moto_start() {
  moto_deps
  local issuer="${MOTO_OIDC_ISSUER:-${RECON_TEST_IDP_URL:-}}"
  if [ -z "$issuer" ] && svc_running idp && [ -s target/idp/url ]; then issuer="$(cat target/idp/url)"; fi
  [ -n "$issuer" ] || echo "moto: no OpenID provider given (MOTO_OIDC_ISSUER, RECON_TEST_IDP_URL or scripts/idp.sh start): no OIDC provider or roles set up" >&2
  MOTO_OIDC_ISSUER="$issuer" MOTO_STATE_DIR="$(svc_dir moto)" svc_start moto MOTO_READY 60 "$VENV/bin/python" tests/idp/moto_server.py
}

case "${1:-}" in
  smoke)
    moto_deps
    bash scripts/idp.sh deps
    exec "$VENV/bin/python" tests/idp/moto_smoke.py ;;
  python) moto_deps; echo "$(pwd)/$VENV/bin/python" ;;
  install) moto_deps ;;
  *) svc_main moto RECON_TEST_MOTO_URL moto_start "$@" ;;
esac
