import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";

const prefix = "pod-security.kubernetes.io/";

/** Audit and warn make a violation visible (audit log, kubectl warning) before enforce refuses it. */
export const missingPodSecurityAuditLabels: ResourceValidationPolicy = {
    name: "missing-pod-security-audit-labels",
    description:
        "Checks that the Namespace also audits and warns on the restricted Pod Security profile.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "Namespace")) {
            return;
        }
        const labels: Record<string, string> = args.props.metadata?.labels ?? {};
        for (const mode of ["audit", "warn"]) {
            if (labels[`${prefix}${mode}`] === undefined) {
                reportViolation(
                    `${describe(args)} should set label ${prefix}${mode} to "restricted".`,
                );
            }
        }
    },
};
