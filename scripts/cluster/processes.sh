#!/usr/bin/env bash
# Process management for cluster.sh (sourced): start/stop components, wait for health.
pid_of() {
  local f="$PIDS/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must run the component's binary.
  case "$(basename "$(readlink -f "/proc/$pid/exe" 2>/dev/null || echo none)")" in
    "$1"|"$1 (deleted)") printf '%s\n' "$pid" ;;
    *) return 1 ;;
  esac
}

start() {
  local name="$1"
  shift
  if pid="$(pid_of "$name")"; then
    log "$name already running (pid $pid)"
    return 0
  fi
  log "starting $name (log: $LOGS/$name.log)"
  # setsid: own process group, not tied to the calling terminal.
  setsid "$name" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

stop() {
  local name="$1" pid i
  pid="$(pid_of "$name")" || { rm -f "$PIDS/$name.pid"; return 0; }
  log "stopping $name (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in 10 s: SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$name.pid"
}

fail_component() {
  local name="$1" what="$2"
  printf '[cluster] ERROR: %s failed: %s\n' "$name" "$what" >&2
  if [ -f "$LOGS/$name.log" ]; then
    printf '[cluster] ---- last 30 lines of %s ----\n' "$LOGS/$name.log" >&2
    tail -n 30 "$LOGS/$name.log" >&2
  fi
  exit 1
}

# wait_for NAME DESCRIPTION COMMAND...: retry COMMAND until it succeeds, the process dies, or timeout.
wait_for() {
  local name="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + TIMEOUT))
  while ! "$@" >/dev/null 2>&1; do
    case "$name" in
      etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kwok)
        pid_of "$name" >/dev/null || fail_component "$name" "process exited while waiting for $what" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || fail_component "$name" "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.5
  done
}

