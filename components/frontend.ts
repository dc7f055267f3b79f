import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FixedScale, ServerProbeArgs, ServiceSpec, WorkloadArgs } from "./shared/args";
import { USERS, httpProbe, resourcesOf, serverProbes } from "./shared/defaults";
import { secureContainer, withContainerFacts } from "./shared/pod";
import { deploymentShape } from "./shared/shape";

export const FRONTEND_TYPE = "sapoche:workloads:Frontend";

/** Arguments of a frontend site; `image` is nginx-unprivileged based, serving on 8080. */
export interface FrontendArgs extends WorkloadArgs, ServerProbeArgs, FixedScale {
    /** Its Service: live name, ports and node ports (named container port `http`). */
    readonly service: ServiceSpec;
    /** Name of its Deployment. @default the component's name */
    readonly liveName?: string;
}

/** A static site: an unprivileged nginx Deployment and its NodePort Service. */
export class Frontend extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    /** Its PodDisruptionBudget, when it runs more than one pod. */
    public readonly pdb?: k8s.policy.v1.PodDisruptionBudget;
    /** The Deployments and StatefulSets whose rollout this component waits for. */
    public readonly workloads: readonly pulumi.CustomResource[];

    constructor(name: string, args: FrontendArgs, opts?: pulumi.ComponentResourceOptions) {
        super(FRONTEND_TYPE, name, {}, opts);
        const liveName = args.liveName ?? name;
        const shape = deploymentShape(this, name, {
            deployment: {
                name: liveName,
                namespace: args.namespace,
                component: "frontend",
                purpose: args.purpose,
                replicas: args.replicas,
                scaledToZero: args.scaledToZero,
                minReadySeconds: args.minReadySeconds,
                pod: {
                    serviceAccountName: args.serviceAccountName,
                    runAsUser: USERS.nginx,
                    facts: args.pod,
                    containers: [
                        withContainerFacts(
                            secureContainer({
                                name: "nginx",
                                image: args.image,
                                ports: { http: 8080 },
                                resources: resourcesOf(args.resources),
                                ...serverProbes(args.probes, {
                                    readiness: httpProbe("http", "/"),
                                    liveness: httpProbe("http", "/"),
                                }),
                                writable: ["/tmp", "/var/cache/nginx"],
                            }),
                            args.container,
                        ),
                    ],
                },
                // Logical name before children were named `${name}-<role>`: the live name.
                aliases: [liveName],
            },
            maxReplicas: args.replicas,
            service: {
                spec: args.service,
                // Earlier logical name: the Service's live name + "-service".
                aliases: [`${args.service.name}-service`].filter((n) => n !== `${name}-service`),
            },
        });
        this.deployment = shape.deployment;
        this.pdb = shape.pdb;
        this.service = shape.service;
        this.workloads = [this.deployment];
        this.registerOutputs({}); // children are properties, not outputs: see shared/child.ts
    }
}
