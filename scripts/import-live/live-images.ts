/**
 * The digests the live pods run, for `sapoche-stack:images` (production1 accepts only digests:
 * docs/operations/releases.md, "Images by digest"). A digest is only ever read here, from
 * `status.containerStatuses[].imageID` (what the kubelet reports the runtime pulled), never
 * made up: a pod that reports none leaves the stack file's value as it is, with a note saying
 * how to read the digest from the registry. Pods of one image key that report two digests run
 * different bytes under one tag, the divergence the digest rule exists for: refused.
 */
import type { ImageKey } from "../../stacks/catalog";
import type { LiveObject, Target } from "./live-types";

type Any = Record<string, any>;

/** What the live pods say about each image key. */
export interface LiveImages {
    /** `sapoche-stack:images.<key>` values to write: the live tag pinned to the digest its pods report. */
    readonly images: Partial<Record<ImageKey, string>>;
    readonly notes: readonly string[];
    /** Image keys whose pods run different bytes: nothing is written while there is one. */
    readonly refused: readonly string[];
}

/** The manifest digest of an imageID (`[docker-pullable://]repo@sha256:<hex>`), else undefined. */
export function reportedDigest(imageID: string | undefined): string | undefined {
    return /@(sha256:[0-9a-f]{64})$/.exec(imageID ?? "")?.[1];
}

/** A reference without its digest: `repository[:tag]`. */
const tagOf = (image: string) => image.split("@")[0];

/** The pods a Deployment's selector matches (matchLabels; the program's selectors use no more). */
function podsOf(deployment: LiveObject, pods: readonly LiveObject[]): LiveObject[] {
    const match: Record<string, string> = deployment.spec?.selector?.matchLabels ?? {};
    if (Object.keys(match).length === 0) return [];
    return pods.filter((p) => {
        const labels = (p.metadata.labels ?? {}) as Record<string, string>;
        return Object.entries(match).every(([k, v]) => labels[k] === v);
    });
}

const registryCommands = (tag: string) =>
    `crane digest ${tag}, docker buildx imagetools inspect ${tag}, or skopeo inspect docker://${tag}`;

/**
 * Per image key, the digest its live pods report, when every pod of every workload of that key
 * that runs the stack file's tag reports one and the same. `current` is the stack file's
 * `sapoche-stack:images`.
 */
export function liveImages(
    targets: readonly Target[],
    deployments: ReadonlyMap<string, LiveObject>,
    pods: readonly LiveObject[],
    current: Readonly<Record<string, string>>,
): LiveImages {
    const notes: string[] = [];
    const refused: string[] = [];
    const images: Partial<Record<ImageKey, string>> = {};
    const keys = [...new Set(targets.map((t) => t.imageKey))];
    for (const key of keys) {
        const want = current[key];
        if (want === undefined) continue;
        /** digest -> the pods reporting it, as `Deployment/pod`. */
        const seen = new Map<string, string[]>();
        const unknown: string[] = [];
        const running: string[] = [];
        const other: string[] = [];
        for (const target of targets.filter((t) => t.imageKey === key)) {
            const d = deployments.get(target.deployment);
            if (d === undefined) continue;
            const container = ((d.spec?.template?.spec?.containers ?? []) as Any[]).find(
                (c) => c.name === target.container,
            );
            if (container === undefined) continue;
            const image = String(container.image ?? "");
            if (tagOf(image) !== tagOf(want)) {
                other.push(`${target.deployment} (${image})`);
                continue;
            }
            running.push(target.deployment);
            const matched = podsOf(d, pods);
            if (matched.length === 0) unknown.push(`${target.deployment} (no pod)`);
            for (const p of matched) {
                const status = ((p as Any).status?.containerStatuses ?? []).find(
                    (s: Any) => s.name === target.container,
                );
                const digest = reportedDigest(status?.imageID);
                const where = `${target.deployment}/${p.metadata.name}`;
                if (digest === undefined) unknown.push(where);
                else seen.set(digest, [...(seen.get(digest) ?? []), where]);
            }
        }
        if (other.length > 0) {
            notes.push(
                `sapoche-stack:images.${key} is ${want}, but ${other.length} live Deployment(s) run ` +
                    `another image (${other.slice(0, 3).join(", ")}${other.length > 3 ? ", ..." : ""}): ` +
                    `their digests are not imported (an image is a release's decision).`,
            );
        }
        if (seen.size > 1) {
            refused.push(
                `sapoche-stack:images.${key}: the live pods of ${tagOf(want)} run ${seen.size} digests ` +
                    `(${[...seen].map(([digest, at]) => `${digest}: ${at.join(", ")}`).join("; ")}): ` +
                    `nodes run different bytes under one tag. Pin the digest staging ran in both stack ` +
                    `files and roll these workloads onto it, or finish the rollout in progress, then ` +
                    `run import-live again.`,
            );
            continue;
        }
        if (running.length === 0) continue;
        if (unknown.length > 0 || seen.size === 0) {
            notes.push(
                `sapoche-stack:images.${key}: digest unknown, ${unknown.length} live pod(s) of ` +
                    `${tagOf(want)} report no imageID (${unknown.slice(0, 3).join(", ")}` +
                    `${unknown.length > 3 ? ", ..." : ""}); ` +
                    `${want} is left as it is. Read the digest from the registry (${registryCommands(tagOf(want))}).`,
            );
            continue;
        }
        const [digest] = [...seen.keys()];
        images[key] = `${tagOf(want)}@${digest}`;
        if (images[key] !== want) {
            notes.push(
                `sapoche-stack:images.${key}: ${images[key]}, the digest its ${seen.get(digest)!.length} live pod(s) report` +
                    (want.includes("@") ? ` (the stack file said ${want})` : "") +
                    `; staging must run it too before production1 can (docs/operations/releases.md).`,
            );
        }
    }
    return { images, notes, refused };
}
