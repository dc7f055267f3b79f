import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf, autoscalersTargeting } from "../lib/autoscaling";
import { describe, isWorkload, setsReplicas, Workload } from "../lib/kube";

/** Under server-side apply, spec.replicas conflicts with the autoscaler's field manager and fails `pulumi up`. */
export const disallowReplicasOnAutoscaled: StackValidationPolicy = {
    name: "disallow-replicas-on-autoscaled",
    description:
        "Checks that no workload scaled by an HPA or ScaledObject also sets spec.replicas.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const autoscalers = autoscalersOf(args.resources);
        for (const workload of args.resources.filter((r) => isWorkload(r.type))) {
            const [autoscaler] = autoscalersTargeting(workload, autoscalers);
            const props = workload.props as Workload;
            if (autoscaler && setsReplicas(props)) {
                reportViolation(
                    `${describe(workload)} is scaled by ${describe(autoscaler.resource)} and should not set spec.replicas (found ${props.spec?.replicas}).`,
                    workload.urn,
                );
            }
        }
    },
};
