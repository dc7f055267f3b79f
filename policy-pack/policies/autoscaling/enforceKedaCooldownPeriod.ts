import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { isScaledObject } from "../lib/autoscaling";
import { describe } from "../lib/kube";
import { failClosed } from "../lib/unknown";

const configSchema: PolicyConfigSchema = {
    properties: {
        minCooldownPeriodSeconds: { type: "integer", minimum: 0, default: 30 },
        maxCooldownPeriodSeconds: { type: "integer", minimum: 0, default: 3600 },
    },
};

/** Too short a cooldown flaps consumers between zero and one; too long keeps idle pods for hours. */
export const enforceKedaCooldownPeriod: ResourceValidationPolicy = {
    name: "enforce-keda-cooldown-period",
    description:
        "Checks that every ScaledObject waits a cooldownPeriod within the configured range before scaling in.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!isScaledObject(args.type)) {
            return;
        }
        failClosed(describe(args), reportViolation, () => {
            const { minCooldownPeriodSeconds: min, maxCooldownPeriodSeconds: max } = configOf<{
                minCooldownPeriodSeconds: number;
                maxCooldownPeriodSeconds: number;
            }>(configSchema, args.getConfig());
            // KEDA waits 300 s when cooldownPeriod is unset.
            const cooldown: number = args.props.spec?.cooldownPeriod ?? 300;
            if (cooldown < min || cooldown > max) {
                reportViolation(
                    `${describe(args)} should set cooldownPeriod between ${min} and ${max} seconds, not ${cooldown}.`,
                );
            }
        });
    },
};
