import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podSpecOf } from "../lib/kube";

/**
 * A hung consumer holds its queue without a liveness probe; a cold server gets traffic without a
 * readiness probe. Init and ephemeral containers cannot carry probes, so only containers count.
 */
export const missingContainerProbes: ResourceValidationPolicy = {
    name: "missing-container-probes",
    description:
        "Checks that every container has a livenessProbe, and every container that serves ports also a readinessProbe.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        for (const container of podSpecOf(args)?.containers ?? []) {
            const serving = (container.ports ?? []).length > 0;
            if (serving && container.readinessProbe === undefined) {
                reportViolation(
                    `${describe(args)} container "${container.name}" serves ports and should set a readinessProbe.`,
                );
            }
            if (container.livenessProbe === undefined) {
                reportViolation(
                    `${describe(args)} container "${container.name}" should set a livenessProbe.`,
                );
            }
        }
    },
};
