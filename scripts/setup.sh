#!/usr/bin/env bash
# Installs what the workbench needs on a Debian 12 machine and is missing: system packages and the
# Rust toolchain. Idempotent; safe to run as root (CI) or as a user with sudo. Sourced by run.sh and
# test.sh.
set -euo pipefail

# libssl-dev: SQLCipher links the system OpenSSL; libdbus-1-dev: the keyring crate talks to the
# Secret Service over libdbus; dbus, dbus-x11, gnome-keyring: the real keyring the tests use
# (scripts/with-keyring.sh); libsecret-tools: secret-tool, to inspect keyring entries by hand.
# poppler-utils: pdftotext/pdftoppm read the sign-off pack back in tests. strace: a test watches the
# sign-off pack's write (file synced, renamed, then its folder synced). libwebkit2gtk-4.1-dev,
# librsvg2-dev, libxdo-dev: the Tauri desktop app (WebKitGTK webview). webkit2gtk-driver, xvfb:
# WebKitWebDriver and a virtual display for the end-to-end test. nodejs, npm: the UI build.
# postgresql (the server, postgresql-15, and psql), openssl: the tests' real PostgreSQL server with
# TLS and its throwaway CA (tests/pg/pg_server.py, scripts/pg.sh).
APT_PACKAGES=(build-essential pkg-config ca-certificates curl git python3 libssl-dev libdbus-1-dev dbus dbus-x11 gnome-keyring libsecret-tools poppler-utils strace libwebkit2gtk-4.1-dev librsvg2-dev libxdo-dev webkit2gtk-driver xvfb xauth postgresql openssl)
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2; return 1; fi
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: installing the Rust toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt >/dev/null 2>&1 || true

# The UI (ui/dist is compiled into the desktop app, so it is built before any cargo build of the
# workspace).
build_ui() {
  (cd ui && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run -s build >/dev/null)
}
