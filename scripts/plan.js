#!/usr/bin/env node
// Reads saved Pulumi update plans (`pulumi preview --save-plan`) for scripts/release.sh.
//
// Usage: node scripts/plan.js summary <plan.json>
//          what the plan does: creates, updates, replaces, deletes; deletes and replaces of
//          data-holding resources called out.
//        node scripts/plan.js guard <plan.json>
//          exit 1 (listing them) when the plan deletes or replaces a data-holding resource.
//        node scripts/plan.js compare <saved.json> <current.json>
//          exit 0 when both plans do the same thing, 1 (listing the resources that differ)
//          when code, config or the cluster changed in between.
"use strict";
const fs = require("fs");

/** Kinds whose deletion or replacement can lose data or take every workload down. */
const DATA_HOLDING = ["PersistentVolumeClaim", "PersistentVolume", "StatefulSet", "Namespace"];

function read(file) {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** The resource's own type: the URN's type segment also carries its parents' types. */
function typeOf(urn, resourcePlan) {
    return resourcePlan.goal?.type ?? urn.split("::")[2].split("$").pop();
}

function operation(steps) {
    if (steps.includes("replace") || steps.includes("create-replacement")) return "replace";
    return steps.find((s) => ["create", "update", "delete"].includes(s)) ?? "same";
}

/** Counts per operation and the data-holding resources deleted or replaced. */
function summarize(plan) {
    const counts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    const dangerous = [];
    for (const [urn, rp] of Object.entries(plan.resourcePlans ?? {})) {
        const type = typeOf(urn, rp);
        if (!type.startsWith("kubernetes:")) continue;
        const op = operation(rp.steps ?? []);
        counts[op] += 1;
        const kind = type.split(":").pop();
        if ((op === "replace" || op === "delete") && DATA_HOLDING.includes(kind)) {
            dangerous.push({ op, kind, name: urn.split("::").pop() });
        }
    }
    return { counts, dangerous };
}

function formatSummary({ counts, dangerous }) {
    const line = ["create", "update", "replace", "delete", "same"]
        .map((op) => `${counts[op]} to ${op === "same" ? "leave unchanged" : op}`)
        .join(", ");
    const lines = [`Plan: ${line}.`];
    if (dangerous.length) {
        lines.push("Data-holding resources this plan deletes or replaces:");
        for (const d of dangerous) lines.push(`  !! ${d.op.toUpperCase()} of ${d.kind} ${d.name}`);
    } else {
        lines.push(
            "No data-holding resource (volume claim, StatefulSet, namespace) is deleted or replaced.",
        );
    }
    return lines.join("\n");
}

/**
 * A goal with its dependency lists sorted: CLI 3.274 records dependencies in the order the
 * program's promises resolved, which differs between two runs of the very same program.
 */
function canonicalGoal(goal) {
    if (!goal) return null;
    const sorted = (list) => [...(list ?? [])].sort();
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
function differences(saved, current) {
    const body = (plan) =>
        new Map(
            Object.entries(plan.resourcePlans ?? {}).map(([urn, rp]) => [
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

function main(argv) {
    const [command, ...files] = argv;
    if (command === "summary" && files.length === 1) {
        console.log(formatSummary(summarize(read(files[0]))));
        return 0;
    }
    if (command === "guard" && files.length === 1) {
        const { dangerous } = summarize(read(files[0]));
        for (const d of dangerous) console.log(`  ${d.op} of ${d.kind} ${d.name}`);
        return dangerous.length ? 1 : 0;
    }
    if (command === "compare" && files.length === 2) {
        const changed = differences(read(files[0]), read(files[1]));
        for (const urn of changed.slice(0, 20)) console.log(`  differs: ${urn}`);
        if (changed.length > 20) console.log(`  ... and ${changed.length - 20} more`);
        return changed.length ? 1 : 0;
    }
    console.error(
        "usage: plan.js summary <plan.json> | plan.js guard <plan.json> | plan.js compare <saved.json> <current.json>",
    );
    return 2;
}

module.exports = { summarize, formatSummary, differences, canonicalGoal, main };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
