import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { isHpa } from "../lib/autoscaling";
import { describe } from "../lib/kube";

interface CpuMetric {
    type?: string;
    resource?: { name?: string; target?: { type?: string; averageUtilization?: number } };
}

const configSchema: PolicyConfigSchema = {
    properties: {
        maxCpuUtilization: { type: "integer", minimum: 1, maximum: 100, default: 70 },
    },
};

/** At 85 % the PHP backend saturates before new pods are ready; a lower target scales out in time. */
export const enforceHpaCpuTarget: ResourceValidationPolicy = {
    name: "enforce-hpa-cpu-target",
    description:
        "Checks that every HorizontalPodAutoscaler targets CPU utilization at most maxCpuUtilization percent.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!isHpa(args.type)) {
            return;
        }
        const { maxCpuUtilization } = configOf<{ maxCpuUtilization: number }>(
            configSchema,
            args.getConfig(),
        );
        const spec = args.props.spec ?? {};
        const metrics: CpuMetric[] = spec.metrics ?? [];
        const targets: (number | undefined)[] = [
            spec.targetCPUUtilizationPercentage,
            ...metrics
                .filter((m) => m.type === "Resource" && m.resource?.name === "cpu")
                .map((m) => m.resource?.target?.averageUtilization),
        ];
        for (const target of targets) {
            if (target !== undefined && target > maxCpuUtilization) {
                reportViolation(
                    `${describe(args)} should target CPU utilization at most ${maxCpuUtilization}%, not ${target}%.`,
                );
            }
        }
    },
};
