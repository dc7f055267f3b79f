import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";

/** Built-in roles that can read Secrets or rewrite workloads in the namespace. */
const broadRoles = ["cluster-admin", "admin", "edit"];

/** Groups that mean "everyone" or "every service account". */
const broadGroups = ["system:authenticated", "system:unauthenticated", "system:serviceaccounts"];

/** A binding to admin/edit or to everyone hands out the namespace's Secrets and workloads. */
export const disallowBroadRoleBinding: ResourceValidationPolicy = {
    name: "disallow-broad-role-binding",
    description:
        "Checks that no RoleBinding grants admin, edit or cluster-admin, or binds system:authenticated, system:unauthenticated or a system:serviceaccounts group.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "RoleBinding")) {
            return;
        }
        const roleRef = args.props.roleRef ?? {};
        if (broadRoles.includes(String(roleRef.name))) {
            reportViolation(
                `${describe(args)} should not bind the built-in role ${roleRef.kind ?? "ClusterRole"} "${roleRef.name}"; bind a Role with the rights needed.`,
            );
        }
        for (const subject of (args.props.subjects ?? []) as { kind?: string; name?: string }[]) {
            const name = String(subject.name ?? "");
            const broad =
                subject.kind === "Group" &&
                (broadGroups.includes(name) || name.startsWith("system:serviceaccounts:"));
            if (broad) {
                reportViolation(`${describe(args)} should not bind the group "${name}".`);
            }
        }
    },
};
