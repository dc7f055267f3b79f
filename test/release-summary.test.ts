import { strict as assert } from "assert";
import { changedFields, releaseSummary } from "../scripts/delivery/lib/release-summary";

const URN = "urn:pulumi:production1::sapoche-stack::";
const deployment = (name: string, image: string, replicas: number) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "sapoche" },
    spec: { replicas, template: { spec: { containers: [{ name: "main", image }] } } },
});
const A = `${URN}sapoche:workloads:Worker$kubernetes:apps/v1:Deployment::worker-a`;
const B = `${URN}sapoche:workloads:Worker$kubernetes:apps/v1:Deployment::worker-b`;
const CM_OLD = `${URN}sapoche:workloads:Redis$kubernetes:core/v1:ConfigMap::redis-config-1111`;
const CM_NEW = `${URN}sapoche:workloads:Redis$kubernetes:core/v1:ConfigMap::redis-config-2222`;
const PDB = `${URN}sapoche:workloads:Worker$kubernetes:policy/v1:PodDisruptionBudget::worker-a`;

/** A fixed plan: an image bump, a replica change, a content-named ConfigMap rolled, one unchanged. */
const inputs = {
    stack: "production1",
    planFile: "/work/.local/releases/production1-20261206T150000Z/plan.json",
    previewFile: "/work/.local/releases/production1-20261206T150000Z/preview.txt",
    plan: {
        resourcePlans: {
            [`${URN}pulumi:pulumi:Stack::sapoche-stack-production1`]: { steps: ["same"] },
            [A]: {
                goal: {
                    type: "kubernetes:apps/v1:Deployment",
                    inputDiff: { updates: { spec: deployment("worker-a", "b:2", 2).spec } },
                },
                steps: ["update"],
            },
            [B]: {
                goal: {
                    type: "kubernetes:apps/v1:Deployment",
                    inputDiff: { updates: { spec: deployment("worker-b", "b:1", 3).spec } },
                },
                steps: ["update"],
            },
            [CM_NEW]: {
                goal: {
                    type: "kubernetes:core/v1:ConfigMap",
                    inputDiff: {
                        adds: { apiVersion: "v1", metadata: { name: "redis-config-2222" } },
                    },
                },
                steps: ["create"],
            },
            [CM_OLD]: { goal: { type: "kubernetes:core/v1:ConfigMap" }, steps: ["delete"] },
            [PDB]: {
                goal: { type: "kubernetes:policy/v1:PodDisruptionBudget", inputDiff: { adds: {} } },
                steps: ["same"],
            },
        },
    },
    state: [
        { urn: A, inputs: deployment("worker-a", "b:1", 2) },
        { urn: B, inputs: deployment("worker-b", "b:1", 2) },
    ],
    preview: [
        "Policies:",
        "    · [exempted] [mandatory]  pod-security  (kubernetes:apps/v1:Deployment: worker-b)",
        "    [advisory]  sapoche-policies v0.1.0  missing-topology-spread (kubernetes:apps/v1:Deployment: worker-a)",
        "Resources:",
    ].join("\n"),
    gates: [
        { name: "data-risk guard", code: 0, output: "" },
        { name: "creates over live", code: 0, output: "" },
    ],
    apply: "npm run release -- --stack production1 --apply-plan /work/.local/releases/production1-20261206T150000Z/plan.json",
};

describe("release summary (scripts/delivery/lib/release-summary.ts)", () => {
    it("pins the format on a fixed plan: objects by operation and kind, fields, gates, files", () => {
        assert.equal(
            releaseSummary(inputs),
            [
                "Release of production1: 1 to create, 2 to update, 0 to replace, 1 to delete, 1 unchanged.",
                "  create  ConfigMap  redis-config-2222",
                "  update  Deployment worker-a          spec.template.spec.containers[0].image",
                "  update  Deployment worker-b          spec.replicas",
                "  delete  ConfigMap  redis-config-1111",
                "Gates:",
                "  policy pack        passed: 0 mandatory, 1 advisory",
                "                     advisory missing-topology-spread: worker-a",
                "  promotion          passed: the program checks every image against the stack's promotion source before it registers anything; images changing here: worker-a",
                "  data-risk guard    passed",
                "  creates over live  passed",
                "Full preview (kept): /work/.local/releases/production1-20261206T150000Z/preview.txt",
                "Plan (kept): /work/.local/releases/production1-20261206T150000Z/plan.json",
                "Apply exactly this plan, through the same gates: npm run release -- --stack production1 --apply-plan /work/.local/releases/production1-20261206T150000Z/plan.json",
            ].join("\n"),
        );
    });

    it("shows a refusing gate with its own words", () => {
        const text = releaseSummary({
            ...inputs,
            gates: [
                { name: "data-risk guard", code: 1, output: "  delete of StatefulSet redis\n" },
            ],
        });
        assert.match(
            text,
            /^ {2}data-risk guard {4}REFUSED \(exit 1\)\n {21}delete of StatefulSet redis$/m,
        );
    });

    it("names each changed leaf, lists by index", () => {
        assert.deepEqual(
            changedFields({ a: { b: 1, c: [1, 2] } }, { a: { b: 1, c: [1, 3] }, d: 1 }),
            ["a.c[1]", "d"],
        );
        assert.deepEqual(changedFields(undefined, { a: 1 }), ["(whole object)"]);
    });

    it("says so when an update changes no input (as after an interrupted release)", () => {
        const text = releaseSummary({
            ...inputs,
            state: [
                { urn: A, inputs: deployment("worker-a", "b:2", 2) },
                { urn: B, inputs: deployment("worker-b", "b:1", 3) },
            ],
        });
        assert.match(
            text,
            /^ {2}update {2}Deployment worker-a +\(no input change against the stack's state/m,
        );
    });

    it("groups the pack's findings per policy and level, naming a few objects", () => {
        const preview = [
            "Policy Violations:",
            ...["a", "b", "c", "d"].map(
                (n) =>
                    `    [advisory]  sapoche-policies v0.1.0  report-image-without-digest  (kubernetes:apps/v1:Deployment: ${n})Checks that every container image is pinned by digest.`,
            ),
            "    [mandatory]  sapoche-policies v0.1.0  enforce-redis-replicas  (kubernetes:apps/v1:StatefulSet: redis)",
            "    Redis must run at least 3 nodes.",
        ].join("\n");
        const text = releaseSummary({ ...inputs, preview });
        assert.match(text, /^ {2}policy pack {8}REFUSED: 1 mandatory, 4 advisory$/m);
        assert.match(text, /^ {21}mandatory enforce-redis-replicas: redis$/m);
        assert.match(text, /^ {21}advisory report-image-without-digest: a, b, c, \+1 more$/m);
    });

    it("groups creates per kind, a few names each, so a first release stays a screen", () => {
        const many = Object.fromEntries(
            ["a", "b", "c", "d", "e", "f"].map((n) => [
                `${URN}sapoche:workloads:Worker$kubernetes:apps/v1:Deployment::worker-${n}`,
                {
                    goal: {
                        type: "kubernetes:apps/v1:Deployment",
                        inputDiff: { adds: deployment(`worker-${n}`, "b:1", 1) },
                    },
                    steps: ["create"],
                },
            ]),
        );
        const text = releaseSummary({ ...inputs, plan: { resourcePlans: many }, state: [] });
        assert.match(text, /^Release of production1: 6 to create, 0 to update/m);
        assert.match(
            text,
            /^ {2}create {2}Deployment 6: worker-a, worker-b, worker-c, worker-d, \+2 more$/m,
        );
    });
});
