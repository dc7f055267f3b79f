import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, podSpecOf } from "../lib/kube";

/**
 * A tag can be pushed again; a digest cannot. Advisory: production1's images should be pinned by
 * digest so that what staging ran is byte for byte what production runs.
 */
export const reportImageWithoutDigest: ResourceValidationPolicy = {
    name: "report-image-without-digest",
    description: "Checks that every container image is pinned by digest (@sha256:...).",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        for (const container of pod === undefined ? [] : allContainers(pod)) {
            const image = String(container.image ?? "");
            if (!/@sha256:[a-f0-9]{64}$/.test(image)) {
                reportViolation(
                    `${describe(args)} container "${container.name}" should pin its image by digest, not "${image}".`,
                );
            }
        }
    },
};
