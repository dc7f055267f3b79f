import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe, objectName, podSpecOf } from "../lib/kube";

const configSchema: PolicyConfigSchema = {
    properties: {
        // Workloads (by name) that talk to the Kubernetes API and need a token.
        allowedWorkloads: { type: "array", items: { type: "string" }, default: [] },
    },
};

/**
 * A mounted token lets anyone who breaks into the pod talk to the API server as its service
 * account. Unset means mounted (the default of most service accounts), so the pod must say false.
 */
export const disallowServiceAccountToken: ResourceValidationPolicy = {
    name: "disallow-service-account-token",
    description:
        "Checks that every pod sets automountServiceAccountToken: false unless its workload is allow-listed in config.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        if (pod === undefined) {
            return;
        }
        const { allowedWorkloads } = configOf<{ allowedWorkloads: string[] }>(
            configSchema,
            args.getConfig(),
        );
        if (allowedWorkloads.includes(objectName(args))) {
            return;
        }
        if (pod.automountServiceAccountToken !== false) {
            reportViolation(
                `${describe(args)} should set automountServiceAccountToken: false on its pod, not ` +
                    `${pod.automountServiceAccountToken ?? "unset"}; only allow-listed workloads get an API token.`,
            );
        }
    },
};
