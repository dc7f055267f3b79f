import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, isWorkload, podSpecOf, Workload } from "../lib/kube";

/** A hostPath volume reaches into the node's filesystem and pins the pod's data to one node. */
export const disallowHostPathVolume: ResourceValidationPolicy = {
    name: "disallow-host-path-volume",
    description: "Checks that no pod template mounts a hostPath volume.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isWorkload(args.type)) {
            return;
        }
        for (const volume of podSpecOf(args.props as Workload).volumes ?? []) {
            if (volume.hostPath !== undefined) {
                reportViolation(
                    `${describe(args)} should not mount hostPath volume "${volume.name}".`,
                );
            }
        }
    },
};
