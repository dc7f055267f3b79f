/** Queue scenarios: KEDA backlogs growing or stuck, critical consumers without pods. */
import { ALERTS, MonitoringThresholds, RuleTargets } from "../../components/monitoring-model";
import type { Scenario, Series } from "./promtool";
import { after, scenario, series } from "./series";

function perKedaConsumer(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const growing = after(th.queues.growingFor);
    const stuck = after(th.queues.stuckFor);
    const G = ALERTS.queueBacklogGrowing;
    const S = ALERTS.queueStuck;
    return t.kedaConsumers.flatMap(({ name, queueThreshold: q }) => {
        const labels = { namespace: t.namespace, scaledObject: name };
        const depth = (values: string): Series[] => [
            series("keda_scaler_metrics_value", labels, values),
        ];
        const rule = { consumer: name };
        // Its Deployment's available pods: `value` throughout, or from minute `from` on.
        const consumer = (value: number, from?: number): Series[] => [
            series(
                "kube_deployment_status_replicas_available",
                { namespace: t.namespace, deployment: name },
                from === undefined ? `${value}x${stuck + 10}` : `${value}x${from} 1x10`,
            ),
        ];
        const at = growing + 12;
        const n = at + 10;
        return [
            scenario(
                G,
                `fires for ${name} above ${q} and growing for ${growing}m`,
                depth(`${q + 1}+1x${n}`),
                at,
                [{ labels, value: q + 1 + at }],
                rule,
            ),
            scenario(
                G,
                `stays quiet for ${name} above ${q} but draining`,
                depth(`${q * 10}-1x${n}`),
                at,
                [],
                rule,
            ),
            scenario(
                G,
                `stays quiet for ${name} growing but never above ${q}`,
                depth(`0+${q / (n + 1)}x${n}`),
                at,
                [],
                rule,
            ),
            scenario(
                S,
                `fires for ${name} holding 5 messages for ${stuck}m with no consumer pod`,
                [...depth(`5x${stuck + 10}`), ...consumer(0)],
                stuck + 5,
                [{ labels, value: 5 }],
                rule,
            ),
            scenario(
                S,
                `stays quiet for ${name} growing steadily while its consumer works`,
                [...depth(`5+3x${stuck + 10}`), ...consumer(1)],
                stuck + 5,
                [],
                rule,
            ),
            scenario(
                S,
                `stays quiet for ${name} when a consumer pod came back within ${stuck}m`,
                [...depth(`5x${stuck + 10}`), ...consumer(0, stuck)],
                stuck + 5,
                [],
                rule,
            ),
            scenario(
                S,
                `stays quiet for ${name} on a queue younger than ${stuck}m`,
                [...depth(`5x${stuck + 10}`), ...consumer(0)],
                stuck - 1,
                [],
                rule,
            ),
            scenario(
                S,
                `stays quiet for ${name} on an empty queue`,
                [...depth(`0x${stuck + 10}`), ...consumer(0)],
                stuck + 5,
                [],
                rule,
            ),
        ];
    });
}

function criticalConsumers(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const U = ALERTS.criticalConsumerUnavailable;
    const wait = after(th.queues.unavailableFor);
    const available = (names: readonly string[], value: number): Series[] =>
        names.map((deployment) =>
            series(
                "kube_deployment_status_replicas_available",
                { namespace: t.namespace, deployment },
                `${value}x${wait + 10}`,
            ),
        );
    const all = t.criticalConsumers;
    const expected = all.map((deployment) => ({ labels: { namespace: t.namespace, deployment } }));
    return [
        scenario(
            U,
            "fires for every critical consumer with no available pod",
            available(all, 0),
            wait + 3,
            expected,
        ),
        scenario(
            U,
            "stays quiet while every critical consumer has a pod",
            available(all, 1),
            wait + 3,
            [],
        ),
        scenario(
            U,
            "stays quiet for a consumer that is not critical",
            available(["consumer-not-critical"], 0),
            wait + 3,
            [],
        ),
        scenario(
            U,
            `stays quiet before ${wait}m without pods`,
            available(all, 0),
            Math.max(0, wait - 1),
            [],
        ),
    ];
}

/** Every queue scenario. */
export function queueScenarios(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    return [...perKedaConsumer(t, th), ...criticalConsumers(t, th)];
}
