import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { isScaledObject } from "../lib/autoscaling";
import { describe } from "../lib/kube";
import { failClosed } from "../lib/unknown";

const configSchema: PolicyConfigSchema = {
    properties: {
        minPollingIntervalSeconds: { type: "integer", minimum: 1, default: 5 },
        maxPollingIntervalSeconds: { type: "integer", minimum: 1, default: 300 },
    },
};

/** Polling every second hammers RabbitMQ; polling every ten minutes lets a queue pile up unnoticed. */
export const enforceKedaPollingInterval: ResourceValidationPolicy = {
    name: "enforce-keda-polling-interval",
    description:
        "Checks that every ScaledObject polls its triggers at an interval within the configured range.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!isScaledObject(args.type)) {
            return;
        }
        failClosed(describe(args), reportViolation, () => {
            const { minPollingIntervalSeconds: min, maxPollingIntervalSeconds: max } = configOf<{
                minPollingIntervalSeconds: number;
                maxPollingIntervalSeconds: number;
            }>(configSchema, args.getConfig());
            // KEDA polls every 30 s when pollingInterval is unset.
            const interval: number = args.props.spec?.pollingInterval ?? 30;
            if (interval < min || interval > max) {
                reportViolation(
                    `${describe(args)} should set pollingInterval between ${min} and ${max} seconds, not ${interval}.`,
                );
            }
        });
    },
};
