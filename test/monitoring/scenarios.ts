/**
 * Synthetic situations for every alert, written from the stack's own thresholds: for each alert
 * at least one where it must fire and at least one where it must stay quiet (a healthy system,
 * and the nearest miss: below the threshold, or not for long enough).
 */
import {
    ALERTS,
    MonitoringThresholds,
    PDF_HISTOGRAM,
    RuleTargets,
    WORKLOAD_LABEL,
} from "../../components/monitoring-model";
import type { Scenario, Series } from "./promtool";
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
    ];
}

function pdf(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const p = th.pdf.p95Seconds;
    const wait = after(th.pdf.for);
    const bounds = [p / 2, p, 2 * p, 4 * p].map(String);
    // Every job of the minute lands in one bucket: below p/2 (fast) or between 2p and 4p (slow).
    const histogram = (firstFilled: number): Series[] =>
        t.pdfWorkloads.flatMap((w) =>
            [...bounds, "+Inf"].map((le, i) =>
                series(
                    `${PDF_HISTOGRAM}_bucket`,
                    { namespace: t.namespace, [WORKLOAD_LABEL]: w, pod: `${w}-0`, le },
                    `0+${i >= firstFilled ? 10 : 0}x${wait + 20}`,
                ),
            ),
        );
    const A = ALERTS.pdfGenerationSlow;
    const slow = t.pdfWorkloads.map((w) => ({ labels: { [WORKLOAD_LABEL]: w } }));
    return [
        scenario(
            A,
            `fires when p95 is above ${p}s in every PDF workload`,
            histogram(3),
            wait + 10,
            slow,
        ),
        scenario(A, `stays quiet when PDFs take under ${p / 2}s`, histogram(0), wait + 10, []),
    ];
}

function orthanc(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const o = th.orthanc;
    const wait = after(o.for);
    const limit = Math.floor((o.storageCapacityGi * 1024 * (100 - o.minFreePercent)) / 100);
    // Every replica reports the same store; the rule takes the largest.
    const used = (mb: number): Series[] =>
        [0, 1].map((i) =>
            series(
                "orthanc_disk_size_mb",
                { namespace: t.namespace, [WORKLOAD_LABEL]: t.orthanc, pod: `${t.orthanc}-${i}` },
                `${mb}x${wait + 10}`,
            ),
        );
    const A = ALERTS.orthancStorageLow;
    const free = o.minFreePercent;
    return [
        scenario(A, `fires with less than ${free}% free`, used(limit + 1), wait + 3, [
            { labels: { namespace: t.namespace } },
        ]),
        scenario(A, `stays quiet with ${free}% free`, used(limit), wait + 3, []),
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
        ...autoscaling(t, th),
        ...queueScenarios(t, th),
        ...pdf(t, th),
        ...redisScenarios(t, th),
        ...orthanc(t, th),
        ...rollouts(t, th),
    ];
}
