import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podSpecOf } from "../lib/kube";

// CPU is left without a limit on purpose: throttling hurts latency more than a noisy neighbour does.
const required = [
    ["requests", "cpu"],
    ["requests", "memory"],
    ["limits", "memory"],
] as const;

/** Without requests the scheduler packs blindly; without a memory limit one leak takes down a node. */
export const missingContainerResources: ResourceValidationPolicy = {
    name: "missing-container-resources",
    description: "Checks that every container requests CPU and memory and sets a memory limit.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        // Ephemeral containers cannot set resources; they share the pod's.
        for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
            for (const [section, resource] of required) {
                if (container.resources?.[section]?.[resource] === undefined) {
                    reportViolation(
                        `${describe(args)} container "${container.name}" should set resources.${section}.${resource}.`,
                    );
                }
            }
        }
    },
};
