import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { redisStartScript, RedisConfigOptions, sentinelStartScript } from "./config";
import { migrateScript } from "./migrate";
import type { RedisArgs } from "./args";
import { redisExporter } from "./exporter";
import { redisProxyTier } from "./proxy";
import { switchoverScript } from "./switchover";
import { childOf } from "../shared/child";
import { versionedConfigMap } from "../shared/config-map";
import { USERS, resourcesOf, tcpProbe } from "../shared/defaults";
import { ANNOTATIONS, labelsFor, selectorFor } from "../shared/labels";
import { EXPORTER_PORTS, METRICS_PORTS } from "../shared/metrics";
import { podTemplate, secureContainer } from "../shared/pod";
import { service } from "../shared/service";
import { disruptionBudget } from "../shared/workload";

export const REDIS_TYPE = "sapoche:workloads:Redis";

export type { RedisArgs, RedisNames } from "./args";

/**
 * Redis in Sentinel HA: a StatefulSet of `nodes` Redis + Sentinel pods spread over nodes, each
 * on its own protected volume, a PDB allowing one disruption, `redis-sentinel` for
 * Sentinel-aware clients and `redis-sp:6379`, which today's clients use, kept pointing at the
 * writable master through an HAProxy tier. Redis holds job queues: losing it loses work, so its
 * volumes are protected and survive the StatefulSet.
 */
export class Redis extends pulumi.ComponentResource {
    public readonly statefulSet: k8s.apps.v1.StatefulSet;
    /** The protected data volumes, one per node. */
    public readonly volumes: k8s.core.v1.PersistentVolumeClaim[];
    /** The HAProxy tier behind `redis-sp`. */
    public readonly proxy: k8s.apps.v1.Deployment;
    /** The PDBs of the nodes and, when it runs more than one pod, of the proxy. */
    public readonly pdbs: readonly k8s.policy.v1.PodDisruptionBudget[];
    /** `redis-sp` (the proxy), `redis-sentinel` and `redis-headless`. */
    public readonly services: readonly k8s.core.v1.Service[];
    /** The Deployments and StatefulSets whose rollout this component waits for. */
    public readonly workloads: readonly pulumi.CustomResource[];

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super(REDIS_TYPE, name, {}, opts);
        const s = args;
        const names = args.names;
        const sts = names.statefulSet;
        const labels = labelsFor(sts, "redis");
        const config: RedisConfigOptions = {
            maxmemory: s.maxmemory,
            legacyMaster: s.legacyMaster,
            minReplicasToWrite: s.minReplicasToWrite,
            minReplicasMaxLag: s.minReplicasMaxLag,
        };
        const headless = pulumi.interpolate`${names.headlessService}.${args.namespace}.svc.cluster.local`;

        // Named after its content: a script change rolls the StatefulSet, never replaces it.
        const scripts = versionedConfigMap(this, `${name}-scripts`, {
            name: `${sts}-scripts`,
            namespace: args.namespace,
            labels,
            data: {
                "redis.sh": redisStartScript(config),
                "sentinel.sh": sentinelStartScript(config),
                "switchover.sh": switchoverScript(s.nodes),
                ...(config.legacyMaster ? { "migrate.sh": migrateScript(s.nodes, config) } : {}),
            },
        });

