/**
 * What the Redis component runs, as text: the Redis and Sentinel start scripts, the switch script
 * that moves the legacy single `redis-master` into the cluster, and HAProxy's configuration.
 * Plain functions without Pulumi resources, so a behaviour test (test/redis/) runs exactly what
 * the program renders against real `redis-server`, `redis-sentinel` and `haproxy`.
 *
 * The password never appears on a command line (where `ps` and /proc show it): the scripts hand
 * it to `redis-cli` through `REDISCLI_AUTH`, and to Redis and Sentinel through their config files.
 */

import { EXPORTER_PORTS } from "./shared/metrics";

/** Name of the master set the Sentinels monitor. */
export const MASTER_SET = "mymaster";

/** Sentinel's timing, shared by the Sentinel start script and the switch script. */
const SENTINEL_SETTINGS = {
    // A master unanswering for 5 s is subjectively down; with a quorum it is failed over.
    "down-after-milliseconds": 5000,
    "failover-timeout": 60000,
    "parallel-syncs": 1,
};

/** Stack settings the scripts depend on. All optional, so older call sites keep compiling. */
export interface RedisConfigOptions {
    /**
     * Memory Redis may use for data (`maxmemory`), a memory quantity (`1536Mi`). Above it writes
     * are refused (`noeviction`): Redis holds job queues, and an evicted job is a lost job.
     */
    readonly maxmemory?: string;
    /**
     * Address of the legacy single Redis (`redis-master`) while its data moves into the cluster,
     * or "" / undefined when there is none. While set, the cluster's nodes replicate from it, the
     * Sentinels monitor it, and `redis-sp` keeps sending clients to it until `migrate.sh` switches
     * the master to node 0 (docs/operations/redis.md).
     */
    readonly legacyMaster?: string;
}

/** A memory quantity (`1536Mi`, `2Gi`, validated by the stack schema) in Redis' units (`mb` = MiB). */
function redisMemory(quantity: string): string {
    const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
    if (!m)
        throw new Error(`maxmemory: expected a quantity such as 1536Mi or 2Gi, got ${quantity}`);
    return `${m[2] === "Gi" ? Number(m[1]) * 1024 : Number(m[1])}mb`;
}

const legacyOf = (o: RedisConfigOptions) => (o.legacyMaster ? o.legacyMaster : undefined);

/** Who a node or Sentinel follows when no Sentinel answers: the legacy instance, or node 0. */
function fallbackMaster(o: RedisConfigOptions): string {
    return legacyOf(o) ?? "$STATEFULSET-0.$HEADLESS";
}

const ASK_SENTINEL = `master=$(redis-cli -h "$SENTINEL_HOST" -p 26379 \\
  sentinel get-master-addr-by-name ${MASTER_SET} 2>/dev/null | head -n1 || true)`;

/**
 * Start script of a Redis container. Environment: `REDIS_PASSWORD`, `HEADLESS` (DNS domain of the
 * headless Service), `STATEFULSET` (its name), `SENTINEL_HOST` (the Sentinel Service).
 *
 * Each node starts as a replica of the master Sentinel reports, or (first boot) of node 0 or the
 * legacy instance, and announces its stable DNS name so failover survives pod IP changes.
 *
 * Persistence, stated: the append-only file is the durable copy (`appendonly yes`,
 * `appendfsync everysec`: a node that crashes loses at most about a second of writes that no
 * replica acknowledged; writers that need more use `WAIT 1`), rewritten with an RDB preamble;
 * no separate RDB snapshots (`save ""`), so there is one file to restore from.
 */
export function redisStartScript(options: RedisConfigOptions = {}): string {
    const memory = options.maxmemory ? redisMemory(options.maxmemory) : undefined;
    return `set -eu
# redis-cli reads the password from the environment, not from its command line.
export REDISCLI_AUTH="$REDIS_PASSWORD"
self="$(hostname).$HEADLESS"
${ASK_SENTINEL}
[ -n "$master" ] || master="${fallbackMaster(options)}"
{
  echo "dir /data"
  echo "appendonly yes"
  echo "appendfsync everysec"
  echo "aof-use-rdb-preamble yes"
  echo 'save ""'
${memory ? `  echo "maxmemory ${memory}"\n` : ""}  echo "maxmemory-policy noeviction"
  echo "requirepass $REDIS_PASSWORD"
  echo "masterauth $REDIS_PASSWORD"
  echo "replica-announce-ip $self"
  [ "$master" = "$self" ] || echo "replicaof $master 6379"
} > /tmp/redis.conf
exec redis-server /tmp/redis.conf
`;
}

