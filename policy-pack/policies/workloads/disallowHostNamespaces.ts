import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podSpecOf } from "../lib/kube";

/** Sharing the node's network, PID or IPC namespace lets a pod see its neighbours' traffic and processes. */
export const disallowHostNamespaces: ResourceValidationPolicy = {
    name: "disallow-host-namespaces",
    description: "Checks that no pod sets hostNetwork, hostPID or hostIPC.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args) as Record<string, unknown> | undefined;
        if (pod === undefined) {
            return;
        }
        for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
            if (pod[field] === true) {
                reportViolation(`${describe(args)} should not set ${field}: true.`);
            }
        }
    },
};
