/**
 * What the Redis component runs, as text: the Redis and Sentinel start scripts, the switch script
 * that moves the legacy single `redis-master` into the cluster, and HAProxy's configuration.
 * Plain functions without Pulumi resources, so a behaviour test (test/redis/) runs exactly what
 * the program renders against real `redis-server`, `redis-sentinel` and `haproxy`.
 *
 * The password never appears on a command line (where `ps` and /proc show it): the scripts hand
 * it to `redis-cli` through `REDISCLI_AUTH`, and to Redis and Sentinel through their config files.
 */

/** Name of the master set the Sentinels monitor. */
export const MASTER_SET = "mymaster";

/** Sentinel's timing, shared by the Sentinel start script and the switch script. */
export const SENTINEL_SETTINGS = {
    // A master unanswering for 5 s is subjectively down; with a quorum it is failed over.
    "down-after-milliseconds": 5000,
    "failover-timeout": 60000,
    "parallel-syncs": 1,
};

/**
 * HAProxy's check of a server that is UP: its interval and timeout. The switchover keeps the old
 * master's writes paused for longer than one check, so HAProxy has marked it down (and closed
 * its sessions) before any paused write could run on it as a replica (`READONLY`).
 */
export const PROXY_CHECK = { interMs: 500, timeoutMs: 1000 } as const;

/**
 * How often each proxy asks every Sentinel which node is the master, how soon it asks again when
 * a server starts passing its check (`tickMs`), and how long it waits for one Sentinel's answer
 * (components/redis/confirmed-master.ts). A poll asks the Sentinels one after
 * another, so one that hangs delays the poll by at most `timeoutMs`.
 */
export const SENTINEL_POLL = { everyMs: 250, tickMs: 25, timeoutMs: 500 } as const;

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
    /**
     * A master refuses writes (`NOREPLICAS`) unless this many replicas are connected and lag at
     * most {@link minReplicasMaxLag} seconds: a master cut off from its replicas stops
     * acknowledging writes that a failover would discard. 0 turns the guard off.
     */
    readonly minReplicasToWrite?: number;
    /** Seconds a replica may lag (last ack) and still count for {@link minReplicasToWrite}. */
    readonly minReplicasMaxLag?: number;
}

/** A memory quantity (`1536Mi`, `2Gi`, validated by the stack schema) in Redis' units (`mb` = MiB). */
function redisMemory(quantity: string): string {
    const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
    if (!m)
        throw new Error(`maxmemory: expected a quantity such as 1536Mi or 2Gi, got ${quantity}`);
    return `${m[2] === "Gi" ? Number(m[1]) * 1024 : Number(m[1])}mb`;
}

export const legacyOf = (o: RedisConfigOptions) => (o.legacyMaster ? o.legacyMaster : undefined);

/** Who a node or Sentinel follows when no Sentinel answers: the legacy instance, or node 0. */
function fallbackMaster(o: RedisConfigOptions): string {
    return legacyOf(o) ?? "$STATEFULSET-0.$HEADLESS";
}

const ASK_SENTINEL = `master=$(redis-cli -h "$SENTINEL_HOST" -p 26379 \\
  sentinel get-master-addr-by-name ${MASTER_SET} 2>/dev/null | head -n1 || true)`;

/**
 * Shell functions `ask`: the master a quorum of Sentinels names (`CKQUORUM`, then the address,
 * on one connection to one Sentinel), or nothing; and `ask_any`: the master any one Sentinel
 * names, quorum or not, or nothing.
 */
export const ASK_QUORUM = `# The master a quorum of Sentinels names, or nothing.
ask() {
  printf 'SENTINEL CKQUORUM ${MASTER_SET}\\nSENTINEL GET-MASTER-ADDR-BY-NAME ${MASTER_SET}\\n' |
    redis-cli -h "$SENTINEL_HOST" -p 26379 2>/dev/null | tr -d '\\r' |
    awk 'NR == 1 && !/^OK/ { exit } NR == 2 { print; exit }' || true
}
# The master one Sentinel names, with or without a quorum, or nothing.
ask_any() {
  redis-cli -h "$SENTINEL_HOST" -p 26379 sentinel get-master-addr-by-name ${MASTER_SET} 2>/dev/null |
    tr -d '\\r' | head -n1 || true
}`;

