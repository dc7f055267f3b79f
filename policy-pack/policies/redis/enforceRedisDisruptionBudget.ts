import { StackValidationPolicy } from "@pulumi/policy";
import { describe, podLabelsOf, Workload } from "../lib/kube";
import { isRedisStatefulSet, redisConfigOf, redisConfigSchema } from "../lib/redis";
import { isKind } from "../lib/resourceTypes";
import { pdbDisruptionsAllowed, selectorOf, selects } from "../lib/semantics";
import { failClosed } from "../lib/unknown";

/** One member down keeps the majority; two down (a node drain) loses it. */
export const enforceRedisDisruptionBudget: StackValidationPolicy = {
    name: "enforce-redis-disruption-budget",
    description:
        "Checks that a PodDisruptionBudget lets exactly one Redis pod be disrupted at a time.",
    enforcementLevel: "mandatory",
    configSchema: redisConfigSchema,
    validateStack: (args, reportViolation) => {
        const config = redisConfigOf(args.getConfig());
        const pdbs = args.resources.filter((r) => isKind(r.type, "PodDisruptionBudget"));
        for (const redis of args.resources) {
            const report = (message: string) => reportViolation(message, redis.urn);
            failClosed(describe(redis), report, () => {
                if (!isRedisStatefulSet(redis, config)) {
                    return;
                }
                const replicas = (redis.props as Workload).spec?.replicas ?? 1;
                const labels = podLabelsOf(redis);
                const budgets = pdbs.filter((p) => selects(selectorOf(p), labels));
                if (budgets.length === 0) {
                    report(
                        `${describe(redis)} should have a PodDisruptionBudget with maxUnavailable 1.`,
                    );
                }
                for (const pdb of budgets) {
                    const { maxUnavailable, minAvailable } = pdb.props.spec ?? {};
                    // As the disruption controller rounds it: "34%" of 3 is one pod, "50%" is two.
                    if (pdbDisruptionsAllowed(pdb.props.spec ?? {}, replicas) !== 1) {
                        const setting =
                            maxUnavailable !== undefined
                                ? `maxUnavailable ${JSON.stringify(maxUnavailable)}`
                                : `minAvailable ${JSON.stringify(minAvailable)}`;
                        reportViolation(
                            `${describe(pdb)} should let exactly one of the ${replicas} pods of ${describe(redis)} ` +
                                `be disrupted (maxUnavailable 1), not ${setting}.`,
                            pdb.urn,
                        );
                    }
                }
            });
        }
    },
};
