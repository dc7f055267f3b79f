import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, Workload } from "../lib/kube";
import {
    containerNamed,
    isRedisStatefulSet,
    redisConfigOf,
    redisConfigSchema,
    sentinelContainer,
} from "../lib/redis";
import { failClosed } from "../lib/unknown";

/** A quorum below a majority lets a partitioned minority promote a second master. */
export const enforceSentinelQuorum: ResourceValidationPolicy = {
    name: "enforce-sentinel-quorum",
    description: "Checks that SENTINEL_QUORUM is a majority of the Redis StatefulSet's replicas.",
    enforcementLevel: "mandatory",
    configSchema: redisConfigSchema,
    validateResource: (args, reportViolation) => {
        failClosed(describe(args), reportViolation, () => {
            if (!isRedisStatefulSet(args, redisConfigOf(args.getConfig()))) {
                return;
            }
            const workload = args.props as Workload;
            // A missing sentinel container is enforce-redis-sentinel's finding.
            const sentinel = containerNamed(workload, sentinelContainer);
            if (!sentinel) {
                return;
            }
            const quorum = sentinel.env?.find((e) => e.name === "SENTINEL_QUORUM")?.value;
            const replicas = workload.spec?.replicas ?? 1;
            const majority = Math.floor(replicas / 2) + 1;
            if (quorum === undefined) {
                reportViolation(
                    `${describe(args)} container "sentinel" should set SENTINEL_QUORUM.`,
                );
            } else if (
                !/^\d+$/.test(String(quorum)) ||
                Number(quorum) < majority ||
                Number(quorum) > replicas
            ) {
                reportViolation(
                    `${describe(args)} should set SENTINEL_QUORUM between ${majority} and ${replicas} ` +
                        `(a majority of ${replicas} replicas), not "${quorum}".`,
                );
            }
        });
    },
};
