import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type {
    Autoscaled,
    FixedScale,
    ServerProbeArgs,
    ServiceSpec,
    WorkloadArgs,
} from "./shared/args";
import { childOf } from "./shared/child";
import { USERS, resourcesOf, serverProbes, tcpProbe } from "./shared/defaults";
import { labelsFor } from "./shared/labels";
import { secureContainer, withContainerFacts } from "./shared/pod";
import { deploymentShape } from "./shared/shape";

export const PHP_BACKEND_TYPE = "sapoche:workloads:PhpBackend";

/** HPA bounds and targets of php-fpm. */
export interface HpaScaling {
    /** Floor (at least 1). */
    readonly minReplicas: number;
    /** Ceiling. */
    readonly maxReplicas: number;
    /** Target average CPU utilisation, in percent of the request. */
    readonly cpuUtilization: number;
    /** Target average memory per pod (`160Mi`). */
    readonly memoryAverage: string;
}

/** One tier of the backend: its live Deployment name, image, purpose, size and Service. */
export type PhpTierArgs = Omit<WorkloadArgs, "namespace" | "serviceAccountName"> &
    ServerProbeArgs & {
        /** Live name of the tier's Deployment. */
        readonly name: string;
        /** The tier's Service: live name, ports and node ports. */
        readonly service: ServiceSpec;
    };

/** Arguments of the PHP backend (php-fpm and its nginx tier). */
export interface PhpBackendArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** php-fpm (serves fpm on 9000 and HTTP on 8080), scaled by an HPA. */
    readonly fpm: PhpTierArgs & Autoscaled<HpaScaling>;
    /** The nginx tier in front (nginx-unprivileged based, serving on 8080). */
    readonly nginx: PhpTierArgs & FixedScale;
}

/**
 * The request path `bknd-services-nginx -> sp-bknd-nginx -> sp-bnkd-php`: php-fpm scaled by an
 * HPA on CPU and memory, an nginx tier in front, both live Services with their node ports.
 */
export class PhpBackend extends pulumi.ComponentResource {
    public readonly fpm: k8s.apps.v1.Deployment;
    public readonly nginx: k8s.apps.v1.Deployment;
    public readonly hpa: k8s.autoscaling.v2.HorizontalPodAutoscaler;
    /** The PDBs of the tiers that can run more than one pod. */
    public readonly pdbs: readonly k8s.policy.v1.PodDisruptionBudget[];
    /** php-fpm's Service, then the nginx tier's. */
    public readonly services: readonly k8s.core.v1.Service[];
    /** The Deployments and StatefulSets whose rollout this component waits for. */
    public readonly workloads: readonly pulumi.CustomResource[];

    constructor(name: string, args: PhpBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super(PHP_BACKEND_TYPE, name, {}, opts);
        const { fpm, nginx } = args;
        // Children were named after the live objects (`sp-bnkd-php-hpa`) before they were named
        // `${name}-<tier>-<role>`: each keeps that name as an alias.
        const fpmShape = deploymentShape(this, `${name}-fpm`, {
            deployment: {
                name: fpm.name,
                namespace: args.namespace,
                component: "php-backend",
                purpose: fpm.purpose,
                replicas: "autoscaled",
                minReadySeconds: fpm.minReadySeconds,
                pod: {
                    serviceAccountName: args.serviceAccountName,
                    runAsUser: USERS.backend,
                    facts: fpm.pod,
                    containers: [
                        withContainerFacts(
                            secureContainer({
                                name: "php-fpm",
                                image: fpm.image,
                                ports: { fpm: 9000, http: 8080 },
                                resources: resourcesOf(fpm.resources),
                                ...serverProbes(fpm.probes, {
                                    readiness: tcpProbe("fpm"),
                                    liveness: tcpProbe("fpm", 20),
                                }),
                                writable: ["/tmp", "/var/run/php"],
                            }),
                            fpm.container,
                        ),
                    ],
                },
                aliases: [fpm.name],
            },
            maxReplicas: fpm.autoscaling.maxReplicas,
            pdbAliases: [`${fpm.name}-pdb`],
            service: { spec: fpm.service, aliases: [`${fpm.service.name}-service`] },
        });
        this.fpm = fpmShape.deployment;
        this.hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            `${name}-fpm-hpa`,
            {
                metadata: {
                    name: fpm.name,
                    namespace: args.namespace,
                    labels: labelsFor(fpm.name, "php-backend"),
                },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: fpm.name },
                    minReplicas: fpm.autoscaling.minReplicas,
                    maxReplicas: fpm.autoscaling.maxReplicas,
                    metrics: [
                        {
                            type: "Resource",
                            resource: {
                                name: "cpu",
                                target: {
                                    type: "Utilization",
                                    averageUtilization: fpm.autoscaling.cpuUtilization,
                                },
                            },
                        },
                        {
                            type: "Resource",
                            resource: {
                                name: "memory",
                                target: {
                                    type: "AverageValue",
                                    averageValue: fpm.autoscaling.memoryAverage,
                                },
                            },
                        },
                    ],
                },
            },
            childOf(this, [`${fpm.name}-hpa`]),
        );

        const nginxShape = deploymentShape(this, `${name}-nginx`, {
            deployment: {
                name: nginx.name,
                namespace: args.namespace,
                component: "php-backend",
                purpose: nginx.purpose,
                replicas: nginx.replicas,
                scaledToZero: nginx.scaledToZero,
                minReadySeconds: nginx.minReadySeconds,
                pod: {
                    serviceAccountName: args.serviceAccountName,
                    runAsUser: USERS.nginx,
                    facts: nginx.pod,
                    containers: [
                        withContainerFacts(
                            secureContainer({
                                name: "nginx",
                                image: nginx.image,
                                ports: { http: 8080 },
                                resources: resourcesOf(nginx.resources),
                                ...serverProbes(nginx.probes, {
                                    readiness: tcpProbe("http"),
                                    liveness: tcpProbe("http", 20),
                                }),
                                writable: ["/tmp", "/var/cache/nginx"],
                            }),
                            nginx.container,
                        ),
                    ],
                },
                aliases: [nginx.name],
            },
            maxReplicas: nginx.replicas,
            pdbAliases: [`${nginx.name}-pdb`],
            service: { spec: nginx.service, aliases: [`${nginx.service.name}-service`] },
        });
        this.nginx = nginxShape.deployment;

        this.services = [fpmShape.service, nginxShape.service];
        this.pdbs = [fpmShape.pdb, nginxShape.pdb].filter(
            (p): p is k8s.policy.v1.PodDisruptionBudget => p !== undefined,
        );
        this.workloads = [this.fpm, this.nginx];
        this.registerOutputs({}); // children are properties, not outputs: see shared/child.ts
    }
}
