/**
 * The HAProxy tier of the Redis component: `redis-sp:6379`, which today's clients use, kept
 * pointing at whichever node is the writable master.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RedisConfigOptions } from "./config";
import { confirmedMasterLua } from "./confirmed-master";
import { HAPROXY_DIR, HAPROXY_FILES, haproxyConfig, PROXY_READY_PATH } from "./haproxy";
import type { Resources } from "../shared/args";
import { versionedConfigMap } from "../shared/config-map";
import { USERS, resourcesOf, tcpProbe } from "../shared/defaults";
import { labelsFor } from "../shared/labels";
import { EXPORTER_PORTS, METRICS_PORTS } from "../shared/metrics";
import { secureContainer } from "../shared/pod";
import { service } from "../shared/service";
import { deployment, disruptionBudget } from "../shared/workload";

/** Inputs of {@link redisProxyTier}. */
export interface RedisProxyTierArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the Redis family. */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference of HAProxy. */
    readonly image: string;
    /** HAProxy pods. */
    readonly replicas: number;
    /** Requests and limits of the HAProxy container. */
    readonly resources: Resources;
    /** Live names: the proxy Deployment, its Service, and the StatefulSet it routes to. */
    readonly names: {
        readonly proxy: string;
        readonly service: string;
        readonly statefulSet: string;
    };
    /** Redis nodes (one HAProxy server each). */
    readonly nodes: number;
    /** DNS domain of the headless Service. */
    readonly headless: pulumi.Output<string>;
    /** Where the Redis password comes from. */
    readonly password: k8s.types.input.core.v1.EnvVarSource;
    /** Options of the rendered configuration (the legacy master during a migration). */
    readonly config?: RedisConfigOptions;
}

/** What {@link redisProxyTier} creates. */
export interface RedisProxyTier {
    readonly deployment: k8s.apps.v1.Deployment;
    /** Present when it runs more than one pod. */
    readonly pdb?: k8s.policy.v1.PodDisruptionBudget;
    readonly service: k8s.core.v1.Service;
}

/** The HAProxy ConfigMap, Deployment, PDB and `redis-sp` Service, as children of `parent`. */
export function redisProxyTier(
    parent: pulumi.Resource,
    name: string,
    args: RedisProxyTierArgs,
): RedisProxyTier {
    const { names } = args;
    // Named after its content: a config change rolls the proxy, never replaces it.
    const config = versionedConfigMap(parent, `${name}-proxy-config`, {
        name: names.proxy,
        namespace: args.namespace,
        labels: labelsFor(names.proxy, "redis-proxy"),
        data: {
            [HAPROXY_FILES.config]: args.headless.apply((h) =>
                haproxyConfig(args.nodes, names.statefulSet, h, args.config),
            ),
            [HAPROXY_FILES.lua]: args.headless.apply(confirmedMasterLua),
        },
    });
    const proxy = deployment(parent, `${name}-proxy-deployment`, {
        name: names.proxy,
        namespace: args.namespace,
        component: "redis-proxy",
        purpose: "Routes redis-sp:6379 to the current Redis master",
        replicas: args.replicas,
        pod: {
            serviceAccountName: args.serviceAccountName,
            runAsUser: USERS.haproxy,
            volumes: [{ name: "config", configMap: { name: config.metadata.name } }],
            containers: [
                secureContainer({
                    name: "haproxy",
                    image: args.image,
                    args: ["-f", `${HAPROXY_DIR}/${HAPROXY_FILES.config}`],
                    env: { REDIS_PASSWORD: args.password },
                    // `metrics`: HAProxy's Prometheus endpoint (haproxy.cfg, `frontend metrics`).
                    ports: { redis: 6379, [METRICS_PORTS.metrics]: EXPORTER_PORTS.haproxy },
                    resources: resourcesOf(args.resources),
                    // Ready only while it would let clients in: a confirmed master (haproxy.cfg).
                    readinessProbe: {
                        httpGet: { port: METRICS_PORTS.metrics, path: PROXY_READY_PATH },
                        periodSeconds: 2,
                        timeoutSeconds: 1,
                        failureThreshold: 2,
                    },
                    livenessProbe: tcpProbe("redis", 15),
                    volumeMounts: [{ name: "config", mountPath: HAPROXY_DIR, readOnly: true }],
                    writable: ["/tmp"],
                }),
            ],
        },
        // Earlier logical names were the live names, not `${name}-<role>`.
        aliases: [names.proxy],
    });
    const pdb =
        args.replicas > 1
            ? disruptionBudget(parent, `${name}-proxy-pdb`, {
                  name: names.proxy,
                  namespace: args.namespace,
                  component: "redis-proxy",
                  aliases: [`${names.proxy}-pdb`].filter((n) => n !== `${name}-proxy-pdb`),
              })
            : undefined;
    const svc = service(parent, `${name}-proxy-service`, {
        namespace: args.namespace,
        selects: names.proxy,
        component: "redis-proxy",
        spec: {
            name: names.service,
            ports: [{ name: "redis", port: 6379, targetPort: "redis" }],
        },
        aliases: [`${names.service}-service`],
    });
    return { deployment: proxy, pdb, service: svc };
}
