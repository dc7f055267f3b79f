// Builds the pull-request comment of one stack from the files the pull-request workflow leaves
// behind. Every input is optional: a step that failed or never ran leaves its file missing, and
// the comment says so instead of failing (the check's own result is the gate, not the comment).
// The comment never exceeds GitHub's 65,536-character limit: the full preview is cut first.
//
// Usage: node -r ts-node/register/transpile-only scripts/delivery/lib/pr-comment.ts --stack <stack> [--outcome <preview step outcome>]
//          [--summary <preview-summary.md>] [--plan <plan summary>] [--capacity <capacity.md>]
//          [--gate <promotion-gate.txt>] [--gate-after-merge <promotion-gate.txt>]
//          [--preview <full preview>] [--artifacts <url>] [--run <url>]
import * as fs from "fs";

/** What the comment is built from; every file's text is optional. */
export interface CommentInputs {
    stack: string;
    outcome?: string;
    summary?: string;
    plan?: string;
    capacity?: string;
    gate?: string;
    gateAfterMerge?: string;
    preview?: string;
    artifacts?: string;
    run?: string;
}

/** GitHub refuses comment bodies over 65,536 characters; keep a margin for the wrapper. */
export const LIMIT = 65536;
const MARGIN = 1024;

/** The first line of the comment, found again to update it instead of adding another. */
export function marker(stack: string): string {
    return `<!-- sapoche-preview:${stack} -->`;
}

function read(file: string | undefined): string | undefined {
    if (!file) return undefined;
    try {
        const text = fs.readFileSync(file, "utf8").trim();
        return text === "" ? undefined : text;
    } catch {
        return undefined;
    }
}

const RESULT: Record<string, string> = {
    success: "✅ preview passed: no mandatory policy violation",
    failure:
        "❌ preview failed: a mandatory policy violation, bad config or an unreachable cluster (see below)",
    cancelled: "⚠️ preview cancelled",
    skipped: "⚠️ preview skipped (an earlier step failed)",
};

function fence(text: string): string {
    // A fence longer than any backtick run inside, so the text cannot close it.
    const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r: string) => r.length));
    const f = "`".repeat(longest + 1);
    return `${f}text\n${text}\n${f}`;
}

function section(title: string, body: string | undefined, missing: string): string {
    return `#### ${title}\n\n${body ?? `_${missing}_`}\n`;
}

/** The comment's Markdown; `preview` (the full output) is cut to fit the limit. */
export function build(o: CommentInputs): string {
    const parts = [
        marker(o.stack),
        `### \`${o.stack}\`: ${RESULT[o.outcome ?? ""] ?? `⚠️ preview outcome: ${o.outcome ?? "unknown"}`}\n`,
        section(
            "Policy and changes",
            o.summary && fence(o.summary),
            "no preview output (the preview did not run or wrote nothing)",
        ),
        section(
            "Plan summary (`scripts/delivery/saved-plan.ts summary`)",
            o.plan && fence(o.plan),
            "no saved plan",
        ),
        section("Capacity", o.capacity, "no capacity report"),
        section(
            "Promotion gate (reported here, enforced on main)",
            [o.gate, o.gateAfterMerge]
                .filter((t): t is string => Boolean(t))
                .map(fence)
                .join("\n\n") || undefined,
            "no promotion report",
        ),
        section(
            "Artifacts",
            o.artifacts || o.run
                ? [
                      o.artifacts &&
                          `- [rendered YAML and diagram of \`${o.stack}\`](${o.artifacts})`,
                      o.run && `- [workflow run (full preview log)](${o.run})`,
                  ]
                      .filter(Boolean)
                      .join("\n")
                : undefined,
            "no artifact links",
        ),
    ];
    const head = parts.join("\n");
    if (!o.preview) return head;
    const wrapperStart = "\n<details><summary>Full preview</summary>\n\n";
    const wrapperEnd = "\n</details>\n";
    const budget = LIMIT - MARGIN - head.length - wrapperStart.length - wrapperEnd.length - 200;
    if (budget <= 0) return head;
    let text = o.preview;
    if (text.length > budget) {
        // Keep the end: the engine prints policy results and the resource counts last.
        const note = `[... ${text.length - budget} characters cut: the whole preview is in the run's log and artifacts ...]\n`;
        text = note + text.slice(text.length - budget + note.length);
    }
    return head + wrapperStart + fence(text) + wrapperEnd;
}

function args(argv: string[]): Record<string, string | undefined> {
    const o: Record<string, string | undefined> = {};
    for (let i = 0; i < argv.length; i += 2) o[argv[i].replace(/^--/, "")] = argv[i + 1];
    return o;
}

function main(argv: string[]): number {
    const a = args(argv);
    if (!a.stack) {
        console.error("usage: pr-comment.ts --stack <stack> [--outcome ...] [--summary f] ...");
        return 2;
    }
    const body = build({
        stack: a.stack,
        outcome: a.outcome,
        summary: read(a.summary),
        plan: read(a.plan),
        capacity: read(a.capacity),
        gate: read(a.gate),
        gateAfterMerge: read(a["gate-after-merge"]),
        preview: read(a.preview),
        artifacts: a.artifacts,
        run: a.run,
    });
    process.stdout.write(body.length < LIMIT ? body : body.slice(0, LIMIT - MARGIN));
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
