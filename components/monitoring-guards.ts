/**
 * Rules that watch the other rules' inputs and the workloads' availability: the guards that page
 * when a series an alert reads goes silent (derived from the rendered expressions, so a new rule
 * is guarded without anyone writing its guard), our own scrape jobs' `up`, and the availability
 * of a list of Deployments (available replicas below what they need).
 */
import type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";
import type { IRuleGroup } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup";
import {
    ALERTS,
    AlertName,
    Duration,
    MonitoringThresholds,
    RuleTargets,
    WORKLOAD_LABEL,
    alert,
    sel,
} from "./monitoring-model";

/**
 * Labels that say which object a series is about. A guard keeps these and drops the ones that
 * describe a state (`role`, `condition`, `status`): a master that is missing is RedisNoMaster's
 * business, a series that is missing is the guard's.
 */
const IDENTITY = new Set([
    "namespace",
    "deployment",
    "horizontalpodautoscaler",
    "scaledObject",
    "persistentvolumeclaim",
    "master_name",
    "proxy",
    WORKLOAD_LABEL,
]);

/** One selector of an expression: the metric and its equality or alternation matchers. */
interface Selector {
    readonly metric: string;
    readonly matchers: readonly [string, string[]][];
}

/** Every `metric{...}` of a PromQL expression (this module's `sel` writes all of them). */
export function selectors(expr: string): Selector[] {
    return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map((m) => ({
        metric: m[1],
        matchers: [...m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)(=~|=)"([^"]*)"/g)].map(
            (x): [string, string[]] => [x[1], x[2] === "=~" ? x[3].split("|") : [x[3]]],
        ),
    }));
}

/**
 * `absent()` of every series the alerts read, one guard per object (an alternation of names
 * becomes one guard per name, so a single Deployment or ScaledObject going silent pages too).
 */
export function inputGuards(
    t: RuleTargets,
    th: MonitoringThresholds,
    groups: readonly IRuleGroup[],
): IRule[] {
    const guards = new Map<string, IRule>();
    for (const rule of groups.flatMap((g) => g.rules ?? [])) {
        for (const s of selectors(String(rule.expr))) {
            let variants: Record<string, string>[] = [{}];
            for (const [key, values] of s.matchers.filter(([k]) => IDENTITY.has(k))) {
                variants = variants.flatMap((v) => values.map((value) => ({ ...v, [key]: value })));
            }
            for (const matchers of variants) {
                const expr = `absent(${sel(s.metric, matchers)})`;
                if (guards.has(expr)) continue;
                const what = Object.values(matchers).join(" ");
                guards.set(
                    expr,
                    alert(
                        t,
                        ALERTS.alertInputAbsent,
                        "critical",
                        expr,
                        th.inputs.absentFor,
                        `No ${s.metric} series for ${what}: the alerts reading it cannot fire`,
                        `Prometheus has no ${s.metric} for ${what} (its exporter is not scraped, ` +
                            "relabels it, or the object is gone): the alerts that read it are blind.",
                        // Guards of one metric differ by object: promtool refuses equal rules.
                        { input: s.metric, object: what.replace(/ /g, "/") },
                    ),
                );
            }
        }
    }
    return [...guards.values(), ...scrapeGuards(t, th)];
}

/** `up == 0` of the scrape jobs this stack owns (its PodMonitors: Redis, and the proxy). */
function scrapeGuards(t: RuleTargets, th: MonitoringThresholds): IRule[] {
    return [t.redis.statefulSet, t.redis.proxy].map((workload) =>
        alert(
            t,
            ALERTS.scrapeTargetDown,
            "warning",
            `${sel("up", { namespace: t.namespace, [WORKLOAD_LABEL]: workload })} == 0`,
            th.inputs.targetDownFor,
            `Prometheus cannot scrape {{ $labels.pod }} (${workload})`,
            "Its exporter does not answer: the alerts reading it see one node less.",
            { input: workload },
        ),
    );
}

/**
 * Availability of `deployments`: ServiceDown when a Deployment that should run pods has none
 * available (critical), otherwise fewer available pods than its spec asks for (warning).
 */
export function availabilityRules(
    t: RuleTargets,
    name: AlertName,
    deployments: readonly string[],
    forDuration: Duration,
    what = "Service",
): IRule[] {
    // An empty list would render `deployment=~""`, which matches series without the label.
    if (deployments.length === 0) return [];
    const d = { namespace: t.namespace, deployment: deployments };
    const available = sel("kube_deployment_status_replicas_available", d);
    const spec = sel("kube_deployment_spec_replicas", d);
    if (name === ALERTS.serviceDown) {
        return [
            alert(
                t,
                name,
                "critical",
                `${available} == 0\nand on (namespace, deployment) ${spec} > 0`,
                forDuration,
                `${what} {{ $labels.deployment }} has no available pod`,
                "Nobody is served by it: requests to it fail.",
            ),
        ];
    }
    return [
        alert(
            t,
            name,
            "warning",
            `${available}\n  < on (namespace, deployment) ${spec}`,
            forDuration,
            `${what} {{ $labels.deployment }} runs fewer available pods than it needs`,
            `{{ $value }} available, fewer than its spec, for ${forDuration}: it has less ` +
                "headroom for load and for the next pod lost.",
        ),
    ];
}
