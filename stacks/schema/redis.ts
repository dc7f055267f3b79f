/**
 * `sapoche-stack:redis`: the Redis/Sentinel cluster and its HAProxy, with the rules that keep it
 * safe (memory headroom, an odd node count, a majority quorum).
 */
import { z } from "zod";
import { mebibytes, memoryProblem } from "../../components/shared/quantity";
import { RANGES } from "../ranges";
import { dnsName, int, memory, range } from "./primitives";
import { resourcesSchema } from "./resources";

export const redis = z
    .strictObject({
        nodes: range(RANGES.redisNodes),
        sentinelQuorum: int(1, RANGES.redisNodes.max),
        passwordSecretName: dnsName,
        storageClassName: dnsName,
        storageSize: memory,
        resources: resourcesSchema,
        sentinelResources: resourcesSchema,
        proxyReplicas: range(RANGES.proxyReplicas),
        proxyResources: resourcesSchema,
        // Each redis_exporter sidecar (one beside Redis, one beside Sentinel).
        exporterResources: resourcesSchema,
        // Data Redis may hold; writes are refused above it (noeviction: queues are never evicted).
        maxmemory: memory,
        // A master refuses writes unless this many replicas are in sync (lag at most
        // minReplicasMaxLag seconds): a master cut off from its replicas stops acknowledging
        // writes a failover would discard. 0 turns it off; at most nodes - 1 (checked below).
        minReplicasToWrite: int(0, RANGES.redisNodes.max - 1),
        minReplicasMaxLag: int(1, 60),
        // The legacy single Redis whose data moves into the cluster, or "" (README, Redis operations).
        legacyMaster: z
            .string({
                error: 'a DNS name of the legacy Redis such as redis-legacy.sapoche.svc.cluster.local, or ""',
            })
            .regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
                error: 'a DNS name of the legacy Redis such as redis-legacy.sapoche.svc.cluster.local, or ""',
            }),
    })
    .superRefine((r, ctx) => {
        // Headroom above maxmemory for replication buffers and the copy-on-write of AOF rewrites.
        const limit = r.resources?.memoryLimit;
        if (
            typeof r.maxmemory === "string" &&
            typeof limit === "string" &&
            !memoryProblem(r.maxmemory) &&
            !memoryProblem(limit) &&
            mebibytes(r.maxmemory) * 4 > mebibytes(limit) * 3
        ) {
            ctx.addIssue({
                code: "custom",
                path: ["maxmemory"],
                message: `at most 75% of resources.memoryLimit (${limit})`,
            });
        }
        // An even count tolerates no more failures than the odd count below it, and splits votes.
        const inRange =
            Number.isInteger(r.nodes) &&
            r.nodes >= RANGES.redisNodes.min &&
            r.nodes <= RANGES.redisNodes.max;
        if (inRange && r.nodes % 2 === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["nodes"],
                message: `an odd number from ${RANGES.redisNodes.min} to ${RANGES.redisNodes.max}`,
            });
        }
        // More in-sync replicas than there are replicas would refuse every write.
        if (
            inRange &&
            Number.isInteger(r.minReplicasToWrite) &&
            r.minReplicasToWrite > r.nodes - 1
        ) {
            ctx.addIssue({
                code: "custom",
                path: ["minReplicasToWrite"],
                message: `an integer from 0 to ${r.nodes - 1} (nodes - 1)`,
            });
        }
        // A minority quorum lets two sides of a partition each elect a master (split brain).
        const majority = Math.floor(r.nodes / 2) + 1;
        if (
            inRange &&
            Number.isInteger(r.sentinelQuorum) &&
            (r.sentinelQuorum < majority || r.sentinelQuorum > r.nodes)
        ) {
            ctx.addIssue({
                code: "custom",
                path: ["sentinelQuorum"],
                message: `a majority of nodes (${r.nodes}): from ${majority} to ${r.nodes}`,
            });
        }
    });

export type RedisSettings = z.infer<typeof redis>;
