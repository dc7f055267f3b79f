import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type {
    FixedScale,
    Resources,
    ServerProbeArgs,
    ServiceSpec,
    WorkloadArgs,
} from "./shared/args";
import { versionedConfigMap } from "./shared/config-map";
import { USERS, resourcesOf, serverProbes, tcpProbe } from "./shared/defaults";
import { labelsFor } from "./shared/labels";
import { secureContainer, withContainerFacts } from "./shared/pod";
import { deploymentShape } from "./shared/shape";

export const ORTHANC_TYPE = "sapoche:workloads:Orthanc";

/** Arguments of the Orthanc read API; `image` is Orthanc's. */
export interface OrthancArgs extends WorkloadArgs, ServerProbeArgs, FixedScale {
    /** Image reference of the read-only proxy sidecar (nginx-unprivileged). */
    readonly proxyImage: string;
    /** Requests and limits of the sidecar. */
    readonly sidecarResources: Resources;
    /** Secret (managed outside the stack) holding Orthanc's configuration. */
    readonly configSecretName: string;
    /** Its Service: live name, ports and node ports (named container port `http`). */
    readonly service: ServiceSpec;
    /** Name of its Deployment. @default the component's name */
    readonly liveName?: string;
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
 * credentials) lives in the Secret named by `configSecretName`, managed outside this stack.
 */
export class Orthanc extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    /** Its PodDisruptionBudget, when it runs more than one pod. */
    public readonly pdb?: k8s.policy.v1.PodDisruptionBudget;
    /** The Deployments and StatefulSets whose rollout this component waits for. */
    public readonly workloads: readonly pulumi.CustomResource[];

    constructor(name: string, args: OrthancArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ORTHANC_TYPE, name, {}, opts);
        const liveName = args.liveName ?? name;
        // Named after its content: a config change rolls the Deployment, never replaces it.
        const proxyConfig = versionedConfigMap(this, `${name}-proxy-config`, {
            name: `${liveName}-proxy`,
            namespace: args.namespace,
            labels: labelsFor(liveName, "orthanc"),
            data: { "default.conf": PROXY_CONF },
        });
        const shape = deploymentShape(this, name, {
            deployment: {
                name: liveName,
                namespace: args.namespace,
                component: "orthanc",
                purpose: args.purpose,
                replicas: args.replicas,
                scaledToZero: args.scaledToZero,
                minReadySeconds: args.minReadySeconds,
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
                    facts: args.pod,
                    containers: [
                        withContainerFacts(
                            secureContainer({
                                name: "orthanc",
                                image: args.image,
                                ports: { orthanc: 8042 },
                                env: { ORTHANC__CONFIGURATION_FILE: "/etc/orthanc/orthanc.json" },
                                resources: resourcesOf(args.resources),
                                ...serverProbes(args.probes, {
                                    readiness: tcpProbe("orthanc"),
                                    liveness: tcpProbe("orthanc", 20),
                                }),
                                volumeMounts: [
                                    {
                                        name: "orthanc-config",
                                        mountPath: "/etc/orthanc",
                                        readOnly: true,
                                    },
                                ],
                                writable: ["/tmp"],
                            }),
                            args.container,
                        ),
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
