#!/usr/bin/env bash
# Sourced by scripts/e2e.sh and scripts/bench-app.sh.

# Two free TCP ports on loopback, the second right after the first (tauri-driver's and
# WebKitWebDriver's), from 4444 on: a driver left running by an earlier run must not be reused,
# since its app would start in that run's dead X display and keyring session.
free_driver_ports() {
  local port
  for port in $(seq 4444 2 4600); do
    if ! (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && ! (echo > "/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null; then
      echo "$port $((port + 1))"
      return 0
    fi
  done
  echo "no two free TCP ports between 4444 and 4601 for tauri-driver" >&2
  return 1
}
