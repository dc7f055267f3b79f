import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { labelsFor } from "./shared/labels";
import { USERS, resourcesOf, secureContainer, tcpProbe } from "./shared/defaults";
import { service } from "./shared/service";
import { nodePortService } from "../stacks/catalog";
import { deployment, disruptionBudget, needsPdb } from "./shared/workload";
import type { Resources, ScaledToZero } from "../stacks/schema";

export const ORTHANC_TYPE = "sapoche:workloads:Orthanc";

/** Arguments of the Orthanc read API. */
export interface OrthancArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference of Orthanc. */
    readonly image: string;
    /** Image reference of the read-only proxy sidecar (nginx-unprivileged). */
    readonly proxyImage: string;
    /** What it is for (catalog). */
    readonly purpose: string;
    readonly replicas: number;
    /** Required when `replicas` is 0. */
    readonly scaledToZero?: ScaledToZero;
    readonly resources: Resources;
    readonly sidecarResources: Resources;
    /** Secret (managed outside the stack) holding Orthanc's configuration. */
    readonly configSecretName: string;
    /** Live name of its NodePort Service. */
    readonly serviceName: string;
    /** Node port of the Service's `http` port (live contract). */
    readonly nodePort: number;
}

// The sidecar is what makes the API read-only: only GET/HEAD/OPTIONS reach Orthanc.
const PROXY_CONF = `server {
    listen 8080;
    client_max_body_size 1m;
    location / {
        limit_except GET HEAD OPTIONS { deny all; }
        proxy_pass http://127.0.0.1:8042;
        proxy_read_timeout 300s;
    }
}
`;

/**
 * Orthanc's read-only DICOM API: Orthanc plus a read-only nginx proxy sidecar, and the NodePort
 * Service the DICOM viewer and clinics use. Orthanc's own configuration (storage, index database,
 * credentials) lives in the Secret `orthanc-config`, managed outside this stack.
 */
export class Orthanc extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;

    constructor(name: string, args: OrthancArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ORTHANC_TYPE, name, {}, opts);
        const proxyConfig = new k8s.core.v1.ConfigMap(
            `${name}-proxy-config`,
            {
                metadata: {
                    name: `${name}-proxy`,
                    namespace: args.namespace,
                    labels: labelsFor(name, "orthanc"),
                },
                data: { "default.conf": PROXY_CONF },
            },
            { parent: this },
        );
        this.deployment = deployment(this, name, {
            namespace: args.namespace,
            component: "orthanc",
            purpose: args.purpose,
            replicas: args.replicas,
            scaledToZero: args.scaledToZero,
            pod: {
                serviceAccountName: args.serviceAccountName,
                runAsUser: USERS.orthanc,
                volumes: [
                    {
                        name: "orthanc-config",
                        secret: { secretName: args.configSecretName, optional: false },
                    },
                    { name: "proxy-config", configMap: { name: proxyConfig.metadata.name } },
                ],
                containers: [
                    secureContainer({
                        name: "orthanc",
                        image: args.image,
                        ports: { orthanc: 8042 },
                        env: { ORTHANC__CONFIGURATION_FILE: "/etc/orthanc/orthanc.json" },
                        resources: resourcesOf(args.resources),
                        readinessProbe: tcpProbe("orthanc"),
                        livenessProbe: tcpProbe("orthanc", 20),
                        volumeMounts: [
                            { name: "orthanc-config", mountPath: "/etc/orthanc", readOnly: true },
                        ],
                        writable: ["/tmp"],
                    }),
                    secureContainer({
                        name: "read-proxy",
                        image: args.proxyImage,
                        ports: { http: 8080 },
                        resources: resourcesOf(args.sidecarResources),
                        readinessProbe: tcpProbe("http"),
                        livenessProbe: tcpProbe("http", 20),
                        volumeMounts: [
                            {
                                name: "proxy-config",
                                mountPath: "/etc/nginx/conf.d",
                                readOnly: true,
                            },
                        ],
                        writable: ["/tmp", "/var/cache/nginx"],
                    }),
                ],
            },
        });
        if (needsPdb(args.replicas)) disruptionBudget(this, name, args.namespace, "orthanc");
        this.service = service(this, args.serviceName, {
            namespace: args.namespace,
            selects: name,
            component: "orthanc",
            ports: nodePortService(args.serviceName).ports,
            nodePorts: { http: args.nodePort },
        });
        this.registerOutputs({ deployment: this.deployment, service: this.service });
    }
}
