import { ResourceValidationPolicy } from "@pulumi/policy";
import { isScaledObject } from "../lib/autoscaling";
import { describe } from "../lib/kube";
import { failClosed } from "../lib/unknown";

/** KEDA accepts inverted bounds and then scales erratically between them. */
export const enforceKedaReplicaBounds: ResourceValidationPolicy = {
    name: "enforce-keda-replica-bounds",
    description:
        "Checks that every ScaledObject sets maxReplicaCount no lower than minReplicaCount.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isScaledObject(args.type)) {
            return;
        }
        failClosed(describe(args), reportViolation, () => {
            // KEDA's defaults: minReplicaCount 0, maxReplicaCount 100.
            const { minReplicaCount = 0, maxReplicaCount = 100 } = args.props.spec ?? {};
            if (minReplicaCount > maxReplicaCount) {
                reportViolation(
                    `${describe(args)} should set minReplicaCount (${minReplicaCount}) no higher than maxReplicaCount (${maxReplicaCount}).`,
                );
            }
        });
    },
};
