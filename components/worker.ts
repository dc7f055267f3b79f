import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FixedScale, QueueProcessArgs, WorkloadArgs } from "./shared/args";
import { USERS } from "./shared/defaults";
import { ANNOTATIONS } from "./shared/labels";
import { processContainer } from "./shared/pod";
import { deploymentShape } from "./shared/shape";

export const WORKER_TYPE = "sapoche:workloads:Worker";

/** Arguments of a background worker (always a fixed replica count). */
export interface WorkerArgs extends WorkloadArgs, QueueProcessArgs, FixedScale {
    /** Redis-backed job queue it works. */
    readonly queue: string;
    /** Name of its Deployment. @default the component's name */
    readonly liveName?: string;
}

/** A background job worker: a Deployment, with a PDB when it runs more than one pod. */
export class Worker extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    /** Its PodDisruptionBudget, when it runs more than one pod. */
    public readonly pdb?: k8s.policy.v1.PodDisruptionBudget;
    /** The Deployments and StatefulSets whose rollout this component waits for. */
    public readonly workloads: readonly pulumi.CustomResource[];

    constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(WORKER_TYPE, name, {}, opts);
        const liveName = args.liveName ?? name;
        const shape = deploymentShape(this, name, {
            deployment: {
                name: liveName,
                namespace: args.namespace,
                component: "worker",
                purpose: args.purpose,
                replicas: args.replicas,
                scaledToZero: args.scaledToZero,
                minReadySeconds: args.minReadySeconds,
                annotations: { [ANNOTATIONS.queue]: args.queue },
                pod: {
                    serviceAccountName: args.serviceAccountName,
                    runAsUser: USERS.backend,
                    facts: args.pod,
                    containers: [processContainer("worker", args)],
                },
                // Logical name before children were named `${name}-<role>`: the live name.
                aliases: [liveName],
            },
            maxReplicas: args.replicas,
        });
        this.deployment = shape.deployment;
        this.pdb = shape.pdb;
        this.workloads = [this.deployment];
        this.registerOutputs({}); // children are properties, not outputs: see shared/child.ts
    }
}
