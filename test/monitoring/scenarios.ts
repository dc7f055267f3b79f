/**
 * Synthetic situations for every alert, written from the stack's own thresholds: for each alert
 * at least one where it must fire and at least one where it must stay quiet (a healthy system,
 * and the nearest miss: below the threshold, or not for long enough).
 */
import { ALERTS, MonitoringThresholds, RuleTargets } from "../../components/monitoring-model";
import type { Scenario, Series } from "./promtool";
import { availabilityScenarios, inputScenarios } from "./scenarios-inputs";
import { queueScenarios } from "./scenarios-queues";
import { redisScenarios } from "./scenarios-redis";
import { after, alternate, scenario, series } from "./series";

function autoscaling(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const hpa = { namespace: t.namespace, horizontalpodautoscaler: "sp-bnkd-php" };
    const atMax = after(th.autoscaling.atMaxFor);
    const replicas = (current: number, max: number): Series[] => [
        series(
            "kube_horizontalpodautoscaler_status_current_replicas",
            hpa,
            `${current}x${atMax + 10}`,
        ),
        series("kube_horizontalpodautoscaler_spec_max_replicas", hpa, `${max}x${atMax + 10}`),
    ];
    const window = after(th.autoscaling.flappingWindow);
    const n = th.autoscaling.flappingChanges;
    // Exactly n changes inside the window: a step every window/(n+1) minutes, then steady.
    const step = Math.max(1, Math.floor(window / (n + 1)));
    const nChanges = Array.from({ length: window + 1 }, (_, i) =>
        Math.min(Math.floor(i / step), n) % 2 === 0 ? 4 : 8,
    ).join(" ");
    const desired = (values: string) => [
        series("kube_horizontalpodautoscaler_status_desired_replicas", hpa, values),
    ];
    const M = ALERTS.autoscalerAtMax;
    const F = ALERTS.autoscalerFlapping;
    return [
        scenario(M, `fires after ${atMax}m at the ceiling`, replicas(20, 20), atMax + 5, [
            { labels: hpa, value: 20 },
        ]),
        scenario(M, "stays quiet one replica below the ceiling", replicas(19, 20), atMax + 5, []),
        scenario(
            M,
            `stays quiet at the ceiling for less than ${atMax}m`,
            replicas(20, 20),
            atMax - 1,
            [],
        ),
        scenario(
            F,
            `fires on a change every minute for ${window}m`,
            desired(alternate(4, 8, window + 1)),
            window,
            [{ labels: hpa }],
        ),
        scenario(
            F,
            `stays quiet at exactly ${n} changes in ${window}m`,
            desired(nChanges),
            window,
            [],
        ),
        ...blockedAndBlind(t, th),
    ];
}

function blockedAndBlind(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const hpa = { namespace: t.namespace, horizontalpodautoscaler: "sp-bnkd-php" };
    const blocked = after(th.autoscaling.blockedFor);
    const n = blocked + 10;
    const wants = (desired: number, current: number): Series[] => [
        series("kube_horizontalpodautoscaler_status_desired_replicas", hpa, `${desired}x${n}`),
        series("kube_horizontalpodautoscaler_status_current_replicas", hpa, `${current}x${n}`),
    ];
    const blind = after(th.autoscaling.metricsMissingFor);
    const condition = (active: string): Series[] =>
        ["true", "false", "unknown"].map((status) =>
            series(
                "kube_horizontalpodautoscaler_status_condition",
                { ...hpa, condition: "ScalingActive", status },
                `${status === active ? 1 : 0}x${blind + 10}`,
            ),
        );
    const B = ALERTS.autoscalerScaleUpBlocked;
    const M = ALERTS.autoscalerMetricsMissing;
    return [
        scenario(
            B,
            `fires when it wants 12 and runs 8 for ${blocked}m`,
            wants(12, 8),
            blocked + 3,
            [{ labels: hpa, value: 12 }],
        ),
        scenario(B, "stays quiet when it runs what it wants", wants(8, 8), blocked + 3, []),
        scenario(B, "stays quiet while it scales down", wants(4, 8), blocked + 3, []),
        scenario(
            B,
            `stays quiet when the scale-up waits less than ${blocked}m`,
            wants(12, 8),
            blocked - 1,
            [],
        ),
        scenario(M, "fires on ScalingActive=false", condition("false"), blind + 3, [
            { labels: { ...hpa, condition: "ScalingActive", status: "false" } },
        ]),
        scenario(M, "stays quiet on ScalingActive=true", condition("true"), blind + 3, []),
    ];
}

