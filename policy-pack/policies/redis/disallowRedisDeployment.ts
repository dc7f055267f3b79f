import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, podSpecOf, types, Workload } from "../lib/kube";
import { isRedisServerImage } from "../lib/redis";

/** A Redis Deployment is the single point of failure the Sentinel StatefulSet replaces. */
export const disallowRedisDeployment: ResourceValidationPolicy = {
    name: "disallow-redis-deployment",
    description: "Checks that no Deployment runs a Redis server image.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== types.deployment) {
            return;
        }
        for (const container of allContainers(podSpecOf(args.props as Workload))) {
            if (container.image !== undefined && isRedisServerImage(container.image)) {
                reportViolation(
                    `${describe(args)} runs Redis image "${container.image}"; Redis should run as the Sentinel StatefulSet instead.`,
                );
            }
        }
    },
};
