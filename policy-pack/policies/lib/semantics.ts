/**
 * Kubernetes' own semantics, in one place, so a rule judges what the cluster will do rather than
 * what the YAML looks like: label selectors as each controller evaluates them, PDB arithmetic as
 * the disruption controller does it, API defaults, and KEDA's CPU/memory scalers and pause
 * annotations. Tested on its own in tests/semantics.test.ts.
 */

type Obj = Record<string, any>;

/** A selector after parsing: undefined labels => matches; `nothing` never matches. */
export type Selector = { nothing: true } | { nothing: false; test: (labels: Obj) => boolean };

const NOTHING: Selector = { nothing: true };
const EVERYTHING: Selector = { nothing: false, test: () => true };

/**
 * metav1.LabelSelectorAsSelector: nil selects nothing, an empty selector everything, matchLabels
 * and matchExpressions ANDed; an invalid expression (unknown operator, In/NotIn without values,
 * Exists/DoesNotExist with values) makes the selector an error, which a controller treats as
 * selecting nothing.
 */
export function labelSelector(selector: Obj | undefined | null): Selector {
    if (selector === undefined || selector === null) return NOTHING;
    const matchLabels = Object.entries((selector.matchLabels ?? {}) as Record<string, unknown>);
    const expressions = (selector.matchExpressions ?? []) as Obj[];
    for (const { operator, values } of expressions) {
        const count = Array.isArray(values) ? values.length : 0;
        if (operator === "In" || operator === "NotIn") {
            if (count === 0) return NOTHING;
        } else if (operator === "Exists" || operator === "DoesNotExist") {
            if (count !== 0) return NOTHING;
        } else {
            return NOTHING;
        }
    }
    if (matchLabels.length === 0 && expressions.length === 0) return EVERYTHING;
    return {
        nothing: false,
        test: (labels) =>
            matchLabels.every(([key, value]) => key in labels && labels[key] === value) &&
            expressions.every(({ key, operator, values = [] }) => {
                const has = Object.prototype.hasOwnProperty.call(labels, key);
                switch (operator) {
                    case "In":
                        return has && values.includes(labels[key]);
                    case "NotIn":
                        return !has || !values.includes(labels[key]);
                    case "Exists":
                        return has;
                    default:
                        return !has;
                }
            }),
    };
}

function isEmpty(selector: Obj | undefined | null): boolean {
    return (
        selector !== undefined &&
        selector !== null &&
        Object.keys(selector.matchLabels ?? {}).length === 0 &&
        (selector.matchExpressions ?? []).length === 0
    );
}

/** labels.SelectorFromSet for a map selector (Service, ReplicationController): empty = everything. */
function mapSelector(selector: Obj | undefined | null): Selector {
    return labelSelector({ matchLabels: selector ?? {} });
}

/**
 * The pods a controller's selector selects, as that controller evaluates it:
 * - PodDisruptionBudget policy/v1: an empty selector is every pod of the namespace, a missing one
 *   none; policy/v1beta1: empty selects none.
 * - NetworkPolicy: podSelector is a value, not a pointer: missing or empty is every pod.
 * - Service: no selector (or an empty one) means no endpoints are managed: none.
 * - ReplicationController: a missing selector defaults to the template's labels.
 * - Deployment, StatefulSet, DaemonSet, ReplicaSet, Job: metav1 label selector.
 */
export function selectorOf(object: { type: string; props: Obj }): Selector {
    const kind = object.type.slice(object.type.lastIndexOf(":") + 1);
    const spec = object.props.spec ?? {};
    switch (kind) {
        case "PodDisruptionBudget":
            if (/:policy\/v1beta1:/.test(object.type) && isEmpty(spec.selector)) {
                return NOTHING;
            }
            return labelSelector(spec.selector);
        case "NetworkPolicy":
            return labelSelector(spec.podSelector ?? {});
        case "Service": {
            const s = spec.selector;
            return s === undefined || s === null || Object.keys(s).length === 0
                ? NOTHING
                : mapSelector(s);
        }
        case "ReplicationController":
            return mapSelector(spec.selector ?? spec.template?.metadata?.labels ?? {});
        default:
            return labelSelector(spec.selector);
    }
}

