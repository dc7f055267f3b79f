/** Resource type tokens as the Pulumi engine reports them for the objects this pack inspects. */
export const types = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    service: "kubernetes:core/v1:Service",
    pod: "kubernetes:core/v1:Pod",
    namespace: "kubernetes:core/v1:Namespace",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    scaledObject: "kubernetes:keda.sh/v1alpha1:ScaledObject",
} as const;

/** Object metadata, as far as the policies read it. */
export interface Metadata {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** A label selector (matchLabels and matchExpressions). */
export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A container, as far as the policies read it. */
export interface Container {
    name: string;
    image?: string;
    imagePullPolicy?: string;
    ports?: { containerPort: number }[];
    env?: { name: string; value?: string }[];
    resources?: {
        requests?: Record<string, string | number>;
        limits?: Record<string, string | number>;
    };
    readinessProbe?: object;
    livenessProbe?: object;
    securityContext?: {
        allowPrivilegeEscalation?: boolean;
        readOnlyRootFilesystem?: boolean;
        privileged?: boolean;
        capabilities?: { drop?: string[] };
    };
    volumeMounts?: { name: string }[];
}

/** A pod spec, as far as the policies read it. */
export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    securityContext?: { runAsNonRoot?: boolean };
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    volumes?: { name: string; hostPath?: object }[];
    topologySpreadConstraints?: { topologyKey?: string; whenUnsatisfiable?: string }[];
    affinity?: {
        podAntiAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey?: string }[];
        };
    };
}

/** A Deployment or StatefulSet, as far as the policies read it. */
export interface Workload {
    metadata?: Metadata;
    spec?: {
        replicas?: number;
        selector?: LabelSelector;
        strategy?: { type?: string };
        template?: { metadata?: Metadata; spec?: PodSpec };
        volumeClaimTemplates?: { metadata?: Metadata }[];
    };
}

/** One entry of `metadata.managedFields` on a live object. */
interface ManagedFields {
    manager?: string;
    operation?: string;
    fieldsV1?: { "f:spec"?: Record<string, unknown> };
}

/**
 * Whether this stack sets `spec.replicas`. In a preview the props are the program's inputs; after
 * an update, stack policies see the live object, where the API server has defaulted
 * `spec.replicas` (and an autoscaler may have changed it), so there the answer is whether
 * Pulumi's field manager owns the field.
 */
export function setsReplicas(workload: Workload): boolean {
    const managed = (workload.metadata as { managedFields?: ManagedFields[] } | undefined)
        ?.managedFields;
    if (!Array.isArray(managed)) return workload.spec?.replicas !== undefined;
    return managed.some(
        (m) =>
            m.manager?.startsWith("pulumi-kubernetes") === true &&
            m.operation === "Apply" &&
            m.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined,
    );
}

/** The part of a resource every helper needs: its type token, logical name and props. */
export interface KubeResource {
    type: string;
    name: string;
    props: Record<string, any>;
}

/** The Kubernetes kind of a type token: `kubernetes:apps/v1:Deployment` gives `Deployment`. */
export function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/** The object's name, falling back to the logical name when metadata.name is left to auto-naming. */
export function objectName(resource: KubeResource): string {
    return resource.props.metadata?.name ?? resource.name;
}

/** How violation messages name an object: `Deployment "consumer-dicom"`. */
export function describe(resource: KubeResource): string {
    return `${kindOf(resource.type)} "${objectName(resource)}"`;
}

/** True for the kinds that carry a pod template. */
export function isWorkload(type: string): boolean {
    return type === types.deployment || type === types.statefulSet;
}

/** The pod spec of a workload's template (empty when absent). */
export function podSpecOf(workload: Workload): PodSpec {
    return workload.spec?.template?.spec ?? {};
}

/** The labels of a workload's pod template. */
export function podLabelsOf(workload: Workload): Record<string, string> {
    return workload.spec?.template?.metadata?.labels ?? {};
}

/** Init containers followed by containers. */
export function allContainers(pod: PodSpec): Container[] {
    return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

/**
 * Whether a label selector selects an object with these labels. An empty selector counts as selecting
 * nothing: "every pod in the namespace" is never what a Service or PDB here means.
 */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
    const matchLabels = Object.entries(selector.matchLabels ?? {});
    const expressions = selector.matchExpressions ?? [];
    if (matchLabels.length === 0 && expressions.length === 0) {
        return false;
    }
    return (
        matchLabels.every(([key, value]) => labels[key] === value) &&
        expressions.every(({ key, operator, values = [] }) => {
            switch (operator) {
                case "In":
                    return key in labels && values.includes(labels[key]);
                case "NotIn":
                    return !(key in labels && values.includes(labels[key]));
                case "Exists":
                    return key in labels;
                case "DoesNotExist":
                    return !(key in labels);
                default:
                    return false;
            }
        })
    );
}
