#!/usr/bin/env bash
# Helpers shared by scripts/idp.sh and scripts/moto.sh: start one local test server in the
# background, wait for the line it prints when listening, and keep its URL, pid and log under
# target/NAME/ (url, pid, log). Sourced, not run.
#
#   svc_start NAME READY_PREFIX TIMEOUT_S COMMAND...   the server prints "READY_PREFIX URL" when ready
#   svc_stop NAME
#   svc_running NAME                                  0 when target/NAME/pid is alive
#   svc_wait_ready NAME LOG READY_PREFIX PID TIMEOUT_S   prints the URL once LOG has "READY_PREFIX URL";
#                                                     fails (log shown) if PID exits or time runs out
#   svc_main NAME "$@"                                the start|stop|restart|status|url|env dispatcher
#                                                     (the caller defines NAME_start, and VAR_NAME)
set -euo pipefail

svc_dir() { echo "$(pwd)/target/$1"; }

svc_running() {
  local dir pid
  dir="$(svc_dir "$1")"
  [ -f "$dir/pid" ] || return 1
  pid="$(cat "$dir/pid")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

svc_wait_ready() {
  local name="$1" log="$2" ready="$3" pid="$4" timeout="$5"
  local waited=0 url=""
  while [ "$waited" -lt $((timeout * 10)) ]; do
    url="$(sed -n "s/^$ready \([^ ]*\).*/\1/p" "$log" | head -n1)"
    if [ -n "$url" ]; then echo "$url"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name: the server exited before it was ready; its log ($log):" >&2
      sed 's/^/  /' "$log" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "$name: not ready after ${timeout}s; its log ($log):" >&2
  sed 's/^/  /' "$log" >&2
  kill "$pid" 2>/dev/null || true
  return 1
}

svc_start() {
  local name="$1" ready="$2" timeout="$3"
  shift 3
  local dir
  dir="$(svc_dir "$name")"
  mkdir -p "$dir"
  if svc_running "$name" && [ -s "$dir/url" ]; then
    echo "$name: already running at $(cat "$dir/url") (pid $(cat "$dir/pid"))" >&2
    cat "$dir/url"
    return 0
  fi
  rm -f "$dir/url" "$dir/pid"
  : >"$dir/log"
  # Its own session: not killed with the shell that started it, and no standard input.
  setsid "$@" </dev/null >>"$dir/log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/pid"
  local url
  if ! url="$(svc_wait_ready "$name" "$dir/log" "$ready" "$pid" "$timeout")"; then
    rm -f "$dir/pid"
    return 1
  fi
  echo "$url" >"$dir/url"
  echo "$name: running at $url (pid $pid, log $dir/log)" >&2
  echo "$url"
}

svc_stop() {
  local name="$1" dir pid i
  dir="$(svc_dir "$name")"
  if svc_running "$name"; then
    pid="$(cat "$dir/pid")"
    kill "$pid" 2>/dev/null || true
    for i in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    echo "$name: stopped (pid $pid)" >&2
  else
    echo "$name: not running" >&2
  fi
  rm -f "$dir/pid" "$dir/url"
}

# svc_main NAME ENV_VAR START_FUNCTION "$@"
svc_main() {
  local name="$1" var="$2" startfn="$3"
  shift 3
  local dir
  dir="$(svc_dir "$name")"
  case "${1:-}" in
    start) "$startfn" ;;
    stop) svc_stop "$name" ;;
    restart) svc_stop "$name"; "$startfn" ;;
    status)
      if svc_running "$name"; then echo "$name: running at $(cat "$dir/url") (pid $(cat "$dir/pid"))"; else
        echo "$name: not running"; return 1; fi ;;
    url) svc_running "$name" && cat "$dir/url" || { echo "$name: not running" >&2; return 1; } ;;
    env) svc_running "$name" && echo "export $var=$(cat "$dir/url")" || { echo "$name: not running" >&2; return 1; } ;;
    *) echo "usage: $0 start|stop|restart|status|url|env" >&2; return 2 ;;
  esac
}
