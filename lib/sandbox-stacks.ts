/**
 * A sandbox's copies of the stack files, set for a local control plane: bound to its uid, their
 * images pinned by digest, and started at `done` (nothing of theirs is live there).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { must, run } from "./run";
import { loadStackYaml } from "./stack-file";
import { applyEdits, Edit } from "./yaml-edit";

/** The `config:` mapping of a stack file's text ({} when it has none). */
function configOf(text: string): Record<string, unknown> {
    const doc = loadStackYaml(text) as { config?: Record<string, unknown> } | null;
    return doc?.config ?? {};
}

function stackFiles(work: string): string[] {
    return fs
        .readdirSync(work)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => path.join(work, f));
}

/** Applies `editsOf(config)` to each stack file of `work` that needs any; true when one changed. */
function editStackFiles(
    work: string,
    editsOf: (config: Record<string, unknown>) => Edit[],
): boolean {
    let changed = false;
    for (const file of stackFiles(work)) {
        const text = fs.readFileSync(file, "utf8");
        const edits = editsOf(configOf(text));
        if (edits.length === 0) continue;
        fs.writeFileSync(file, applyEdits(text, edits));
        changed = true;
    }
    return changed;
}

/**
 * The reference a local control plane runs for an image: its tag pinned to a digest no registry
 * holds, the sha256 of "local:<tag>" (kwok pulls nothing, so no digest can be read; one is made
 * here, in a sandbox's copy, and never in a committed stack file). `push` > 1 stands for the same
 * tag pushed again: another digest under the same tag ("local:<tag>#<push>"). A reference that
 * already carries a digest is the tag it names.
 */
export function localImage(image: string, push = 1): string {
    const tag = image.split("@")[0];
    const bytes = push === 1 ? `local:${tag}` : `local:${tag}#${push}`;
    return `${tag}@sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Each tag of a stack file's `sapoche-stack:images` map pinned by `localImage`; digests stay. */
export function pinImages(text: string): string {
    const edits = imageEdits(configOf(text));
    return edits.length === 0 ? text : applyEdits(text, edits);
}

function imageEdits(config: Record<string, unknown>): Edit[] {
    const images = (config["sapoche-stack:images"] ?? {}) as Record<string, string>;
    return Object.entries(images)
        .filter(([, image]) => !image.includes("@"))
        .map(([key, image]) => ({
            path: ["config", "sapoche-stack:images", key],
            value: localImage(image),
        }));
}

/**
 * A stack file's config (keys with the project prefix) with its images pinned as `pinImages`
 * pins them: what a sandbox deploys, and what the tests under mocks judge production1 by.
 */
export function pinnedConfig(config: Record<string, unknown>): Record<string, unknown> {
    const images = config["sapoche-stack:images"] as Record<string, string>;
    return {
        ...config,
        "sapoche-stack:images": Object.fromEntries(
            Object.entries(images).map(([k, v]) => [k, v.includes("@") ? v : localImage(v)]),
        ),
    };
}

/**
 * Pins the images of every stack file of a sandbox (`pinImages`), as an operator records the
 * digests a real registry holds: the committed files hold tags, which production1's pack refuses.
 * One edit for every stack file, so staging records the pinned references in its `imageHistory`
 * and production1's promotion gate compares digests. True when a file changed.
 */
export function pinStackFiles(work: string): boolean {
    return editStackFiles(work, imageEdits);
}

/**
 * Binds every stack file of a sandbox to the local control plane, as an operator records a real
 * cluster's uid (the committed files say `unrecorded`, which runs against no cluster), and pins
 * their images (`pinStackFiles`).
 */
export function bindStackFiles(work: string, uid: string): void {
    const key = "sapoche-stack:clusterUid";
    editStackFiles(work, (config) =>
        key in config && config[key] !== uid ? [{ path: ["config", key], value: uid }] : [],
    );
    pinStackFiles(work);
}

/**
 * A sandbox's stacks run on a control plane where nothing of theirs is live: a stack file whose
 * adoption stands at an earlier phase (production1: import) starts at `done` there, as a new
 * stack with nothing to adopt does (stacks/adoption-history.ts), with its pack config regenerated
 * for that phase. The adoption e2e sets its own phases on top. True when a file changed.
 */
export function startAtDone(work: string): boolean {
    const key = "sapoche-stack:adoption";
    const changed = editStackFiles(work, (config) => {
        const adoption = config[key] as { phase?: unknown } | undefined;
        return adoption && adoption.phase !== "done"
            ? [{ path: ["config", key, "phase"], value: "done" }]
            : [];
    });
    if (changed) {
        must(
            run("node", ["-r", "ts-node/register/transpile-only", "scripts/pack-config.ts"], {
                cwd: work,
            }),
        );
    }
    return changed;
}
