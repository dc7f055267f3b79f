import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe, podSpecOf } from "../lib/kube";

const configSchema: PolicyConfigSchema = {
    properties: {
        // The volume sources the program renders (stacks/schema/pod.ts), within the standard's restricted list.
        allowedVolumeSources: { type: "array", items: { type: "string" }, default: [] },
    },
};

/**
 * A volume source is a door to something outside the pod (a node's disk, a network share, a git
 * checkout at start-up): only the sources the program renders are open.
 */
export const disallowUnlistedVolumeSource: ResourceValidationPolicy = {
    name: "disallow-unlisted-volume-source",
    description:
        "Checks that every pod volume uses a source the program renders, and a volume without a source is read as the API defaults it, an emptyDir.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        if (pod === undefined) {
            return;
        }
        const { allowedVolumeSources } = configOf<{ allowedVolumeSources: string[] }>(
            configSchema,
            args.getConfig(),
        );
        for (const volume of (pod.volumes ?? []) as Record<string, unknown>[]) {
            const sources = Object.keys(volume).filter(
                (key) => key !== "name" && volume[key] !== undefined && volume[key] !== null,
            );
            for (const source of sources.length === 0 ? ["emptyDir"] : sources) {
                if (!allowedVolumeSources.includes(source)) {
                    reportViolation(
                        `${describe(args)} volume "${String(volume.name)}" uses ${source}; allowed: ${allowedVolumeSources.join(", ") || "none"}.`,
                    );
                }
            }
        }
    },
};
