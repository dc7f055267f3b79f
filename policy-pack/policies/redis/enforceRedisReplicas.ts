import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe, Workload } from "../lib/kube";
import { isRedisStatefulSet } from "../lib/redis";

const configSchema: PolicyConfigSchema = {
    properties: {
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
        if (!isRedisStatefulSet(args)) {
            return;
        }
        const { minReplicas } = configOf<{ minReplicas: number }>(configSchema, args.getConfig());
        const replicas = (args.props as Workload).spec?.replicas ?? 1;
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
    },
};
