import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { USERS, heartbeatProbe, resourcesOf, secureContainer } from "./shared/defaults";
import { deployment } from "./shared/workload";
import type { Resources } from "../stacks/schema";

export const SCHEDULER_TYPE = "sapoche:workloads:Scheduler";

/** Arguments of the task scheduler. */
export interface SchedulerArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference of the backend. */
    readonly image: string;
    /** What it is for (catalog). */
    readonly purpose: string;
    readonly resources: Resources;
}

/**
 * The task scheduler: a singleton that must never run twice (two schedulers fire every job
 * twice). One replica, `Recreate` (the old pod is gone before the new one starts), no
 * autoscaler and no PDB: a drain simply moves it.
 */
export class Scheduler extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: SchedulerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(SCHEDULER_TYPE, name, {}, opts);
        this.deployment = deployment(this, name, {
            namespace: args.namespace,
            component: "scheduler",
            purpose: args.purpose,
            replicas: 1,
            strategy: "Recreate",
            pod: {
                serviceAccountName: args.serviceAccountName,
                runAsUser: USERS.backend,
                containers: [
                    secureContainer({
                        name: "scheduler",
                        image: args.image,
                        env: { SAPOCHE_ROLE: "scheduler" },
                        resources: resourcesOf(args.resources),
                        livenessProbe: heartbeatProbe,
                        writable: ["/tmp"],
                    }),
                ],
            },
        });
        this.registerOutputs({ deployment: this.deployment });
    }
}
