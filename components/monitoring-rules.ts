/**
 * The alerting rules of the sapoche namespace, as plain data: a pure function of the targets
 * (which workloads, which names) and the thresholds (stack config), so that the promtool tests
 * render exactly what the program deploys without running Pulumi.
 *
 * Metric sources (see README, "Monitoring and alerts"): kube-state-metrics (Deployments, HPAs),
 * the KEDA operator (`keda_scaler_metrics_value`, the queue depth each ScaledObject reads),
 * redis_exporter next to each Redis and Sentinel, HAProxy's Prometheus endpoint, Orthanc's
 * `/tools/metrics-prometheus`, and the PDF histogram the application is assumed to export.
 */
import type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";
import type { IRuleGroup } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup";
import {
    ALERTS,
    MonitoringThresholds,
    PDF_HISTOGRAM,
    RuleTargets,
    WORKLOAD_LABEL,
    alert,
    sel,
} from "./monitoring-model";

// How far back `deriv` looks to decide a queue is growing: long enough to span several KEDA
// polls (the metric moves in steps), short enough to follow a trend change.
const GROWTH_WINDOW = "10m";
// The window of the PDF rate: several scrapes, so one slow job does not make a percentile.
const RATE_WINDOW = "5m";

function autoscalingRules(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    const ns = { namespace: t.namespace };
    const a = th.autoscaling;
    return [
        alert(
            t,
            ALERTS.autoscalerAtMax,
            "warning",
            `${sel("kube_horizontalpodautoscaler_status_current_replicas", ns)}\n` +
                `  >= on (namespace, horizontalpodautoscaler)\n` +
                sel("kube_horizontalpodautoscaler_spec_max_replicas", ns),
            a.atMaxFor,
            "Autoscaler {{ $labels.horizontalpodautoscaler }} has been at its maximum for " +
                a.atMaxFor,
            "{{ $labels.horizontalpodautoscaler }} runs {{ $value }} replicas, its ceiling: load " +
                "beyond it queues up or is refused.",
        ),
        alert(
            t,
            ALERTS.autoscalerFlapping,
            "warning",
            `changes(${sel("kube_horizontalpodautoscaler_status_desired_replicas", ns)}[${a.flappingWindow}])\n` +
                `  > ${a.flappingChanges}`,
            undefined,
            `Autoscaler {{ $labels.horizontalpodautoscaler }} changed its target more than ` +
                `${a.flappingChanges} times in ${a.flappingWindow}`,
            "Desired replicas keep changing: pods start and stop without settling.",
        ),
    ];
}

function queueRules(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    const q = th.queues;
    const depth = (name: string) =>
        sel("keda_scaler_metrics_value", { namespace: t.namespace, scaledObject: name });
    const perConsumer = t.kedaConsumers.flatMap((c) => [
        alert(
            t,
            ALERTS.queueBacklogGrowing,
            "warning",
            `${depth(c.name)} > ${c.queueThreshold}\n` +
                `and deriv(${depth(c.name)}[${GROWTH_WINDOW}]) > 0`,
            q.growingFor,
            `Queue of ${c.name} is above ${c.queueThreshold} messages and still growing`,
            "{{ $value }} messages waiting; the consumer's autoscaler is not keeping up.",
            { consumer: c.name },
        ),
        // The depth gauge alone tells "nothing is consumed" from "consumers keep up": a queue
        // being worked drops at least once between samples; one that never drops in the whole
        // window while holding messages is not being consumed (`resets` counts those drops).
        // The `offset` term requires a sample from the window's start, so a series younger than
        // the window (new consumer, Prometheus restart) cannot look stuck.
        alert(
            t,
            ALERTS.queueStuck,
            "critical",
            `min_over_time(${depth(c.name)}[${q.stuckFor}]) > 0\n` +
                `and resets(${depth(c.name)}[${q.stuckFor}]) == 0\n` +
                `and ${depth(c.name)} offset ${q.stuckFor}`,
            undefined,
            `Queue of ${c.name} has held messages for ${q.stuckFor} without being consumed`,
            "At least {{ $value }} messages have waited the whole window; the depth never dropped.",
            { consumer: c.name },
        ),
    ]);
    const unavailable = alert(
        t,
        ALERTS.criticalConsumerUnavailable,
        "critical",
        `${sel("kube_deployment_status_replicas_available", {
            namespace: t.namespace,
            deployment: t.criticalConsumers,
        })} == 0`,
        q.unavailableFor,
        "Critical consumer {{ $labels.deployment }} has no available pod",
        "Its queue (results, imaging, orders or bookings) is not processed at all.",
    );
    // An empty list would render `deployment=~""`, which matches series without the label.
    return t.criticalConsumers.length > 0 ? [...perConsumer, unavailable] : perConsumer;
}

