import { ResourceValidationPolicy } from "@pulumi/policy";
import { isKind } from "../lib/resourceTypes";
import { describe } from "../lib/kube";

/** A budget that allows no disruption blocks every node drain and cluster upgrade. */
export const disallowBlockingDisruptionBudget: ResourceValidationPolicy = {
    name: "disallow-blocking-disruption-budget",
    description:
        "Checks that no PodDisruptionBudget sets maxUnavailable to 0 or minAvailable to 100%.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "PodDisruptionBudget")) {
            return;
        }
        const { maxUnavailable, minAvailable } = args.props.spec ?? {};
        if (maxUnavailable === 0 || maxUnavailable === "0%") {
            reportViolation(
                `${describe(args)} should allow at least one disruption, not maxUnavailable ${JSON.stringify(maxUnavailable)}.`,
            );
        }
        if (minAvailable === "100%") {
            reportViolation(
                `${describe(args)} should allow at least one disruption, not minAvailable "100%".`,
            );
        }
    },
};
