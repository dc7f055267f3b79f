import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/kube";
import { classify } from "../lib/resourceTypes";

/**
 * The pack judges whole objects. A `<Kind>Patch` edits an object owned elsewhere with fields the
 * pack never sees together, a `<Kind>List` hides its items, and a Helm Release installs objects
 * the engine never shows the pack: each would carry a privileged pod past every rule.
 */
export const disallowOpaqueObject: ResourceValidationPolicy = {
    name: "disallow-opaque-object",
    description:
        "Checks that the stack registers no object the pack cannot judge whole: no Patch resource, no List and no Helm Release.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const resourceType = classify(args.type);
        if (resourceType.category === "object" && resourceType.patch) {
            reportViolation(
                `${describe(args)} should be a whole ${resourceType.kind} owned by the stack, not a patch of one owned elsewhere.`,
            );
        } else if (resourceType.category === "object" && resourceType.list) {
            reportViolation(
                `${describe(args)} should be registered as its items, one object each, not as a list.`,
            );
        } else if (resourceType.category === "wrapper" && resourceType.opaque) {
            reportViolation(
                `${describe(args)} should be a helm.v4.Chart, whose objects the pack checks one by one, not a Helm Release it cannot see into.`,
            );
        }
    },
};
