/**
 * The planned switchover of the Redis master, as a script of the scripts ConfigMap
 * (`/scripts/switchover.sh`): run by the operator command (`npm run redis:switchover`) and by
 * each Redis container's `preStop` hook (`--if-master`), so a rolling restart never takes the
 * master down with writes on it.
 */
import { MASTER_SET, PROXY_CHECK, SENTINEL_SETTINGS } from "./config";

/** Longest write pause the switchover allows itself (each step has its own share, below). */
export const SWITCH_PAUSE_MS = 15_000;

/**
 * How long the old master's writes stay paused when the switchover cannot tell whether a new
 * master exists (below): long enough for an operator to look, and finite, so a node that becomes
 * master again later does not hold its writes forever.
 */
export const HOLD_PAUSE_MS = 600_000;

/**
 * How long the old master keeps its writes paused once every Sentinel names the new master:
 * longer than one HAProxy check interval plus a check's timeout, so every proxy has failed its
 * check of the old master (its Sentinel names another node), marked it down and closed its
 * sessions before the old master becomes a replica. Any later write to it would get `READONLY`.
 */
export const PROXY_DRAIN_MS = PROXY_CHECK.interMs + PROXY_CHECK.timeoutMs + 250;

/**
 * Environment: the Redis pod's (`REDIS_PASSWORD`, `HEADLESS`, `STATEFULSET`). With `--if-master`
 * it does nothing unless a quorum of Sentinels names this pod's node as the master. Every
 * Sentinel is asked at its pod's address, in turn: during a rolling restart this pod's own
 * Sentinel is being stopped at the same time (Kubernetes stops the containers of a pod
 * together, and only this one has a hook).
 *
 * The contract (docs/operations/redis.md): no write acknowledged by the old master is lost, no
 * client gets `READONLY`; a write that was in flight gets no answer (its connection is closed)
 * and the client retries it. Steps:
 * 1. Pause writes on the master (`CLIENT PAUSE WRITE`): nothing new is acknowledged; writers
 *    wait.
 * 2. Wait until every online replica has the master's whole replication stream, so whichever
 *    replica Sentinel picks has every acknowledged write. If that does not happen in time, give
 *    up: writes resume on the same master, nothing changed.
 * 3. `SENTINEL FAILOVER`: the Sentinels promote a replica and record it under a new epoch, so
 *    they never undo the switch as they would a bare `REPLICAOF` or `FAILOVER` behind their back.
 *    It is asked of another pod's Sentinel first: this pod's own is stopped together with the
 *    hook, and a failover it accepted would die with it (measured: 2 of 3 rolling restarts held
 *    writes 12-13 s that way, until Sentinel's own timeouts caught up).
 * 4. Wait until the new master answers `role:master` and every Sentinel that answers names it,
 *    then {@link PROXY_DRAIN_MS}: every HAProxy has marked the old master down and closed its
 *    sessions, and routes to the new one. The old master is still a paused master meanwhile, so
 *    a client that reached it waits; it never gets `READONLY`.
 * 5. In one transaction on the old master: close every client connection (the writes still
 *    paused on them were never run, and never will be) and make it a replica of the new master
 *    (Sentinel would take about 10 s); then resume.
 * After step 3, any failure still ends with step 5 when a new master is named, so the old
 * master never takes writes beside it. When no new master is named within its share of the pause
 * (11 s), the old master stays paused (the pause is extended) while Sentinel either promotes
 * late (the switchover then completes) or aborts its failover (it does after `failover-timeout`).
 * Writes resume on the old master only when it is verifiably still the only master: the
 * Sentinel that took the failover and a majority answer and none has a failover in progress, a
 * quorum names it, and every replica answers `role:slave`. Otherwise its writes stay paused for
 * {@link HOLD_PAUSE_MS} and the script exits 3 saying what to check: resuming a master beside
 * one Sentinel promotes later is two masters, and the writes it took would be discarded.
 */
