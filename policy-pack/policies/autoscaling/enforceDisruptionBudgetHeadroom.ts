import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf, replicaRange } from "../lib/autoscaling";
import { isKind } from "../lib/resourceTypes";
import { describe, isWorkload, podLabelsOf } from "../lib/kube";
import { pdbDisruptionsAllowed, selectorOf, selects } from "../lib/semantics";

/** minAvailable at or above the replicas a workload runs at its minimum blocks every eviction at that size. */
export const enforceDisruptionBudgetHeadroom: StackValidationPolicy = {
    name: "enforce-disruption-budget-headroom",
    description:
        "Checks that every PodDisruptionBudget allows at least one disruption when the workloads it selects run at their fewest replicas, percentages rounded and selectors read as the disruption controller does.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const autoscalers = autoscalersOf(args.resources);
        const workloads = args.resources.filter((r) => isWorkload(r.type));
        for (const pdb of args.resources.filter((r) => isKind(r.type, "PodDisruptionBudget"))) {
            const spec = pdb.props.spec ?? {};
            const selector = selectorOf(pdb);
            const covered = workloads.filter((w) => selects(selector, podLabelsOf(w)));
            // The disruption controller counts every pod the budget selects, across workloads.
            const expected = covered.reduce((sum, w) => sum + replicaRange(w, autoscalers).min, 0);
            if (covered.length === 0 || expected === 0) {
                continue;
            }
            if (pdbDisruptionsAllowed(spec, expected) === 0) {
                const setting =
                    spec.maxUnavailable !== undefined
                        ? `maxUnavailable ${JSON.stringify(spec.maxUnavailable)}`
                        : `minAvailable ${JSON.stringify(spec.minAvailable)}`;
                reportViolation(
                    `${describe(pdb)} allows no disruption when ${covered.map(describe).join(", ")} ${covered.length === 1 ? "runs at its" : "run at their"} minimum (${expected} pods): ` +
                        `${setting} rounds as the disruption controller does to keep every pod; allow at least one (e.g. maxUnavailable: 1).`,
                    pdb.urn,
                );
            }
        }
    },
};
