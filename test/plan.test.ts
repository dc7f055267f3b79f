/**
 * scripts/delivery/saved-plan.ts: the summary an approver reads and the comparison that refuses a stale plan.
 * Plans are shaped like the ones `pulumi preview --save-plan` (CLI 3.274.1) writes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
const plan = require("../scripts/delivery/saved-plan");

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

describe("saved plans (scripts/delivery/saved-plan.ts)", () => {
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

    it("calls out in the summary every step the release guard refuses, and why", () => {
        const text = plan.formatSummary(plan.summarize(mixed));
        assert.match(
            text,
            /^Plan: 1 to create, 2 to update, 1 to replace, 1 to delete, 1 to leave unchanged\./,
        );
        assert.match(
            text,
            /!! create-replacement\+replace\+delete-replaced of StatefulSet redis: every object of this kind/,
        );
        assert.match(text, /!! delete of PersistentVolumeClaim data-redis-2/);
        // The claim's update changes nothing that the guard judges: it is not listed.
        assert.doesNotMatch(text, /data-redis-0/);
    });

    it("guard exits 1 on a plan the release guard refuses, and 0 only when every step passes", () => {
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
            assert.match(lines.join("\n"), /StatefulSet redis/);
            const safe = planOf(
                resource("kubernetes:apps/v1:Deployment", "worker-booking", ["update"]),
                resource("kubernetes:core/v1:ConfigMap", "worker-booking-config", ["delete"]),
            );
            const state = { deployment: { resources: [] } };
            assert.equal(
                plan.main(["guard", file("safe.json", safe), "--state", file("s.json", state)]),
                0,
            );
        } finally {
            console.log = log;
            fs.rmSync(dir, { recursive: true });
        }
    });

    it("says so when no step risks data or availability", () => {
        const safe = planOf(
            resource("kubernetes:apps/v1:Deployment", "worker-booking", ["update"]),
        );
        assert.equal(
            plan.formatSummary(plan.summarize(safe)),
            "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 to leave unchanged.\n" +
                "Release guard: every step is a create, a no-op or a safe update.",
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

/**
 * The release guard (scripts/delivery/lib/release-guard.ts) against destructive plans, each shaped as CLI
 * 3.274 saves it: the URN carries the parent component's type, a delete has no goal, an update's
 * goal carries only the changed top-level inputs, and the stack's state (`pulumi stack export`)
 * holds the inputs and `protect` flag of every live resource.
 */
