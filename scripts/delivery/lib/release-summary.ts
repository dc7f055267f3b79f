/**
 * What a release is about to do, in a screen a person reads in 30 seconds: each Kubernetes object
 * the plan creates, updates (with the fields that change), replaces or deletes, grouped by kind;
 * what each gate decided; where the full preview and the plan are kept, and the one command that
 * applies exactly this plan. scripts/delivery/release.sh prints it before asking for a confirmation.
 *
 * Usage: node -r ts-node/register/transpile-only scripts/delivery/lib/release-summary.ts
 *          --stack <stack> --plan <plan.json> --state <pulumi stack export> --preview <preview.txt>
 *          --apply <command that applies this plan> [--gate <name>=<exit code>:<output file>]...
 */
import * as fs from "fs";
import { Json, SavedPlan, goalInputs, typeOf } from "./plan-goal";

export interface Gate {
    readonly name: string;
    /** The gate's exit code: 0 passed. */
    readonly code: number;
    readonly output: string;
}
export interface ReleaseInputs {
    readonly stack: string;
    readonly planFile: string;
    readonly previewFile: string;
    readonly plan: SavedPlan;
    /** `pulumi stack export`'s `deployment.resources`: the inputs each object has now. */
    readonly state: { urn: string; inputs?: Json }[];
    readonly preview: string;
    readonly gates: readonly Gate[];
    /** The command that applies exactly this plan through the same gates. */
    readonly apply: string;
}

const OPS = ["create", "update", "replace", "delete"] as const;
type Op = (typeof OPS)[number];

function operation(steps: readonly string[]): Op | "same" {
    if (steps.some((s) => /replace/.test(s))) return "replace";
    if (steps.includes("delete") || steps.includes("discard")) return "delete";
    if (steps.includes("create") || steps.includes("import")) return "create";
    if (steps.includes("update")) return "update";
    return "same";
}

/** Dotted paths (lists by index) whose values differ, down to the first differing leaf. */
export function changedFields(before: unknown, after: unknown, at = ""): string[] {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    const isObject = (v: unknown) => typeof v === "object" && v !== null;
    if (!isObject(before) || !isObject(after) || Array.isArray(before) !== Array.isArray(after)) {
        return [at || "(whole object)"];
    }
    const a = before as Json;
    const b = after as Json;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const join = (k: string) => (Array.isArray(after) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
    return keys.flatMap((k) => changedFields(a[k], b[k], join(k)));
}

/** One policy's findings at one level: the objects it names. */
interface Finding {
    readonly level: "mandatory" | "advisory";
    readonly policy: string;
    readonly objects: string[];
}

/**
 * The policy results of the engine's text output (`[mandatory]  <pack> v<version>  <policy>
 * (<type>: <name>)`), exempted ones left out, one entry per policy and level.
 */
function policyFindings(preview: string): Finding[] {
    const found = new Map<string, Finding>();
    for (const line of preview.split(/\r?\n/)) {
        if (line.includes("[exempted]")) continue;
        const m =
            /\[(mandatory|advisory)\]\s+(?:\S+\s+v\S+\s+)?([A-Za-z0-9-]+)\s*(?:\([^()\s]+:\s+([^)]*)\))?/.exec(
                line,
            );
        if (!m) continue;
        const level = m[1] as Finding["level"];
        const f = found.get(`${level} ${m[2]}`) ?? { level, policy: m[2], objects: [] };
        if (m[3]) f.objects.push(m[3].trim());
        found.set(`${level} ${m[2]}`, f);
    }
    return [...found.values()].sort(
        (a, b) => a.level.localeCompare(b.level) * -1 || a.policy.localeCompare(b.policy),
    );
}

const MAX_OBJECTS = 3;

const MAX_FIELDS = 4;
/** Names listed on a grouped line of creates before "+N more". */
const MAX_NAMED = 4;
/** Gate names are padded to this width; their details line up beneath. */
const GATE = 18;
const DETAIL = " ".repeat(GATE + 3);

