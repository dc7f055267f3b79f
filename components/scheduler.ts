import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { QueueProcessArgs, WorkloadArgs } from "./shared/args";
import { USERS } from "./shared/defaults";
import { processContainer } from "./shared/pod";
import { deploymentShape } from "./shared/shape";

export const SCHEDULER_TYPE = "sapoche:workloads:Scheduler";

/** Arguments of the task scheduler (always exactly one pod). */
export interface SchedulerArgs extends WorkloadArgs, QueueProcessArgs {
    /**
     * Name of its Deployment. The live name carries the environment, while the component's
     * logical name stays the same in every stack. @default the component's name
     */
    readonly liveName?: string;
}

/**
 * The task scheduler: a singleton that must never run twice (two schedulers fire every job
 * twice). One replica, `Recreate` (the old pod is gone before the new one starts), no
 * autoscaler and no PDB: a drain simply moves it.
 */
export class Scheduler extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    /** The Deployments and StatefulSets whose rollout this component waits for. */
    public readonly workloads: readonly pulumi.CustomResource[];

    constructor(name: string, args: SchedulerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(SCHEDULER_TYPE, name, {}, opts);
        const liveName = args.liveName ?? name;
        this.deployment = deploymentShape(this, name, {
            deployment: {
                name: liveName,
                namespace: args.namespace,
                component: "scheduler",
                purpose: args.purpose,
                replicas: 1,
                minReadySeconds: args.minReadySeconds,
                strategy: "Recreate",
                pod: {
                    serviceAccountName: args.serviceAccountName,
                    runAsUser: USERS.backend,
                    facts: args.pod,
                    containers: [processContainer("scheduler", args)],
                },
                // Logical name before children were named `${name}-<role>`: the live name.
                aliases: [liveName],
                // A new environment word renames, so replaces, the Deployment: by default Pulumi
                // creates the replacement first and two schedulers would run every job twice.
                deleteBeforeReplace: true,
            },
            // Exactly one pod: no PDB.
            maxReplicas: 1,
        }).deployment;
        this.workloads = [this.deployment];
        this.registerOutputs({}); // children are properties, not outputs: see shared/child.ts
    }
}