/**
 * Start script of a Sentinel container: the same environment as {@link redisStartScript} plus
 * `SENTINEL_QUORUM`. Sentinel rewrites its own config file, so it is generated into a writable
 * directory (`/sentinel`, an emptyDir in the pod).
 */
export function sentinelStartScript(options: RedisConfigOptions = {}): string {
    const settings = Object.entries(SENTINEL_SETTINGS)
        .map(([k, v]) => `sentinel ${k} ${MASTER_SET} ${v}`)
        .join("\n");
    return `set -eu
export REDISCLI_AUTH="$REDIS_PASSWORD"
${ASK_SENTINEL}
[ -n "$master" ] || master="${fallbackMaster(options)}"
cat > /sentinel/sentinel.conf <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $(hostname).$HEADLESS
requirepass $REDIS_PASSWORD
sentinel monitor ${MASTER_SET} $master 6379 $SENTINEL_QUORUM
sentinel auth-pass ${MASTER_SET} $REDIS_PASSWORD
${settings}
CONF
exec redis-sentinel /sentinel/sentinel.conf
`;
}

/**
 * The controlled switch from the legacy instance to node 0, run once by hand in node 0's Sentinel
 * container (`kubectl exec redis-0 -c sentinel -- sh /scripts/migrate.sh`) when every node
 * replicates the legacy instance. Empty when no legacy instance is configured.
 *
 * 1. Redis' own `FAILOVER TO` on the legacy instance: it pauses writes, waits until node 0 has
 *    every write, then hands the master role over and becomes node 0's replica. The pause is
 *    bounded (`TIMEOUT`): if node 0 does not catch up in time nothing changes and writes resume.
 *    Writes that were paused are then refused (`READONLY`) and clients retry through `redis-sp`.
 * 2. Every Sentinel monitors node 0 instead (Sentinel has no command to move a healthy master).
 * 3. The other nodes replicate node 0; the legacy instance is never promoted (priority 0).
 */
export function migrateScript(nodes: number, options: RedisConfigOptions = {}): string {
    const legacy = legacyOf(options);
    if (!legacy) return "";
    const settings = Object.entries(SENTINEL_SETTINGS)
        .map(([k, v]) => `${k} ${v}`)
        .join(" ");
    return `set -eu
export REDISCLI_AUTH="$REDIS_PASSWORD"
legacy="${legacy}"
target="$STATEFULSET-0.$HEADLESS"
pause_ms=\${SWITCH_PAUSE_MS:-5000}
field() { redis-cli -h "$1" -p 6379 info "$2" | tr -d '\\r' | sed -n "s/^$3://p"; }
# Polls (at most 10 s) until a command prints the expected text.
wait_for() {
  want="$1"; shift; n=0
  until [ "$("$@" 2>/dev/null || true)" = "$want" ]; do
    n=$((n + 1)); [ "$n" -le 100 ] || { echo "migrate: timed out waiting for $*" >&2; exit 1; }
    sleep 0.1
  done
}

[ "$(field "$legacy" replication role)" = master ] ||
  { echo "migrate: $legacy is not a master: nothing to switch" >&2; exit 1; }
[ "$(field "$target" replication master_host)" = "$legacy" ] ||
  { echo "migrate: $target does not replicate $legacy yet" >&2; exit 1; }
version=$(field "$legacy" server redis_version)
case "$version" in
  [0-5].*|6.[01].*) echo "migrate: $legacy runs Redis $version; FAILOVER needs 6.2+ (stop writers instead)" >&2; exit 1 ;;
esac

# As node 0's replica the legacy instance authenticates to it (masterauth), and Sentinel must
# never promote it back.
printf %s "$REDIS_PASSWORD" | redis-cli -h "$legacy" -p 6379 -x config set masterauth >/dev/null
redis-cli -h "$legacy" -p 6379 config set replica-priority 0 >/dev/null
start=$(date +%s%N)
out=$(redis-cli -h "$legacy" -p 6379 failover to "$target" 6379 timeout "$pause_ms")
[ "$out" = OK ] || { echo "migrate: FAILOVER refused: $out" >&2; exit 1; }
wait_for master field "$target" replication role
echo "migrate: $target is the master after $(( ($(date +%s%N) - start) / 1000000 )) ms"

for i in $(seq 0 ${nodes - 1}); do
  s="$STATEFULSET-$i.$HEADLESS"
  redis-cli -h "$s" -p 26379 sentinel remove ${MASTER_SET} >/dev/null 2>&1 || true
  redis-cli -h "$s" -p 26379 sentinel monitor ${MASTER_SET} "$target" 6379 "$SENTINEL_QUORUM" >/dev/null
  # -x: the password is read from stdin, not the command line.
  printf %s "$REDIS_PASSWORD" | redis-cli -h "$s" -p 26379 -x sentinel set ${MASTER_SET} auth-pass >/dev/null
  redis-cli -h "$s" -p 26379 sentinel set ${MASTER_SET} ${settings} >/dev/null
done
for i in $(seq 1 ${nodes - 1}); do
  redis-cli -h "$STATEFULSET-$i.$HEADLESS" -p 6379 replicaof "$target" 6379 >/dev/null
done
echo "migrate: Sentinels monitor $target; set redis.legacyMaster to \\"\\" in the next release"
`;
}

