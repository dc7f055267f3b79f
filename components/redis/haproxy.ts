/**
 * HAProxy's configuration behind `redis-sp:6379`, and the Lua fetch that decides whether it may
 * route at all. Plain text, like components/redis/config.ts, so test/redis/ runs it for real.
 */
import { legacyOf, MASTER_SET, PROXY_CHECK, RedisConfigOptions } from "./config";
import { EXPORTER_PORTS } from "../shared/metrics";

/** Where the proxy's ConfigMap is mounted, and the files in it. */
export const HAPROXY_DIR = "/usr/local/etc/haproxy";
export const HAPROXY_FILES = { config: "haproxy.cfg", lua: "confirmed-master.lua" } as const;
/** Path of the proxy's readiness endpoint, on its `metrics` port. */
export const PROXY_READY_PATH = "/ready";

/**
 * HAProxy configuration behind `redis-sp:6379`. HAProxy reads `REDIS_PASSWORD` from its
 * environment; it expands variables only inside double quotes, so every line that sends the
 * password quotes it.
 *
 * A server passes its check only when both agree that it is the master:
 * - the Sentinel beside it (same pod, port 26379) sees a quorum of Sentinels (`CKQUORUM`) and
 *   names this node as the master: an old master cut off from the Sentinels, still answering
 *   `role:master`, fails here (its own Sentinel either follows the majority or has lost it);
 * - the node itself answers `role:master` (a demoted node fails at once, before Sentinel's
 *   view has propagated).
 * Clients are let in only while exactly one server has passed and a majority of the Sentinels
 * name it (`confirmedMasterLua`, components/redis/confirmed-master.ts);
 * otherwise the connection is closed and the client retries. One failed check takes a server
 * down and closes its sessions (`fall 1`, `shutdown-sessions`); a down server is checked every
 * 250 ms and one pass brings it up (`downinter`, `rise 1`: the check itself is the
 * confirmation), so a promoted node takes clients well within a second.
 *
 * The `metrics` frontend serves HAProxy's Prometheus exporter on `/metrics`
 * (`haproxy_backend_active_servers{proxy="master"}` is 0 while no node passes: the alert
 * SapocheRedisProxyNoMaster) and the readiness endpoint `/ready`: 503 unless clients would be
 * let in. While a legacy instance is configured it is a second backend, used only while no
 * cluster node is the confirmed master.
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
    const confirmed = "{ lua.confirmed_master -m len gt 0 }";
    const legacyBackend = legacy
        ? `
backend legacy
  option tcp-check
  tcp-check connect
${isMaster}
  server legacy ${legacy}:6379 check resolvers k8s init-addr none
`
        : "";
    const routing = legacy
        ? `  use_backend master if ${confirmed}
  default_backend legacy`
        : `  tcp-request content reject if !${confirmed}
  default_backend master`;
    const notReady = legacy ? `!${confirmed} !{ nbsrv(legacy) gt 0 }` : `!${confirmed}`;
    return `global
  maxconn 4096
  lua-load ${HAPROXY_DIR}/${HAPROXY_FILES.lua}
defaults
  mode tcp
  timeout connect 1s
  timeout client 1h
  timeout server 1h
  timeout check ${PROXY_CHECK.timeoutMs}ms
  default-server inter ${PROXY_CHECK.interMs}ms fastinter 250ms downinter 250ms fall 1 rise 1 on-marked-down shutdown-sessions
resolvers k8s
  parse-resolv-conf
  hold valid 5s
frontend redis
  bind :6379
${routing}
frontend metrics
  mode http
  bind :${EXPORTER_PORTS.haproxy}
  timeout client 30s
  http-request return status 503 content-type text/plain string "no confirmed master" if { path ${PROXY_READY_PATH} } ${notReady}
  http-request return status 200 content-type text/plain string "ready" if { path ${PROXY_READY_PATH} }
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