/** Whether a parsed selector selects a pod with these labels. */
export function selects(selector: Selector, labels: Obj | undefined): boolean {
    return !selector.nothing && selector.test(labels ?? {});
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an int is itself, "N%" is N % of total rounded as asked;
 * any other string is an error (undefined), which the disruption controller turns into zero
 * disruptions allowed.
 */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number | undefined {
    if (typeof value === "number" && Number.isInteger(value)) return value;
    if (typeof value !== "string" || !/^-?\d+%$/.test(value)) return undefined;
    const percent = parseInt(value.slice(0, -1), 10);
    const exact = (percent * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * The disruptions a PDB allows when all `expected` pods are healthy, as the disruption controller
 * computes it: minAvailable and maxUnavailable percentages both round up; an invalid value allows
 * none; neither field set allows every pod to go.
 */
export function pdbDisruptionsAllowed(spec: Obj, expected: number): number {
    let desiredHealthy: number | undefined;
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
        const maxUnavailable = scaledValue(spec.maxUnavailable, expected, true);
        desiredHealthy = maxUnavailable === undefined ? undefined : expected - maxUnavailable;
    } else if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
        desiredHealthy = scaledValue(spec.minAvailable, expected, true);
    } else {
        desiredHealthy = 0;
    }
    if (desiredHealthy === undefined) return 0;
    return Math.max(0, expected - Math.max(0, desiredHealthy));
}

/** A resource target of an HPA: `cpu` or `memory`, Utilization percent or AverageValue quantity. */
export interface HpaTarget {
    resource: string;
    container?: string;
    type: string;
    value: unknown;
}

/** The HPA controller's default when an HPA names no metric: 80 % average CPU utilisation. */
export const HPA_DEFAULT_CPU_UTILIZATION = 80;

/**
 * The CPU and memory targets an HPA scales on, after the API defaults: autoscaling/v1 without
 * targetCPUUtilizationPercentage, and v2 without metrics, both get 80 % CPU.
 */
export function hpaResourceTargets(hpa: { type: string; props: Obj }): HpaTarget[] {
    const spec = hpa.props.spec ?? {};
    if (/:autoscaling\/v1:/.test(hpa.type)) {
        return [
            {
                resource: "cpu",
                type: "Utilization",
                value: spec.targetCPUUtilizationPercentage ?? HPA_DEFAULT_CPU_UTILIZATION,
            },
        ];
    }
    const metrics = (spec.metrics ?? []) as Obj[];
    if (metrics.length === 0) {
        return [{ resource: "cpu", type: "Utilization", value: HPA_DEFAULT_CPU_UTILIZATION }];
    }
    const targets: HpaTarget[] = [];
    for (const metric of metrics) {
        const source =
            metric.type === "Resource"
                ? metric.resource
                : metric.type === "ContainerResource"
                  ? metric.containerResource
                  : undefined;
        if (source === undefined || source === null) continue;
        const target = source.target ?? {};
        const type =
            target.type ??
            (source.targetAverageUtilization !== undefined ? "Utilization" : "AverageValue");
        const value =
            type === "Utilization"
                ? (target.averageUtilization ?? source.targetAverageUtilization)
                : (target.averageValue ?? target.value ?? source.targetAverageValue);
        targets.push({ resource: String(source.name), container: source.container, type, value });
    }
    return targets;
}

/**
 * KEDA's CPU and memory scalers of a ScaledObject: trigger type cpu or memory, the target in
 * metadata.value, its kind in trigger.metricType (metadata.type before KEDA 2.10), default
 * Utilization; metadata.containerName narrows it to one container.
 */
export function kedaResourceTargets(scaledObject: { props: Obj }): HpaTarget[] {
    return ((scaledObject.props.spec?.triggers ?? []) as Obj[])
        .filter((t) => t.type === "cpu" || t.type === "memory")
        .map((t) => ({
            resource: t.type,
            container: t.metadata?.containerName,
            type: t.metricType ?? t.metadata?.type ?? "Utilization",
            value: t.metadata?.value,
        }));
}

/**
 * What KEDA's pause annotations do to a ScaledObject: autoscaling.keda.sh/paused-replicas holds
 * the workload at that count (any value KEDA parses as an integer), autoscaling.keda.sh/paused
 * "true" freezes it at its current count; either way the autoscaler stops scaling.
 */
export function kedaPause(scaledObject: { props: Obj }): { paused: boolean; replicas?: number } {
    const annotations = (scaledObject.props.metadata?.annotations ?? {}) as Record<string, unknown>;
    const pausedReplicas = annotations["autoscaling.keda.sh/paused-replicas"];
    if (pausedReplicas !== undefined && pausedReplicas !== null) {
        const replicas = Number(String(pausedReplicas).trim());
        return { paused: true, replicas: Number.isInteger(replicas) ? replicas : undefined };
    }
    // strconv.ParseBool's spellings of true.
    const paused = String(annotations["autoscaling.keda.sh/paused"] ?? "");
    return { paused: ["1", "t", "T", "true", "TRUE", "True"].includes(paused) };
}
