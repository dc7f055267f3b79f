import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, Workload } from "../lib/kube";
import {
    containerNamed,
    isRedisStatefulSet,
    redisConfigOf,
    redisConfigSchema,
    redisContainer,
    sentinelContainer,
} from "../lib/redis";
import { failClosed } from "../lib/unknown";

/** Redis holds job queues: it must fail over by itself, which takes Sentinel next to every server. */
export const enforceRedisSentinel: ResourceValidationPolicy = {
    name: "enforce-redis-sentinel",
    description:
        "Checks that the Redis StatefulSet runs a redis and a sentinel container in every pod.",
    enforcementLevel: "mandatory",
    configSchema: redisConfigSchema,
    validateResource: (args, reportViolation) => {
        failClosed(describe(args), reportViolation, () => {
            if (!isRedisStatefulSet(args, redisConfigOf(args.getConfig()))) {
                return;
            }
            const workload = args.props as Workload;
            const found = (workload.spec?.template?.spec?.containers ?? []).map((c) => c.name);
            for (const name of [redisContainer, sentinelContainer]) {
                if (!containerNamed(workload, name)) {
                    reportViolation(
                        `${describe(args)} should have a container named "${name}" (found: ${found.join(", ") || "none"}).`,
                    );
                }
            }
        });
    },
};
