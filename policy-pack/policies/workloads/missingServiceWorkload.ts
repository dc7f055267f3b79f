import { StackValidationPolicy } from "@pulumi/policy";
import { isKind } from "../lib/resourceTypes";
import { describe, podLabelsOf, podSpecOf, selectorMatches } from "../lib/kube";

/** A Service that selects nothing answers with connection refused, the failure a typo'd label causes. */
export const missingServiceWorkload: StackValidationPolicy = {
    name: "missing-service-workload",
    description: "Checks that every Service selects the pods of a workload in the stack.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const podLabels = args.resources
            .filter((r) => podSpecOf(r) !== undefined)
            .map((r) => podLabelsOf(r));
        for (const service of args.resources.filter((r) => isKind(r.type, "Service"))) {
            const spec = service.props.spec ?? {};
            if (spec.type === "ExternalName") {
                continue;
            }
            const selector: Record<string, string> = spec.selector ?? {};
            if (!podLabels.some((labels) => selectorMatches({ matchLabels: selector }, labels))) {
                reportViolation(
                    `${describe(service)} should select the pods of a workload in the stack, ` +
                        `but its selector ${JSON.stringify(selector)} matches none.`,
                    service.urn,
                );
            }
        }
    },
};
