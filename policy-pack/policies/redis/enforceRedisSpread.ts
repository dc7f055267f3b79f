import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podSpecOf } from "../lib/kube";
import { isRedisStatefulSet, redisConfigOf, redisConfigSchema } from "../lib/redis";
import { failClosed } from "../lib/unknown";

const hostname = "kubernetes.io/hostname";

/** Two Redis members on one node fail together, and with them the majority. */
export const enforceRedisSpread: ResourceValidationPolicy = {
    name: "enforce-redis-spread",
    description: "Checks that the Redis StatefulSet never schedules two pods on the same node.",
    enforcementLevel: "mandatory",
    configSchema: redisConfigSchema,
    validateResource: (args, reportViolation) => {
        failClosed(describe(args), reportViolation, () => {
            if (!isRedisStatefulSet(args, redisConfigOf(args.getConfig()))) {
                return;
            }
            const pod = podSpecOf(args) ?? {};
            const spread = (pod.topologySpreadConstraints ?? []).some(
                (c) => c.topologyKey === hostname && c.whenUnsatisfiable === "DoNotSchedule",
            );
            const antiAffinity = (
                pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
            ).some((term) => term.topologyKey === hostname);
            if (!spread && !antiAffinity) {
                reportViolation(
                    `${describe(args)} should spread its pods across nodes: a topologySpreadConstraint on ` +
                        `${hostname} with whenUnsatisfiable DoNotSchedule, or a required podAntiAffinity on ${hostname}.`,
                );
            }
        });
    },
};
