import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe } from "../lib/kube";
import { classify } from "../lib/resourceTypes";

const configSchema: PolicyConfigSchema = {
    properties: {
        // `<group>/<Kind>` (core group: `core/Service`) the program renders (scripts/pack-config.ts).
        allowedKinds: { type: "array", items: { type: "string" }, default: [] },
    },
};

/** `apps/v1` is group `apps`; the core group's `v1` is `core`. */
function groupOf(apiVersion: string): string {
    return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "core";
}

/**
 * The namespace holds what the catalog deploys and nothing else: a kind nobody listed (a
 * cluster-scoped webhook, a CRD, an operator's custom resource that starts pods) is something no
 * rule of the pack was written for.
 */
export const disallowUnlistedKind: ResourceValidationPolicy = {
    name: "disallow-unlisted-kind",
    description:
        "Checks that every Kubernetes object is of a kind the namespace is known to contain, a cluster-scoped kind only when it is the Namespace itself.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const resourceType = classify(args.type);
        if (resourceType.category !== "object") {
            return;
        }
        const { allowedKinds } = configOf<{ allowedKinds: string[] }>(
            configSchema,
            args.getConfig(),
        );
        const kind = `${groupOf(resourceType.apiVersion)}/${resourceType.kind}`;
        if (!allowedKinds.includes(kind)) {
            reportViolation(
                `${describe(args)} is a ${kind}, a kind this namespace does not contain; allowed: ${allowedKinds.join(", ") || "none"}.`,
            );
        }
    },
};
