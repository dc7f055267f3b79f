import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, objectName } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";
import { redisConfigOf, redisConfigSchema, redisContainersOf } from "../lib/redis";
import { failClosed } from "../lib/unknown";

/**
 * A second Redis (a Deployment, a CronJob, a fork's image, a generic image running redis-server)
 * is the single point of failure the Sentinel StatefulSet replaces, and holds queues nobody backs up.
 */
export const disallowUnsanctionedRedis: ResourceValidationPolicy = {
    name: "disallow-unsanctioned-redis",
    description:
        "Checks that no object but the sanctioned Sentinel StatefulSet runs a Redis-compatible server, recognised by image or command.",
    enforcementLevel: "mandatory",
    configSchema: redisConfigSchema,
    validateResource: (args, reportViolation) => {
        const config = redisConfigOf(args.getConfig());
        failClosed(describe(args), reportViolation, () => {
            const sanctioned =
                isKind(args.type, "StatefulSet") &&
                objectName(args) === config.sanctionedStatefulSet;
            if (sanctioned) {
                return;
            }
            for (const container of redisContainersOf(args, config)) {
                const what = [
                    container.image,
                    ...(container.command ?? []),
                    ...(container.args ?? []),
                ]
                    .filter((w) => w !== undefined)
                    .join(" ");
                reportViolation(
                    `${describe(args)} container "${container.name}" runs a Redis-compatible server ("${what}"); ` +
                        `Redis should run only as the Sentinel StatefulSet "${config.sanctionedStatefulSet}".`,
                );
            }
        });
    },
};
