import { StackValidationPolicy } from "@pulumi/policy";
import { describe, podLabelsOf, selectorMatches, types, Workload } from "../lib/kube";
import { isRedisStatefulSet } from "../lib/redis";

/** One member down keeps the majority; two down (a node drain) loses it. */
export const enforceRedisDisruptionBudget: StackValidationPolicy = {
    name: "enforce-redis-disruption-budget",
    description:
        "Checks that a PodDisruptionBudget lets exactly one Redis pod be disrupted at a time.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const pdbs = args.resources.filter((r) => r.type === types.pdb);
        for (const redis of args.resources.filter(isRedisStatefulSet)) {
            const replicas = (redis.props as Workload).spec?.replicas ?? 1;
            const labels = podLabelsOf(redis.props as Workload);
            const budgets = pdbs.filter((p) =>
                selectorMatches(p.props.spec?.selector ?? {}, labels),
            );
            if (budgets.length === 0) {
                reportViolation(
                    `${describe(redis)} should have a PodDisruptionBudget with maxUnavailable 1.`,
                    redis.urn,
                );
            }
            for (const pdb of budgets) {
                const { maxUnavailable, minAvailable } = pdb.props.spec ?? {};
                if (maxUnavailable !== 1 && minAvailable !== replicas - 1) {
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
        }
    },
};
