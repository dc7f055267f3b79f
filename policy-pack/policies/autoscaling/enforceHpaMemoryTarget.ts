import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalerOf, isHpa, isScaledObject } from "../lib/autoscaling";
import { podTotal, resourceTargets, scaledWorkload } from "../lib/hpa";
import { describe } from "../lib/kube";
import { parseQuantity } from "../lib/quantity";
import { failClosed } from "../lib/unknown";

/**
 * A memory target at or above the memory limit is never reached: pods are OOM-killed before the
 * autoscaler adds one, so the workload crash-loops instead of scaling out.
 */
export const enforceHpaMemoryTarget: StackValidationPolicy = {
    name: "enforce-hpa-memory-target",
    description:
        "Checks that every HorizontalPodAutoscaler memory target sits below the memory limit of the pods it scales.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const hpa of args.resources.filter((r) => isHpa(r.type) || isScaledObject(r.type))) {
            const report = (message: string) => reportViolation(message, hpa.urn);
            failClosed(describe(hpa), report, () => {
                const autoscaler = autoscalerOf(hpa);
                const workload = autoscaler && scaledWorkload(autoscaler, args.resources);
                for (const target of resourceTargets(hpa).filter((t) => t.resource === "memory")) {
                    const where = target.container ? ` of container "${target.container}"` : "";
                    const limit =
                        workload && podTotal(workload, "limits", "memory", target.container);
                    const request =
                        workload && podTotal(workload, "requests", "memory", target.container);
                    const average =
                        target.type === "Utilization"
                            ? request !== undefined
                                ? (Number(target.value) / 100) * request
                                : undefined
                            : parseQuantity(target.value);
                    const shown =
                        target.type === "Utilization" ? `${target.value}%` : String(target.value);
                    if (average === undefined || !Number.isFinite(average) || limit === undefined) {
                        report(
                            `${describe(hpa)} targets memory${where} at ${shown}, which cannot be checked against the memory limit ` +
                                `of the pods it scales; the target should be a quantity and the pods should set limits.memory.`,
                        );
                    } else if (average >= limit) {
                        report(
                            `${describe(hpa)} should target memory${where} below the ${limit} bytes limit of ${describe(workload!)}, not ${shown}.`,
                        );
                    }
                }
            });
        }
    },
};
