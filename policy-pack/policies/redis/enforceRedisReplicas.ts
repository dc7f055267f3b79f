import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe, Workload } from "../lib/kube";
import { isRedisStatefulSet, redisConfigOf, redisConfigSchema } from "../lib/redis";
import { failClosed } from "../lib/unknown";

const configSchema: PolicyConfigSchema = {
    properties: {
        ...redisConfigSchema.properties,
        minReplicas: { type: "integer", minimum: 3, default: 3 },
    },
};

/** Sentinel needs a majority to elect a new master: at least three members, and an odd count. */
export const enforceRedisReplicas: ResourceValidationPolicy = {
    name: "enforce-redis-replicas",
    description:
        "Checks that the Redis StatefulSet runs an odd number of replicas, at least minReplicas.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const given = args.getConfig<object>();
        const config = {
            ...configOf<{ minReplicas: number }>(configSchema, given),
            ...redisConfigOf(given),
        };
        // The schema's minimum is not enforced on an unconfigured analyzer: never accept fewer than 3.
        const minReplicas = Math.max(3, config.minReplicas);
        failClosed(describe(args), reportViolation, () => {
            if (!isRedisStatefulSet(args, config)) {
                return;
            }
            const replicas: unknown = (args.props as Workload).spec?.replicas ?? 1;
            if (typeof replicas !== "number" || !Number.isInteger(replicas)) {
                reportViolation(
                    `${describe(args)} should set spec.replicas to an integer, not ${JSON.stringify(replicas)}.`,
                );
                return;
            }
            if (replicas < minReplicas) {
                reportViolation(
                    `${describe(args)} should run at least ${minReplicas} replicas, not ${replicas}.`,
                );
            }
            if (replicas % 2 === 0) {
                reportViolation(
                    `${describe(args)} should run an odd number of replicas so Sentinel keeps a majority, not ${replicas}.`,
                );
            }
        });
    },
};
