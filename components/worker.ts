import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS } from "./shared/labels";
import { USERS, heartbeatProbe, resourcesOf, secureContainer } from "./shared/defaults";
import { deployment, disruptionBudget, needsPdb } from "./shared/workload";
import type { Resources, ScaledToZero } from "../stacks/schema";

export const WORKER_TYPE = "sapoche:workloads:Worker";

/** Arguments of a background worker. */
export interface WorkerArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference of the backend. */
    readonly image: string;
    /** Redis-backed job queue it works. */
    readonly queue: string;
    /** What it is for (catalog). */
    readonly purpose: string;
    /** Fixed replica count. */
    readonly replicas: number;
    /** Required when `replicas` is 0. */
    readonly scaledToZero?: ScaledToZero;
    readonly resources: Resources;
}

/** A background job worker: a Deployment, with a PDB when it runs more than one pod. */
export class Worker extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(WORKER_TYPE, name, {}, opts);
        this.deployment = deployment(this, name, {
            namespace: args.namespace,
            component: "worker",
            purpose: args.purpose,
            replicas: args.replicas,
            scaledToZero: args.scaledToZero,
            annotations: { [ANNOTATIONS.queue]: args.queue },
            pod: {
                serviceAccountName: args.serviceAccountName,
                runAsUser: USERS.backend,
                containers: [
                    secureContainer({
                        name: "worker",
                        image: args.image,
                        env: { SAPOCHE_ROLE: "worker", QUEUE_NAME: args.queue },
                        resources: resourcesOf(args.resources),
                        livenessProbe: heartbeatProbe,
                        writable: ["/tmp"],
                    }),
                ],
            },
        });
        if (needsPdb(args.replicas)) disruptionBudget(this, name, args.namespace, "worker");
        this.registerOutputs({ deployment: this.deployment });
    }
}
