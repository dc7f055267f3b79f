import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, isWorkload, podSpecOf, Workload } from "../lib/kube";

/** Sharing the node's network, PID or IPC namespace lets a pod see its neighbours' traffic and processes. */
export const disallowHostNamespaces: ResourceValidationPolicy = {
    name: "disallow-host-namespaces",
    description: "Checks that no pod template sets hostNetwork, hostPID or hostIPC.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isWorkload(args.type)) {
            return;
        }
        const pod = podSpecOf(args.props as Workload);
        for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
            if (pod[field] === true) {
                reportViolation(`${describe(args)} should not set ${field}: true.`);
            }
        }
    },
};
