import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, Workload } from "../lib/kube";
import {
    containerNamed,
    isRedisStatefulSet,
    redisConfigOf,
    redisConfigSchema,
    redisContainer,
} from "../lib/redis";
import { failClosed } from "../lib/unknown";

/** Redis holds job queues: a restarted member must come back with its data. */
export const enforceRedisPersistence: ResourceValidationPolicy = {
    name: "enforce-redis-persistence",
    description:
        "Checks that the redis container mounts a volume claimed through volumeClaimTemplates.",
    enforcementLevel: "mandatory",
    configSchema: redisConfigSchema,
    validateResource: (args, reportViolation) => {
        failClosed(describe(args), reportViolation, () => {
            if (!isRedisStatefulSet(args, redisConfigOf(args.getConfig()))) {
                return;
            }
            const workload = args.props as Workload;
            // A missing redis container is enforce-redis-sentinel's finding.
            const redis = containerNamed(workload, redisContainer);
            if (!redis) {
                return;
            }
            const claims = (workload.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name);
            if (!(redis.volumeMounts ?? []).some((m) => claims.includes(m.name))) {
                reportViolation(
                    `${describe(args)} should mount a volumeClaimTemplate in container "redis" so its data survives a restart.`,
                );
            }
        });
    },
};
