import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { isScaledObject } from "../lib/autoscaling";
import { describe } from "../lib/kube";
import { failClosed } from "../lib/unknown";

interface Trigger {
    type?: string;
    metadata?: { value?: string | number };
}

const configSchema: PolicyConfigSchema = {
    properties: {
        minThreshold: { type: "number", minimum: 0, default: 1 },
        maxThreshold: { type: "number", minimum: 0, default: 1000 },
    },
};

/** A threshold of 0 scales to the maximum at once; a huge one never scales: both defeat the autoscaler. */
export const enforceKedaTriggerThreshold: ResourceValidationPolicy = {
    name: "enforce-keda-trigger-threshold",
    description:
        "Checks that every ScaledObject trigger threshold (metadata.value) lies between minThreshold and maxThreshold.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!isScaledObject(args.type)) {
            return;
        }
        failClosed(describe(args), reportViolation, () => {
            const { minThreshold, maxThreshold } = configOf<{
                minThreshold: number;
                maxThreshold: number;
            }>(configSchema, args.getConfig());
            const triggers: Trigger[] = args.props.spec?.triggers ?? [];
            triggers.forEach((trigger, index) => {
                const value = trigger.metadata?.value;
                if (value === undefined) {
                    return;
                }
                // The CRD types value as a string; a number typed in by hand is read the same way.
                const text = String(value);
                const threshold = Number(text);
                if (
                    text.trim() === "" ||
                    isNaN(threshold) ||
                    threshold < minThreshold ||
                    threshold > maxThreshold
                ) {
                    reportViolation(
                        `${describe(args)} trigger ${index} (${trigger.type}) should set a threshold between ` +
                            `${minThreshold} and ${maxThreshold}, not "${text}".`,
                    );
                }
            });
        });
    },
};
