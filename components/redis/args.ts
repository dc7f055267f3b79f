/** The arguments of the Redis component (components/redis/index.ts). */
import type { Resources, WorkloadArgs } from "../shared/args";

/** Live names of the objects the Redis component manages. */
export interface RedisNames {
    /** The StatefulSet of Redis + Sentinel pods (its pods are `<statefulSet>-<i>`). */
    readonly statefulSet: string;
    /** The HAProxy Deployment that follows the master. */
    readonly proxy: string;
    /** The Service today's clients use (`redis-sp`), in front of the proxy. */
    readonly service: string;
    /** The Service of Sentinel-aware clients. */
    readonly sentinelService: string;
    /** The headless Service that gives each node a stable DNS name. */
    readonly headlessService: string;
}

/** Arguments of the Redis Sentinel cluster; `image` runs Redis and Sentinel. */
export interface RedisArgs extends Omit<WorkloadArgs, "purpose"> {
    /** Image reference of HAProxy, which routes `redis-sp` to the current master. */
    readonly proxyImage: string;
    /** Live object names. */
    readonly names: RedisNames;
    /** Redis + Sentinel pods (the policy pack requires 3+ and odd). */
    readonly nodes: number;
    /** Sentinels that must agree a master is down (the policy pack requires a majority). */
    readonly sentinelQuorum: number;
    /** Secret (managed outside the stack) with key `password`. */
    readonly passwordSecretName: string;
    /** Storage class of the Redis volumes. */
    readonly storageClassName: string;
    /** Size of each Redis volume (grow only: volume expansion). */
    readonly storageSize: string;
    /** Requests and limits of the Sentinel container. */
    readonly sentinelResources: Resources;
    /** HAProxy pods behind `redis-sp`. */
    readonly proxyReplicas: number;
    /** Requests and limits of the HAProxy container. */
    readonly proxyResources: Resources;
    /** Image reference of redis_exporter (oliver006/redis_exporter), beside Redis and Sentinel. */
    readonly exporterImage: string;
    /** Requests and limits of each redis_exporter container. */
    readonly exporterResources: Resources;
    /** Data Redis may hold (`maxmemory`, e.g. `1536Mi`); above it writes are refused. */
    readonly maxmemory?: string;
    /** Replicas that must be in sync for the master to accept writes (0: no guard). */
    readonly minReplicasToWrite?: number;
    /** Seconds a replica may lag and still count for `minReplicasToWrite`. */
    readonly minReplicasMaxLag?: number;
    /** The legacy single Redis to migrate from, or "" (see `RedisConfigOptions`). */
    readonly legacyMaster?: string;
}
