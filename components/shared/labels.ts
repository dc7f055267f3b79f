/**
 * Kubernetes recommended labels (app.kubernetes.io/*) and the annotations our policy pack reads.
 * Selectors use only `app.kubernetes.io/name`: a selector is immutable, so it must never carry a
 * value that could change.
 */
/** The workload families; each has one ComponentResource in `components/` and one service account. */
export const FAMILIES = [
    "queue-consumer",
    "worker",
    "php-backend",
    "redis",
    "scheduler",
    "orthanc",
    "frontend",
] as const;

/** A workload family. */
export type Family = (typeof FAMILIES)[number];

/** Value of `app.kubernetes.io/component`: a workload family, or a part of one. */
export type Component = Family | "redis-proxy";

/** Labels on a workload, its pod template and its Service. */
export function labelsFor(name: string, component: Component): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "sapoche",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** The (immutable) selector of a workload's pods. */
export function selectorFor(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": name };
}

/** Annotations that carry intent the policy pack checks. */
export const ANNOTATIONS = {
    /** `"true"` on consumers that must keep a replica floor. */
    critical: "sapoche.io/critical",
    /** Why a workload runs zero replicas. */
    scaledToZeroReason: "sapoche.io/scaled-to-zero-reason",
    /** When the zero-replica decision is reviewed (YYYY-MM-DD). */
    reviewDate: "sapoche.io/review-date",
    /** Queue a consumer or worker reads. */
    queue: "sapoche.io/queue",
    /** What the workload is for, from the catalog. */
    purpose: "sapoche.io/purpose",
    /** On a NetworkPolicy with a `0.0.0.0/0` range: why every address is allowed (stack value). */
    everyAddressReason: "sapoche.io/every-address-reason",
    /**
     * `"true"` on workloads: the program wins over out-of-band edits. Without it a field another
     * manager changed (`kubectl set image`, `kubectl scale`) is a server-side apply conflict and
     * drift cannot be restored.
     */
    patchForce: "pulumi.com/patchForce",
} as const;
