import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf, autoscalersTargeting } from "../lib/autoscaling";
import { describe, isWorkload } from "../lib/kube";

/** Two autoscalers on one workload overwrite each other's replica count on every sync. */
export const disallowMultipleAutoscalers: StackValidationPolicy = {
    name: "disallow-multiple-autoscalers",
    description: "Checks that every workload is scaled by at most one HPA or ScaledObject.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const autoscalers = autoscalersOf(args.resources);
        for (const workload of args.resources.filter((r) => isWorkload(r.type))) {
            const scaling = autoscalersTargeting(workload, autoscalers);
            if (scaling.length > 1) {
                reportViolation(
                    `${describe(workload)} should be scaled by at most one autoscaler, not ${scaling.length} ` +
                        `(${scaling.map((a) => describe(a.resource)).join(", ")}).`,
                    workload.urn,
                );
            }
        }
    },
};
