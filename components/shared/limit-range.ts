/**
 * The namespace's LimitRange for containers, in one place: the baseline creates it, and the stack
 * config schema refuses any request or limit above `max` (a pod the LimitRange would refuse at
 * admission would otherwise fail mid-rollout, after the preview passed).
 */

/** A container quantity per resource, in the canonical form the API server echoes. */
export type ContainerQuantities = {
    readonly cpu: string;
    readonly memory: string;
    readonly "ephemeral-storage": string;
};

/** The LimitRange's `Container` entry. */
export const CONTAINER_LIMIT_RANGE: {
    /** Requests of a container created without any (kubectl run during an incident). */
    readonly defaultRequest: ContainerQuantities;
    /** Limits of a container created without any. */
    readonly default: ContainerQuantities;
    /** Largest request or limit any container may have. */
    readonly max: ContainerQuantities;
} = {
    defaultRequest: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "256Mi" },
    default: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "1Gi" },
    max: { cpu: "4", memory: "8Gi", "ephemeral-storage": "8Gi" },
};
