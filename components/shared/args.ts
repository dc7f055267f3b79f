/**
 * What every workload component takes, in the manner of cdk8s-plus's `WorkloadProps`: the
 * components own these types, and the stack layer's validated settings satisfy them structurally,
 * so a component can be read, reused and tested without the config layer.
 */
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
