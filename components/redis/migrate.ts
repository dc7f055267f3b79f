/**
 * The controlled switch from the legacy single `redis-master` to node 0 (`/scripts/migrate.sh`),
 * rendered only while `redis.legacyMaster` is set. Plain text, like ./config.ts.
 */
import { legacyOf, MASTER_SET, RedisConfigOptions, SENTINEL_SETTINGS } from "./config";
import { PROXY_DRAIN_MS, SWITCH_PAUSE_MS } from "./switchover";

/**
 * Run once by hand in node 0's Sentinel container (`kubectl exec redis-0 -c sentinel -- sh
 * /scripts/migrate.sh`) when every node replicates the legacy instance. Empty when no legacy
 * instance is configured. The same contract as the switchover (./switchover.ts): no
 * acknowledged write lost, no `READONLY`; clients see a pause.
 *
 * 1. Pause writes on the legacy instance (`CLIENT PAUSE WRITE`, Redis 6.2+) and wait until node
 *    0 has its whole replication stream; if that does not happen in time, nothing changed.
 * 2. Promote node 0 and point the other nodes at it (a partial resync: they had the same
 *    stream), then every Sentinel monitors node 0 (Sentinel has no command to move a healthy
 *    master). The legacy instance is never promoted back (priority 0).
 * 3. Wait until every Sentinel names node 0 and sees a quorum: from then on every proxy's
 *    check confirms node 0 and sends new clients to it, not to the legacy backend; then
 *    {@link PROXY_DRAIN_MS} more. Clients that reached the legacy instance meanwhile wait.
 * 4. In one `MULTI` on the legacy instance: close its client connections (their paused writes
 *    never ran) and make it node 0's replica; then resume. Clients reconnect and retry on node 0.
 * Once node 0 is promoted, any failure still ends with step 4, so the legacy instance never
 * takes writes beside node 0.
 */
export function migrateScript(nodes: number, options: RedisConfigOptions = {}): string {
    const legacy = legacyOf(options);
    if (!legacy) return "";
    const settings = Object.entries(SENTINEL_SETTINGS)
        .map(([k, v]) => `${k} ${v}`)
        .join(" ");
    const catchUpMs = 3000;
    return `set -eu
export REDISCLI_AUTH="$REDIS_PASSWORD"
legacy="${legacy}"
target="$STATEFULSET-0.$HEADLESS"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
field() { redis-cli -h "$1" -p 6379 info "$2" 2>/dev/null | tr -d '\\r' | sed -n "s/^$3://p"; }
say() { echo "migrate: $* ($(( $(now_ms) - start )) ms)"; }
# True when every Sentinel names $1 and sees a quorum.
all_name() {
  for i in $(seq 0 ${nodes - 1}); do
    a=$(printf 'SENTINEL CKQUORUM ${MASTER_SET}\\nSENTINEL GET-MASTER-ADDR-BY-NAME ${MASTER_SET}\\n' |
      redis-cli -h "$STATEFULSET-$i.$HEADLESS" -p 26379 2>/dev/null | tr -d '\\r' |
      awk 'NR == 1 && !/^OK/ { exit } NR == 2 { print; exit }' || true)
    [ "$a" = "$1" ] || return 1
  done
}

[ "$(field "$legacy" replication role)" = master ] ||
  { echo "migrate: $legacy is not a master: nothing to switch" >&2; exit 1; }
[ "$(field "$target" replication master_host)" = "$legacy" ] ||
  { echo "migrate: $target does not replicate $legacy yet" >&2; exit 1; }
version=$(field "$legacy" server redis_version)
case "$version" in
  [0-5].*|6.[01].*) echo "migrate: $legacy runs Redis $version; CLIENT PAUSE WRITE needs 6.2+ (stop writers instead)" >&2; exit 1 ;;
esac

# As node 0's replica the legacy instance authenticates to it (masterauth), and Sentinel must
# never promote it back.
printf %s "$REDIS_PASSWORD" | redis-cli -h "$legacy" -p 6379 -x config set masterauth >/dev/null
redis-cli -h "$legacy" -p 6379 config set replica-priority 0 >/dev/null
promoted=no
finish() {
  if [ "$promoted" = yes ]; then
    # MULTI: no client runs a command between the kill and the demotion.
    printf 'MULTI\\nCLIENT KILL TYPE normal\\nREPLICAOF %s 6379\\nEXEC\\n' "$target" |
      redis-cli -h "$legacy" -p 6379 >/dev/null 2>&1 || true
  fi
  redis-cli -h "$legacy" -p 6379 client unpause >/dev/null 2>&1 || true
}
trap finish EXIT
start=$(now_ms)
redis-cli -h "$legacy" -p 6379 client pause ${SWITCH_PAUSE_MS} write >/dev/null
offset=$(field "$legacy" replication master_repl_offset)
until [ "$(field "$target" replication slave_repl_offset)" -ge "$offset" ] 2>/dev/null; do
  [ $(( $(now_ms) - start )) -lt ${catchUpMs} ] ||
    { echo "migrate: $target did not catch up: nothing changed" >&2; exit 1; }
  sleep 0.01
done
redis-cli -h "$target" -p 6379 replicaof no one >/dev/null
promoted=yes
say "writes paused, $target has offset $offset and is the master"
for i in $(seq 1 ${nodes - 1}); do
  redis-cli -h "$STATEFULSET-$i.$HEADLESS" -p 6379 replicaof "$target" 6379 >/dev/null
done
for i in $(seq 0 ${nodes - 1}); do
  s="$STATEFULSET-$i.$HEADLESS"
  redis-cli -h "$s" -p 26379 sentinel remove ${MASTER_SET} >/dev/null 2>&1 || true
  redis-cli -h "$s" -p 26379 sentinel monitor ${MASTER_SET} "$target" 6379 "$SENTINEL_QUORUM" >/dev/null
  # -x: the password is read from stdin, not the command line.
  printf %s "$REDIS_PASSWORD" | redis-cli -h "$s" -p 26379 -x sentinel set ${MASTER_SET} auth-pass >/dev/null
  redis-cli -h "$s" -p 26379 sentinel set ${MASTER_SET} ${settings} >/dev/null
done
until all_name "$target"; do
  [ $(( $(now_ms) - start )) -lt ${SWITCH_PAUSE_MS - PROXY_DRAIN_MS - 1000} ] ||
    { echo "migrate: the Sentinels do not agree on $target in time; $legacy follows it anyway" >&2; exit 1; }
  sleep 0.05
done
say "every Sentinel names $target with a quorum"
sleep ${(PROXY_DRAIN_MS / 1000).toFixed(2)}
finish
trap - EXIT
say "$legacy replicates $target; writes resumed"
echo "migrate: Sentinels monitor $target; set redis.legacyMaster to \\"\\" in the next release"
`;
}
