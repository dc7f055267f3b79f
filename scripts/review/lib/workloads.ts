/**
 * Workloads: replicas, autoscaler bounds, pod resources, read from the objects themselves.
 */
import type { K8sObject } from "./objects";
import { mebibytes, millicores } from "../../../components/shared/quantity";

export interface Scaling {
    readonly min: number;
    readonly max: number;
    /** "fixed", "HPA" or "KEDA". */
    readonly by: "fixed" | "HPA" | "KEDA";
}

export interface Workload {
    readonly kind: "Deployment" | "StatefulSet";
    readonly name: string;
    /** `app.kubernetes.io/component`: the workload family. */
    readonly family: string;
    readonly scaling: Scaling;
    /** Extra pods a rolling update adds at `max` (maxSurge); 0 for Recreate and StatefulSets. */
    readonly surgeAtMax: number;
    /** Requests and limits of one pod, in millicores and mebibytes. */
    readonly pod: PodResources;
    readonly podLabels: Record<string, string>;
    readonly object: K8sObject;
}

export interface PodResources {
    readonly requestsCpu: number;
    readonly requestsMemory: number;
    readonly limitsCpu: number;
    readonly limitsMemory: number;
}

export const COMPONENT_LABEL = "app.kubernetes.io/component";

type Any = Record<string, any>;

/** Every Deployment and StatefulSet with its scaling, as the autoscalers targeting it say. */
export function workloadsOf(objects: readonly K8sObject[]): Workload[] {
    const autoscalers = new Map<string, Scaling>();
    for (const o of objects) {
        const spec = (o as Any).spec ?? {};
        const target = spec.scaleTargetRef as { kind?: string; name?: string } | undefined;
        if (!target?.name) continue;
        const key = `${target.kind ?? "Deployment"}/${target.name}`;
        if (o.kind === "HorizontalPodAutoscaler") {
            // Kubernetes' defaults: minReplicas 1.
            autoscalers.set(key, { min: spec.minReplicas ?? 1, max: spec.maxReplicas, by: "HPA" });
        } else if (o.kind === "ScaledObject") {
            // KEDA's defaults: minReplicaCount 0, maxReplicaCount 100.
            autoscalers.set(key, {
                min: spec.minReplicaCount ?? 0,
                max: spec.maxReplicaCount ?? 100,
                by: "KEDA",
            });
        }
    }
    return objects
        .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")
        .map((o) => {
            const spec = (o as Any).spec ?? {};
            const kind = o.kind as Workload["kind"];
            // Kubernetes defaults spec.replicas to 1.
            const fixed = spec.replicas ?? 1;
            const scaling = autoscalers.get(`${kind}/${o.metadata.name}`) ?? {
                min: fixed,
                max: fixed,
                by: "fixed" as const,
            };
            return {
                kind,
                name: o.metadata.name,
                family: o.metadata.labels?.[COMPONENT_LABEL] ?? "unlabelled",
                scaling,
                surgeAtMax: surge(kind, spec.strategy, scaling.max),
                pod: podResources(spec.template?.spec ?? {}),
                podLabels: spec.template?.metadata?.labels ?? {},
                object: o,
            };
        });
}

/** Extra pods of a rolling update: maxSurge (count or percentage, rounded up; default 25 %). */
export function surge(kind: string, strategy: Any | undefined, replicas: number): number {
    if (kind !== "Deployment" || strategy?.type === "Recreate") return 0;
    const maxSurge = strategy?.rollingUpdate?.maxSurge ?? "25%";
    if (typeof maxSurge === "number") return maxSurge;
    const percent = /^(\d+)%$/.exec(String(maxSurge));
    return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : Number(maxSurge);
}

/**
 * One pod's requests and limits: the sum over its containers, or the largest init container
 * when that is larger (init containers run one at a time, before the others).
 */
export function podResources(podSpec: Any): PodResources {
    const of = (c: Any, section: "requests" | "limits", what: "cpu" | "memory") => {
        const v = c.resources?.[section]?.[what];
        return v === undefined ? 0 : what === "cpu" ? millicores(v) : mebibytes(v);
    };
    const total = (section: "requests" | "limits", what: "cpu" | "memory") => {
        const main = (podSpec.containers ?? []).reduce(
            (t: number, c: Any) => t + of(c, section, what),
            0,
        );
        const init = Math.max(
            0,
            ...(podSpec.initContainers ?? []).map((c: Any) => of(c, section, what)),
        );
        return Math.max(main, init);
    };
    return {
        requestsCpu: total("requests", "cpu"),
        requestsMemory: total("requests", "memory"),
        limitsCpu: total("limits", "cpu"),
        limitsMemory: total("limits", "memory"),
    };
}

/** True when every label of `selector` is on `labels`. */
export function selects(
    selector: Record<string, string> | undefined,
    labels: Record<string, string>,
) {
    const entries = Object.entries(selector ?? {});
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** A Kubernetes label selector (NetworkPolicy `podSelector`, Deployment `selector`). */
export interface LabelSelector {
    readonly matchLabels?: Record<string, string>;
    readonly matchExpressions?: readonly {
        readonly key: string;
        readonly operator: string;
        readonly values?: readonly string[];
    }[];
}

/**
 * Whether a label selector selects `labels`, with the API server's semantics: every
 * `matchLabels` pair and every `matchExpressions` term (the four operators) must hold, so an
 * empty selector selects every pod.
 */
export function labelSelectorMatches(
    selector: LabelSelector,
    labels: Record<string, string>,
): boolean {
    const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
    return (
        Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
        (selector.matchExpressions ?? []).every((e) => {
            switch (e.operator) {
                case "In":
                    return has(e.key) && (e.values ?? []).includes(labels[e.key]);
                case "NotIn":
                    return !has(e.key) || !(e.values ?? []).includes(labels[e.key]);
                case "Exists":
                    return has(e.key);
                case "DoesNotExist":
                    return !has(e.key);
                default:
                    return false;
            }
        })
    );
}

/**
 * Whether a non-empty label selector selects `labels` (see labelSelectorMatches). An empty
 * selector matches nothing here: in a NetworkPolicy it means "every pod", which is not an edge
 * worth drawing.
 */
export function matchesSelector(
    selector: LabelSelector | undefined,
    labels: Record<string, string>,
): boolean {
    const empty =
        Object.keys(selector?.matchLabels ?? {}).length === 0 &&
        (selector?.matchExpressions ?? []).length === 0;
    return !empty && labelSelectorMatches(selector!, labels);
}
