import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, podSpecOf } from "../lib/kube";

/** The pull policies Kubernetes knows; anything else cannot be judged. */
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];

/** A digest the registry verifies: `@sha256:` and 64 hex digits (or another algorithm's). */
const DIGEST = /@(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/** Kubernetes' default when imagePullPolicy is unset: Always for `latest` or no tag, else IfNotPresent. */
function defaultPolicy(image: string): string {
    const lastPart = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastPart.indexOf(":");
    const tag = colon === -1 ? "" : lastPart.slice(colon + 1);
    return tag === "" || tag === "latest" ? "Always" : "IfNotPresent";
}

/** Why a tag under this pull policy lets two nodes run different bytes. */
const DIVERGES: Record<string, string> = {
    IfNotPresent:
        "each node keeps the bytes it pulled first, so a tag pushed again runs old bytes on some nodes and new on others",
    Never: "each node runs whatever bytes it was given under that tag",
    Always: "each start runs whatever the tag names at that moment, so pods started before and after a push of the same tag run different bytes",
};

/**
 * Two nodes run the same bytes for a container only when its image names bytes: a digest. With a
 * digest every pull policy is safe (IfNotPresent saves the registry round trip); with a tag, none
 * is. Production1 runs what staging ran, byte for byte (docs/operations/releases.md, "Images by
 * digest"); staging runs tags on purpose and has this rule disabled (scripts/pack-config.ts).
 */
export const disallowDivergentImagePull: ResourceValidationPolicy = {
    name: "disallow-divergent-image-pull",
    description:
        "Checks that no container lets two nodes run different bytes: its image is pinned by digest (repository[:tag]@sha256:<64 hex>), with imagePullPolicy Always, IfNotPresent, Never or unset.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args);
        for (const container of pod === undefined ? [] : allContainers(pod)) {
            const image = String(container.image ?? "").trim();
            const subject = `${describe(args)} container "${container.name}"`;
            const set = container.imagePullPolicy;
            if (set !== undefined && !PULL_POLICIES.includes(String(set))) {
                reportViolation(
                    `${subject} has imagePullPolicy "${String(set)}", which Kubernetes does not know: use one of ${PULL_POLICIES.join(", ")} or leave it unset.`,
                );
                continue;
            }
            if (DIGEST.test(image)) continue;
            const policy = set ?? defaultPolicy(image);
            const how = set === undefined ? `${policy} (the default for this tag)` : policy;
            const bare = image.split("@")[0];
            reportViolation(
                `${subject} runs "${image}" with imagePullPolicy ${how}: ${DIVERGES[policy]}. ` +
                    `Only a digest names one set of bytes: write "${bare}@sha256:<digest>" into both stack files, ` +
                    `reading the digest staging runs from the registry (crane digest ${bare}, ` +
                    `docker buildx imagetools inspect ${bare}, or skopeo inspect docker://${bare}).`,
            );
        }
    },
};
