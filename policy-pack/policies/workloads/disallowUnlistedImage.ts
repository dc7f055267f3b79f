import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { imageRepository } from "../lib/images";
import { allContainers, describe, podSpecOf } from "../lib/kube";
import { failClosed } from "../lib/unknown";

const configSchema: PolicyConfigSchema = {
    properties: {
        // The repositories the catalog runs, per stack (scripts/pack-config.ts); empty admits none.
        allowedRepositories: { type: "array", items: { type: "string" }, default: [] },
    },
};

/**
 * An image is code from whoever controls its repository: a pod may run only what the catalog
 * says this namespace runs, from the repositories it names.
 */
export const disallowUnlistedImage: ResourceValidationPolicy = {
    name: "disallow-unlisted-image",
    description:
        "Checks that every container runs an image from a repository the catalog lists for the stack.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        if (pod === undefined) {
            return;
        }
        const { allowedRepositories } = configOf<{ allowedRepositories: string[] }>(
            configSchema,
            args.getConfig(),
        );
        const allowed = allowedRepositories.map(imageRepository);
        for (const container of allContainers(pod)) {
            const subject = `${describe(args)} container "${container.name}"`;
            failClosed(subject, reportViolation, () => {
                const image: unknown = container.image;
                if (typeof image !== "string" || image.trim() === "") {
                    reportViolation(`${subject} should name an image.`);
                } else if (!allowed.includes(imageRepository(image))) {
                    reportViolation(
                        `${subject} runs "${image}" from repository ${imageRepository(image)}, which the catalog does not list for this stack; allowed: ${allowed.join(", ") || "none"}.`,
                    );
                }
            });
        }
    },
};
