import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, podSpecOf } from "../lib/kube";

const allowed = ["RuntimeDefault", "Localhost"];

/** Without a seccomp profile a container may call every syscall, the kernel surface escapes use. */
export const enforceSeccompProfile: ResourceValidationPolicy = {
    name: "enforce-seccomp-profile",
    description:
        "Checks that every container runs under seccomp RuntimeDefault or Localhost, set on the pod or on each container, never Unconfined.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        // seccomp is Linux-only: the API refuses it on a Windows pod, and the standard exempts it.
        if (pod === undefined || (pod as { os?: { name?: string } }).os?.name === "windows") {
            return;
        }
        const podType = pod.securityContext?.seccompProfile?.type;
        if (podType !== undefined && !allowed.includes(podType)) {
            reportViolation(
                `${describe(args)} should set seccompProfile.type RuntimeDefault or Localhost on its pod, not ${podType}.`,
            );
        }
        for (const container of allContainers(pod)) {
            const type = container.securityContext?.seccompProfile?.type;
            const subject = `${describe(args)} container "${container.name}"`;
            if (type !== undefined && !allowed.includes(type)) {
                reportViolation(
                    `${subject} should set seccompProfile.type RuntimeDefault or Localhost, not ${type}.`,
                );
            } else if (type === undefined && podType === undefined) {
                reportViolation(
                    `${subject} should run under a seccomp profile: set securityContext.seccompProfile.type RuntimeDefault on the pod.`,
                );
            }
        }
    },
};