        // Created before the StatefulSet, with the names its claim template would give, so the
        // StatefulSet adopts them: as our own resources they can be protected from deletion.
        this.volumes = Array.from(
            { length: s.nodes },
            (_, i) =>
                new k8s.core.v1.PersistentVolumeClaim(
                    `${name}-data-${i}`,
                    {
                        metadata: { name: `data-${sts}-${i}`, namespace: args.namespace, labels },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: s.storageClassName,
                            resources: { requests: { storage: s.storageSize } },
                        },
                    },
                    { ...childOf(this), protect: true },
                ),
        );

        const headlessService = new k8s.core.v1.Service(
            `${name}-headless-service`,
            {
                metadata: { name: names.headlessService, namespace: args.namespace, labels },
                spec: {
                    clusterIP: "None",
                    // Nodes must find each other before they are ready (first boot, failover).
                    publishNotReadyAddresses: true,
                    selector: selectorFor(sts),
                    ports: [
                        { name: "redis", port: 6379, targetPort: "redis" },
                        { name: "sentinel", port: 26379, targetPort: "sentinel" },
                    ],
                },
            },
            // Logical name before children were named `${name}-<role>`.
            childOf(this, [`${name}-headless`]),
        );

        const password = { secretKeyRef: { name: s.passwordSecretName, key: "password" } };
        const env = {
            REDIS_PASSWORD: password,
            HEADLESS: headless,
            STATEFULSET: sts,
            SENTINEL_HOST: pulumi.interpolate`${names.sentinelService}.${args.namespace}.svc.cluster.local`,
        };
        const template = podTemplate({
            name: sts,
            component: "redis",
            serviceAccountName: args.serviceAccountName,
            runAsUser: USERS.redis,
            spread: "DoNotSchedule",
            volumes: [{ name: "scripts", configMap: { name: scripts.metadata.name } }],
            containers: [
                secureContainer({
                    name: "redis",
                    image: args.image,
                    command: ["/bin/sh", "/scripts/redis.sh"],
                    env,
                    ports: { redis: 6379 },
                    resources: resourcesOf(s.resources),
                    readinessProbe: {
                        exec: {
                            command: [
                                "/bin/sh",
                                "-c",
                                'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli ping | grep -q PONG',
                            ],
                        },
                        periodSeconds: 5,
                        timeoutSeconds: 3,
                        failureThreshold: 3,
                    },
                    livenessProbe: tcpProbe("redis", 15),
                    // A master that is being stopped hands over first, with no write lost
                    // (switchover.ts); within the pod's 30 s grace period.
                    lifecycle: {
                        preStop: {
                            exec: { command: ["/bin/sh", "/scripts/switchover.sh", "--if-master"] },
                        },
                    },
                    volumeMounts: [
                        { name: "data", mountPath: "/data" },
                        { name: "scripts", mountPath: "/scripts", readOnly: true },
                    ],
                    writable: ["/tmp"],
                }),
                secureContainer({
                    name: "sentinel",
                    image: args.image,
                    command: ["/bin/sh", "/scripts/sentinel.sh"],
                    env: { ...env, SENTINEL_QUORUM: String(s.sentinelQuorum) },
                    ports: { sentinel: 26379 },
                    resources: resourcesOf(s.sentinelResources),
                    readinessProbe: tcpProbe("sentinel", 5),
                    livenessProbe: tcpProbe("sentinel", 15),
                    volumeMounts: [{ name: "scripts", mountPath: "/scripts", readOnly: true }],
                    writable: ["/sentinel", "/tmp"],
                }),
                redisExporter({
                    name: "redis-exporter",
                    image: s.exporterImage,
                    resources: s.exporterResources,
                    target: 6379,
                    port: [METRICS_PORTS.metrics, EXPORTER_PORTS.redis],
                    password,
                }),
                // The same exporter finds Sentinel by its INFO (`# Sentinel`) and exports the
                // Sentinel metrics (master status and address, CKQUORUM) instead.
                redisExporter({
                    name: "sentinel-exporter",
                    image: s.exporterImage,
                    resources: s.exporterResources,
                    target: 26379,
                    port: [METRICS_PORTS.sentinelMetrics, EXPORTER_PORTS.sentinel],
                    password,
                }),
            ],
        });

        this.statefulSet = new k8s.apps.v1.StatefulSet(
            `${name}-statefulset`,
            {
                metadata: {
                    name: sts,
                    namespace: args.namespace,
                    labels,
                    annotations: { [ANNOTATIONS.patchForce]: "true" },
                },
                spec: {
                    replicas: s.nodes,
                    serviceName: names.headlessService,
                    podManagementPolicy: "OrderedReady",
                    selector: { matchLabels: selectorFor(sts) },
                    updateStrategy: { type: "RollingUpdate" },
                    persistentVolumeClaimRetentionPolicy: {
                        whenDeleted: "Retain",
                        whenScaled: "Retain",
                    },
                    template,
                    volumeClaimTemplates: [
                        {
                            metadata: { name: "data", labels },
                            spec: {
                                accessModes: ["ReadWriteOnce"],
                                storageClassName: s.storageClassName,
                                resources: { requests: { storage: s.storageSize } },
                            },
                        },
                    ],
                },
            },
            {
                ...childOf(this),
                dependsOn: [...this.volumes, headlessService],
                // The claim template is immutable: a size change would replace the StatefulSet.
                // Sizes change on the protected claims above instead (volume expansion).
                ignoreChanges: ["spec.volumeClaimTemplates"],
            },
        );
        // Earlier logical names were derived from the live names, not the component's name.
        const pdbs = [
            disruptionBudget(this, `${name}-pdb`, {
                name: sts,
                namespace: args.namespace,
                component: "redis",
                aliases: [`${sts}-pdb`].filter((n) => n !== `${name}-pdb`),
            }),
        ];
        const sentinelService = service(this, `${name}-sentinel-service`, {
            namespace: args.namespace,
            selects: sts,
            component: "redis",
            spec: {
                name: names.sentinelService,
                ports: [{ name: "sentinel", port: 26379, targetPort: "sentinel" }],
            },
            aliases: [`${names.sentinelService}-service`].filter(
                (n) => n !== `${name}-sentinel-service`,
            ),
        });

        const proxy = redisProxyTier(this, name, {
            namespace: args.namespace,
            serviceAccountName: args.serviceAccountName,
            image: args.proxyImage,
            replicas: s.proxyReplicas,
            resources: s.proxyResources,
            names,
            nodes: s.nodes,
            headless,
            password,
            config,
        });
        this.proxy = proxy.deployment;
        if (proxy.pdb) pdbs.push(proxy.pdb);
        const proxyService = proxy.service;

        this.pdbs = pdbs;
        this.services = [proxyService, sentinelService, headlessService];
        this.workloads = [this.statefulSet, this.proxy];
        this.registerOutputs({}); // children are properties, not outputs: see shared/child.ts
    }
}
