import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, labelsFor, selectorFor } from "./shared/labels";
import { USERS, resourcesOf, secureContainer, tcpProbe } from "./shared/defaults";
import { podTemplate } from "./shared/pod";
import { service } from "./shared/service";
import { deployment, disruptionBudget } from "./shared/workload";
import { redis as names } from "../stacks/catalog";
import { haproxyConfig, redisStartScript, sentinelStartScript } from "./redis-config";
import type { RedisSettings } from "../stacks/schema";

export const REDIS_TYPE = "sapoche:workloads:Redis";

/** Arguments of the Redis Sentinel cluster. */
export interface RedisArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference of Redis (also runs Sentinel). */
    readonly image: string;
    /** Image reference of HAProxy, which routes `redis-sp` to the current master. */
    readonly proxyImage: string;
    /** Size, quorum, storage and the name of the password Secret (managed outside the stack). */
    readonly settings: RedisSettings;
}

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

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super(REDIS_TYPE, name, {}, opts);
        const s = args.settings;
        const sts = names.statefulSet;
        const labels = labelsFor(sts, "redis");
        const headless = pulumi.interpolate`${names.headlessService}.${args.namespace}.svc.cluster.local`;

        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            {
                metadata: { name: `${sts}-scripts`, namespace: args.namespace, labels },
                data: { "redis.sh": redisStartScript(), "sentinel.sh": sentinelStartScript() },
            },
            { parent: this },
        );

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
                    { parent: this, protect: true },
                ),
        );

        const headlessService = new k8s.core.v1.Service(
            `${name}-headless`,
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
            { parent: this },
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
                                'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG',
                            ],
                        },
                        periodSeconds: 5,
                        timeoutSeconds: 3,
                        failureThreshold: 3,
                    },
                    livenessProbe: tcpProbe("redis", 15),
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
                parent: this,
                dependsOn: [...this.volumes, headlessService],
                // The claim template is immutable: a size change would replace the StatefulSet.
                // Sizes change on the protected claims above instead (volume expansion).
                ignoreChanges: ["spec.volumeClaimTemplates"],
            },
        );
        disruptionBudget(this, sts, args.namespace, "redis");

        service(this, names.sentinelService, {
            namespace: args.namespace,
            selects: sts,
            component: "redis",
            ports: [{ name: "sentinel", port: 26379, targetPort: "sentinel" }],
        });

        const proxyConfig = new k8s.core.v1.ConfigMap(
            `${name}-proxy-config`,
            {
                metadata: {
                    name: names.proxy,
                    namespace: args.namespace,
                    labels: labelsFor(names.proxy, "redis-proxy"),
                },
                data: { "haproxy.cfg": headless.apply((h) => haproxyConfig(s.nodes, sts, h)) },
            },
            { parent: this },
        );
        this.proxy = deployment(this, names.proxy, {
            namespace: args.namespace,
            component: "redis-proxy",
            purpose: "Routes redis-sp:6379 to the current Redis master",
            replicas: s.proxyReplicas,
            pod: {
                serviceAccountName: args.serviceAccountName,
                runAsUser: USERS.haproxy,
                volumes: [{ name: "config", configMap: { name: proxyConfig.metadata.name } }],
                containers: [
                    secureContainer({
                        name: "haproxy",
                        image: args.proxyImage,
                        args: ["-f", "/usr/local/etc/haproxy/haproxy.cfg"],
                        env: { REDIS_PASSWORD: password },
                        ports: { redis: 6379 },
                        resources: resourcesOf(s.proxyResources),
                        readinessProbe: tcpProbe("redis", 5),
                        livenessProbe: tcpProbe("redis", 15),
                        volumeMounts: [
                            { name: "config", mountPath: "/usr/local/etc/haproxy", readOnly: true },
                        ],
                        writable: ["/tmp"],
                    }),
                ],
            },
        });
        if (s.proxyReplicas > 1) disruptionBudget(this, names.proxy, args.namespace, "redis-proxy");
        service(this, names.service, {
            namespace: args.namespace,
            selects: names.proxy,
            component: "redis-proxy",
            ports: [{ name: "redis", port: 6379, targetPort: "redis" }],
        });

        this.registerOutputs({
            statefulSet: this.statefulSet,
            volumes: this.volumes,
            proxy: this.proxy,
        });
    }
}
