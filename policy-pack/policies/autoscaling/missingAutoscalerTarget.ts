import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf } from "../lib/autoscaling";
import { isKind } from "../lib/resourceTypes";
import { describe, objectName } from "../lib/kube";

/** KEDA's webhook rejects a ScaledObject whose target is missing; an orphaned HPA just does nothing. */
export const missingAutoscalerTarget: StackValidationPolicy = {
    name: "missing-autoscaler-target",
    description:
        "Checks that every HPA and ScaledObject targets a Deployment that exists in the stack.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const deployments = args.resources
            .filter((r) => isKind(r.type, "Deployment"))
            .map(objectName);
        for (const autoscaler of autoscalersOf(args.resources)) {
            const target = `${autoscaler.targetKind} "${autoscaler.targetName}"`;
            if (autoscaler.targetKind !== "Deployment") {
                reportViolation(
                    `${describe(autoscaler.resource)} should target a Deployment, not ${target}.`,
                );
            } else if (
                autoscaler.targetName === undefined ||
                !deployments.includes(autoscaler.targetName)
            ) {
                reportViolation(
                    `${describe(autoscaler.resource)} should target a Deployment in the stack, but ${target} is not in it.`,
                );
            }
        }
    },
};
