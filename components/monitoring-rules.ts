/**
 * The alerting rules of the sapoche namespace, as plain data: a pure function of the targets
 * (which workloads, which names) and the thresholds (stack config), so that the promtool tests
 * render exactly what the program deploys without running Pulumi.
 *
 * Every metric read here is one a real exporter emits (test/monitoring/metric-names.promtool.ts):
 * kube-state-metrics (Deployments, HPAs), the KEDA operator (`keda_scaler_metrics_value`, the
 * queue depth each ScaledObject reads), the kubelet's volume stats, redis_exporter beside each
 * Redis and Sentinel, and HAProxy's Prometheus endpoint. The guards that page when any of these
 * inputs goes silent are derived from the rules themselves (monitoring-guards.ts).
 */
import type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";
import type { IRuleGroup } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup";
import { availabilityRules, inputGuards } from "./monitoring-guards";
import { redisRules } from "./monitoring-redis";
import { ALERTS, MonitoringThresholds, RuleTargets, alert, sel } from "./monitoring-model";

// How far back `deriv` looks to decide a queue is growing: long enough to span several KEDA
// polls (the metric moves in steps), short enough to follow a trend change.
const GROWTH_WINDOW = "10m";
// How far back `predict_linear` fits the free space: long enough to smooth a day's uploads
// into a trend, short enough to follow a change in the clinics' volume.
const STORAGE_TREND_WINDOW = "6h";

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
        // The autoscaler asked for more pods than run: the quota, the scheduler or the nodes
        // refuse them, and load beyond the running pods waits.
        alert(
            t,
            ALERTS.autoscalerScaleUpBlocked,
            "warning",
            `${sel("kube_horizontalpodautoscaler_status_desired_replicas", ns)}\n` +
                `  > on (namespace, horizontalpodautoscaler)\n` +
                sel("kube_horizontalpodautoscaler_status_current_replicas", ns),
            a.blockedFor,
            "Autoscaler {{ $labels.horizontalpodautoscaler }} cannot scale up to what it wants",
            "It wants {{ $value }} replicas and has run fewer for " +
                a.blockedFor +
                ": check the ResourceQuota, pending pods and node capacity.",
        ),
        alert(
            t,
            ALERTS.autoscalerMetricsMissing,
            "warning",
            `${sel("kube_horizontalpodautoscaler_status_condition", {
                ...ns,
                condition: "ScalingActive",
                status: "false",
            })} == 1`,
            a.metricsMissingFor,
            "Autoscaler {{ $labels.horizontalpodautoscaler }} has no metrics (ScalingActive=false)",
            "It cannot compute a replica count and stays where it is, whatever the load.",
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
        // A queue's depth alone cannot tell "nobody consumes" from "consumers work but
        // arrivals are faster" (both grow). What says nothing consumes it is its consumer: no
        // pod of it was available at any moment of the window while messages waited. A growing
        // queue whose consumer runs is QueueBacklogGrowing's. The `offset` term requires a sample
        // from the window's start, so a series younger than the window cannot look stuck.
        alert(
            t,
            ALERTS.queueStuck,
            "critical",
            `(min_over_time(${depth(c.name)}[${q.stuckFor}]) > 0\n` +
                ` and ${depth(c.name)} offset ${q.stuckFor})\n` +
                `unless on (namespace)\n` +
                `  max_over_time(${sel("kube_deployment_status_replicas_available", {
                    namespace: t.namespace,
                    deployment: c.name,
                })}[${q.stuckFor}]) > 0`,
            undefined,
            `Queue of ${c.name} has held messages for ${q.stuckFor} and nothing consumes it`,
            "At least {{ $value }} messages have waited the whole window, and no pod of the " +
                "consumer was available.",
            { consumer: c.name, deployment: c.name },
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
    const p = th.pdf;
    // No workload exports generation times (docs/operations/alerts.md says which metric would):
    // the PDF priority reads what exists, the PDF queues' backlog and the producers' pods.
    const backlog = t.pdfQueues.map((name) => {
        const depth = sel("keda_scaler_metrics_value", {
            namespace: t.namespace,
            scaledObject: name,
        });
        return alert(
            t,
            ALERTS.pdfBacklogOld,
            "warning",
            `min_over_time(${depth}[${p.backlogAgeFor}]) > 0\nand ${depth} offset ${p.backlogAgeFor}`,
            undefined,
            `PDF queue of ${name} has not drained for ${p.backlogAgeFor}`,
            "At least {{ $value }} PDFs were waiting at every moment of the window: reports " +
                "reach patients and clinics late.",
            { consumer: name },
        );
    });
    const workers = availabilityRules(
        t,
        ALERTS.pdfWorkersUnavailable,
        t.pdfWorkloads,
        p.workersUnavailableFor,
        "PDF producer",
    );
    return [...backlog, ...workers];
}

function orthancRules(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    const o = th.orthanc;
    // Every node that mounts the claim reports it: the largest report stands for the volume.
    const volume = (metric: string) =>
        `max by (namespace, persistentvolumeclaim) (${sel(metric, {
            namespace: t.namespace,
            persistentvolumeclaim: t.orthancClaim,
        })})`;
    const available = "kubelet_volume_stats_available_bytes";
    return [
        alert(
            t,
            ALERTS.orthancStorageLow,
            "warning",
            `${volume(available)} * 100\n  / ${volume("kubelet_volume_stats_capacity_bytes")}\n  < ${o.minFreePercent}`,
            o.for,
            `Orthanc's volume {{ $labels.persistentvolumeclaim }} has less than ${o.minFreePercent}% free`,
            "{{ $value }}% free: once it is full, new DICOM studies are refused.",
        ),
        alert(
            t,
            ALERTS.orthancStorageFillingUp,
            "warning",
            `max by (namespace, persistentvolumeclaim) (predict_linear(${sel(available, {
                namespace: t.namespace,
                persistentvolumeclaim: t.orthancClaim,
            })}[${STORAGE_TREND_WINDOW}], ${o.fullWithinDays} * 86400))\n  < 0`,
            o.for,
            `Orthanc's volume {{ $labels.persistentvolumeclaim }} will be full within ${o.fullWithinDays} days`,
            `At the rate of the last ${STORAGE_TREND_WINDOW}, free space runs out within ` +
                `${o.fullWithinDays} days.`,
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
        [
            "services",
            [
                ...availabilityRules(t, ALERTS.serviceDown, t.services, th.services.downFor),
                ...availabilityRules(
                    t,
                    ALERTS.serviceDegraded,
                    t.services,
                    th.services.degradedFor,
                ),
            ],
        ],
        ["autoscaling", autoscalingRules(t, th)],
        ["queues", queueRules(t, th)],
        ["pdf", pdfRules(t, th)],
        ["redis", redisRules(t, th)],
        ["orthanc", orthancRules(t, th)],
        ["rollouts", rolloutRules(t, th)],
    ];
    const alerting = groups.map(([name, rules]) => ({ name: `sapoche.${name}`, rules }));
    return [...alerting, { name: "sapoche.inputs", rules: inputGuards(t, th, alerting) }];
}