function pdf(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const age = after(th.pdf.backlogAgeFor);
    const A = ALERTS.pdfBacklogOld;
    return t.pdfQueues.flatMap((name) => {
        const labels = { namespace: t.namespace, scaledObject: name };
        const depth = (values: string): Series[] => [
            series("keda_scaler_metrics_value", labels, values),
        ];
        const rule = { consumer: name };
        return [
            scenario(
                A,
                `fires for ${name} never below 3 for ${age}m`,
                depth(`3+1x${age + 10}`),
                age + 5,
                [{ labels, value: 8 }],
                rule,
            ),
            scenario(
                A,
                `stays quiet for ${name} when the queue drained once in ${age}m`,
                depth(`5x${age} 0 5x10`),
                age + 5,
                [],
                rule,
            ),
            scenario(
                A,
                `stays quiet for ${name} on a queue younger than ${age}m`,
                depth(`5x${age + 10}`),
                age - 1,
                [],
                rule,
            ),
        ];
    });
}

function orthanc(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const o = th.orthanc;
    const wait = after(o.for);
    const claim = { namespace: t.namespace, persistentvolumeclaim: t.orthancClaim };
    const GiB = 1024 ** 3;
    const cap = 1000 * GiB;
    // Two nodes mount the claim; each kubelet reports the same volume.
    const volume = (available: string, n: number): Series[] =>
        ["node-a", "node-b"].flatMap((node) => [
            series("kubelet_volume_stats_capacity_bytes", { ...claim, node }, `${cap}x${n}`),
            series("kubelet_volume_stats_available_bytes", { ...claim, node }, available),
        ]);
    const free = o.minFreePercent;
    const L = ALERTS.orthancStorageLow;
    const F = ALERTS.orthancStorageFillingUp;
    // 6 h of history, then the alert's wait: the trend window is full at the evaluation time.
    const at = 360 + wait + 5;
    const days = o.fullWithinDays;
    // Falling by this much per minute empties the free space in half the horizon, or twice it.
    const perMinute = (factor: number) => Math.round((0.5 * cap) / (days * 1440 * factor));
    const falling = (factor: number) => `${0.5 * cap}-${perMinute(factor)}x${at + 10}`;
    return [
        scenario(
            L,
            `fires with less than ${free}% free`,
            volume(`${(free - 1) * 10 * GiB}x${wait + 10}`, wait + 10),
            wait + 3,
            [{ labels: claim, value: free - 1 }],
        ),
        scenario(
            L,
            `stays quiet with ${free}% free`,
            volume(`${free * 10 * GiB}x${wait + 10}`, wait + 10),
            wait + 3,
            [],
        ),
        scenario(
            F,
            `fires when the free space runs out within ${days} days`,
            volume(falling(0.5), at + 10),
            at,
            [{ labels: claim }],
        ),
        scenario(
            F,
            `stays quiet when it would last ${2 * days} days`,
            volume(falling(2), at + 10),
            at,
            [],
        ),
        scenario(
            F,
            "stays quiet on a steady volume",
            volume(`${0.5 * cap}x${at + 10}`, at + 10),
            at,
            [],
        ),
    ];
}

function rollouts(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const wait = after(th.rollouts.stuckFor);
    const labels = (status: string) => ({
        namespace: t.namespace,
        deployment: "sp-bnkd-php",
        condition: "Progressing",
        status,
    });
    const condition = (stuck: number): Series[] => [
        series("kube_deployment_status_condition", labels("false"), `${stuck}x${wait + 10}`),
        series("kube_deployment_status_condition", labels("true"), `${1 - stuck}x${wait + 10}`),
    ];
    const A = ALERTS.rolloutStuck;
    return [
        scenario(
            A,
            `fires when a Deployment stopped progressing for ${wait}m`,
            condition(1),
            wait + 3,
            [{ labels: labels("false") }],
        ),
        scenario(A, "stays quiet while Deployments progress", condition(0), wait + 3, []),
    ];
}

/** Every scenario of the rules rendered for these targets and thresholds. */
export function scenarios(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    return [
        ...inputScenarios(t, th),
        ...availabilityScenarios(t, th),
        ...autoscaling(t, th),
        ...queueScenarios(t, th),
        ...pdf(t, th),
        ...redisScenarios(t, th),
        ...orthanc(t, th),
        ...rollouts(t, th),
    ];
}
