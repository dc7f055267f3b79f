/**
 * `npm run capacity -- <stack> [--json <file>] [--compare <base.json>] [--markdown]`
 *
 * What the stack's workloads ask of the cluster: pods and CPU/memory requests and limits with
 * every autoscaler at its minimum and at its maximum (and at the maximum during a rolling update,
 * maxSurge included), against the namespace's ResourceQuota, next to the live inventory's pod
 * count. Read from the objects the program registers (under mocks, no cluster).
 *
 * --json <file>      also write the numbers as JSON (the pull-request job keeps main's for
 *                    --compare)
 * --compare <file>   add the change against an earlier --json (e.g. the base branch)
 * --markdown         print a Markdown table (for the pull-request comment) instead of text
 */
import * as fs from "fs";
import * as path from "path";
import { flagArg, stackArg, runMain } from "../lib/cli";
import { evaluateObjects, K8sObject, ROOT } from "./lib/objects";
import { mebibytes, millicores, readableMemory } from "../../components/shared/quantity";
import { Workload, workloadsOf } from "./lib/workloads";

const USAGE = "npm run capacity -- <stack> [--json <file>] [--compare <base.json>] [--markdown]";

/** One column of the report. */
export interface Totals {
    readonly pods: number;
    readonly requestsCpu: number; // millicores
    readonly requestsMemory: number; // MiB
    readonly limitsCpu: number;
    readonly limitsMemory: number;
}

export interface Capacity {
    readonly stack: string;
    readonly min: Totals;
    readonly max: Totals;
    /** At maximum, while every Deployment rolls at once (maxSurge extra pods). */
    readonly rolling: Totals;
    /** The ResourceQuota's hard limits, where set. */
    readonly quota: Partial<Totals>;
    /** The live inventory's pod count today, e.g. [65, 75]. */
    readonly inventoryPods?: readonly [number, number];
    readonly workloads: number;
}

const ZERO: Totals = { pods: 0, requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0 };

function add(t: Totals, pods: number, w: Workload): Totals {
    return {
        pods: t.pods + pods,
        requestsCpu: t.requestsCpu + pods * w.pod.requestsCpu,
        requestsMemory: t.requestsMemory + pods * w.pod.requestsMemory,
        limitsCpu: t.limitsCpu + pods * w.pod.limitsCpu,
        limitsMemory: t.limitsMemory + pods * w.pod.limitsMemory,
    };
}

/** The quota's hard limits that this report compares with (`requests.cpu` or `cpu`). */
export function quotaOf(objects: readonly K8sObject[]): Partial<Totals> {
    const hard: Record<string, string> = {};
    for (const q of objects.filter((o) => o.kind === "ResourceQuota")) {
        Object.assign(hard, ((q as any).spec?.hard ?? {}) as Record<string, string>);
    }
    const pick = <T>(keys: string[], parse: (v: string) => T) => {
        const key = keys.find((k) => hard[k] !== undefined);
        return key === undefined ? undefined : parse(hard[key]);
    };
    const quota: Record<string, number | undefined> = {
        pods: pick(["pods"], Number),
        requestsCpu: pick(["requests.cpu", "cpu"], millicores),
        requestsMemory: pick(["requests.memory", "memory"], mebibytes),
        limitsCpu: pick(["limits.cpu"], millicores),
        limitsMemory: pick(["limits.memory"], mebibytes),
    };
    return Object.fromEntries(Object.entries(quota).filter(([, v]) => v !== undefined));
}

