import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";

const prefix = "pod-security.kubernetes.io/";

/**
 * Pod Security Admission is the cluster's own check of what this pack checks: switching it to
 * baseline or privileged, or pinning an old profile version, lets a pod made outside the pack
 * (kubectl run during an incident) run privileged.
 */
export const enforcePodSecurityLabels: ResourceValidationPolicy = {
    name: "enforce-pod-security-labels",
    description:
        "Checks that the Namespace enforces the restricted Pod Security profile at the latest version, and that no Pod Security label is weaker.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "Namespace")) {
            return;
        }
        const labels: Record<string, string> = args.props.metadata?.labels ?? {};
        if (labels[`${prefix}enforce`] === undefined) {
            reportViolation(`${describe(args)} should set label ${prefix}enforce to "restricted".`);
        }
        for (const mode of ["enforce", "audit", "warn"]) {
            const level = labels[`${prefix}${mode}`];
            if (level !== undefined && level !== "restricted") {
                reportViolation(
                    `${describe(args)} should set label ${prefix}${mode} to "restricted", not "${level}".`,
                );
            }
            const version = labels[`${prefix}${mode}-version`];
            if (version !== undefined && version !== "latest") {
                reportViolation(
                    `${describe(args)} should set label ${prefix}${mode}-version to "latest" or leave it unset, not "${version}".`,
                );
            }
        }
    },
};
