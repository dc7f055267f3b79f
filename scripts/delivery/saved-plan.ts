// Reads saved Pulumi update plans (`pulumi preview --save-plan`) for scripts/delivery/release.sh.
//
// Usage: node -r ts-node/register/transpile-only scripts/delivery/saved-plan.ts summary <plan.json> [--state <export.json>]
//          what the plan does: creates, updates, replaces, deletes; the release guard's
//          refusals called out.
//        ... saved-plan.ts guard <plan.json> [--state <export.json>]
//          the release guard (lib/release-guard.ts): exit 1, listing them, when a step
//          risks data or availability; <export.json> is `pulumi stack export` of the stack,
//          which in-place updates are judged against (without it they fail closed).
//        ... saved-plan.ts compare <saved.json> <current.json>
//          exit 0 when both plans do the same thing, 1 (listing the resources that differ)
//          when code, config or the cluster changed in between.
import * as fs from "fs";
import { CriticalObjects, criticalObjects } from "../../stacks/critical";
import { ResourcePlan, SavedPlan, typeOf } from "./lib/plan-goal";
import { StackExport, Verdict, formatRefusal, judge } from "./lib/release-guard";

export { criticalObjects };

type Operation = "create" | "update" | "replace" | "delete" | "same";
export interface PlanSummary {
    counts: Record<Operation, number>;
    guard: Verdict;
}

function read(file: string): any {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

function operation(steps: string[]): Operation {
    if (steps.includes("replace") || steps.includes("create-replacement")) return "replace";
    return (steps.find((s) => ["create", "update", "delete"].includes(s)) as Operation) ?? "same";
}

/** Counts per operation of the Kubernetes objects, and the release guard's verdict. */
export function summarize(
    plan: SavedPlan,
    state?: StackExport,
    critical: CriticalObjects = criticalObjects(),
): PlanSummary {
    const counts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    for (const [urn, rp] of Object.entries<ResourcePlan>(plan.resourcePlans ?? {})) {
        const type = typeOf(urn, rp);
        if (!type.startsWith("kubernetes:")) continue;
        counts[operation(rp.steps ?? [])] += 1;
    }
    return { counts, guard: judge(plan, state, critical) };
}

export function formatSummary({ counts, guard }: PlanSummary): string {
    const line = (["create", "update", "replace", "delete", "same"] as const)
        .map((op) => `${counts[op]} to ${op === "same" ? "leave unchanged" : op}`)
        .join(", ");
    return [`Plan: ${line}.`, formatRefusal(guard)].join("\n");
}

/**
 * A goal with its dependency lists sorted: CLI 3.274 records dependencies in the order the
 * program's promises resolved, which differs between two runs of the very same program.
 */
export function canonicalGoal(goal: ResourcePlan["goal"]): object | null {
    if (!goal) return null;
    const sorted = (list: string[] | undefined) => [...(list ?? [])].sort();
    const propertyDependencies = Object.fromEntries(
        Object.entries(goal.propertyDependencies ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, list]) => [key, sorted(list)]),
    );
    return { ...goal, dependencies: sorted(goal.dependencies), propertyDependencies };
}

/**
 * URNs whose goal or steps differ between two plans. Only those two say what an update would
 * do; the rest of a saved plan (timestamp, random seeds, field-manager names, dry-run state)
 * differs between two plans of the very same code, config and cluster.
 */
export function differences(saved: SavedPlan, current: SavedPlan): string[] {
    const body = (plan: SavedPlan) =>
        new Map(
            Object.entries<ResourcePlan>(plan.resourcePlans ?? {}).map(([urn, rp]) => [
                urn,
                JSON.stringify([canonicalGoal(rp.goal), rp.steps ?? []]),
            ]),
        );
    const a = body(saved);
    const b = body(current);
    return [...new Set([...a.keys(), ...b.keys()])]
        .filter((urn) => a.get(urn) !== b.get(urn))
        .sort();
}

export function main(argv: string[]): number {
    const args = [...argv];
    const at = args.indexOf("--state");
    const state = at >= 0 ? read(args.splice(at, 2)[1]) : undefined;
    const [command, ...files] = args;
    if (command === "summary" && files.length === 1) {
        console.log(formatSummary(summarize(read(files[0]), state)));
        return 0;
    }
    if (command === "guard" && files.length === 1) {
        const verdict = judge(read(files[0]), state, criticalObjects());
        console.log(formatRefusal(verdict));
        return verdict.refused.length ? 1 : 0;
    }
    if (command === "compare" && files.length === 2) {
        const changed = differences(read(files[0]), read(files[1]));
        for (const urn of changed.slice(0, 20)) console.log(`  differs: ${urn}`);
        if (changed.length > 20) console.log(`  ... and ${changed.length - 20} more`);
        return changed.length ? 1 : 0;
    }
    console.error(
        "usage: saved-plan.ts summary|guard <plan.json> [--state <export.json>] | saved-plan.ts compare <saved.json> <current.json>",
    );
    return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
