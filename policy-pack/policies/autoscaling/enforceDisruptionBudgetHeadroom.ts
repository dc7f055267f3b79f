import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf, replicaRange } from "../lib/autoscaling";
import { isKind } from "../lib/resourceTypes";
import { describe, isWorkload, podLabelsOf, selectorMatches } from "../lib/kube";

/** minAvailable at or above the replicas a workload runs at its minimum blocks every eviction at that size. */
export const enforceDisruptionBudgetHeadroom: StackValidationPolicy = {
    name: "enforce-disruption-budget-headroom",
    description:
        "Checks that every PodDisruptionBudget's minAvailable stays below the fewest replicas its workloads run, autoscaler minimum included.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const autoscalers = autoscalersOf(args.resources);
        const workloads = args.resources.filter((r) => isWorkload(r.type));
        for (const pdb of args.resources.filter((r) => isKind(r.type, "PodDisruptionBudget"))) {
            const minAvailable = pdb.props.spec?.minAvailable;
            // Percentages scale with the workload and are checked by disallow-blocking-disruption-budget.
            if (typeof minAvailable !== "number") {
                continue;
            }
            for (const workload of workloads) {
                const { min } = replicaRange(workload, autoscalers);
                // A workload at zero replicas has no pod a budget could protect.
                if (
                    min > 0 &&
                    minAvailable >= min &&
                    selectorMatches(pdb.props.spec?.selector ?? {}, podLabelsOf(workload))
                ) {
                    reportViolation(
                        `${describe(pdb)} should keep minAvailable below the ${min} replicas ${describe(workload)} ` +
                            `runs at its minimum, not ${minAvailable}.`,
                        pdb.urn,
                    );
                }
            }
        }
    },
};
