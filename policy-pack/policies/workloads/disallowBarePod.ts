import { ResourceValidationPolicy } from "@pulumi/policy";
import { isKind } from "../lib/resourceTypes";
import { describe } from "../lib/kube";

/** A bare Pod is never rescheduled after its node goes away. */
export const disallowBarePod: ResourceValidationPolicy = {
    name: "disallow-bare-pod",
    description:
        "Checks that the stack registers no bare Pod, only workloads that manage their pods.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (isKind(args.type, "Pod")) {
            reportViolation(
                `${describe(args)} should be managed by a Deployment or StatefulSet, not created directly.`,
            );
        }
    },
};
