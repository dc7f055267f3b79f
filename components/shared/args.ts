/**
 * What every workload component takes, in the manner of cdk8s-plus's `WorkloadProps`: the
 * components own these types, and the stack layer's validated settings satisfy them structurally,
 * so a component can be read, reused and tested without the config layer.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** Requests and limits of one container, in the canonical form the API server echoes back. */
export interface Resources {
    /** CPU request (`250m`, `2`). */
    readonly cpu: string;
    /** Memory request (`256Mi`, `2Gi`). */
    readonly memory: string;
    /** CPU limit, at least the request. */
    readonly cpuLimit: string;
    /** Memory limit, at least the request. */
    readonly memoryLimit: string;
    /** Ephemeral-storage request (`256Mi`, `1Gi`): writable layer, logs and scratch volumes. */
    readonly ephemeralStorage: string;
    /**
     * Ephemeral-storage limit, at least the request; also the `sizeLimit` of each of the
     * container's scratch emptyDirs, so one runaway export cannot fill the node's disk.
     */
    readonly ephemeralStorageLimit: string;
}

/** Why a workload runs no pod, and when that decision is reviewed. */
export interface ScaledToZero {
    /** Why it runs no pod. */
    readonly reason: string;
    /** When the decision is reviewed (`YYYY-MM-DD`). */
    readonly reviewDate: string;
}

/**
 * What a workload's main container runs and sees, as the live namespace has it (read by
 * `npm run import-live`) or as config says. Each field replaces what the component would render
 * (given facts, the env is theirs alone); mounts are merged with the component's own (the given
 * one wins on the same path).
 */
export interface ContainerFacts {
    /** Entrypoint. @default the image's */
    readonly command?: readonly string[];
    /** Arguments. @default the image's */
    readonly args?: readonly string[];
    /** Environment: literal values (never credentials) and references to Secrets and ConfigMaps. */
    readonly env?: readonly k8s.types.input.core.v1.EnvVar[];
    /** Whole ConfigMaps and Secrets as environment. */
    readonly envFrom?: readonly k8s.types.input.core.v1.EnvFromSource[];
    /** Mounts of the pod's volumes ({@link PodFacts.volumes}). */
    readonly volumeMounts?: readonly k8s.types.input.core.v1.VolumeMount[];
    /** Ports, replacing the component's (a Service's named target port must stay among them). */
    readonly ports?: readonly k8s.types.input.core.v1.ContainerPort[];
}

/** Pod-level facts of a workload, as the live namespace has them or as config says. */
export interface PodFacts {
    /** Labels the pods carry besides the program's own (`app.kubernetes.io/*` wins). */
    readonly labels?: Readonly<Record<string, string>>;
    /**
     * The Deployment's selector (immutable: the live one must be kept to adopt in place); also the
     * PDB's and the spread's. @default `app.kubernetes.io/name: <name>`
     */
    readonly selector?: Readonly<Record<string, string>>;
    /** The user, group and filesystem group the pod runs as. @default the image's known user */
    readonly securityContext?: {
        readonly runAsUser?: number;
        readonly runAsGroup?: number;
        readonly fsGroup?: number;
    };
    /** Volumes, besides the component's own. */
    readonly volumes?: readonly k8s.types.input.core.v1.Volume[];
}

/** The fields every workload has, whatever its family. */
export interface WorkloadArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference (pinned tag or digest) of the main container. */
    readonly image: string;
    /** What it is for; shown as the `sapoche.io/purpose` annotation. */
    readonly purpose: string;
    /** Requests and limits of the main container. */
    readonly resources: Resources;
    /** What the main container runs and sees. @default the image's entrypoint, no env */
    readonly container?: ContainerFacts;
    /** Labels, selector, user and volumes of the pod. @default the component's */
    readonly pod?: PodFacts;
}

/** A container probe, in Kubernetes' shape. */
export type Probe = k8s.types.input.core.v1.Probe;

/** The probes of a workload's main container. */
export interface Probes {
    /** Restarts the container when it fails. */
    readonly liveness: Probe;
    /** Takes the pod out of Service endpoints and rollouts while it fails. @default none */
    readonly readiness?: Probe;
}

/**
 * A queue process (consumer, worker, scheduler): it serves no port the component could probe,
 * so what proves it alive and working comes from the caller (the stack config), never from code.
 */
export interface QueueProcessArgs {
    /** Liveness and readiness of the process. */
    readonly probes: Probes;
    /**
     * Seconds a new pod must stay ready before it counts as available: a rollout is done only
     * once the new processes have lived that long.
     */
    readonly minReadySeconds: number;
}

/**
 * A server (php-fpm, nginx, Orthanc, a frontend): the component probes the port it declares,
 * unless the caller gives the probes (read from the live namespace).
 */
export interface ServerProbeArgs {
    /** Probes replacing the component's own. @default the component's port probes */
    readonly probes?: Partial<Probes>;
    /** Seconds a new pod must stay ready before it counts as available. @default none (0) */
    readonly minReadySeconds?: number;
}

/** A workload with a fixed number of pods. */
export interface FixedScale {
    /** Fixed replica count; 0 needs `scaledToZero`. */
    readonly replicas: number;
    /** Why and until when it stays at zero. @default none (required when `replicas` is 0) */
    readonly scaledToZero?: ScaledToZero;
    /** Not set: an autoscaled workload uses {@link Autoscaled}. */
    readonly autoscaling?: never;
}

/** A workload whose replica count an autoscaler owns: `spec.replicas` is never set. */
export interface Autoscaled<A> {
    /** Bounds and targets of the autoscaler. */
    readonly autoscaling: A;
    /** Not set: the autoscaler owns the replica count. */
    readonly replicas?: never;
    /** Not set: an autoscaled workload is never scaled to zero by configuration. */
    readonly scaledToZero?: never;
}

/** Fixed replicas or an autoscaler, never both. */
export type Scale<A> = FixedScale | Autoscaled<A>;

/** A Service port; `nodePort` makes the Service a NodePort Service (live contract). */
export interface ServicePortArgs {
    /** Port name, also the key of its node port in config. */
    readonly name: string;
    /** Port the Service listens on. */
    readonly port: number;
    /** Named container port it forwards to. */
    readonly targetPort: string;
    /** Node port (30000-32767). @default none (ClusterIP) */
    readonly nodePort?: number;
}

/** A Service with its exact live name. */
export interface ServiceSpec {
    /** Live name of the Service. */
    readonly name: string;
    /** Its ports. */
    readonly ports: readonly ServicePortArgs[];
}