/**
 * HAProxy configuration behind `redis-sp:6379`. HAProxy reads `REDIS_PASSWORD` from its
 * environment; it expands variables only inside double quotes, so every line that sends the
 * password quotes it.
 *
 * A server takes clients only when both agree that it is the master:
 * - the Sentinel beside it (same pod, port 26379) sees a quorum of Sentinels (`CKQUORUM`) and
 *   names this node as the master: an old master cut off from the Sentinels, still answering
 *   `role:master`, fails here (its own Sentinel either follows the majority or has lost it);
 * - the node itself answers `role:master` (a demoted node fails at once, before Sentinel's
 *   view has propagated).
 * A server marked down has its sessions closed, so clients reconnect to the new master instead
 * of waiting on a frozen one. While a legacy instance is configured it is a second backend,
 * used only while no cluster node is the master.
 *
 * HAProxy's own Prometheus exporter (the `prometheus-exporter` service, built into the official
 * image and Debian's) answers `GET /metrics` on a separate HTTP frontend, the container port
 * `metrics`: `haproxy_backend_active_servers{proxy="master"}` is 0 while no node passes the
 * checks above (the alert SapocheRedisProxyNoMaster).
 *
 * @param nodes number of Redis nodes (StatefulSet replicas)
 * @param statefulSet name of the StatefulSet; node `i` is the pod `<statefulSet>-<i>`
 * @param headless DNS domain of the headless Service (`redis-headless.<ns>.svc.cluster.local`)
 */
export function haproxyConfig(
    nodes: number,
    statefulSet: string,
    headless: string,
    options: RedisConfigOptions = {},
): string {
    const legacy = legacyOf(options);
    const servers = Array.from(
        { length: nodes },
        (_, i) =>
            `  server ${statefulSet}-${i} ${statefulSet}-${i}.${headless}:6379 ` +
            "check resolvers k8s init-addr none",
    ).join("\n");
    const auth = `  tcp-check send "AUTH \${REDIS_PASSWORD}\\r\\n"
  tcp-check expect string +OK`;
    const isMaster = `${auth}
  tcp-check send "INFO replication\\r\\n"
  tcp-check expect string role:master
  tcp-check send "QUIT\\r\\n"
  tcp-check expect string +OK`;
    const legacyBackend = legacy
        ? `
backend legacy
  option tcp-check
  tcp-check connect
${isMaster}
  server legacy ${legacy}:6379 check resolvers k8s init-addr none
`
        : "";
    return `global
  maxconn 4096
defaults
  mode tcp
  timeout connect 3s
  timeout client 1h
  timeout server 1h
  timeout check 2s
  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
resolvers k8s
  parse-resolv-conf
  hold valid 5s
frontend redis
  bind :6379
${legacy ? "  use_backend master if { nbsrv(master) gt 0 }\n  default_backend legacy" : "  default_backend master"}
frontend metrics
  mode http
  bind :${EXPORTER_PORTS.haproxy}
  timeout client 30s
  http-request use-service prometheus-exporter if { path /metrics }
backend master
  option tcp-check
  tcp-check connect port 26379
${auth}
  tcp-check send "SENTINEL CKQUORUM ${MASTER_SET}\\r\\n"
  tcp-check expect string +OK
  tcp-check send "SENTINEL GET-MASTER-ADDR-BY-NAME ${MASTER_SET}\\r\\n"
  tcp-check expect string-lf "%[srv_name].${headless}"
  tcp-check connect
${isMaster}
${servers}
${legacyBackend}`;
}
