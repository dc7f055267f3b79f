import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe, kindOf, types } from "../lib/kube";

// Kinds that live outside any namespace; the stack registers none of them except the Namespace.
const clusterScoped = [
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "StorageClass",
    "PersistentVolume",
];

const configSchema: PolicyConfigSchema = {
    properties: {
        namespace: { type: "string", minLength: 1, default: "sapoche" },
    },
};

/** The stack owns exactly one namespace; an object elsewhere escapes its quotas and network policies. */
export const enforceNamespace: ResourceValidationPolicy = {
    name: "enforce-namespace",
    description:
        "Checks that every namespaced object lives in the configured namespace, and that the Namespace is that one.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!args.type.startsWith("kubernetes:") || clusterScoped.includes(kindOf(args.type))) {
            return;
        }
        const { namespace } = configOf<{ namespace: string }>(configSchema, args.getConfig());
        const metadata = args.props.metadata ?? {};
        if (args.type === types.namespace) {
            if (metadata.name !== namespace) {
                reportViolation(`${describe(args)} should be named "${namespace}".`);
            }
        } else if (metadata.namespace === undefined) {
            reportViolation(`${describe(args)} should set metadata.namespace to "${namespace}".`);
        } else if (metadata.namespace !== namespace) {
            reportViolation(
                `${describe(args)} should be in namespace "${namespace}", not "${metadata.namespace}".`,
            );
        }
    },
};
