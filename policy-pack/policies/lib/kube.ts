import { isKind, objectKind } from "./resourceTypes";

/** Kinds whose objects run pods: every pod-spec rule applies to each of them. */
export const podBearingKinds = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
] as const;

/** Kinds whose pod count is spec.replicas (or an autoscaler's): replica floors, PDBs, spread. */
export const replicatedKinds = [
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
] as const;

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
    command?: string[];
    args?: string[];
    ports?: { containerPort: number; hostPort?: number; name?: string }[];
    env?: { name: string; value?: string; valueFrom?: object }[];
    envFrom?: object[];
    resources?: {
        requests?: Record<string, string | number>;
        limits?: Record<string, string | number>;
    };
    readinessProbe?: object;
    livenessProbe?: object;
    securityContext?: SecurityContext;
    volumeMounts?: { name: string }[];
}

/** A pod's or container's security context, as far as the policies read it. */
export interface SecurityContext {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    procMount?: string;
    capabilities?: { add?: string[]; drop?: string[] };
    seccompProfile?: { type?: string; localhostProfile?: string };
}

/** A pod spec, as far as the policies read it. */
export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    securityContext?: SecurityContext;
    automountServiceAccountToken?: boolean;
    serviceAccountName?: string;
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    volumes?: { name: string; hostPath?: object; emptyDir?: { sizeLimit?: string } }[];
    topologySpreadConstraints?: { topologyKey?: string; whenUnsatisfiable?: string }[];
    affinity?: {
        podAntiAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey?: string }[];
        };
    };
}

/** A pod template: labels and pod spec. */
export interface PodTemplate {
    metadata?: Metadata;
    spec?: PodSpec;
}

/** A pod-bearing object (Deployment, StatefulSet, ...), as far as the policies read it. */
export interface Workload {
    metadata?: Metadata;
    spec?: {
        replicas?: number;
        selector?: LabelSelector;
        strategy?: { type?: string };
        template?: PodTemplate;
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

/** The kind a type token names, as messages show it: `Deployment`, `DeploymentPatch`, `ConfigFile`. */
export function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/**
 * The object's name, falling back to the logical name when metadata.name is left to auto-naming
 * or is not known yet (a message must still name the object).
 */
export function objectName(resource: KubeResource): string {
    try {
        const name: unknown = resource.props.metadata?.name;
        return typeof name === "string" ? name : resource.name;
    } catch {
        return resource.name;
    }
}

/** How violation messages name an object: `Deployment "consumer-dicom"`. */
export function describe(resource: KubeResource): string {
    return `${kindOf(resource.type)} "${objectName(resource)}"`;
}

/** True for whole objects of a kind that runs pods (Pod, Deployment, ..., CronJob). */
export function isPodBearing(type: string): boolean {
    return isKind(type, ...podBearingKinds);
}

/** True for whole objects whose pod count is spec.replicas: Deployment, StatefulSet, ReplicaSet, RC. */
export function isWorkload(type: string): boolean {
    return isKind(type, ...replicatedKinds);
}

/**
 * Where each kind keeps its pod template (the path to the template, whose `spec` is the pod spec);
 * a Pod is its own template. Custom resources that embed one are listed by kind; any other object
 * that carries a pod spec elsewhere is refused by disallow-unlocated-pod-template.
 */
export const podTemplatePaths: Readonly<Record<string, readonly string[]>> = {
    Pod: [],
    PodTemplate: ["template"],
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    ReplicationController: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
    // KEDA's ScaledJob runs a Job spec of its own; Argo's Rollout is a Deployment look-alike.
    ScaledJob: ["spec", "jobTargetRef", "template"],
    Rollout: ["spec", "template"],
};

function at(value: any, path: readonly string[]): any {
    return path.reduce(
        (node, key) => (node === undefined || node === null ? undefined : node[key]),
        value,
    );
}

/**
 * The pod template of any object that runs pods, at the place its kind keeps it
 * (podTemplatePaths). An object of another kind counts when it carries a pod template at
 * spec.template.
 */
export function podTemplateOf(resource: KubeResource): PodTemplate | undefined {
    const kind = objectKind(resource.type);
    const props = resource.props;
    if (kind === undefined) {
        return undefined;
    }
    if (kind === "Pod") {
        return { metadata: props.metadata, spec: props.spec ?? {} };
    }
    const path = podTemplatePaths[kind];
    if (path !== undefined) {
        return at(props, path) ?? {};
    }
    return customPodTemplate(props);
}

/** spec.template of a custom workload, when it is a pod template; unknown values count as none. */
function customPodTemplate(props: Record<string, any>): PodTemplate | undefined {
    try {
        const template = props.spec?.template;
        return Array.isArray(template?.spec?.containers) ? template : undefined;
    } catch {
        return undefined;
    }
}

/** The pod spec an object runs, or undefined for objects that run no pods. */
export function podSpecOf(resource: KubeResource): PodSpec | undefined {
    const template = podTemplateOf(resource);
    return template === undefined ? undefined : (template.spec ?? {});
}

/** The labels of the pods an object runs (empty when it sets none). */
export function podLabelsOf(resource: KubeResource): Record<string, string> {
    return podTemplateOf(resource)?.metadata?.labels ?? {};
}

/** Init containers, containers and ephemeral containers: every container that runs in the pod. */
export function allContainers(pod: PodSpec): Container[] {
    return [
        ...(pod.initContainers ?? []),
        ...(pod.containers ?? []),
        ...(pod.ephemeralContainers ?? []),
    ];
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
