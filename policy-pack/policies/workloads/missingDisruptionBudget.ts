import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf, replicaRange } from "../lib/autoscaling";
import { isKind } from "../lib/resourceTypes";
import { describe, isWorkload, podLabelsOf } from "../lib/kube";
import { selectorOf, selects } from "../lib/semantics";

/** Without a PDB a node drain may evict every replica at once, which is the outage the replicas exist to avoid. */
export const missingDisruptionBudget: StackValidationPolicy = {
    name: "missing-disruption-budget",
    description:
        "Checks that every workload that can run more than one replica has a PodDisruptionBudget selecting its pods.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const autoscalers = autoscalersOf(args.resources);
        const selectors = args.resources
            .filter((r) => isKind(r.type, "PodDisruptionBudget"))
            .map((pdb) => selectorOf(pdb));
        for (const workload of args.resources.filter((r) => isWorkload(r.type))) {
            const { max } = replicaRange(workload, autoscalers);
            const labels = podLabelsOf(workload);
            if (max > 1 && !selectors.some((selector) => selects(selector, labels))) {
                reportViolation(
                    `${describe(workload)} runs up to ${max} replicas and should have a PodDisruptionBudget selecting its pods.`,
                    workload.urn,
                );
            }
        }
    },
};
