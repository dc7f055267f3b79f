import { ResourceValidationPolicy } from "@pulumi/policy";
import { isHpa } from "../lib/autoscaling";
import { describe } from "../lib/kube";
import { failClosed } from "../lib/unknown";

/** Inverted bounds are accepted by the API server and silently pin the workload to maxReplicas. */
export const enforceHpaReplicaBounds: ResourceValidationPolicy = {
    name: "enforce-hpa-replica-bounds",
    description:
        "Checks that every HorizontalPodAutoscaler sets maxReplicas no lower than minReplicas.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isHpa(args.type)) {
            return;
        }
        failClosed(describe(args), reportViolation, () => {
            const { minReplicas = 1, maxReplicas } = args.props.spec ?? {};
            if (maxReplicas === undefined) {
                reportViolation(`${describe(args)} should set maxReplicas.`);
            } else if (minReplicas > maxReplicas) {
                reportViolation(
                    `${describe(args)} should set minReplicas (${minReplicas}) no higher than maxReplicas (${maxReplicas}).`,
                );
            }
        });
    },
};
