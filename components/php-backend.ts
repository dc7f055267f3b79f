import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { USERS, resourcesOf, secureContainer, tcpProbe } from "./shared/defaults";
import { labelsFor } from "./shared/labels";
import { service } from "./shared/service";
import { deployment, disruptionBudget, needsPdb } from "./shared/workload";
import { nodePortServices, phpBackend } from "../stacks/catalog";
import type { HpaScaling, Resources } from "../stacks/schema";

export const PHP_BACKEND_TYPE = "sapoche:workloads:PhpBackend";

/** Arguments of the PHP backend (php-fpm and its nginx tier). */
export interface PhpBackendArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference of the php-fpm backend. */
    readonly fpmImage: string;
    /** Image reference of the nginx tier (nginx-unprivileged based, serving on 8080). */
    readonly nginxImage: string;
    /** HPA bounds and targets of php-fpm. */
    readonly fpmScaling: HpaScaling;
    readonly fpmResources: Resources;
    /** Fixed replicas of the nginx tier. */
    readonly nginxReplicas: number;
    readonly nginxResources: Resources;
    /** Node ports by Service name, then port name (live contract). */
    readonly nodePorts: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * The request path `bknd-services-nginx -> sp-bknd-nginx -> sp-bnkd-php`: php-fpm scaled by an
 * HPA on CPU and memory, an nginx tier in front, both live Services with their node ports.
 */
export class PhpBackend extends pulumi.ComponentResource {
    public readonly fpm: k8s.apps.v1.Deployment;
    public readonly nginx: k8s.apps.v1.Deployment;
    public readonly hpa: k8s.autoscaling.v2.HorizontalPodAutoscaler;

    constructor(name: string, args: PhpBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super(PHP_BACKEND_TYPE, name, {}, opts);
        const { fpm, nginx } = phpBackend;
        const fpmName = fpm.name;

        this.fpm = deployment(this, fpmName, {
            namespace: args.namespace,
            component: "php-backend",
            purpose: fpm.purpose,
            replicas: "autoscaled",
            pod: {
                serviceAccountName: args.serviceAccountName,
                runAsUser: USERS.backend,
                containers: [
                    secureContainer({
                        name: "php-fpm",
                        image: args.fpmImage,
                        env: { SAPOCHE_ROLE: "fpm" },
                        ports: { fpm: 9000, http: 8080 },
                        resources: resourcesOf(args.fpmResources),
                        readinessProbe: tcpProbe("fpm"),
                        livenessProbe: tcpProbe("fpm", 20),
                        writable: ["/tmp", "/var/run/php"],
                    }),
                ],
            },
        });
        this.hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            `${fpmName}-hpa`,
            {
                metadata: {
                    name: fpmName,
                    namespace: args.namespace,
                    labels: labelsFor(fpmName, "php-backend"),
                },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: fpmName },
                    minReplicas: args.fpmScaling.minReplicas,
                    maxReplicas: args.fpmScaling.maxReplicas,
                    metrics: [
                        {
                            type: "Resource",
                            resource: {
                                name: "cpu",
                                target: {
                                    type: "Utilization",
                                    averageUtilization: args.fpmScaling.cpuUtilization,
                                },
                            },
                        },
                        {
                            type: "Resource",
                            resource: {
                                name: "memory",
                                target: {
                                    type: "AverageValue",
                                    averageValue: args.fpmScaling.memoryAverage,
                                },
                            },
                        },
                    ],
                },
            },
            { parent: this },
        );
        if (needsPdb(undefined, args.fpmScaling.maxReplicas)) {
            disruptionBudget(this, fpmName, args.namespace, "php-backend");
        }

        this.nginx = deployment(this, nginx.name, {
            namespace: args.namespace,
            component: "php-backend",
            purpose: nginx.purpose,
            replicas: args.nginxReplicas,
            pod: {
                serviceAccountName: args.serviceAccountName,
                runAsUser: USERS.nginx,
                containers: [
                    secureContainer({
                        name: "nginx",
                        image: args.nginxImage,
                        ports: { http: 8080 },
                        resources: resourcesOf(args.nginxResources),
                        readinessProbe: tcpProbe("http"),
                        livenessProbe: tcpProbe("http", 20),
                        writable: ["/tmp", "/var/cache/nginx"],
                    }),
                ],
            },
        });
        if (needsPdb(args.nginxReplicas)) {
            disruptionBudget(this, nginx.name, args.namespace, "php-backend");
        }

        for (const svc of nodePortServices.filter(
            (s) => s.selects === fpmName || s.selects === nginx.name,
        )) {
            service(this, svc.name, {
                namespace: args.namespace,
                selects: svc.selects,
                component: "php-backend",
                ports: svc.ports,
                nodePorts: args.nodePorts[svc.name],
            });
        }
        this.registerOutputs({ fpm: this.fpm, nginx: this.nginx, hpa: this.hpa });
    }
}
