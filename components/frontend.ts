import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { USERS, httpProbe, resourcesOf, secureContainer } from "./shared/defaults";
import { service } from "./shared/service";
import { nodePortService } from "../stacks/catalog";
import { deployment, disruptionBudget, needsPdb } from "./shared/workload";
import type { Resources, ScaledToZero } from "../stacks/schema";

export const FRONTEND_TYPE = "sapoche:workloads:Frontend";

/** Arguments of a frontend site. */
export interface FrontendArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference of the site (nginx-unprivileged based, serving on 8080). */
    readonly image: string;
    /** What it is for (catalog). */
    readonly purpose: string;
    readonly replicas: number;
    /** Required when `replicas` is 0. */
    readonly scaledToZero?: ScaledToZero;
    /** Live name of its NodePort Service. */
    readonly serviceName: string;
    /** Node port of the Service's `http` port (live contract). */
    readonly nodePort: number;
    readonly resources: Resources;
}

/** A static site: an unprivileged nginx Deployment and its NodePort Service. */
export class Frontend extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;

    constructor(name: string, args: FrontendArgs, opts?: pulumi.ComponentResourceOptions) {
        super(FRONTEND_TYPE, name, {}, opts);
        this.deployment = deployment(this, name, {
            namespace: args.namespace,
            component: "frontend",
            purpose: args.purpose,
            replicas: args.replicas,
            scaledToZero: args.scaledToZero,
            pod: {
                serviceAccountName: args.serviceAccountName,
                runAsUser: USERS.nginx,
                containers: [
                    secureContainer({
                        name: "nginx",
                        image: args.image,
                        ports: { http: 8080 },
                        resources: resourcesOf(args.resources),
                        readinessProbe: httpProbe("http", "/"),
                        livenessProbe: httpProbe("http", "/"),
                        writable: ["/tmp", "/var/cache/nginx"],
                    }),
                ],
            },
        });
        if (needsPdb(args.replicas)) disruptionBudget(this, name, args.namespace, "frontend");
        this.service = service(this, args.serviceName, {
            namespace: args.namespace,
            selects: name,
            component: "frontend",
            ports: nodePortService(args.serviceName).ports,
            nodePorts: { http: args.nodePort },
        });
        this.registerOutputs({ deployment: this.deployment, service: this.service });
    }
}
