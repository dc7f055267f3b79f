import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, isWorkload, podSpecOf, Workload } from "../lib/kube";

/** The restricted Pod Security Standard, container by container. */
export const enforceContainerSecurityContext: ResourceValidationPolicy = {
    name: "enforce-container-security-context",
    description:
        "Checks that every container forbids privilege escalation, has a read-only root filesystem, is not privileged and drops ALL capabilities.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isWorkload(args.type)) {
            return;
        }
        for (const container of allContainers(podSpecOf(args.props as Workload))) {
            const context = container.securityContext ?? {};
            const subject = `${describe(args)} container "${container.name}"`;
            if (context.allowPrivilegeEscalation !== false) {
                reportViolation(
                    `${subject} should set securityContext.allowPrivilegeEscalation: false.`,
                );
            }
            if (context.readOnlyRootFilesystem !== true) {
                reportViolation(
                    `${subject} should set securityContext.readOnlyRootFilesystem: true.`,
                );
            }
            if (context.privileged === true) {
                reportViolation(`${subject} should not set securityContext.privileged: true.`);
            }
            if (!(context.capabilities?.drop ?? []).includes("ALL")) {
                reportViolation(
                    `${subject} should drop ALL capabilities in securityContext.capabilities.drop.`,
                );
            }
        }
    },
};
