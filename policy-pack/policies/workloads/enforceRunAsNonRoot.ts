import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, isWorkload, podSpecOf, Workload } from "../lib/kube";

/** Patient data: a container escape should never start as root. */
export const enforceRunAsNonRoot: ResourceValidationPolicy = {
    name: "enforce-run-as-non-root",
    description: "Checks that every pod template sets securityContext.runAsNonRoot to true.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isWorkload(args.type)) {
            return;
        }
        if (podSpecOf(args.props as Workload).securityContext?.runAsNonRoot !== true) {
            reportViolation(
                `${describe(args)} should set securityContext.runAsNonRoot: true on its pod template.`,
            );
        }
    },
};
