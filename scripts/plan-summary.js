#!/usr/bin/env node
// Prints a short human summary of a saved Pulumi update plan: how many creates, updates,
// deletes and replaces, with every delete or replace of a data-holding resource called out.
// Usage: node scripts/plan-summary.js <plan.json>
"use strict";
const fs = require("fs");

const DATA_HOLDING = ["PersistentVolumeClaim", "PersistentVolume", "StatefulSet", "Namespace"];
const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const counts = {};
const danger = [];
for (const [urn, rp] of Object.entries(plan.resourcePlans || {})) {
    const type = urn.split("::")[2] || "";
    if (!type.startsWith("kubernetes:")) continue;
    const steps = rp.steps || [];
    const op =
        steps.includes("replace") || steps.includes("create-replacement")
            ? "replace"
            : steps.find((s) => ["create", "update", "delete"].includes(s)) || "same";
    counts[op] = (counts[op] || 0) + 1;
    const kind = type.split(":")[2];
    if ((op === "replace" || op === "delete") && DATA_HOLDING.includes(kind)) {
        danger.push(`  !! ${op.toUpperCase()} of data-holding ${kind} ${urn.split("::")[3]}`);
    }
}
const line = ["create", "update", "replace", "delete", "same"]
    .map((op) => `${counts[op] || 0} to ${op === "same" ? "leave unchanged" : op}`)
    .join(", ");
console.log(`Plan: ${line}.`);
if (danger.length) {
    console.log("Data-holding resources this plan deletes or replaces:");
    console.log(danger.join("\n"));
} else {
    console.log(
        "No data-holding resource (volume claim, StatefulSet, namespace) is deleted or replaced.",
    );
}
