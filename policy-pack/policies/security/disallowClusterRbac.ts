import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";

/** The stack owns one namespace; cluster-wide RBAC reaches every other tenant of the cluster. */
export const disallowClusterRbac: ResourceValidationPolicy = {
    name: "disallow-cluster-rbac",
    description: "Checks that the stack registers no ClusterRole or ClusterRoleBinding.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (isKind(args.type, "ClusterRole", "ClusterRoleBinding")) {
            reportViolation(
                `${describe(args)} should not be registered: the stack grants rights only inside its namespace, with a Role and RoleBinding.`,
            );
        }
    },
};
