import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, podSpecOf } from "../lib/kube";

/** A host port opens the node's own address to the pod, past Services and network policies. */
export const disallowHostPort: ResourceValidationPolicy = {
    name: "disallow-host-port",
    description: "Checks that no container binds a hostPort.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        for (const container of pod === undefined ? [] : allContainers(pod)) {
            for (const port of container.ports ?? []) {
                if (port.hostPort !== undefined && port.hostPort !== 0) {
                    reportViolation(
                        `${describe(args)} container "${container.name}" should not bind hostPort ${port.hostPort}.`,
                    );
                }
            }
        }
    },
};
