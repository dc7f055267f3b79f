import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe } from "../lib/kube";
import { classify } from "../lib/resourceTypes";

// Kinds that live outside any namespace; the stack registers none of them except the Namespace
// (disallow-cluster-rbac refuses the RBAC ones).
const clusterScoped = [
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "StorageClass",
    "PersistentVolume",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "Node",
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
        // Wrappers (ConfigFile, Chart, ...) have no namespace: the objects they expand to are checked.
        const resourceType = classify(args.type);
        if (resourceType.category !== "object" || clusterScoped.includes(resourceType.kind)) {
            return;
        }
        const { namespace } = configOf<{ namespace: string }>(configSchema, args.getConfig());
        const metadata = args.props.metadata ?? {};
        if (resourceType.kind === "Namespace") {
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
