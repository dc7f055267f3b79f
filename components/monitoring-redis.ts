/**
 * The Redis tier's alerting rules: master, failover, Sentinel quorum, replication, memory, and
 * the redis-sp proxy tier. Metric names are redis_exporter's and HAProxy's own, checked against
 * a scrape of the real processes (test/monitoring/metric-names.promtool.ts).
 */
import type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";
import {
    ALERTS,
    MonitoringThresholds,
    RuleTargets,
    WORKLOAD_LABEL,
    alert,
    sel,
} from "./monitoring-model";

/** The Redis rules for these targets and thresholds. */
export function redisRules(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    const r = th.redis;
    const node = { namespace: t.namespace, [WORKLOAD_LABEL]: t.redis.statefulSet };
    const master = sel("redis_instance_info", { ...node, role: "master" });
    const sentinel = { ...node, master_name: t.redis.masterSet };
    // These three aggregate the workload's series away: the label says which workload they are
    // about, for the inhibitions that must match them to their scrape and input guards.
    const workload = { [WORKLOAD_LABEL]: t.redis.statefulSet };
    return [
        // Exporters answer (so this is not a scrape outage) but no node says it is the master.
        alert(
            t,
            ALERTS.redisNoMaster,
            "critical",
            `count(${sel("redis_up", node)}) > 0\nunless on () ${master}`,
            r.noMasterFor,
            "Redis has no master",
            "No Redis node reports role master: writes to redis-sp fail and job queues stop.",
            workload,
        ),
        // A split: a node Sentinel did not demote still accepts writes beside the master the
        // quorum names, and whatever it acknowledges is discarded when it is made a replica.
        alert(
            t,
            ALERTS.redisTwoMasters,
            "critical",
            `count(${master}) > 1`,
            r.twoMastersFor,
            "{{ $value }} Redis nodes report role master",
            "More than one Redis node reports role master: writes that reach the one Sentinel " +
                "does not name are lost when it is demoted. redis-sp routes only to the one a " +
                "quorum of Sentinels names.",
            workload,
        ),
        // Sentinel reports the master's address; two addresses within the window mean it moved.
        alert(
            t,
            ALERTS.redisFailover,
            "info",
            `count by (master_name) (\n` +
                `  count by (master_name, master_address) (last_over_time(${sel("redis_sentinel_master_status", sentinel)}[${r.failoverWindow}]))\n` +
                `) > 1`,
            undefined,
            "Redis failed over within the last " + r.failoverWindow,
            "Sentinel promoted a new master; check why the old one was lost.",
            workload,
        ),
        alert(
            t,
            ALERTS.redisSentinelQuorumLost,
            "critical",
            `max by (master_name) (${sel("redis_sentinel_master_ckquorum_status", sentinel)}) == 0`,
            r.quorumLostFor,
            "No Sentinel can reach a quorum: the next master loss will not fail over",
            "SENTINEL CKQUORUM fails on every Sentinel that answers.",
            workload,
        ),
        alert(
            t,
            ALERTS.redisReplicationBroken,
            "warning",
            `${sel("redis_master_link_up", node)} == 0\n` +
                `or (max by (namespace, pod) (${sel("redis_connected_slaves", node)})\n` +
                `    and on (namespace, pod) ${master}) < ${t.redis.nodes - 1}`,
            r.replicationBrokenFor,
            "Redis replication is broken on {{ $labels.pod }}",
            "A replica lost its master link, or the master has fewer than " +
                `${t.redis.nodes - 1} replicas: a failover now could lose writes.`,
        ),
        alert(
            t,
            ALERTS.redisMemoryNearLimit,
            "warning",
            `${sel("redis_memory_used_bytes", node)}\n  / (${sel("redis_memory_max_bytes", node)} > 0) * 100 > ${r.memoryPercent}`,
            r.memoryFor,
            `Redis on {{ $labels.pod }} uses more than ${r.memoryPercent}% of maxmemory`,
            "{{ $value }}% used: at the limit Redis evicts keys or refuses writes.",
        ),
        alert(
            t,
            ALERTS.redisProxyNoMaster,
            "critical",
            `${sel("haproxy_backend_active_servers", {
                namespace: t.namespace,
                [WORKLOAD_LABEL]: t.redis.proxy,
                proxy: t.redis.proxyBackend,
            })} == 0`,
            r.proxyNoMasterFor,
            "redis-sp proxy {{ $labels.pod }} has no master to send clients to",
            "No backend server passes the role:master check: clients of redis-sp are refused.",
        ),
    ];
}
