/**
 * Scenarios of the guards and of availability: every input an alert reads is removed in turn
 * (its guard, and only the guards of what went, must fire), our scrape targets go down, and
 * user-facing Deployments and PDF producers lose pods.
 */
import { selectors } from "../../components/monitoring-guards";
import { ALERTS, MonitoringThresholds, RuleTargets } from "../../components/monitoring-model";
import { renderRuleGroups } from "../../components/monitoring-rules";
import type { Scenario, Series } from "./promtool";
import { after, scenario, series } from "./series";

/** The labels of a guard's `absent(metric{...})`: its metric and equality matchers. */
function absentOf(expr: string): { metric: string; labels: Record<string, string> } {
    const [s] = selectors(expr);
    return {
        metric: s.metric,
        labels: Object.fromEntries(s.matchers.map(([k, [v]]) => [k, v])),
    };
}

const covers = (labels: Record<string, string>, of: Record<string, string>) =>
    Object.entries(labels).every(([k, v]) => of[k] === v);

/** For every guard: the series go that it watches, and it fires; with all present, none. */
export function inputScenarios(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const A = ALERTS.alertInputAbsent;
    const wait = after(th.inputs.absentFor);
    const n = wait + 10;
    const guards = renderRuleGroups(t, th)
        .flatMap((g) => g.rules ?? [])
        .filter((r) => r.alert === A)
        .map((r) => ({ expr: String(r.expr), ...absentOf(String(r.expr)) }));
    // One series per guard, labelled as an exporter would (plus a label no guard names).
    const healthy = guards.map((g) => ({
        metric: g.metric,
        labels: { ...g.labels, instance: "exporter:8080" },
    }));
    const input = (kept: typeof healthy): Series[] =>
        kept.map((h) => series(h.metric, h.labels, `1x${n}`));
    const quiet = {
        ...scenario(A, "stays quiet while every input reports", input(healthy), wait + 3, []),
        ruleExpr: guards[0].expr,
    };
    return [
        quiet,
        ...guards.map((g) => {
            const kept = healthy.filter(
                (h) => h.metric !== g.metric || !covers(g.labels, h.labels),
            );
            // Removing these series can silence a broader guard of the same metric too.
            const firing = guards.filter(
                (o) => !kept.some((h) => h.metric === o.metric && covers(o.labels, h.labels)),
            );
            return {
                ...scenario(
                    A,
                    `fires when ${g.metric}${JSON.stringify(g.labels)} is gone`,
                    input(kept),
                    wait + 3,
                    firing.map((o) => ({ labels: o.labels })),
                ),
                ruleExpr: g.expr,
            };
        }),
        ...scrapeTargets(t, th),
    ];
}

function scrapeTargets(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const D = ALERTS.scrapeTargetDown;
    const wait = after(th.inputs.targetDownFor);
    return [t.redis.statefulSet, t.redis.proxy].flatMap((workload) => {
        const labels = {
            namespace: t.namespace,
            app_kubernetes_io_name: workload,
            pod: `${workload}-0`,
        };
        const up = (v: number) => [series("up", labels, `${v}x${wait + 10}`)];
        const rule = { input: workload };
        return [
            scenario(
                D,
                `fires when ${workload}'s exporter does not answer`,
                up(0),
                wait + 3,
                [{ labels }],
                rule,
            ),
            scenario(
                D,
                `stays quiet while ${workload}'s exporter answers`,
                up(1),
                wait + 3,
                [],
                rule,
            ),
        ];
    });
}

/** Service and PDF producer availability: none available, fewer than needed, all there. */
export function availabilityScenarios(t: RuleTargets, th: MonitoringThresholds): Scenario[] {
    const deployments = (names: readonly string[], available: number, spec: number, n: number) =>
        names.flatMap((deployment) => [
            series(
                "kube_deployment_status_replicas_available",
                { namespace: t.namespace, deployment },
                `${available}x${n}`,
            ),
            series(
                "kube_deployment_spec_replicas",
                { namespace: t.namespace, deployment },
                `${spec}x${n}`,
            ),
        ]);
    const each = (names: readonly string[], value?: number) =>
        names.map((deployment) => ({ labels: { namespace: t.namespace, deployment }, value }));
    const down = after(th.services.downFor);
    const degraded = after(th.services.degradedFor);
    const pdf = after(th.pdf.workersUnavailableFor);
    const S = t.services;
    const P = t.pdfWorkloads;
    const { serviceDown: D, serviceDegraded: G, pdfWorkersUnavailable: W } = ALERTS;
    return [
        scenario(
            D,
            "fires for every service with no available pod",
            deployments(S, 0, 2, down + 10),
            down + 3,
            each(S),
        ),
        scenario(
            D,
            "stays quiet with one pod of two",
            deployments(S, 1, 2, down + 10),
            down + 3,
            [],
        ),
        scenario(
            D,
            "stays quiet for a service scaled to zero",
            deployments(S, 0, 0, down + 10),
            down + 3,
            [],
        ),
        scenario(D, `stays quiet before ${down}m`, deployments(S, 0, 2, down + 10), down - 1, []),
        scenario(
            G,
            "fires for every service with fewer pods than its spec",
            deployments(S, 1, 2, degraded + 10),
            degraded + 3,
            each(S, 1),
        ),
        scenario(
            G,
            "stays quiet with every pod available",
            deployments(S, 2, 2, degraded + 10),
            degraded + 3,
            [],
        ),
        scenario(
            W,
            "fires for every PDF producer missing a pod",
            deployments(P, 1, 3, pdf + 10),
            pdf + 3,
            each(P, 1),
        ),
        scenario(
            W,
            "stays quiet with every PDF producer at its spec",
            deployments(P, 3, 3, pdf + 10),
            pdf + 3,
            [],
        ),
    ];
}
