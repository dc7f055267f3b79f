import { StackValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";

/**
 * Container limits bound one pod; the namespace's ResourceQuota and LimitRange bound everything
 * else (pods made by hand during an incident included). The stack that owns the Namespace owns them.
 */
export const missingEphemeralStorageQuota: StackValidationPolicy = {
    name: "missing-ephemeral-storage-quota",
    description:
        "Checks that the stack that registers the Namespace also has a ResourceQuota and a LimitRange covering ephemeral-storage.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const namespace = args.resources.find((r) => isKind(r.type, "Namespace"));
        if (namespace === undefined) {
            return;
        }
        const quotas = args.resources.filter((r) => isKind(r.type, "ResourceQuota"));
        const quotaCovers = quotas.some((q) => {
            const hard = q.props.spec?.hard ?? {};
            return (
                hard["requests.ephemeral-storage"] !== undefined &&
                hard["limits.ephemeral-storage"] !== undefined
            );
        });
        if (!quotaCovers) {
            reportViolation(
                `${describe(namespace)} should have a ResourceQuota setting requests.ephemeral-storage and limits.ephemeral-storage.`,
                namespace.urn,
            );
        }
        const ranges = args.resources.filter((r) => isKind(r.type, "LimitRange"));
        const rangeCovers = ranges.some((l) =>
            ((l.props.spec?.limits ?? []) as Record<string, any>[]).some(
                (limit) =>
                    limit.type === "Container" &&
                    ["default", "defaultRequest", "max"].every(
                        (field) => limit[field]?.["ephemeral-storage"] !== undefined,
                    ),
            ),
        );
        if (!rangeCovers) {
            reportViolation(
                `${describe(namespace)} should have a LimitRange whose Container entry sets default, defaultRequest and max ephemeral-storage.`,
                namespace.urn,
            );
        }
    },
};
