import { StackValidationPolicy } from "@pulumi/policy";
import { describe, podLabelsOf, podSpecOf } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";
import { selectorOf, selects } from "../lib/semantics";

/**
 * A Service sends traffic to every ready pod its selector matches, whoever runs it: a new
 * Deployment whose pod labels happen to (or are made to) match the PHP backend's Service receives
 * patients' requests. Each Service here fronts exactly one workload.
 */
export const disallowServiceSelectorOverlap: StackValidationPolicy = {
    name: "disallow-service-selector-overlap",
    description:
        "Checks that every Service's selector, read as the endpoints controller reads it, matches the pods of at most one object of the stack.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const podBearing = args.resources.filter((r) => podSpecOf(r) !== undefined);
        for (const service of args.resources.filter((r) => isKind(r.type, "Service"))) {
            const selector = selectorOf(service);
            const joined = podBearing.filter((r) => selects(selector, podLabelsOf(r)));
            if (joined.length > 1) {
                reportViolation(
                    `${describe(service)} selects the pods of ${joined.map(describe).join(", ")}; a Service fronts one workload, ` +
                        `so give the others pod labels its selector ${JSON.stringify(service.props.spec?.selector)} does not match.`,
                    service.urn,
                );
            }
        }
    },
};
