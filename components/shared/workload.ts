/**
 * The Deployment and PodDisruptionBudget every stateless family uses, so replica handling,
 * rollout strategy and disruption rules are decided once.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Autoscaled, Scale, ScaledToZero } from "./args";
import { childOf } from "./child";
import { ANNOTATIONS, Component, labelsFor, selectorFor } from "./labels";
import { PodArgs, podTemplate } from "./pod";

/** Inputs of {@link deployment}. */
export interface DeploymentArgs {
    /** Live name of the Deployment (kept exactly, never auto-named). */
    readonly name: string;
    /** Namespace of the Deployment. */
    readonly namespace: pulumi.Input<string>;
    /** Value of `app.kubernetes.io/component`. */
    readonly component: Component;
    /** What it is for (`sapoche.io/purpose`). */
    readonly purpose: string;
    /**
     * Fixed replica count, or "autoscaled": an HPA or KEDA owns `spec.replicas`, so we never set
     * it (under server-side apply it would fight the autoscaler and make `pulumi up` fail).
     */
    readonly replicas: number | "autoscaled";
    /** Why and until when a zero-replica workload stays at zero. @default none */
    readonly scaledToZero?: ScaledToZero;
    /** Extra annotations. @default none */
    readonly annotations?: Readonly<Record<string, string>>;
    /**
     * Seconds a new pod must stay ready before it counts as available (and the rollout moves
     * on). @default none (Kubernetes: 0)
     */
    readonly minReadySeconds?: number;
    /** @default "RollingUpdate" with no unavailable pod; the scheduler uses "Recreate". */
    readonly strategy?: "RollingUpdate" | "Recreate";
    /** The pod template's inputs (its name and component are the Deployment's). */
    readonly pod: Omit<PodArgs, "name" | "component">;
    /** Logical names the Deployment had before. @default none */
    readonly aliases?: readonly string[];
    /**
     * Delete the old Deployment before creating its replacement (a new live name replaces it):
     * for a singleton that must never run twice. @default false (create first, no gap)
     */
    readonly deleteBeforeReplace?: boolean;
}

/** A Deployment named exactly `args.name`. */
export function deployment(
    parent: pulumi.Resource,
    logicalName: string,
    args: DeploymentArgs,
): k8s.apps.v1.Deployment {
    const name = args.name;
    const annotations: Record<string, string> = {
        [ANNOTATIONS.purpose]: args.purpose,
        [ANNOTATIONS.patchForce]: "true",
        ...args.annotations,
    };
    if (args.scaledToZero) {
        annotations[ANNOTATIONS.scaledToZeroReason] = args.scaledToZero.reason;
        annotations[ANNOTATIONS.reviewDate] = args.scaledToZero.reviewDate;
    }
    // The live selector where config gives it: a selector is immutable, so adopting in place keeps it.
    const selector = { ...(args.pod.facts?.selector ?? selectorFor(name)) };
    const template = podTemplate({ ...args.pod, name, component: args.component });
    const unmatched = Object.entries(selector).filter(
        ([k, v]) => template.metadata.labels[k] !== v,
    );
    if (unmatched.length > 0) {
        throw new Error(
            `Deployment ${name}: its selector (${unmatched.map(([k, v]) => `${k}=${v}`).join(", ")}) ` +
                `does not match its pod labels`,
        );
    }
    const strategy =
        args.strategy === "Recreate"
            ? { type: "Recreate" }
            : { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } };
    return new k8s.apps.v1.Deployment(
        logicalName,
        {
            metadata: {
                name,
                namespace: args.namespace,
                labels: labelsFor(name, args.component),
                annotations,
            },
            spec: {
                ...(args.replicas === "autoscaled" ? {} : { replicas: args.replicas }),
                ...(args.minReadySeconds === undefined
                    ? {}
                    : { minReadySeconds: args.minReadySeconds }),
                revisionHistoryLimit: 5,
                selector: { matchLabels: selector },
                strategy,
                template,
            },
        },
        args.deleteBeforeReplace
            ? { ...childOf(parent, args.aliases), deleteBeforeReplace: true }
            : childOf(parent, args.aliases),
    );
}

/** Inputs of {@link disruptionBudget}. */
export interface DisruptionBudgetArgs {
    /** Live name of the workload it protects (also the PDB's name). */
    readonly name: string;
    /** Namespace of the workload. */
    readonly namespace: pulumi.Input<string>;
    /** Value of `app.kubernetes.io/component`. */
    readonly component: Component;
    /** Logical names the PDB had before. @default none */
    readonly aliases?: readonly string[];
    /** The workload's selector. @default `app.kubernetes.io/name: <name>` */
    readonly selector?: Readonly<Record<string, string>>;
}

/**
 * A PDB allowing one pod down at a time: drains proceed, never all at once. `maxUnavailable`
 * (not `minAvailable`) so it can neither block every disruption nor exceed an autoscaler's floor.
 */
export function disruptionBudget(
    parent: pulumi.Resource,
    logicalName: string,
    args: DisruptionBudgetArgs,
): k8s.policy.v1.PodDisruptionBudget {
    return new k8s.policy.v1.PodDisruptionBudget(
        logicalName,
        {
            metadata: {
                name: args.name,
                namespace: args.namespace,
                labels: labelsFor(args.name, args.component),
            },
            spec: {
                maxUnavailable: 1,
                selector: { matchLabels: { ...(args.selector ?? selectorFor(args.name)) } },
            },
        },
        childOf(parent, args.aliases),
    );
}

/** Whether an autoscaler owns the workload's replica count. */
export function isAutoscaled<A>(scale: Scale<A>): scale is Autoscaled<A> {
    return scale.autoscaling !== undefined;
}

/** The replica count a Deployment sets: none when an autoscaler owns it. */
export function replicasOf<A>(scale: Scale<A>): number | "autoscaled" {
    return isAutoscaled(scale) ? "autoscaled" : scale.replicas;
}

/** The most pods a workload can run: its autoscaler's ceiling, or its fixed count. */
export function maxReplicasOf<A extends { readonly maxReplicas: number }>(scale: Scale<A>): number {
    return isAutoscaled(scale) ? scale.autoscaling.maxReplicas : scale.replicas;
}

/** Whether a workload can ever run more than one pod, and so needs a PDB. */
export function needsPdb(maxReplicas: number): boolean {
    return maxReplicas > 1;
}