/** How long a starting node waits for the Sentinels before its fallback (see below). */
export const START_WAIT_SECONDS = 20;

/**
 * Start script of a Redis container. Environment: `REDIS_PASSWORD`, `HEADLESS` (DNS domain of the
 * headless Service), `STATEFULSET` (its name), `SENTINEL_HOST` (the Sentinel Service).
 *
 * A node never makes itself master. Every second it asks the Sentinels for a quorum (`CKQUORUM`)
 * and the master they name:
 * - they name another node: it starts as that node's replica;
 * - they name this node (it crashed and came back before or during the failover): it waits, so
 *   Sentinel promotes a replica that has the acknowledged writes; if after
 *   {@link START_WAIT_SECONDS} they still name it, no replica could be promoted and it starts as
 *   the master they name;
 * - no quorum (Sentinels starting, or most of them down): a Sentinel that names another node is
 *   followed, as a replica (a replica takes no write, so following a minority is safe: Sentinel
 *   repoints it once a quorum is back). Node 0 on a volume without Redis data, with no Sentinel
 *   naming another node, is the first boot and starts as master (or as the legacy instance's
 *   replica). Otherwise it waits {@link START_WAIT_SECONDS}, then follows node 0 (or the legacy
 *   instance): after a restart of the whole tier the StatefulSet starts pod 1 only once pod 0
 *   is Ready, so pod 0 must come up without a quorum. Such a master refuses writes until a
 *   replica is in sync (`min-replicas-to-write`), and HAProxy sends it no client until a quorum
 *   of Sentinels names it.
 * It announces its stable DNS name so failover survives pod IP changes.
 *
 * Persistence, stated: the append-only file is the durable copy (`appendonly yes`,
 * `appendfsync everysec`: a node that crashes loses at most about a second of writes that no
 * replica acknowledged; writers that need more use `WAIT 1`), rewritten with an RDB preamble;
 * no separate RDB snapshots (`save ""`), so there is one file to restore from.
 */
export function redisStartScript(options: RedisConfigOptions = {}): string {
    const memory = options.maxmemory ? redisMemory(options.maxmemory) : undefined;
    const minReplicas = options.minReplicasToWrite ?? 0;
    const lag = options.minReplicasMaxLag ?? 10;
    return `set -eu
# redis-cli reads the password from the environment, not from its command line.
export REDISCLI_AUTH="$REDIS_PASSWORD"
self="$(hostname).$HEADLESS"
${ASK_QUORUM}
# First boot: nothing Redis ever wrote (a new volume may hold lost+found).
fresh=yes
for f in /data/appendonlydir /data/appendonly.aof /data/dump.rdb; do [ ! -e "$f" ] || fresh=no; done
waited=0
while :; do
  master=$(ask)
  [ -n "$master" ] && [ "$master" != "$self" ] && break
  if [ -z "$master" ]; then
    any=$(ask_any)
    if [ -n "$any" ] && [ "$any" != "$self" ]; then master="$any"; break; fi
    if [ "$self" = "$STATEFULSET-0.$HEADLESS" ] && [ "$fresh" = yes ]; then
      master="${fallbackMaster(options)}"; break
    fi
  fi
  if [ "$waited" -ge ${START_WAIT_SECONDS} ]; then
    [ -n "$master" ] || master="${legacyOf(options) ?? "$STATEFULSET-0.$HEADLESS"}"
    echo "redis: no other master named after ${START_WAIT_SECONDS} s; following $master" >&2
    break
  fi
  echo "redis: waiting for the Sentinels to name a master other than this node (\${master:-no quorum})" >&2
  sleep 1; waited=$((waited + 1))
done
{
  echo "dir /data"
  echo "appendonly yes"
  echo "appendfsync everysec"
  echo "aof-use-rdb-preamble yes"
  echo 'save ""'
${memory ? `  echo "maxmemory ${memory}"\n` : ""}  echo "maxmemory-policy noeviction"
  echo "min-replicas-to-write ${minReplicas}"
  echo "min-replicas-max-lag ${lag}"
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
