/**
 * The inhibition rules of the namespace's AlertmanagerConfig: one incident pages once. A pure
 * function of the rendered rule groups, so the rules and their inhibitions cannot drift apart and
 * the tests run exactly what the program deploys.
 *
 * Alertmanager mutes a target alert while a source alert fires whose `equal` labels have the same
 * values; a label missing on both sides counts as equal, so every rule here names, in `equal`, the
 * labels that say which object the incident is about, and both sides carry them. The operator adds
 * `namespace="<this namespace>"` to both sides (an AlertmanagerConfig only acts on its namespace's
 * alerts), which is why every alert carries a `namespace` label (monitoring-model.ts).
 */
import type { IInhibitRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/InhibitRule";
import type { IRuleGroup } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup";
import { selectors } from "./monitoring-guards";
import { ALERTS, AlertName, RuleTargets, WORKLOAD_LABEL } from "./monitoring-model";

/** One incident seen by two alerts: while `source` fires, `targets` about the same object are muted. */
interface Pair {
    readonly source: AlertName;
    readonly sourceLabels?: Record<string, string>;
    readonly targets: readonly AlertName[];
    readonly equal: readonly string[];
}

/**
 * The pairs, each with why the muted alert adds nothing while the source fires. Severity never
 * drops silently: a warning mutes a critical only where another critical still pages the incident.
 */
function pairs(t: RuleTargets): Pair[] {
    return [
        // A Deployment with no available pod also runs fewer than its spec: the critical says it.
        {
            source: ALERTS.serviceDown,
            targets: [ALERTS.serviceDegraded],
            equal: ["namespace", "deployment"],
        },
        // A critical consumer with no pod pages after `queues.unavailableFor`; its queue then
        // looks stuck and its PDF producer unavailable: the same outage, later.
        {
            source: ALERTS.criticalConsumerUnavailable,
            targets: [ALERTS.queueStuck, ALERTS.pdfWorkersUnavailable],
            equal: ["namespace", "deployment"],
        },
        // A queue nothing consumes keeps growing and never drains.
        {
            source: ALERTS.queueStuck,
            targets: [ALERTS.queueBacklogGrowing, ALERTS.pdfBacklogOld],
            equal: ["namespace", "consumer"],
        },
        // No redis-proxy pod Ready at all: every client of redis-sp is refused, whatever the
        // cause. Its runbook starts from the proxies' own check (RedisProxyNoMaster's metric).
        {
            source: ALERTS.serviceDown,
            sourceLabels: { deployment: t.redis.proxy },
            targets: [ALERTS.redisProxyNoMaster],
            equal: ["namespace"],
        },
        // What clients feel pages (redis-sp refuses them); no master and the replicas' lost
        // links are its cause, in its runbook.
        {
            source: ALERTS.redisProxyNoMaster,
            targets: [ALERTS.redisNoMaster, ALERTS.redisReplicationBroken],
            equal: ["namespace"],
        },
        // The master's exporter not answering makes "no node reports master" true without any
        // Redis failing. A real loss of the master still pages through RedisProxyNoMaster,
        // HAProxy's own role check on another scrape target.
        {
            source: ALERTS.scrapeTargetDown,
            sourceLabels: { input: t.redis.statefulSet },
            targets: [ALERTS.redisNoMaster],
            equal: ["namespace", WORKLOAD_LABEL],
        },
    ];
}

const eq = (name: string, value: string) => ({ name, value, matchType: "=" });
const oneOf = (name: string, values: readonly string[]) =>
    values.length === 1 ? eq(name, values[0]) : { name, value: values.join("|"), matchType: "=~" };

/**
 * While an input is absent (`SapocheAlertInputAbsent`, which pages), the alerts reading that input
 * about the same object are blind or, where they read it under `unless`, wrong: they are muted.
 * Derived from the guards, which are derived from the rules: one inhibition per metric and set
 * of object labels, with the guard's object labels as `equal`.
 */
function inputInhibitions(groups: readonly IRuleGroup[]): IInhibitRule[] {
    const rules = groups.flatMap((g) => g.rules ?? []);
    const guards = rules.filter((r) => r.alert === ALERTS.alertInputAbsent);
    const alerting = rules.filter((r) => r.alert !== ALERTS.alertInputAbsent);
    const byInput = new Map<string, { metric: string; equal: string[]; targets: Set<string> }>();
    for (const guard of guards) {
        const [s] = selectors(String(guard.expr));
        const object = new Map(s.matchers.map(([k, [v]]) => [k, v]));
        const readers = alerting.filter((r) =>
            selectors(String(r.expr)).some(
                (x) =>
                    x.metric === s.metric &&
                    [...object].every(([k, v]) =>
                        x.matchers.some(([xk, xv]) => xk === k && xv.includes(v)),
                    ),
            ),
        );
        const equal = [...object.keys()].sort();
        const key = `${s.metric}/${equal.join(",")}`;
        const entry = byInput.get(key) ?? { metric: s.metric, equal, targets: new Set() };
        for (const r of readers) entry.targets.add(String(r.alert));
        byInput.set(key, entry);
    }
    return [...byInput.values()]
        .filter((e) => e.targets.size > 0)
        .map((e) => ({
            sourceMatch: [eq("alertname", ALERTS.alertInputAbsent), eq("input", e.metric)],
            targetMatch: [oneOf("alertname", [...e.targets].sort())],
            equal: e.equal,
        }));
}

/** The namespace's inhibition rules for these rendered groups. */
export function renderInhibitRules(t: RuleTargets, groups: readonly IRuleGroup[]): IInhibitRule[] {
    const rendered = new Set(groups.flatMap((g) => (g.rules ?? []).map((r) => String(r.alert))));
    const paired = pairs(t)
        .map((p) => ({ ...p, targets: p.targets.filter((a) => rendered.has(a)) }))
        .filter((p) => rendered.has(p.source) && p.targets.length > 0)
        .map((p): IInhibitRule => ({
            sourceMatch: [
                eq("alertname", p.source),
                ...Object.entries(p.sourceLabels ?? {}).map(([k, v]) => eq(k, v)),
            ],
            targetMatch: [oneOf("alertname", p.targets)],
            equal: [...p.equal],
        }));
    return [...paired, ...inputInhibitions(groups)];
}
