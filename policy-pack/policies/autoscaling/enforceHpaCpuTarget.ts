import { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { autoscalerOf, isHpa, isScaledObject } from "../lib/autoscaling";
import { podTotal, resourceTargets, scaledWorkload } from "../lib/hpa";
import { describe } from "../lib/kube";
import { parseQuantity } from "../lib/quantity";
import { failClosed } from "../lib/unknown";

const configSchema: PolicyConfigSchema = {
    properties: {
        maxCpuUtilization: { type: "integer", minimum: 1, maximum: 100, default: 70 },
    },
};

/**
 * At 85 % the PHP backend saturates before new pods are ready; a lower target scales out in time.
 * An AverageValue target is the same threshold in cores, so it is read against the CPU request of
 * the pods it scales (a stack policy for that reason).
 */
export const enforceHpaCpuTarget: StackValidationPolicy = {
    name: "enforce-hpa-cpu-target",
    description:
        "Checks that every HorizontalPodAutoscaler and KEDA cpu scaler targets CPU at most maxCpuUtilization percent of the request, in every metric form (Utilization, AverageValue, ContainerResource).",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const { maxCpuUtilization } = configOf<{ maxCpuUtilization: number }>(
            configSchema,
            args.getConfig(),
        );
        for (const hpa of args.resources.filter((r) => isHpa(r.type) || isScaledObject(r.type))) {
            const report = (message: string) => reportViolation(message, hpa.urn);
            failClosed(describe(hpa), report, () => {
                const autoscaler = autoscalerOf(hpa);
                const workload = autoscaler && scaledWorkload(autoscaler, args.resources);
                for (const target of resourceTargets(hpa).filter((t) => t.resource === "cpu")) {
                    const where = target.container ? ` of container "${target.container}"` : "";
                    if (target.type === "Utilization") {
                        const value = Number(target.value);
                        if (!Number.isFinite(value) || value > maxCpuUtilization) {
                            report(
                                `${describe(hpa)} should target CPU utilization${where} at most ${maxCpuUtilization}%, not ${target.value}%.`,
                            );
                        }
                        continue;
                    }
                    const value = parseQuantity(target.value);
                    const request =
                        workload && podTotal(workload, "requests", "cpu", target.container);
                    if (value === undefined || request === undefined || request <= 0) {
                        report(
                            `${describe(hpa)} targets CPU${where} by AverageValue ${JSON.stringify(target.value)}, which cannot be ` +
                                `checked against the CPU request of the pods it scales; it should target Utilization at most ${maxCpuUtilization}%.`,
                        );
                        continue;
                    }
                    const percent = Math.round((value / request) * 1000) / 10;
                    if (percent > maxCpuUtilization) {
                        report(
                            `${describe(hpa)} should target CPU${where} at most ${maxCpuUtilization}% of the request, not ` +
                                `${target.value} (${percent}% of the ${request} cores ${describe(workload!)} requests).`,
                        );
                    }
                }
            });
        }
    },
};
