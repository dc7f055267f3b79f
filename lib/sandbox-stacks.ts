/**
 * A sandbox's copies of the stack files, set for a local control plane: bound to its uid, and
 * started at `done` (nothing of theirs is live there).
 */
import * as fs from "fs";
import * as path from "path";
import { must, run } from "./run";

function stackFiles(work: string): string[] {
    return fs
        .readdirSync(work)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => path.join(work, f));
}

/**
 * Binds every stack file of a sandbox to the local control plane, as an operator records a real
 * cluster's uid: the committed files say `unrecorded`, which runs against no cluster.
 */
export function bindStackFiles(work: string, uid: string): void {
    for (const file of stackFiles(work)) {
        const text = fs.readFileSync(file, "utf8");
        const bound = text.replace(/^( +sapoche-stack:clusterUid: ).*$/m, `$1${uid}`);
        if (bound !== text) fs.writeFileSync(file, bound);
    }
}

/**
 * A sandbox's stacks run on a control plane where nothing of theirs is live: a stack file whose
 * adoption stands at an earlier phase (production1: import) starts at `done` there, as a new
 * stack with nothing to adopt does (stacks/adoption-history.ts), with its pack config regenerated
 * for that phase. The adoption e2e sets its own phases on top. True when a file changed.
 */
export function startAtDone(work: string): boolean {
    let changed = false;
    for (const file of stackFiles(work)) {
        const text = fs.readFileSync(file, "utf8");
        const done = text.replace(
            /^(\s+sapoche-stack:adoption:\n\s+phase: )(?!done$).*$/m,
            "$1done",
        );
        if (done !== text) fs.writeFileSync(file, done);
        changed ||= done !== text;
    }
    if (changed) {
        must(
            run("node", ["-r", "ts-node/register/transpile-only", "scripts/pack-config.ts"], {
                cwd: work,
            }),
        );
    }
    return changed;
}
