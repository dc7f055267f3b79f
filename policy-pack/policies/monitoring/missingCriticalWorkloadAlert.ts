import { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { annotationKeys } from "../lib/conventions";
import { isKind, objectKind } from "../lib/resourceTypes";
import { hasScaledToZeroExemption } from "../lib/scaledToZero";
import { failClosed } from "../lib/unknown";

const configSchema: PolicyConfigSchema = {
    properties: {
        // Workloads critical by name, whatever their annotations say (and never parked by them).
        criticalWorkloads: { type: "array", items: { type: "string" }, default: [] },
    },
};

/** The kube-state-metrics label that names the workload in each kind's series. */
const workloadLabel: Readonly<Record<string, string>> = {
    Deployment: "deployment",
    StatefulSet: "statefulset",
};

/** One label matcher of a PromQL selector: `deployment=~"a|b"`. */
interface Matcher {
    label: string;
    op: string;
    value: string;
}

const MATCHER = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;

/** The matchers of every `{...}` selector of an expression (braces inside strings ignored). */
function selectorsOf(expr: string): Matcher[][] {
    const selectors: Matcher[][] = [];
    let start = -1;
    let quote = "";
    for (let i = 0; i < expr.length; i++) {
        const c = expr[i];
        if (quote) {
            if (c === "\\") i++;
            else if (c === quote) quote = "";
        } else if (c === '"' || c === "'" || c === "`") {
            quote = c;
        } else if (c === "{") {
            start = i + 1;
        } else if (c === "}" && start >= 0) {
            const body = expr.slice(start, i);
            selectors.push(
                [...body.matchAll(MATCHER)].map(([, label, op, value]) => ({ label, op, value })),
            );
            start = -1;
        }
    }
    return selectors;
}

/** Whether a positive matcher accepts the value (`=~` is anchored, as in PromQL). */
function accepts(matcher: Matcher, value: string): boolean {
    if (matcher.op === "=") return matcher.value === value;
    if (matcher.op !== "=~") return false;
    try {
        return new RegExp(`^(?:${matcher.value})$`).test(value);
    } catch {
        return false;
    }
}

/** The alert rules (name and expression) of a PrometheusRule's props. */
function alertsOf(rule: PolicyResource): { alert: string; expr: string }[] {
    const groups: { rules?: { alert?: string; expr?: unknown }[] }[] =
        rule.props.spec?.groups ?? [];
    return groups.flatMap((g) =>
        (g.rules ?? [])
            .filter((r) => typeof r.alert === "string" && typeof r.expr === "string")
            .map((r) => ({ alert: r.alert as string, expr: r.expr as string })),
    );
}

/**
 * A critical workload that no alert watches fails silently: the first sign of a stopped
 * lab-results consumer would be a clinic calling. An alert covers a workload when one of its
 * selectors names it by its kube-state-metrics label (`deployment` / `statefulset`), exactly or
 * through a regex, in its namespace (or any). A namespace-wide selector does not count: it says
 * nothing about this workload in particular.
 */
export const missingCriticalWorkloadAlert: StackValidationPolicy = {
    name: "missing-critical-workload-alert",
    description:
        "Checks that every running critical Deployment or StatefulSet (named in config, or annotated sapoche.io/critical) is selected by name in at least one alert of the stack's PrometheusRules.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const { criticalWorkloads } = configOf<{ criticalWorkloads: string[] }>(
            configSchema,
            args.getConfig(),
        );
        const rules = args.resources.filter((r) => isKind(r.type, "PrometheusRule"));
        // No PrometheusRule at all means the stack does not carry its monitoring (it lives
        // elsewhere): nothing here to check coverage against.
        if (rules.length === 0) return;
        const alerts: { alert: string; selectors: Matcher[][] }[] = [];
        for (const rule of rules) {
            // A rule computed at preview cannot vouch for coverage: fail closed, naming it.
            failClosed(
                `PrometheusRule "${rule.props.metadata?.name ?? rule.name}"`,
                (m) => reportViolation(m, rule.urn),
                () => {
                    alerts.push(
                        ...alertsOf(rule).map((a) => ({ ...a, selectors: selectorsOf(a.expr) })),
                    );
                },
            );
        }
        for (const workload of args.resources) {
            const kind = objectKind(workload.type) ?? "";
            const label = workloadLabel[kind];
            if (!label) continue;
            const metadata = workload.props.metadata ?? {};
            const name: string = metadata.name ?? workload.name;
            const named = criticalWorkloads.includes(name);
            // Any spelling of "true" makes a workload critical; only the config names it so.
            const annotated =
                String(metadata.annotations?.[annotationKeys.critical] ?? "")
                    .trim()
                    .toLowerCase() === "true";
            if (!named && !annotated) continue;
            // Parked on purpose (reason and review date): no pod to watch until it comes back.
            // A workload the config names critical may not be parked by annotations alone.
            const parked =
                !named &&
                workload.props.spec?.replicas === 0 &&
                hasScaledToZeroExemption(workload.props);
            if (parked) continue;
            const namespace: string | undefined = metadata.namespace;
            const covered = alerts.some((a) =>
                a.selectors.some(
                    (matchers) =>
                        matchers.some((m) => m.label === label && accepts(m, name)) &&
                        matchers
                            .filter((m) => m.label === "namespace")
                            .every((m) => namespace !== undefined && accepts(m, namespace)),
                ),
            );
            if (!covered) {
                reportViolation(
                    `${kind} "${name}" is critical and should be selected by at least one alert ` +
                        `(${label}="${name}") in a PrometheusRule of the stack; none of the ` +
                        `${alerts.length} alerts selects it.`,
                    workload.urn,
                );
            }
        }
    },
};
