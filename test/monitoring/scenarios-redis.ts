/** Redis scenarios: master, failover, Sentinel quorum, replication, memory, the proxy tier. */
import {
    ALERTS,
    MonitoringThresholds,
    RuleTargets,
    WORKLOAD_LABEL,
} from "../../components/monitoring-model";
import type { Scenario, Series } from "./promtool";
import { after, scenario, series } from "./series";

/** Every Redis scenario. */
export function redisScenarios(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const r = th.redis;
    const ns = t.namespace;
    const A = ALERTS;
    const node = (pod: string) => ({ namespace: ns, [WORKLOAD_LABEL]: t.redis.statefulSet, pod });
    const pods = Array.from({ length: t.redis.nodes }, (_, i) => `${t.redis.statefulSet}-${i}`);
    const [master, ...replicas] = pods;
    const long = 60 + Math.max(...[r.noMasterFor, r.replicationBrokenFor].map(after));
    const set = { master_name: t.redis.masterSet };

    const info = (masters: readonly string[]): Series[] =>
        pods.flatMap((pod) => [
            series("redis_up", node(pod), `1x${long}`),
            series(
                "redis_instance_info",
                { ...node(pod), role: masters.includes(pod) ? "master" : "slave" },
                `1x${long}`,
            ),
        ]);
    const noMaster = after(r.noMasterFor) + 3;
    const split = after(r.twoMastersFor);
    const twoMasters = [master, replicas[0]];

    const window = after(r.failoverWindow);
    const status = (address: string, values: string): Series =>
        series(
            "redis_sentinel_master_status",
            { ...node(master), ...set, master_address: address, master_status: "ok" },
            values,
        );
    const failover = [
        status("10.0.0.1:6379", "1x10"),
        status("10.0.0.2:6379", `_x10 1x${window + 20}`),
    ];

    const quorum = after(r.quorumLostFor);
    const ckquorum = (ok: readonly number[]): Series[] =>
        pods.map((pod, i) =>
            series(
                "redis_sentinel_master_ckquorum_status",
                { ...node(pod), ...set, message: ok[i] ? "OK" : "NOQUORUM" },
                `${ok[i]}x${quorum + 10}`,
            ),
        );

    const broken = after(r.replicationBrokenFor) + 3;
    const replication = (slaves: number, linkUp: number): Series[] => [
        ...info([master]),
        series("redis_connected_slaves", node(master), `${slaves}x${long}`),
        ...replicas.map((pod) => series("redis_master_link_up", node(pod), `${linkUp}x${long}`)),
    ];

    const memFor = after(r.memoryFor);
    const memory = (used: number, max: number): Series[] => [
        series("redis_memory_used_bytes", node(master), `${used}x${memFor + 10}`),
        series("redis_memory_max_bytes", node(master), `${max}x${memFor + 10}`),
    ];

    const proxyFor = after(r.proxyNoMasterFor);
    const proxy = { namespace: ns, [WORKLOAD_LABEL]: t.redis.proxy, pod: `${t.redis.proxy}-0` };
    const backend = (name: string, servers: number): Series[] => [
        series(
            "haproxy_backend_active_servers",
            { ...proxy, proxy: name },
            `${servers}x${proxyFor + 10}`,
        ),
    ];
    const pct = r.memoryPercent;
    return [
        scenario(
            A.redisNoMaster,
            "fires when every node answers as a replica",
            info([]),
            noMaster,
            [{ labels: {} }],
        ),
        scenario(A.redisNoMaster, "stays quiet with one master", info([master]), noMaster, []),
        scenario(
            A.redisNoMaster,
            "stays quiet when no exporter answers (a scrape outage, not Redis)",
            [],
            noMaster,
            [],
        ),
        scenario(
            A.redisTwoMasters,
            `fires when two nodes report role master for ${split}m`,
            info(twoMasters),
            split + 3,
            [{ labels: {}, value: 2 }],
        ),
        scenario(A.redisTwoMasters, "stays quiet with one master", info([master]), split + 3, []),
        scenario(
            A.redisTwoMasters,
            // Sentinel demotes an old master that comes back within about 10 s.
            "stays quiet while the second master lasts less than its for",
            [
                ...info([master]).filter((x) => !x.series.includes(`pod="${replicas[0]}"`)),
                series("redis_up", node(replicas[0]), `1x${long}`),
                // Master from minute 3 for less than the for, then a replica again (`stale`
                // ends a series at once, as a changed label does in a real scrape).
                series(
                    "redis_instance_info",
                    { ...node(replicas[0]), role: "master" },
                    `_x2 1x${split - 1} stale`,
                ),
                series(
                    "redis_instance_info",
                    { ...node(replicas[0]), role: "slave" },
                    `1x2 ${"stale ".repeat(split)}1x${long}`,
                ),
            ],
            // Its last minute as master: pending, not firing.
            3 + split - 1,
            [],
        ),
        scenario(
            A.redisFailover,
            "fires when Sentinel reports a new master address",
            failover,
            12,
            [{ labels: set }],
        ),
        scenario(
            A.redisFailover,
            "stays quiet while the master keeps its address",
            [status("10.0.0.1:6379", `1x${window + 20}`)],
            window + 10,
            [],
        ),
        scenario(
            A.redisFailover,
            `stays quiet ${window}m after the failover`,
            failover,
            10 + window + 5,
            [],
        ),
        scenario(
            A.redisSentinelQuorumLost,
            "fires when no Sentinel reaches a quorum",
            ckquorum(pods.map(() => 0)),
            quorum + 3,
            [{ labels: set }],
        ),
        scenario(
            A.redisSentinelQuorumLost,
            "stays quiet while one Sentinel reaches it",
            ckquorum(pods.map((_, i) => (i === 0 ? 1 : 0))),
            quorum + 3,
            [],
        ),
        scenario(
            A.redisReplicationBroken,
            "fires when replicas lose their master link",
            replication(replicas.length, 0),
            broken,
            replicas.map((pod) => ({ labels: node(pod) })),
        ),
        scenario(
            A.redisReplicationBroken,
            "fires when the master has too few replicas",
            replication(replicas.length - 1, 1),
            broken,
            [{ labels: { namespace: ns, pod: master } }],
        ),
        scenario(
            A.redisReplicationBroken,
            "stays quiet with every replica linked",
            replication(replicas.length, 1),
            broken,
            [],
        ),
        scenario(
            A.redisMemoryNearLimit,
            `fires above ${pct}% of maxmemory`,
            memory(pct + 1, 100),
            memFor + 3,
            [{ labels: node(master), value: pct + 1 }],
        ),
        scenario(
            A.redisMemoryNearLimit,
            `stays quiet below ${pct}%`,
            memory(pct - 1, 100),
            memFor + 3,
            [],
        ),
        scenario(
            A.redisMemoryNearLimit,
            "stays quiet without a maxmemory",
            memory(1e9, 0),
            memFor + 3,
            [],
        ),
        scenario(
            A.redisProxyNoMaster,
            "fires when the proxy's backend has no server up",
            backend(t.redis.proxyBackend, 0),
            proxyFor + 3,
            [{ labels: { ...proxy, proxy: t.redis.proxyBackend } }],
        ),
        scenario(
            A.redisProxyNoMaster,
            "stays quiet with the master up",
            backend(t.redis.proxyBackend, 1),
            proxyFor + 3,
            [],
        ),
        scenario(
            A.redisProxyNoMaster,
            "stays quiet for another backend with no server",
            backend("stats", 0),
            proxyFor + 3,
            [],
        ),
    ];
}
