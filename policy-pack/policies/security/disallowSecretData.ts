import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";
import { isUnknownValue } from "../lib/unknown";

/**
 * Secret values written in the program end up in the repository, the state file and every
 * preview; the stack names Secrets managed outside it instead.
 */
export const disallowSecretData: ResourceValidationPolicy = {
    name: "disallow-secret-data",
    description: "Checks that the stack registers no Secret with data or stringData.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "Secret")) {
            return;
        }
        for (const field of ["data", "stringData"] as const) {
            let value: Record<string, unknown> | undefined;
            try {
                value = args.props[field];
            } catch (error) {
                // Data computed at preview is still data written by the stack.
                if (!isUnknownValue(error)) {
                    throw error;
                }
                reportViolation(
                    `${describe(args)} should not carry ${field} (computed at preview); create the Secret outside the stack and reference it by name.`,
                );
                continue;
            }
            if (value !== undefined && value !== null && Object.keys(value).length > 0) {
                reportViolation(
                    `${describe(args)} should not carry ${field} (keys: ${Object.keys(value).join(", ")}); ` +
                        `create the Secret outside the stack and reference it by name.`,
                );
            }
        }
    },
};
