import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, podSpecOf } from "../lib/kube";

/**
 * Patient data: a container escape should never start as root. A container's own security
 * context wins over the pod's, so a container can undo the pod's runAsNonRoot; and runAsNonRoot
 * on every container is as good as the pod field.
 */
export const enforceRunAsNonRoot: ResourceValidationPolicy = {
    name: "enforce-run-as-non-root",
    description:
        "Checks that every container runs as non-root: runAsNonRoot true on the pod or on each container, never undone by a container, and never runAsUser 0.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        if (pod === undefined) {
            return;
        }
        const podNonRoot = pod.securityContext?.runAsNonRoot;
        const containers = allContainers(pod);
        if (pod.securityContext?.runAsUser === 0) {
            reportViolation(
                `${describe(args)} should not set securityContext.runAsUser: 0 on its pod.`,
            );
        }
        const uncovered = containers.filter(
            (c) => c.securityContext?.runAsNonRoot === undefined && podNonRoot !== true,
        );
        if (podNonRoot !== true && (uncovered.length > 0 || containers.length === 0)) {
            reportViolation(
                `${describe(args)} should set securityContext.runAsNonRoot: true on its pod template.`,
            );
        }
        for (const container of containers) {
            const context = container.securityContext ?? {};
            const subject = `${describe(args)} container "${container.name}"`;
            if (context.runAsNonRoot === false) {
                reportViolation(`${subject} should not set securityContext.runAsNonRoot: false.`);
            }
            if (context.runAsUser === 0) {
                reportViolation(`${subject} should not set securityContext.runAsUser: 0.`);
            }
        }
    },
};
