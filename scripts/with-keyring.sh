#!/usr/bin/env bash
# Runs "$@" inside a private D-Bus session with an unlocked gnome-keyring (Secret Service), so the
# workspace's database keys go to a real OS keyring in tests and CI: no display, no prompts, no
# standard input needed. The keyring lives in a temporary HOME-independent directory and is
# thrown away afterwards. Already inside a session with a reachable Secret Service? Then it just
# runs "$@".
set -euo pipefail

if [ -z "${RECON_KEYRING_SESSION:-}" ]; then
  if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
    echo "with-keyring: dbus-run-session and gnome-keyring-daemon are needed (scripts/setup.sh installs them)" >&2
    exit 2
  fi
  export RECON_KEYRING_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi

# Inside the private session bus: a throw-away keyring directory, then the daemon, unlocked with
# a fixed throw-away password read from stdin (an empty one makes the daemon prompt).
keyring_dir="$(mktemp -d "${TMPDIR:-/tmp}/recon-keyring.XXXXXX")"
trap 'rm -rf "$keyring_dir"' EXIT
export XDG_DATA_HOME="$keyring_dir/data"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$keyring_dir/run}"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'recon-test-keyring' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
eval "$(gnome-keyring-daemon --start --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
"$@"