/** "~65-75 pods running" in the inventory, as [65, 75]. */
export function inventoryPods(text: string): [number, number] | undefined {
    const m = /~\s*(\d+)\s*-\s*(\d+)\s+pods/.exec(text);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function capacityOf(
    stack: string,
    objects: readonly K8sObject[],
    inventory?: readonly [number, number],
): Capacity {
    const workloads = workloadsOf(objects);
    let min = ZERO;
    let max = ZERO;
    let rolling = ZERO;
    for (const w of workloads) {
        min = add(min, w.scaling.min, w);
        max = add(max, w.scaling.max, w);
        rolling = add(rolling, w.scaling.max + w.surgeAtMax, w);
    }
    return {
        stack,
        min,
        max,
        rolling,
        quota: quotaOf(objects),
        inventoryPods: inventory,
        workloads: workloads.length,
    };
}

type Field = keyof Totals;

/** Millicores as cores, e.g. 12.15: one unit down the whole column is easier to compare. */
function cores(m: number): string {
    return String(Number((m / 1000).toFixed(2)));
}

const ROWS: [Field, string, (n: number) => string][] = [
    ["pods", "pods", String],
    ["requestsCpu", "CPU requests (cores)", cores],
    ["requestsMemory", "memory requests", readableMemory],
    ["limitsCpu", "CPU limits (cores)", cores],
    ["limitsMemory", "memory limits", readableMemory],
];

function percentOf(n: number, of: number | undefined): string {
    return of ? `${Math.round((n / of) * 100)} %` : "-";
}

function signed(n: number, format: (n: number) => string): string {
    if (n === 0) return "±0";
    return n > 0 ? `+${format(n)}` : `-${format(-n)}`;
}

/** The report as rows: what, at min, at max, rolling at max, quota, max as % of quota, change. */
export function rows(c: Capacity, base?: Capacity): string[][] {
    const header = [
        "",
        "autoscalers at min",
        "at max",
        "at max, rolling",
        "quota",
        "rolling / quota",
    ];
    if (base) header.push("change at max");
    const body = ROWS.map(([field, label, format]) => {
        const row = [
            label,
            format(c.min[field]),
            format(c.max[field]),
            format(c.rolling[field]),
            c.quota[field] === undefined ? "-" : format(c.quota[field]!),
            percentOf(c.rolling[field], c.quota[field]),
        ];
        if (base) row.push(signed(c.max[field] - base.max[field], format));
        return row;
    });
    return [header, ...body];
}

/** Plain text, columns aligned. */
export function formatText(c: Capacity, base?: Capacity): string {
    const table = rows(c, base);
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    const lines = table.map((r) =>
        r
            .map((cell, i) => cell.padEnd(widths[i]))
            .join("  ")
            .trimEnd(),
    );
    return [
        `Capacity of ${c.stack} (${c.workloads} workloads):`,
        ...lines,
        inventoryLine(c),
        quotaWarning(c),
    ]
        .filter(Boolean)
        .join("\n");
}

/** A Markdown table, for the pull-request comment. */
export function formatMarkdown(c: Capacity, base?: Capacity): string {
    const [header, ...body] = rows(c, base);
    const line = (r: string[]) => `| ${r.join(" | ")} |`;
    return [
        line(header),
        line(header.map(() => "---")),
        ...body.map(line),
        "",
        inventoryLine(c),
        quotaWarning(c),
    ]
        .filter((l) => l !== undefined)
        .join("\n")
        .trimEnd();
}

function inventoryLine(c: Capacity): string {
    if (!c.inventoryPods) return "";
    const [lo, hi] = c.inventoryPods;
    return (
        `Live inventory today: ~${lo}-${hi} pods running (varies with HPA/KEDA); ` +
        `this stack: ${c.min.pods} pods with every autoscaler at its minimum, ${c.max.pods} at its maximum.`
    );
}

function quotaWarning(c: Capacity): string {
    const over = ROWS.filter(([f]) => c.quota[f] !== undefined && c.rolling[f] > c.quota[f]!);
    if (over.length === 0) return "";
    return (
        `WARNING: at maximum during a rollout the quota is exceeded for ` +
        `${over.map(([, label]) => label).join(", ")}: pods beyond it are refused by the API server.`
    );
}

async function main(argv: string[]): Promise<number> {
    const stack = stackArg(argv, USAGE);
    const { objects } = await evaluateObjects(stack);
    const inventory = inventoryPods(
        fs.readFileSync(path.join(ROOT, "docs", "live-namespace.txt"), "utf8"),
    );
    const capacity = capacityOf(stack, objects, inventory);
    const json = flagArg(argv, "--json");
    if (json) fs.writeFileSync(json, JSON.stringify(capacity, null, 2) + "\n");
    const baseFile = flagArg(argv, "--compare");
    const base =
        baseFile && fs.existsSync(baseFile)
            ? (JSON.parse(fs.readFileSync(baseFile, "utf8")) as Capacity)
            : undefined;
    if (baseFile && !base) console.error(`capacity: no baseline at ${baseFile}; no change shown`);
    console.log(
        argv.includes("--markdown") ? formatMarkdown(capacity, base) : formatText(capacity, base),
    );
    return 0;
}

if (require.main === module) runMain(main);
