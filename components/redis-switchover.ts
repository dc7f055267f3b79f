/**
 * The planned switchover of the Redis master, as a script of the scripts ConfigMap
 * (`/scripts/switchover.sh`): run by the operator command (`npm run redis:switchover`) and by
 * each Redis container's `preStop` hook (`--if-master`), so a rolling restart never takes the
 * master down with writes on it.
 */
import { ASK_QUORUM, MASTER_SET, PROXY_CHECK } from "./redis-config";

/** Longest write pause the switchover allows itself before it gives up (nothing changes). */
export const SWITCH_PAUSE_MS = 10_000;

/**
 * Environment: the Redis pod's (`REDIS_PASSWORD`, `HEADLESS`, `SENTINEL_HOST`). With
 * `--if-master` it does nothing unless the Sentinels name this pod's node as the master.
 *
 * 1. Pause writes on the master (`CLIENT PAUSE WRITE`, bounded): nothing new is acknowledged.
 * 2. Wait until every online replica has the master's whole replication stream, so whichever
 *    replica Sentinel picks has every acknowledged write. If that does not happen within the
 *    pause, give up: writes resume on the same master, nothing changed.
 * 3. `SENTINEL FAILOVER`: the Sentinels promote a replica and record it (a new epoch), so they
 *    never undo the switch as they would a bare `REPLICAOF`/`FAILOVER` behind their back.
 * 4. Make the old master a replica of the new one at once (Sentinel would take ~10 s), while its
 *    writes stay paused for longer than one HAProxy check: HAProxy marks it down and closes its
 *    sessions, so no paused write runs on a replica (`READONLY`); then close the clients that
 *    are left and resume. Clients see their connection closed and retry on the new master.
 */
export function switchoverScript(): string {
    const holdMs = PROXY_CHECK.interMs + PROXY_CHECK.timeoutMs + 500;
    return `set -eu
export REDISCLI_AUTH="$REDIS_PASSWORD"
self="$(hostname).$HEADLESS"
${ASK_QUORUM}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
field() { redis-cli -h "$1" -p 6379 info "$2" | tr -d '\\r' | sed -n "s/^$3://p"; }
fail() { echo "switchover: $*" >&2; exit 1; }

master=$(ask)
[ -n "$master" ] || fail "no quorum of Sentinels names a master"
if [ "\${1:-}" = --if-master ] && [ "$master" != "$self" ]; then
  echo "switchover: $self is not the master ($master): nothing to do"; exit 0
fi
[ "$(field "$master" replication role)" = master ] || fail "$master does not answer role:master"
replicas=$(field "$master" replication 'slave[0-9]*' | grep 'state=online' | sed 's/^ip=\\([^,]*\\),.*/\\1/')
[ -n "$replicas" ] || fail "$master has no online replica to hand over to"

start=$(now_ms)
redis-cli -h "$master" -p 6379 client pause ${SWITCH_PAUSE_MS} write >/dev/null
resume() { redis-cli -h "$master" -p 6379 client unpause >/dev/null 2>&1 || true; }
trap resume EXIT
offset=$(field "$master" replication master_repl_offset)
for r in $replicas; do
  until [ "$(field "$r" replication slave_repl_offset)" -ge "$offset" ] 2>/dev/null; do
    [ $(( $(now_ms) - start )) -lt ${SWITCH_PAUSE_MS / 2} ] || fail "$r did not catch up: nothing changed"
    sleep 0.02
  done
done
echo "switchover: replicas have offset $offset after $(( $(now_ms) - start )) ms; failing over"
redis-cli -h "$SENTINEL_HOST" -p 26379 sentinel failover ${MASTER_SET} | grep -q OK ||
  fail "SENTINEL FAILOVER refused"
new=""
until [ -n "$new" ] && [ "$new" != "$master" ] && [ "$(field "$new" replication role)" = master ]; do
  [ $(( $(now_ms) - start )) -lt ${SWITCH_PAUSE_MS - holdMs} ] || fail "no new master named in time"
  sleep 0.05; new=$(ask)
done
redis-cli -h "$master" -p 6379 replicaof "$new" 6379 >/dev/null
echo "switchover: $new is the master after $(( $(now_ms) - start )) ms; $master follows it"
sleep ${holdMs / 1000}
redis-cli -h "$master" -p 6379 client kill type normal >/dev/null || true
resume
echo "switchover: writes resumed after $(( $(now_ms) - start )) ms"
`;
}