export function releaseSummary(r: ReleaseInputs): string {
    const now = new Map(r.state.map((s) => [s.urn, s.inputs ?? {}]));
    const rows: { op: Op; kind: string; name: string; fields: string; names?: string[] }[] = [];
    let unchanged = 0;
    for (const [urn, rp] of Object.entries(r.plan.resourcePlans ?? {})) {
        const type = typeOf(urn, rp);
        if (!type.startsWith("kubernetes:")) continue;
        const op = operation(rp.steps ?? []);
        if (op === "same") {
            unchanged += 1;
            continue;
        }
        const kind = type.split(":").pop() ?? type;
        const inputs = goalInputs(rp, now.get(urn));
        const meta = (inputs.metadata ?? {}) as { name?: string; namespace?: string };
        const name = meta.name ?? urn.split("::").pop() ?? urn;
        let fields = "";
        if (op === "update" || op === "replace") {
            const changed = changedFields(now.get(urn), inputs).filter(
                (f) => !f.startsWith("metadata.annotations.pulumi.com/"),
            );
            fields =
                changed.length === 0
                    ? "(no input change against the stack's state: the object stays as it is; often seen after an interrupted release)"
                    : changed.slice(0, MAX_FIELDS).join(", ") +
                      (changed.length > MAX_FIELDS ? `, +${changed.length - MAX_FIELDS} more` : "");
        }
        rows.push({ op, kind, name, fields });
    }
    rows.sort(
        (a, b) =>
            OPS.indexOf(a.op) - OPS.indexOf(b.op) ||
            a.kind.localeCompare(b.kind) ||
            a.name.localeCompare(b.name),
    );
    const count = (op: Op) => rows.filter((x) => x.op === op).length;
    const lines = [
        `Release of ${r.stack}: ${OPS.map((op) => `${count(op)} to ${op}`).join(", ")}, ${unchanged} unchanged.`,
    ];
    const kindWidth = Math.max(4, ...rows.map((x) => x.kind.length));
    const nameWidth = Math.max(
        4,
        ...rows.filter((x) => x.op !== "create").map((x) => x.name.length),
    );
    // Creates are grouped per kind (a first release creates a hundred objects); every update,
    // replace and delete keeps a line of its own.
    const shown: ((typeof rows)[number] & { names: string[] })[] = [];
    for (const x of rows) {
        const group =
            x.op === "create"
                ? shown.find((y) => y.op === "create" && y.kind === x.kind)
                : undefined;
        if (group) group.names.push(x.name);
        else shown.push({ ...x, names: [x.name] });
    }
    for (const x of shown) {
        const named =
            x.names.length > MAX_NAMED
                ? `${x.names.length}: ${x.names.slice(0, MAX_NAMED).join(", ")}, +${x.names.length - MAX_NAMED} more`
                : x.names.join(", ");
        const line = `  ${x.op.padEnd(7)} ${x.kind.padEnd(kindWidth)} ${named.padEnd(nameWidth)} ${x.fields}`;
        lines.push(line.trimEnd());
    }
    if (rows.length === 0) lines.push("  (no Kubernetes object changes)");

    lines.push("Gates:");
    const findings = policyFindings(r.preview);
    const findingCount = (level: Finding["level"]) =>
        findings
            .filter((f) => f.level === level)
            .reduce((n, f) => n + Math.max(1, f.objects.length), 0);
    lines.push(
        `  ${"policy pack".padEnd(GATE)} ${findingCount("mandatory") === 0 ? "passed" : "REFUSED"}: ` +
            `${findingCount("mandatory")} mandatory, ${findingCount("advisory")} advisory`,
    );
    for (const f of findings) {
        const named = f.objects.slice(0, MAX_OBJECTS).join(", ");
        const more =
            f.objects.length > MAX_OBJECTS ? `, +${f.objects.length - MAX_OBJECTS} more` : "";
        lines.push(`${DETAIL}${f.level} ${f.policy}${named ? `: ${named}${more}` : ""}`);
    }
    const images = rows.flatMap((x) =>
        x.fields
            .split(", ")
            .filter((f) => /\.image$/.test(f))
            .map(() => x.name),
    );
    lines.push(
        `  ${"promotion".padEnd(GATE)} passed: the program checks every image against the stack's ` +
            `promotion source before it registers anything; images changing here: ` +
            `${images.length === 0 ? "none" : [...new Set(images)].join(", ")}`,
    );
    for (const g of r.gates) {
        lines.push(
            `  ${g.name.padEnd(GATE)} ${g.code === 0 ? "passed" : `REFUSED (exit ${g.code})`}`,
        );
        for (const l of g.output.split("\n").filter((l) => l.trim() !== "")) {
            lines.push(`${DETAIL}${l.trim()}`);
        }
    }
    lines.push(`Full preview (kept): ${r.previewFile}`);
    lines.push(`Plan (kept): ${r.planFile}`);
    lines.push(`Apply exactly this plan, through the same gates: ${r.apply}`);
    return lines.join("\n");
}

function main(argv: string[]): number {
    const one = (flag: string) => {
        const i = argv.indexOf(flag);
        if (i < 0 || argv[i + 1] === undefined) throw new Error(`missing ${flag}`);
        return argv[i + 1];
    };
    const gates = argv.flatMap((a, i) => {
        if (a !== "--gate") return [];
        const m = /^([^=]+)=(\d+):(.*)$/.exec(argv[i + 1] ?? "");
        if (!m) throw new Error(`--gate expects <name>=<exit code>:<file>, got ${argv[i + 1]}`);
        return [{ name: m[1], code: Number(m[2]), output: fs.readFileSync(m[3], "utf8") }];
    });
    const read = (f: string) => fs.readFileSync(f, "utf8");
    const state = JSON.parse(read(one("--state"))) as {
        deployment?: { resources?: { urn: string; inputs?: Json }[] };
    };
    console.log(
        releaseSummary({
            stack: one("--stack"),
            planFile: one("--plan"),
            previewFile: one("--preview"),
            plan: JSON.parse(read(one("--plan"))),
            state: state.deployment?.resources ?? [],
            preview: read(one("--preview")),
            gates,
            apply: one("--apply"),
        }),
    );
    return 0;
}

if (require.main === module) {
    try {
        process.exitCode = main(process.argv.slice(2));
    } catch (e) {
        console.error(`release-summary: ${(e as Error).message}`);
        process.exitCode = 2;
    }
}