describe("release guard (scripts/delivery/saved-plan.ts guard)", () => {
    const { judge } = require("../scripts/delivery/lib/release-guard");
    const critical = plan.criticalObjects();
    const urnOf = (parent: string, type: string, name: string) =>
        `${PREFIX}${parent}$${type}::${name}`;
    const REDIS = "sapoche:workloads:Redis";
    const sts = {
        urn: urnOf(REDIS, "kubernetes:apps/v1:StatefulSet", "redis-statefulset"),
        type: "kubernetes:apps/v1:StatefulSet",
        protect: false,
        inputs: {
            metadata: { name: "redis", labels: { "app.kubernetes.io/component": "redis" } },
            spec: {
                replicas: 3,
                persistentVolumeClaimRetentionPolicy: {
                    whenDeleted: "Retain",
                    whenScaled: "Retain",
                },
                template: {},
            },
        },
    };
    const live = (urn: string, type: string, inputs: object, protect = false) => ({
        urn,
        type,
        inputs,
        protect,
    });
    const state = {
        deployment: {
            resources: [
                sts,
                live(
                    urnOf(REDIS, "kubernetes:core/v1:PersistentVolumeClaim", "redis-data-0"),
                    "kubernetes:core/v1:PersistentVolumeClaim",
                    { metadata: { name: "data-redis-0" }, spec: {} },
                    true,
                ),
                live(
                    urnOf(REDIS, "kubernetes:core/v1:Service", "redis-proxy-service"),
                    "kubernetes:core/v1:Service",
                    {
                        metadata: { name: "redis-sp" },
                        spec: { selector: { a: "proxy" }, ports: [6379] },
                    },
                ),
                live(
                    urnOf("sapoche:workloads:Worker", "kubernetes:apps/v1:Deployment", "moved-x"),
                    "kubernetes:apps/v1:Deployment",
                    {
                        metadata: {
                            name: "moved-x",
                            labels: { "app.kubernetes.io/component": "redis-proxy" },
                        },
                        spec: { replicas: 2 },
                    },
                ),
            ],
        },
    };
    const verdict = (urn: string, steps: string[], goal?: object) =>
        judge({ resourcePlans: { [urn]: { steps, goal } } }, state, critical);
    const update = (type: string, name: string, updates: object, protect = false) => ({
        type,
        name,
        protect,
        inputDiff: { updates },
    });
    const refused = (v: { refused: { reason: string }[] }) => v.refused.map((r) => r.reason);

    const destructive: [string, string, string[]][] = [
        [
            "deleting redis-sp",
            urnOf(REDIS, "kubernetes:core/v1:Service", "redis-proxy-service"),
            ["delete"],
        ],
        [
            "deleting the Redis proxy",
            urnOf(REDIS, "kubernetes:apps/v1:Deployment", "redis-proxy-deployment"),
            ["delete"],
        ],
        [
            "deleting the Redis PDB",
            urnOf(REDIS, "kubernetes:policy/v1:PodDisruptionBudget", "redis-pdb"),
            ["delete"],
        ],
        [
            "deleting the Sentinel Service",
            urnOf(REDIS, "kubernetes:core/v1:Service", "redis-sentinel-service"),
            ["delete"],
        ],
        [
            "deleteBeforeReplace of the Secret Redis mounts",
            urnOf(REDIS, "kubernetes:core/v1:Secret", "redis-password"),
            ["delete-replaced", "replace", "create-replacement"],
        ],
        [
            "replacing the content-named Redis scripts",
            urnOf(REDIS, "kubernetes:core/v1:ConfigMap", "redis-scripts"),
            ["create-replacement", "replace", "delete-replaced"],
        ],
        [
            "import-replacement of a claim",
            urnOf(REDIS, "kubernetes:core/v1:PersistentVolumeClaim", "redis-data-1"),
            ["import-replacement", "replace", "discard-replaced"],
        ],
        ["read-replacement of the StatefulSet", sts.urn, ["read-replacement", "replace"]],
        [
            "discarding a claim from state",
            urnOf(REDIS, "kubernetes:core/v1:PersistentVolumeClaim", "redis-data-2"),
            ["discard"],
        ],
        [
            "deleting the namespace",
            urnOf(
                "sapoche:namespace:Baseline",
                "kubernetes:core/v1:Namespace",
                "sapoche-namespace",
            ),
            ["delete"],
        ],
        [
            "deleting Orthanc",
            urnOf(
                "sapoche:workloads:Orthanc",
                "kubernetes:apps/v1:Deployment",
                "orthanc-read-api-deployment",
            ),
            ["delete"],
        ],
        [
            "deleting Orthanc's Service",
            urnOf(
                "sapoche:workloads:Orthanc",
                "kubernetes:core/v1:Service",
                "orthanc-read-api-service",
            ),
            ["delete"],
        ],
        [
            "deleting a critical consumer",
            urnOf(
                "sapoche:workloads:QueueConsumer",
                "kubernetes:apps/v1:Deployment",
                "consumer-dicom-deployment",
            ),
            ["delete"],
        ],
        [
            "deleting a critical consumer's KEDA ScaledObject",
            urnOf(
                "sapoche:workloads:QueueConsumer",
                "kubernetes:keda.sh/v1alpha1:ScaledObject",
                "consumer-spc-pdf-generate-scaledobject",
            ),
            ["delete"],
        ],
        [
            "replacing the provider",
            `${PREFIX}pulumi:providers:kubernetes::sapoche`,
            ["create-replacement", "replace", "delete-replaced"],
        ],
        [
            "deleting an object of a type the program does not register",
            urnOf("sapoche:workloads:Worker", "kubernetes:batch/v1:Job", "worker-x-job"),
            ["delete"],
        ],
        [
            "replacing a resource of another provider",
            `${PREFIX}random:index/randomPassword:RandomPassword::pw`,
            ["replace"],
        ],
        [
            "deleting an object the state labels as Redis' proxy under an unrelated name",
            state.deployment.resources[3].urn,
            ["delete"],
        ],
        [
            "a step the guard does not know, on a worker",
            urnOf(
                "sapoche:workloads:Worker",
                "kubernetes:apps/v1:Deployment",
                "worker-sapoche-pdf-deployment",
            ),
            ["frobnicate"],
        ],
    ];
    for (const [title, urn, steps] of destructive) {
        it(`refuses ${title}`, () => {
            assert.equal(verdict(urn, steps).refused.length, 1);
        });
    }

    it("refuses a StatefulSet update that sets the claim retention policy to Delete, not one back to Retain", () => {
        const policy = (p: object) =>
            verdict(
                sts.urn,
                ["update"],
                update(sts.type, "redis-statefulset", {
                    spec: { ...sts.inputs.spec, persistentVolumeClaimRetentionPolicy: p },
                }),
            );
        assert.match(
            refused(policy({ whenDeleted: "Retain", whenScaled: "Delete" }))[0],
            /persistentVolumeClaimRetentionPolicy becomes/,
        );
        assert.deepEqual(refused(policy({ whenDeleted: "Retain", whenScaled: "Retain" })), []);
    });

    it("refuses scaling the Redis StatefulSet down or to zero, and passes scaling it up", () => {
        const scale = (replicas: number) =>
            verdict(
                sts.urn,
                ["update"],
                update(sts.type, "redis-statefulset", { spec: { ...sts.inputs.spec, replicas } }),
            );
        assert.match(refused(scale(0))[0], /replicas go down from 3 to 0/);
        assert.match(refused(scale(2))[0], /replicas go down from 3 to 2/);
        assert.deepEqual(refused(scale(5)), []);
    });

    it("refuses a change of the claim templates", () => {
        const v = verdict(
            sts.urn,
            ["update"],
            update(sts.type, "redis-statefulset", {
                spec: { ...sts.inputs.spec, volumeClaimTemplates: [{}] },
            }),
        );
        assert.match(refused(v)[0], /volumeClaimTemplates change/);
    });

    it("refuses an update of a critical StatefulSet's spec when the state was not given to compare it", () => {
        const v = judge(
            {
                resourcePlans: {
                    [sts.urn]: {
                        steps: ["update"],
                        goal: update(sts.type, "redis-statefulset", { spec: sts.inputs.spec }),
                    },
                },
            },
            undefined,
            critical,
        );
        assert.match(refused(v)[0], /state was not given/);
    });

    it("refuses removing `protect` ahead of a delete, whatever else the update does", () => {
        const pvc = state.deployment.resources[1];
        const v = verdict(
            pvc.urn,
            ["update"],
            update(
                pvc.type,
                "redis-data-0",
                { metadata: { name: "data-redis-0", labels: {} } },
                false,
            ),
        );
        assert.match(refused(v)[0], /`protect` is removed/);
        const kept = verdict(
            pvc.urn,
            ["update"],
            update(
                pvc.type,
                "redis-data-0",
                { metadata: { name: "data-redis-0", labels: {} } },
                true,
            ),
        );
        assert.deepEqual(refused(kept), []);
    });

    it("refuses re-pointing redis-sp's selector", () => {
        const svc = state.deployment.resources[2];
        const v = verdict(
            svc.urn,
            ["update"],
            update(svc.type, "redis-proxy-service", {
                spec: { selector: { a: "other" }, ports: [6379] },
            }),
        );
        assert.match(refused(v)[0], /selector or ports change/);
    });

    it("refuses scaling a critical consumer to zero, and passes a non-critical one", () => {
        const urn = (n: string) =>
            urnOf(
                "sapoche:workloads:QueueConsumer",
                "kubernetes:apps/v1:Deployment",
                `${n}-deployment`,
            );
        const zero = (n: string) => ({
            deployment: {
                resources: [
                    live(urn(n), "kubernetes:apps/v1:Deployment", {
                        metadata: { name: n },
                        spec: { replicas: 2 },
                    }),
                ],
            },
        });
        const goal = (n: string) =>
            update("kubernetes:apps/v1:Deployment", `${n}-deployment`, { spec: { replicas: 0 } });
        const plan1 = (n: string) => ({
            resourcePlans: { [urn(n)]: { steps: ["update"], goal: goal(n) } },
        });
        assert.match(
            refused(judge(plan1("consumer-ecg"), zero("consumer-ecg"), critical))[0],
            /replicas go down from 2 to 0/,
        );
        assert.deepEqual(
            refused(judge(plan1("consumer-revenue"), zero("consumer-revenue"), critical)),
            [],
        );
    });

    it("passes creates, no-ops, safe updates and deletes of objects that hold nothing", () => {
        const worker = urnOf(
            "sapoche:workloads:Worker",
            "kubernetes:apps/v1:Deployment",
            "worker-sapoche-pdf-deployment",
        );
        const v = judge(
            {
                resourcePlans: {
                    [sts.urn]: {
                        steps: ["update"],
                        goal: update(sts.type, "redis-statefulset", {
                            spec: { ...sts.inputs.spec, template: { x: 1 } },
                        }),
                    },
                    [urnOf(REDIS, "kubernetes:core/v1:PersistentVolumeClaim", "redis-data-3")]: {
                        steps: ["create"],
                        goal: {},
                    },
                    [urnOf(
                        "sapoche:namespace:Baseline",
                        "kubernetes:core/v1:Namespace",
                        "sapoche-namespace",
                    )]: { steps: ["same"] },
                    [worker]: { steps: ["delete"] },
                    [urnOf("sapoche:workloads:Worker", "kubernetes:batch/v1:Job", "worker-x-job")]:
                        { steps: ["create"], goal: {} },
                },
            },
            state,
            critical,
        );
        assert.deepEqual(v, { refused: [], passed: 5 });
    });
});