export function switchoverScript(nodes: number): string {
    const steps = { catchUpMs: 3000, promoteMs: 8000 };
    const lateMs = steps.catchUpMs + steps.promoteMs + SENTINEL_SETTINGS["failover-timeout"];
    const majority = Math.floor(nodes / 2) + 1;
    return `set -eu
export REDISCLI_AUTH="$REDIS_PASSWORD"
self="$(hostname).$HEADLESS"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Bounded: a node that does not answer (frozen, partitioned) must not hang the switchover.
field() { timeout 2 redis-cli -h "$1" -p 6379 info "$2" 2>/dev/null | tr -d '\\r' | sed -n "s/^$3://p"; }
say() { echo "switchover: $* ($(( $(now_ms) - start )) ms)"; }
start=$(now_ms)
# The master a quorum of Sentinels names, asked of each Sentinel in turn, or nothing.
ask() {
  for i in $(seq 0 ${nodes - 1}); do
    a=$(printf 'SENTINEL CKQUORUM ${MASTER_SET}\\nSENTINEL GET-MASTER-ADDR-BY-NAME ${MASTER_SET}\\n' |
      redis-cli -h "$STATEFULSET-$i.$HEADLESS" -p 26379 2>/dev/null | tr -d '\\r' |
      awk 'NR == 1 && !/^OK/ { exit } NR == 2 { print; exit }' || true)
    [ -z "$a" ] || { echo "$a"; return 0; }
  done
}
# True when every Sentinel that answers names $1.
all_name() {
  for i in $(seq 0 ${nodes - 1}); do
    a=$(redis-cli -h "$STATEFULSET-$i.$HEADLESS" -p 26379 sentinel get-master-addr-by-name ${MASTER_SET} 2>/dev/null | tr -d '\\r' | head -n1 || true)
    [ -z "$a" ] || [ "$a" = "$1" ] || return 1
  done
}
on() { redis-cli -h "$master" -p 6379 "$@" >/dev/null 2>&1; }
# True when $master is verifiably still the only master; else says why on stdout.
only_master() {
  n=0
  for i in $(seq 0 ${nodes - 1}); do
    f=$(timeout 2 redis-cli -h "$STATEFULSET-$i.$HEADLESS" -p 26379 sentinel master ${MASTER_SET} 2>/dev/null |
      tr -d '\r' | awk 'p == "flags" { print; exit } { p = $0 }' || true)
    [ -n "$f" ] || { [ "$i" != "$leader" ] || { echo "Sentinel $i, which runs the failover, does not answer"; return 1; }; continue; }
    case "$f" in *failover_in_progress*) echo "Sentinel $i has a failover in progress"; return 1 ;; esac
    n=$((n + 1))
  done
  [ "$n" -ge ${majority} ] || { echo "only $n Sentinels answer"; return 1; }
  [ "$(ask)" = "$master" ] || { echo "no quorum of Sentinels names $master"; return 1; }
  for r in $replicas; do
    [ "$(field "$r" replication role)" = slave ] || { echo "$r does not answer role:slave"; return 1; }
  done
}

master=$(ask)
[ -n "$master" ] || { echo "switchover: no quorum of Sentinels names a master" >&2; exit 1; }
if [ "\${1:-}" = --if-master ] && [ "$master" != "$self" ]; then
  echo "switchover: $self is not the master ($master): nothing to do"; exit 0
fi
[ "$(field "$master" replication role)" = master ] ||
  { echo "switchover: $master does not answer role:master" >&2; exit 1; }
replicas=$(field "$master" replication 'slave[0-9]*' | grep 'state=online' | sed 's/^ip=\\([^,]*\\),.*/\\1/')
[ -n "$replicas" ] || { echo "switchover: $master has no online replica to hand over to" >&2; exit 1; }

new=""
# Whatever happens from here: writes resume on a master, and never on two.
finish() {
  if [ -n "$new" ]; then
    # MULTI: no client runs a command between the kill and the demotion.
    printf 'MULTI\\nCLIENT KILL TYPE normal\\nREPLICAOF %s 6379\\nEXEC\\n' "$new" |
      redis-cli -h "$master" -p 6379 >/dev/null 2>&1 || true
  fi
  on client unpause || true
}
trap finish EXIT
on client pause ${SWITCH_PAUSE_MS} write
paused_until=${SWITCH_PAUSE_MS}
offset=$(field "$master" replication master_repl_offset)
for r in $replicas; do
  until [ "$(field "$r" replication slave_repl_offset)" -ge "$offset" ] 2>/dev/null; do
    [ $(( $(now_ms) - start )) -lt ${steps.catchUpMs} ] ||
      { echo "switchover: $r did not catch up: nothing changed" >&2; exit 1; }
    sleep 0.01
  done
done
say "writes paused, every replica has offset $offset; failing over"
asked=no; leader=""
# The Sentinels of other pods first: during a rolling restart this pod's own Sentinel is being
# stopped while this hook runs, and a failover it accepted would die with it.
own=""
for i in $(seq 0 ${nodes - 1}); do
  [ "$STATEFULSET-$i.$HEADLESS" = "$self" ] && own=$i
done
for i in $(seq 0 ${nodes - 1} | grep -vx "$own") $own; do
  if redis-cli -h "$STATEFULSET-$i.$HEADLESS" -p 26379 sentinel failover ${MASTER_SET} 2>/dev/null | grep -q OK; then
    asked=yes; leader=$i; break
  fi
done
[ "$asked" = yes ] || { echo "switchover: no Sentinel accepted SENTINEL FAILOVER: nothing changed" >&2; exit 1; }
until [ -n "$new" ]; do
  elapsed=$(( $(now_ms) - start ))
  if [ "$elapsed" -ge ${steps.catchUpMs + steps.promoteMs} ] && [ "$paused_until" = ${SWITCH_PAUSE_MS} ]; then
    # Sentinel may still promote (until failover-timeout): resuming now could make two masters.
    paused_until=$(( elapsed + ${lateMs - steps.catchUpMs - steps.promoteMs + 2 * PROXY_DRAIN_MS + 1000} ))
    on client pause $(( paused_until - elapsed )) write
    say "no new master named yet; writes stay paused on $master until Sentinel promotes or verifiably aborts"
  fi
  if [ "$paused_until" != ${SWITCH_PAUSE_MS} ]; then
    if why=$(only_master); then
      echo "switchover: Sentinel aborted the failover; $master is still the only master: nothing changed" >&2
      exit 1
    fi
    if [ "$elapsed" -ge ${lateMs} ]; then
      on client pause ${HOLD_PAUSE_MS} write
      trap - EXIT
      echo "switchover: Sentinel accepted the failover of $master but named no new master in $((elapsed / 1000)) s, and $master is not verifiably the only master ($why). Its writes stay paused for ${HOLD_PAUSE_MS / 60_000} min. Check every node's role (redis-cli info replication) and every Sentinel's SENTINEL MASTER ${MASTER_SET} (flags) and SENTINEL CKQUORUM ${MASTER_SET}. If another node is master, make $master its replica (redis-cli -h $master replicaof <that node> 6379) and then run redis-cli -h $master client kill type normal and client unpause; if a quorum names $master and every other node answers role:slave, run redis-cli -h $master client unpause." >&2
      exit 3
    fi
  fi
  sleep 0.05
  a=$(ask)
  [ -z "$a" ] || [ "$a" = "$master" ] || [ "$(field "$a" replication role)" != master ] || new="$a"
done
say "$new is the master"
until all_name "$new" || [ $(( $(now_ms) - start )) -ge $(( paused_until - ${PROXY_DRAIN_MS + 1000} )) ]; do
  sleep 0.05
done
sleep ${(PROXY_DRAIN_MS / 1000).toFixed(2)}
finish
trap - EXIT
say "$master replicates $new; writes resumed"
`;
}
