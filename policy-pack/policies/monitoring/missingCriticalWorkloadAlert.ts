import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { annotationKeys } from "../lib/conventions";
import { hasScaledToZeroExemption } from "../lib/scaledToZero";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

/** The kube-state-metrics label that names the workload in each kind's series. */
const workloadLabel: Record<string, string> = {
    [DEPLOYMENT]: "deployment",
    [STATEFUL_SET]: "statefulset",
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
        "Checks that every running Deployment or StatefulSet annotated sapoche.io/critical is selected by name in at least one alert of the stack's PrometheusRules.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const rules = args.resources.filter((r) => r.type === PROMETHEUS_RULE);
        // No PrometheusRule at all means the stack does not carry its monitoring (it lives
        // elsewhere): nothing here to check coverage against.
        if (rules.length === 0) return;
        const alerts = rules
            .flatMap(alertsOf)
            .map((a) => ({ ...a, selectors: selectorsOf(a.expr) }));
        for (const workload of args.resources) {
            const label = workloadLabel[workload.type];
            const metadata = workload.props.metadata ?? {};
            if (!label || metadata.annotations?.[annotationKeys.critical] !== "true") continue;
            // Parked on purpose (reason and review date): no pod to watch until it comes back.
            if (workload.props.spec?.replicas === 0 && hasScaledToZeroExemption(workload.props)) {
                continue;
            }
            const name: string = metadata.name ?? workload.name;
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
                const kind = workload.type.slice(workload.type.lastIndexOf(":") + 1);
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
