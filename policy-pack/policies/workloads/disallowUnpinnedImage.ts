import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { DIGEST, defaultFloatingTags } from "../lib/images";
import { allContainers, describe, podSpecOf } from "../lib/kube";

const configSchema: PolicyConfigSchema = {
    properties: {
        floatingTags: { type: "array", items: { type: "string" }, default: defaultFloatingTags },
    },
};

/** The tag of `repo:tag` or `repo:tag@digest`, ignoring a registry port; undefined when there is none. */
function tagOf(image: string): string | undefined {
    const withoutDigest = image.split("@")[0];
    const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    const colon = lastPart.indexOf(":");
    return colon === -1 ? undefined : lastPart.slice(colon + 1);
}

/** A floating tag makes the reviewed preview and the rollout run different code. */
export const disallowUnpinnedImage: ResourceValidationPolicy = {
    name: "disallow-unpinned-image",
    description:
        "Checks that every container image is pinned by a well-formed digest or by a tag that is not a floating channel such as latest, stable or main in any letter case.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        if (pod === undefined) {
            return;
        }
        const { floatingTags } = configOf<{ floatingTags: string[] }>(
            configSchema,
            args.getConfig(),
        );
        const floating = floatingTags.map((t) => t.toLowerCase());
        for (const container of allContainers(pod)) {
            const image = String(container.image ?? "").trim();
            const subject = `${describe(args)} container "${container.name}"`;
            if (DIGEST.test(image)) {
                continue;
            }
            if (image.includes("@")) {
                reportViolation(
                    `${subject} should pin a well-formed digest (@sha256: and 64 hex digits), not "${image}".`,
                );
                continue;
            }
            const tag = tagOf(image);
            if (tag === undefined || tag === "") {
                reportViolation(`${subject} should pin an image tag, not "${image}".`);
            } else if (floating.includes(tag.toLowerCase())) {
                reportViolation(
                    `${subject} should pin a release tag or a digest, not the floating tag "${tag}" ("${image}").`,
                );
            }
        }
    },
};
