/**
 * The Deployment and PodDisruptionBudget every stateless family uses, so replica handling,
 * rollout strategy and disruption rules are decided once.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, Component, labelsFor, selectorFor } from "./labels";
import { PodArgs, podTemplate } from "./pod";
import type { ScaledToZero } from "../../stacks/schema";

export interface DeploymentArgs {
    readonly namespace: pulumi.Input<string>;
    readonly component: Component;
    readonly purpose: string;
    /**
     * Fixed replica count, or "autoscaled": an HPA or KEDA owns `spec.replicas`, so we never set
     * it (under server-side apply it would fight the autoscaler and make `pulumi up` fail).
     */
    readonly replicas: number | "autoscaled";
    /** Why and until when a zero-replica workload stays at zero (required when replicas is 0). */
    readonly scaledToZero?: ScaledToZero;
    readonly annotations?: Readonly<Record<string, string>>;
    /** @default "RollingUpdate" with no unavailable pod; the scheduler uses "Recreate". */
    readonly strategy?: "RollingUpdate" | "Recreate";
    readonly pod: Omit<PodArgs, "name" | "component">;
}

/** A Deployment named exactly `name` (live names are kept, never auto-named). */
export function deployment(
    parent: pulumi.Resource,
    name: string,
    args: DeploymentArgs,
): k8s.apps.v1.Deployment {
    const annotations: Record<string, string> = {
        [ANNOTATIONS.purpose]: args.purpose,
        [ANNOTATIONS.patchForce]: "true",
        ...args.annotations,
    };
    if (args.scaledToZero) {
        annotations[ANNOTATIONS.scaledToZeroReason] = args.scaledToZero.reason;
        annotations[ANNOTATIONS.reviewDate] = args.scaledToZero.reviewDate;
    }
    const strategy =
        args.strategy === "Recreate"
            ? { type: "Recreate" }
            : { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } };
    return new k8s.apps.v1.Deployment(
        name,
        {
            metadata: {
                name,
                namespace: args.namespace,
                labels: labelsFor(name, args.component),
                annotations,
            },
            spec: {
                ...(args.replicas === "autoscaled" ? {} : { replicas: args.replicas }),
                revisionHistoryLimit: 5,
                selector: { matchLabels: selectorFor(name) },
                strategy,
                template: podTemplate({ ...args.pod, name, component: args.component }),
            },
        },
        { parent },
    );
}

/**
 * A PDB allowing one pod down at a time: drains proceed, never all at once. `maxUnavailable`
 * (not `minAvailable`) so it can neither block every disruption nor exceed an autoscaler's floor.
 */
export function disruptionBudget(
    parent: pulumi.Resource,
    name: string,
    namespace: pulumi.Input<string>,
    component: Component,
): k8s.policy.v1.PodDisruptionBudget {
    return new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
            metadata: { name, namespace, labels: labelsFor(name, component) },
            spec: { maxUnavailable: 1, selector: { matchLabels: selectorFor(name) } },
        },
        { parent },
    );
}

/** Whether a workload can ever run more than one pod, and so needs a PDB. */
export function needsPdb(replicas: number | undefined, maxReplicas?: number): boolean {
    return (maxReplicas ?? replicas ?? 0) > 1;
}
