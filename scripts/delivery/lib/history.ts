// Releases move a stack forward along the main line: the revision being released must descend
// from the one the stack runs (its `sourceRevision` output), so re-running an old workflow run
// cannot quietly redeploy old code. Going back is a declared rollback (scripts/delivery/rollback.sh sets
// SAPOCHE_ROLLBACK to the revision it releases), never a side effect.
//
// Usage: node -r ts-node/register/transpile-only scripts/delivery/lib/history.ts <stack>
//        (from the checkout being released)
// Exit 0: first release, same revision, a descendant, or a declared rollback; 6: refused.
import { spawnSync } from "child_process";

function git(...args: string[]): { code: number | null; out: string } {
    const r = spawnSync("git", args, { encoding: "utf8" });
    return { code: r.status, out: (r.stdout ?? "").trim() };
}

/** What stacks/settings.ts records as sourceRevision for this checkout, computed the same way. */
function checkoutRevision(): string {
    const head = git("rev-parse", "HEAD");
    if (head.code !== 0) return "unknown (not a git checkout)";
    return head.out + (git("status", "--porcelain").out ? "-dirty" : "");
}

/**
 * The verdict on releasing `current` over `deployed`: { ok, message }. `isAncestor(a, b)` answers
 * true, false, or undefined when git cannot tell (a commit it does not have: a shallow clone).
 */
export function judgeRevision({
    deployed,
    current,
    rollback,
    isAncestor,
}: {
    deployed?: string;
    current: string;
    rollback?: string;
    isAncestor: (a: string, b: string) => boolean | undefined;
}): { ok: boolean; message: string } {
    if (rollback) return { ok: true, message: `declared rollback to ${rollback}` };
    if (!deployed) return { ok: true, message: "first release of this stack (no sourceRevision)" };
    if (deployed === current) return { ok: true, message: `same revision ${current}` };
    // A laptop release of uncommitted changes records `<commit>-dirty`: its commit is the base.
    const base = deployed.replace(/-dirty$/, "");
    const head = current.replace(/-dirty$/, "");
    const known = /^[0-9a-f]{7,40}$/;
    if (!known.test(base) || !known.test(head)) {
        return {
            ok: false,
            message: `cannot compare the deployed revision "${deployed}" with "${current}": only commits can be compared`,
        };
    }
    const answer = isAncestor(base, head);
    if (answer === true) return { ok: true, message: `${current} descends from ${deployed}` };
    if (answer === undefined) {
        return {
            ok: false,
            message: `${base} (deployed) is not in this clone: fetch the full history (fetch-depth: 0)`,
        };
    }
    return {
        ok: false,
        message: `${current} does not descend from the deployed ${deployed}: an older or diverged revision`,
    };
}

function main(stack: string): number {
    const out = spawnSync(
        "pulumi",
        ["stack", "output", "--stack", stack, "--json", "--non-interactive"],
        {
            encoding: "utf8",
        },
    );
    if (out.status !== 0) {
        console.error(`history: cannot read ${stack}'s outputs:\n${out.stderr}`);
        return 6;
    }
    const deployed = JSON.parse(out.stdout || "{}").sourceRevision;
    const current = process.env.SAPOCHE_SOURCE_REVISION || checkoutRevision();
    const verdict = judgeRevision({
        deployed,
        current,
        rollback: process.env.SAPOCHE_ROLLBACK,
        isAncestor: (a: string, b: string) => {
            if (git("cat-file", "-e", `${a}^{commit}`).code !== 0) return undefined;
            const r = git("merge-base", "--is-ancestor", a, b).code;
            return r === 0 ? true : r === 1 ? false : undefined;
        },
    });
    if (verdict.ok) {
        console.log(`history: ${verdict.message}`);
        return 0;
    }
    console.error(`history: refusing to release ${stack}: ${verdict.message}.`);
    console.error("To go back, roll back: npm run rollback -- --stack <stack> --to <revision>,");
    console.error("or the rollback workflow (docs/operations/releases.md, Rollback).");
    return 6;
}

if (require.main === module) process.exitCode = main(process.argv[2]);
