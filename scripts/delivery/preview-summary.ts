// Summarises a `pulumi preview` so a person reads a screen, not ~8,000 lines of `--diff`.
//
// Usage: node -r ts-node/register/transpile-only scripts/delivery/preview-summary.ts <preview-output> [--markdown] [--exit-code N | --outcome O]
//   <preview-output>  what scripts/delivery/preview.sh writes (PREVIEW_OUT): the engine's text output,
//                     with or without --diff, or `pulumi preview --json`
//   --markdown        Markdown for the pull-request comment instead of plain text
//   --exit-code N     the preview's exit code (preview.sh passes it)
//   --outcome O       a CI step's outcome (success, failure, cancelled, skipped) instead
//
// Prints: counts per operation and kind, data-holding objects (volume claims, StatefulSets,
// the namespace) replaced or deleted, policy violations, errors, and the path of the full
// preview. A preview that failed (non-zero exit, an error diagnostic, or no closing
// "Resources:" summary) is shown as failed, first, with every error in full: never as "no
// change" or "0 mandatory". Exits 1 for a failed preview, 0 otherwise.
import * as fs from "fs";
import { Policy, parse } from "./lib/preview-parse";

export { parse };

export interface Summary {
    byOp: Record<string, Record<string, number>>;
    dangerous: { op: string; kind: string; name: string }[];
    policies: Policy[] | undefined;
    errors: string[];
    failed: boolean;
    exitCode: number | undefined;
}

/** Kinds whose deletion or replacement can lose data or take every workload down (as saved-plan.ts). */
const DATA_HOLDING = ["PersistentVolumeClaim", "PersistentVolume", "StatefulSet", "Namespace"];

const OPS = ["create", "update", "replace", "delete", "import", "read"];

/**
 * Counts per operation and kind, data-holding objects at risk, policy results, errors, and
 * whether the preview failed (`exitCode`: the preview's own, when known).
 */
export function summarize(text: string, { exitCode }: { exitCode?: number } = {}): Summary {
    const { resources, policies, errors, completed } = parse(text);
    const failed = (exitCode !== undefined && exitCode !== 0) || errors.length > 0 || !completed;
    const byOp: Summary["byOp"] = {};
    const dangerous: Summary["dangerous"] = [];
    for (const r of resources) {
        if (!OPS.includes(r.op)) continue; // same, refresh: nothing changes
        // Objects in the cluster only, as saved-plan.ts counts them: not the stack, the provider or
        // the components that group objects.
        if (!r.type.startsWith("kubernetes:")) continue;
        const kind = r.type.split(":").pop() ?? "";
        byOp[r.op] = byOp[r.op] ?? {};
        byOp[r.op][kind] = (byOp[r.op][kind] ?? 0) + 1;
        if ((r.op === "replace" || r.op === "delete") && DATA_HOLDING.includes(kind)) {
            dangerous.push({ op: r.op, kind, name: r.name });
        }
    }
    return { byOp, dangerous, policies, errors, failed, exitCode };
}

function countOf(kinds: Record<string, number>): number {
    return Object.values(kinds).reduce((a, b) => a + b, 0);
}

function kindsText(kinds: Record<string, number>): string {
    return Object.entries(kinds)
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .map(([kind, n]) => `${n} ${kind}`)
        .join(", ");
}

const MAX_LISTED = 20;

export function format(
    s: Summary,
    file?: string,
    { markdown = false }: { markdown?: boolean } = {},
): string {
    const lines: string[] = [];
    const bullet = markdown ? "- " : "  ";
    const ops = OPS.filter((op) => s.byOp[op]);
    if (s.failed) {
        const code = s.exitCode !== undefined && s.exitCode !== 0 ? ` (exit ${s.exitCode})` : "";
        lines.push(
            `PREVIEW FAILED${code}: this is not a plan. Nothing below says what an update would do.`,
        );
        lines.push(`Errors (${s.errors.length}), in full:`);
        if (s.errors.length === 0) {
            lines.push(`${bullet}(no error diagnostic in the output: read the full preview)`);
        }
        for (const e of s.errors) lines.push(indentBlock(e, bullet));
        lines.push(
            ops.length
                ? `Kubernetes objects seen before it stopped: ${ops.map((op) => `${countOf(s.byOp[op])} to ${op}`).join(", ")} (incomplete).`
                : "Kubernetes objects: unknown (the preview did not complete).",
        );
    } else {
        lines.push(
            ops.length
                ? `Kubernetes objects: ${ops.map((op) => `${countOf(s.byOp[op])} to ${op}`).join(", ")}.`
                : "Kubernetes objects: no change.",
        );
    }
    for (const op of ops) lines.push(`${bullet}${op}: ${kindsText(s.byOp[op])}`);
    if (s.dangerous.length) {
        lines.push("Data-holding objects replaced or deleted:");
        for (const d of s.dangerous) {
            lines.push(`${bullet}!! ${d.op.toUpperCase()} of ${d.kind} ${d.name}`);
        }
    } else {
        lines.push(
            "No data-holding object (volume claim, StatefulSet, namespace) is replaced or deleted.",
        );
    }
    if (s.policies === undefined) {
        lines.push(
            "Policy violations: not in `pulumi preview --json` output; see the text output.",
        );
    } else {
        const mandatory = s.policies.filter((p) => p.level === "mandatory").length;
        lines.push(
            s.failed
                ? `Policy violations reported before it stopped: ${mandatory} mandatory, ${s.policies.length - mandatory} advisory (the pack may not have judged every object).`
                : `Policy violations: ${mandatory} mandatory, ${s.policies.length - mandatory} advisory.`,
        );
        for (const p of s.policies.slice(0, MAX_LISTED)) {
            lines.push(`${bullet}[${p.level}] ${p.text}`);
        }
        if (s.policies.length > MAX_LISTED) {
            lines.push(`${bullet}... and ${s.policies.length - MAX_LISTED} more (full preview)`);
        }
    }
    if (file) lines.push(`Full preview: ${file}`);
    return lines.join("\n");
}

/** A multi-line error under one bullet, its continuation lines aligned beneath it. */
function indentBlock(text: string, bullet: string): string {
    const pad = " ".repeat(bullet.length);
    return text
        .split("\n")
        .map((l, i) => (i === 0 ? bullet : pad) + l)
        .join("\n");
}

/** `--exit-code N` or `--outcome O` (a CI step's outcome) as an exit code; undefined if neither. */
function exitCodeOf(argv: string[]): number | undefined {
    const at = (flag: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const code = at("--exit-code");
    if (code !== undefined) return /^\d+$/.test(code) ? Number(code) : 1;
    const outcome = at("--outcome");
    if (outcome !== undefined) return outcome === "success" ? 0 : 1;
    return undefined;
}

function main(argv: string[]): number {
    const valued = new Set(["--exit-code", "--outcome"]);
    const file = argv.find((a, i) => !a.startsWith("--") && !valued.has(argv[i - 1]));
    if (!file) {
        console.error("usage: preview-summary.ts <preview-output> [--markdown]");
        return 2;
    }
    if (!fs.existsSync(file)) {
        console.error(`preview-summary.ts: no preview output at ${file}`);
        return 1;
    }
    const text = fs.readFileSync(file, "utf8");
    const s = summarize(text, { exitCode: exitCodeOf(argv) });
    console.log(format(s, file, { markdown: argv.includes("--markdown") }));
    return s.failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
