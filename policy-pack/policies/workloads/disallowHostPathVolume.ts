import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podSpecOf } from "../lib/kube";

/** A hostPath volume reaches into the node's filesystem and pins the pod's data to one node. */
export const disallowHostPathVolume: ResourceValidationPolicy = {
    name: "disallow-host-path-volume",
    description: "Checks that no pod mounts a hostPath volume.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        for (const volume of podSpecOf(args)?.volumes ?? []) {
            if (volume.hostPath !== undefined) {
                reportViolation(
                    `${describe(args)} should not mount hostPath volume "${volume.name}".`,
                );
            }
        }
    },
};
