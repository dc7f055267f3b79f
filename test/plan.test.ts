/**
 * scripts/plan.js: the summary an approver reads and the comparison that refuses a stale plan.
 * Plans are shaped like the ones `pulumi preview --save-plan` (CLI 3.274.1) writes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
const plan = require("../scripts/plan.js");

const PREFIX = "urn:pulumi:production1::sapoche-stack::";

/** One resource plan; its URN carries the parent component type, as in real plans. */
function resource(type: string, name: string, steps: string[], extra: object = {}) {
    const urn = `${PREFIX}sapoche:redis:Redis$${type}::${name}`;
    const goal = steps.includes("delete") ? undefined : { type, name, inputDiff: { adds: {} } };
    return [urn, { goal, steps, seed: Math.random().toString(36), ...extra }] as const;
}

function planOf(...resources: (readonly [string, object])[]) {
    return {
        manifest: { time: new Date().toISOString() },
        resourcePlans: Object.fromEntries([
            [`${PREFIX}pulumi:pulumi:Stack::sapoche-stack-production1`, { steps: ["same"] }],
            [`${PREFIX}pulumi:providers:kubernetes::sapoche`, { steps: ["same"] }],
            ...resources,
        ]),
    };
}

describe("saved plans (scripts/plan.js)", () => {
    const mixed = planOf(
        resource("kubernetes:core/v1:ConfigMap", "redis-config", ["create"]),
        resource("kubernetes:apps/v1:Deployment", "worker-booking", ["update"]),
        resource("kubernetes:apps/v1:StatefulSet", "redis", [
            "create-replacement",
            "replace",
            "delete-replaced",
        ]),
        resource("kubernetes:core/v1:PersistentVolumeClaim", "data-redis-2", ["delete"]),
        resource("kubernetes:core/v1:PersistentVolumeClaim", "data-redis-0", ["update"]),
        resource("kubernetes:core/v1:Service", "redis-sp", ["same"]),
    );

    it("counts each Kubernetes resource once by what happens to it, skipping the stack and providers", () => {
        assert.deepEqual(plan.summarize(mixed).counts, {
            create: 1,
            update: 2,
            replace: 1,
            delete: 1,
            same: 1,
        });
    });

    it("calls out deletes and replaces of data-holding resources, not their updates", () => {
        assert.deepEqual(plan.summarize(mixed).dangerous, [
            { op: "replace", kind: "StatefulSet", name: "redis" },
            { op: "delete", kind: "PersistentVolumeClaim", name: "data-redis-2" },
        ]);
        assert.equal(
            plan.formatSummary(plan.summarize(mixed)),
            [
                "Plan: 1 to create, 2 to update, 1 to replace, 1 to delete, 1 to leave unchanged.",
                "Data-holding resources this plan deletes or replaces:",
                "  !! REPLACE of StatefulSet redis",
                "  !! DELETE of PersistentVolumeClaim data-redis-2",
            ].join("\n"),
        );
    });

    it("guard fails on a plan that deletes or replaces a data-holding resource, and only then", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-guard-"));
        const file = (name: string, p: object) => {
            fs.writeFileSync(path.join(dir, name), JSON.stringify(p));
            return path.join(dir, name);
        };
        const log = console.log;
        const lines: string[] = [];
        console.log = (line: string) => lines.push(line);
        try {
            assert.equal(plan.main(["guard", file("mixed.json", mixed)]), 1);
            assert.deepEqual(lines, [
                "  replace of StatefulSet redis",
                "  delete of PersistentVolumeClaim data-redis-2",
            ]);
            const safe = planOf(
                resource("kubernetes:apps/v1:StatefulSet", "redis", ["update"]),
                resource("kubernetes:core/v1:ConfigMap", "redis-scripts-0", ["delete"]),
            );
            assert.equal(plan.main(["guard", file("safe.json", safe)]), 0);
        } finally {
            console.log = log;
            fs.rmSync(dir, { recursive: true });
        }
    });

    it("says so when no data-holding resource is at risk", () => {
        const safe = planOf(
            resource("kubernetes:apps/v1:Deployment", "worker-booking", ["update"]),
        );
        assert.equal(
            plan.formatSummary(plan.summarize(safe)),
            "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 to leave unchanged.\n" +
                "No data-holding resource (volume claim, StatefulSet, namespace) is deleted or replaced.",
        );
    });

    it("finds two plans of the same code, config and cluster equal despite their seeds and times", () => {
        const again = planOf(
            ...Object.entries(mixed.resourcePlans).map(
                ([urn, rp]) =>
                    [urn, { ...rp, seed: "other", state: { __fieldManager: "x" } }] as const,
            ),
        );
        assert.notDeepEqual(again, mixed);
        assert.deepEqual(plan.differences(mixed, again), []);
    });

    it("ignores the order of dependencies, which CLI 3.274 records as promises resolve", () => {
        const deps = ["urn:a", "urn:b", "urn:c"];
        const booking = () =>
            planOf(resource("kubernetes:apps/v1:Deployment", "worker-booking", ["update"]))
                .resourcePlans;
        const one = booking();
        const two = booking();
        const [urn] = resource("kubernetes:apps/v1:Deployment", "worker-booking", []);
        (one[urn] as any).goal.dependencies = deps;
        (one[urn] as any).goal.propertyDependencies = { spec: ["urn:b", "urn:a"], metadata: [] };
        (two[urn] as any).goal.dependencies = [...deps].reverse();
        (two[urn] as any).goal.propertyDependencies = { metadata: [], spec: ["urn:a", "urn:b"] };
        assert.deepEqual(plan.differences({ resourcePlans: one }, { resourcePlans: two }), []);

        // A dependency added or removed is a different plan.
        (two[urn] as any).goal.dependencies = ["urn:a", "urn:b"];
        assert.deepEqual(plan.differences({ resourcePlans: one }, { resourcePlans: two }), [urn]);
    });

    it("lists every resource whose goal or step changed, appeared or disappeared", () => {
        const [bookingUrn] = resource("kubernetes:apps/v1:Deployment", "worker-booking", []);
        const [webUrn] = resource("kubernetes:apps/v1:Deployment", "sapoche-frontend-web", []);
        const [configUrn] = resource("kubernetes:core/v1:ConfigMap", "redis-config", []);
        const changed = planOf(
            ...Object.entries(mixed.resourcePlans)
                .filter(([urn]) => urn !== configUrn)
                .map(([urn, rp]: [string, any]) =>
                    urn === bookingUrn
                        ? ([
                              urn,
                              { ...rp, goal: { ...rp.goal, inputDiff: { updates: {} } } },
                          ] as const)
                        : ([urn, rp] as const),
                ),
            resource("kubernetes:apps/v1:Deployment", "sapoche-frontend-web", ["update"]),
        );
        assert.deepEqual(plan.differences(mixed, changed), [configUrn, webUrn, bookingUrn].sort());
    });
});
