import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { DIGEST, imageRepository } from "../lib/images";
import { allContainers, describe, kindOf, podSpecOf } from "../lib/kube";

const configSchema: PolicyConfigSchema = {
    properties: {
        // `Kind/name` of the live objects an `import` release brings under management unchanged
        // (scripts/pack-config.ts, production1's `import` phase only): the pack is shown the live
        // object, whose image is what runs today and which that release cannot change. The next
        // phase renders them from the stack file and judges them like every other object.
        importedLive: { type: "array", items: { type: "string" }, default: [] },
        // Where a refused image is set, so the message names the file and key to edit: the stack
        // file the config was generated from, and each catalogued repository's image key.
        stackFile: { type: "string", default: "" },
        imageKeys: { type: "object", additionalProperties: { type: "string" }, default: {} },
    },
};

interface Config {
    importedLive: string[];
    stackFile: string;
    imageKeys: Record<string, string>;
}

/** `sapoche-stack:images.<key> in Pulumi.<stack>.yaml`, as far as the config says it. */
function whereSet(image: string, config: Config): string {
    const key = config.imageKeys[imageRepository(image)];
    const what =
        key === undefined ? "its sapoche-stack:images value" : `sapoche-stack:images.${key}`;
    return `${what} in ${config.stackFile === "" ? "the stack file" : config.stackFile}`;
}

/** Whether the object is one the release imports as it runs live (never an auto-named one). */
function importedLive(args: { type: string; props: any }, imported: readonly string[]): boolean {
    if (imported.length === 0) return false;
    const name: unknown = args.props.metadata?.name;
    return typeof name === "string" && imported.includes(`${kindOf(args.type)}/${name}`);
}

/** The pull policies Kubernetes knows; anything else cannot be judged. */
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];

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
 * digest"); staging may run a tag first, so the rule only reports there (scripts/pack-config.ts).
 */
export const disallowDivergentImagePull: ResourceValidationPolicy = {
    name: "disallow-divergent-image-pull",
    description:
        "Checks that no container lets two nodes run different bytes: its image is pinned by digest (repository[:tag]@sha256:<64 hex>), with imagePullPolicy Always, IfNotPresent, Never or unset.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const config = configOf<Config>(configSchema, args.getConfig<object>());
        if (importedLive(args, config.importedLive)) return;
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
                    `Only a digest names one set of bytes: set ${whereSet(image, config)} to ` +
                    `"${bare}@sha256:<digest>" (accepted: repository[:tag]@sha256:<64 hex digits>), ` +
                    `reading the digest from the registry (crane digest ${bare}, ` +
                    `docker buildx imagetools inspect ${bare}, or skopeo inspect docker://${bare}); ` +
                    `production1 takes a digest only once staging ran it, so both stack files carry it.`,
            );
        }
    },
};