function pdfRules(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    if (t.pdfWorkloads.length === 0) return [];
    const buckets = sel(`${PDF_HISTOGRAM}_bucket`, {
        namespace: t.namespace,
        [WORKLOAD_LABEL]: t.pdfWorkloads,
    });
    return [
        alert(
            t,
            ALERTS.pdfGenerationSlow,
            "warning",
            `histogram_quantile(0.95,\n` +
                `  sum by (le, ${WORKLOAD_LABEL}) (rate(${buckets}[${RATE_WINDOW}]))\n` +
                `) > ${th.pdf.p95Seconds}`,
            th.pdf.for,
            `PDF generation in {{ $labels.${WORKLOAD_LABEL} }} is slow (p95 above ${th.pdf.p95Seconds}s)`,
            "Reports and results reach patients and clinics late.",
        ),
    ];
}

function redisRules(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    const r = th.redis;
    const node = { namespace: t.namespace, [WORKLOAD_LABEL]: t.redis.statefulSet };
    const master = sel("redis_instance_info", { ...node, role: "master" });
    const sentinel = { ...node, master_name: t.redis.masterSet };
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
        ),
        alert(
            t,
            ALERTS.redisSentinelQuorumLost,
            "critical",
            `max by (master_name) (${sel("redis_sentinel_master_ckquorum_status", sentinel)}) == 0`,
            r.quorumLostFor,
            "No Sentinel can reach a quorum: the next master loss will not fail over",
            "SENTINEL CKQUORUM fails on every Sentinel that answers.",
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

function orthancRules(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    const o = th.orthanc;
    // Orthanc reports the size it uses in MiB ("MB" of 1024 * 1024 bytes), not what is free.
    const usedLimitMb = Math.floor((o.storageCapacityGi * 1024 * (100 - o.minFreePercent)) / 100);
    return [
        alert(
            t,
            ALERTS.orthancStorageLow,
            "warning",
            `max by (namespace) (${sel("orthanc_disk_size_mb", {
                namespace: t.namespace,
                [WORKLOAD_LABEL]: t.orthanc,
            })}) > ${usedLimitMb}`,
            o.for,
            `Orthanc storage has less than ${o.minFreePercent}% of ${o.storageCapacityGi}Gi free`,
            "Once it is full, new DICOM studies are refused.",
        ),
    ];
}

function rolloutRules(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    return [
        alert(
            t,
            ALERTS.rolloutStuck,
            "warning",
            `${sel("kube_deployment_status_condition", {
                namespace: t.namespace,
                condition: "Progressing",
                status: "false",
            })} == 1`,
            th.rollouts.stuckFor,
            "Rollout of {{ $labels.deployment }} stopped progressing",
            "The Deployment exceeded its progress deadline: new pods do not become ready.",
        ),
    ];
}

/** The rule groups of the namespace's PrometheusRule, one per monitoring priority. */
export function renderRuleGroups(t: RuleTargets, th: MonitoringThresholds): IRuleGroup[] {
    const groups: [string, IRule[]][] = [
        ["autoscaling", autoscalingRules(t, th)],
        ["queues", queueRules(t, th)],
        ["pdf", pdfRules(t, th)],
        ["redis", redisRules(t, th)],
        ["orthanc", orthancRules(t, th)],
        ["rollouts", rolloutRules(t, th)],
    ];
    return groups.map(([name, rules]) => ({ name: `sapoche.${name}`, rules }));
}
