/**
 * What the release guard (scripts/delivery/saved-plan.ts guard) protects: the objects whose delete, replace or
 * risky in-place update can lose data or take the platform down. Read from the catalog, so a new
 * Redis Service or a new critical consumer is covered without touching the guard. A guard's own
 * parameters are not inputs it checks: this file is reviewed code, owned in CODEOWNERS.
 */
import { catalog } from "./catalog";

/** The rules the guard matches each plan step against. */
export interface CriticalObjects {
    /** Every object of these kinds is data-bearing or availability-critical, whatever its name. */
    readonly kinds: readonly string[];
    /** Kubernetes names (`metadata.name`) of critical objects, any kind. */
    readonly names: readonly string[];
    /**
     * Components whose children are all critical: their logical names are `<component>-<role>`
     * and the objects they render carry `app.kubernetes.io/name: <prefix>...`; content-named
     * ConfigMaps (`redis-scripts-<hash>`) are matched by this prefix, never by a hash.
     */
    readonly prefixes: readonly string[];
    /** `app.kubernetes.io/component` values whose objects are critical. */
    readonly components: readonly string[];
    /** Resource types the program registers; any other type is treated as critical. */
    readonly knownTypes: readonly string[];
    /** Why each rule exists, for the guard's refusal message. */
    readonly reasons: Readonly<Record<string, string>>;
}

/**
 * Kinds that hold data or that everything depends on: volumes (Redis' queues), StatefulSets (their
 * claim templates and ordinal identity), Secrets (pods mounting them fail to start when they go),
 * the Namespace (deleting it deletes every object in it).
 */
const CRITICAL_KINDS = [
    "Namespace",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StatefulSet",
    "Secret",
];

/** Every Kubernetes type the program renders (test/critical.test.ts holds it to the program). */
const KUBERNETES_TYPES = [
    "apps/v1:Deployment",
    "apps/v1:StatefulSet",
    "autoscaling/v2:HorizontalPodAutoscaler",
    "core/v1:ConfigMap",
    "core/v1:LimitRange",
    "core/v1:Namespace",
    "core/v1:PersistentVolumeClaim",
    "core/v1:ResourceQuota",
    "core/v1:Secret",
    "core/v1:Service",
    "core/v1:ServiceAccount",
    "keda.sh/v1alpha1:ScaledObject",
    "keda.sh/v1alpha1:TriggerAuthentication",
    "monitoring.coreos.com/v1:PodMonitor",
    "monitoring.coreos.com/v1:PrometheusRule",
    "monitoring.coreos.com/v1:ServiceMonitor",
    "monitoring.coreos.com/v1alpha1:AlertmanagerConfig",
    "networking.k8s.io/v1:NetworkPolicy",
    "policy/v1:PodDisruptionBudget",
].map((t) => `kubernetes:${t}`);

/** The critical objects of the catalog (see {@link CriticalObjects}). */
export function criticalObjects(): CriticalObjects {
    const names: string[] = [];
    const prefixes: string[] = [];
    for (const e of catalog) {
        if (e.family === "redis") {
            names.push(e.liveName, e.statefulSet, e.proxy, e.service);
            names.push(e.sentinelService, e.headlessService);
            prefixes.push(e.name);
        } else if (e.family === "orthanc") {
            names.push(e.name, e.service.name);
            prefixes.push(e.name);
        } else if (e.family === "queue-consumer" && e.critical) {
            names.push(e.name);
            prefixes.push(e.name);
        }
    }
    return {
        kinds: CRITICAL_KINDS,
        names: [...new Set(names)].sort(),
        prefixes: [...new Set(prefixes)].sort(),
        components: ["redis", "redis-proxy", "orthanc"],
        knownTypes: [
            "pulumi:pulumi:Stack",
            "pulumi:providers:kubernetes",
            ...KUBERNETES_TYPES,
            "sapoche:*",
        ],
        reasons: {
            kind: "every object of this kind holds data or everything depends on it",
            name: "a critical object of the catalog (Redis, Orthanc, a critical consumer)",
            type: "a resource type the program does not register (unknown types are treated as critical)",
            provider:
                "replacing or deleting the provider replaces or deletes every object it manages",
        },
    };
}
