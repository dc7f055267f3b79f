/**
 * What the Redis component runs, as text: the Redis and Sentinel start scripts and HAProxy's
 * configuration. Plain functions without Pulumi resources, so a behaviour test can run exactly
 * what the program renders against real `redis-server`, `redis-sentinel` and `haproxy`.
 */

/** Name of the master set the Sentinels monitor. */
export const MASTER_SET = "mymaster";

/**
 * Start script of a Redis container. Environment: `REDIS_PASSWORD`, `HEADLESS` (DNS domain of the
 * headless Service), `STATEFULSET` (its name), `SENTINEL_HOST` (the Sentinel Service).
 *
 * Each node starts as a replica of the master Sentinel reports, or of node 0 on first boot, and
 * announces its stable DNS name so failover survives pod IP changes.
 */
export function redisStartScript(): string {
    return `set -eu
self="$(hostname).$HEADLESS"
master=$(redis-cli -h "$SENTINEL_HOST" -p 26379 -a "$REDIS_PASSWORD" --no-auth-warning \\
  sentinel get-master-addr-by-name ${MASTER_SET} 2>/dev/null | head -n1 || true)
[ -n "$master" ] || master="$STATEFULSET-0.$HEADLESS"
{
  echo "dir /data"
  echo "appendonly yes"
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
export function sentinelStartScript(): string {
    return `set -eu
master=$(redis-cli -h "$SENTINEL_HOST" -p 26379 -a "$REDIS_PASSWORD" --no-auth-warning \\
  sentinel get-master-addr-by-name ${MASTER_SET} 2>/dev/null | head -n1 || true)
[ -n "$master" ] || master="$STATEFULSET-0.$HEADLESS"
cat > /sentinel/sentinel.conf <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $(hostname).$HEADLESS
requirepass $REDIS_PASSWORD
sentinel monitor ${MASTER_SET} $master 6379 $SENTINEL_QUORUM
sentinel auth-pass ${MASTER_SET} $REDIS_PASSWORD
sentinel down-after-milliseconds ${MASTER_SET} 5000
sentinel failover-timeout ${MASTER_SET} 60000
sentinel parallel-syncs ${MASTER_SET} 1
CONF
exec redis-sentinel /sentinel/sentinel.conf
`;
}

/**
 * HAProxy configuration behind `redis-sp:6379`: clients go to whichever node answers
 * `role:master`. HAProxy reads `REDIS_PASSWORD` from its environment.
 *
 * @param nodes number of Redis nodes (StatefulSet replicas)
 * @param statefulSet name of the StatefulSet; node `i` is the pod `<statefulSet>-<i>`
 * @param headless DNS domain of the headless Service (`redis-headless.<ns>.svc.cluster.local`)
 */
export function haproxyConfig(nodes: number, statefulSet: string, headless: string): string {
    const servers = Array.from(
        { length: nodes },
        (_, i) =>
            `  server ${statefulSet}-${i} ${statefulSet}-${i}.${headless}:6379 ` +
            "check inter 1s resolvers k8s init-addr none",
    ).join("\n");
    return `global
  maxconn 4096
defaults
  mode tcp
  timeout connect 3s
  timeout client 1h
  timeout server 1h
  timeout check 2s
resolvers k8s
  parse-resolv-conf
  hold valid 5s
frontend redis
  bind :6379
  default_backend master
backend master
  option tcp-check
  tcp-check connect
  tcp-check send AUTH\\ \${REDIS_PASSWORD}\\r\\n
  tcp-check expect string +OK
  tcp-check send info\\ replication\\r\\n
  tcp-check expect string role:master
  tcp-check send QUIT\\r\\n
  tcp-check expect string +OK
${servers}
`;
}
