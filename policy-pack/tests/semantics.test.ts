import * as assert from "assert";
import {
    hpaResourceTargets,
    kedaPause,
    kedaResourceTargets,
    labelSelector,
    pdbDisruptionsAllowed,
    scaledValue,
    selectorOf,
    selects,
} from "../policies/lib/semantics";

const web = { app: "web", tier: "front" };

describe("Kubernetes semantics (policies/lib/semantics.ts)", () => {
    describe("label selectors", () => {
        it("select nothing when nil and everything when empty, as LabelSelectorAsSelector does", () => {
            assert.strictEqual(selects(labelSelector(undefined), web), false);
            assert.strictEqual(selects(labelSelector({}), web), true);
            assert.strictEqual(
                selects(labelSelector({ matchLabels: {}, matchExpressions: [] }), {}),
                true,
            );
        });

        it("AND matchLabels and matchExpressions, with each operator's meaning", () => {
            const s = labelSelector({
                matchLabels: { app: "web" },
                matchExpressions: [
                    { key: "tier", operator: "In", values: ["front", "edge"] },
                    { key: "canary", operator: "DoesNotExist" },
                    { key: "env", operator: "NotIn", values: ["dev"] },
                ],
            });
            assert.strictEqual(selects(s, web), true);
            assert.strictEqual(selects(s, { ...web, canary: "1" }), false);
            assert.strictEqual(selects(s, { ...web, env: "dev" }), false);
            assert.strictEqual(selects(s, { app: "web", tier: "back" }), false);
        });

        it("treat an invalid expression as an error that selects nothing", () => {
            for (const expression of [
                { key: "app", operator: "In", values: [] },
                { key: "app", operator: "Exists", values: ["web"] },
                { key: "app", operator: "Equals", values: ["web"] },
            ]) {
                assert.strictEqual(
                    selects(labelSelector({ matchExpressions: [expression] }), web),
                    false,
                );
            }
        });

        it("follow each controller: PDB v1 and NetworkPolicy empty = all, Service empty = none", () => {
            const of = (type: string, spec: object) => selectorOf({ type, props: { spec } });
            assert.strictEqual(
                selects(of("kubernetes:policy/v1:PodDisruptionBudget", { selector: {} }), web),
                true,
            );
            assert.strictEqual(
                selects(of("kubernetes:policy/v1:PodDisruptionBudget", {}), web),
                false,
            );
            assert.strictEqual(
                selects(of("kubernetes:policy/v1beta1:PodDisruptionBudget", { selector: {} }), web),
                false,
            );
            assert.strictEqual(
                selects(of("kubernetes:networking.k8s.io/v1:NetworkPolicy", {}), web),
                true,
            );
            assert.strictEqual(
                selects(
                    of("kubernetes:networking.k8s.io/v1:NetworkPolicy", { podSelector: {} }),
                    web,
                ),
                true,
            );
            assert.strictEqual(
                selects(of("kubernetes:core/v1:Service", { selector: {} }), web),
                false,
            );
            assert.strictEqual(
                selects(of("kubernetes:core/v1:Service", { selector: { app: "web" } }), web),
                true,
            );
            assert.strictEqual(
                selects(
                    of("kubernetes:core/v1:ReplicationController", {
                        template: { metadata: { labels: { app: "web" } } },
                    }),
                    web,
                ),
                true,
            );
        });
    });

    describe("PDB arithmetic", () => {
        it("scales percentages as intstr.GetScaledValueFromIntOrPercent does", () => {
            assert.strictEqual(scaledValue("50%", 3, true), 2);
            assert.strictEqual(scaledValue("50%", 3, false), 1);
            assert.strictEqual(scaledValue(2, 3, true), 2);
            assert.strictEqual(scaledValue("2", 3, true), undefined);
            assert.strictEqual(scaledValue("abc%", 3, true), undefined);
        });

        it("allows disruptions as the disruption controller does (both fields round up)", () => {
            assert.strictEqual(pdbDisruptionsAllowed({ minAvailable: "50%" }, 1), 0);
            assert.strictEqual(pdbDisruptionsAllowed({ minAvailable: "50%" }, 3), 1);
            assert.strictEqual(pdbDisruptionsAllowed({ minAvailable: "99%" }, 3), 0);
            assert.strictEqual(pdbDisruptionsAllowed({ maxUnavailable: "1%" }, 3), 1);
            assert.strictEqual(pdbDisruptionsAllowed({ maxUnavailable: "34%" }, 3), 2);
            assert.strictEqual(pdbDisruptionsAllowed({ maxUnavailable: 0 }, 3), 0);
            assert.strictEqual(pdbDisruptionsAllowed({ minAvailable: 2 }, 3), 1);
            assert.strictEqual(pdbDisruptionsAllowed({ minAvailable: "1" }, 3), 0);
            assert.strictEqual(pdbDisruptionsAllowed({}, 3), 3);
        });
    });

    describe("API defaults and KEDA", () => {
        it("gives an HPA without metrics the controller's 80 % CPU target", () => {
            const cpu80 = [{ resource: "cpu", type: "Utilization", value: 80 }];
            assert.deepStrictEqual(
                hpaResourceTargets({
                    type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
                    props: { spec: {} },
                }),
                cpu80,
            );
            assert.deepStrictEqual(
                hpaResourceTargets({
                    type: "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
                    props: { spec: {} },
                }),
                cpu80,
            );
            assert.deepStrictEqual(
                hpaResourceTargets({
                    type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
                    props: {
                        spec: {
                            metrics: [
                                {
                                    type: "ContainerResource",
                                    containerResource: {
                                        name: "memory",
                                        container: "app",
                                        target: { type: "AverageValue", averageValue: "1Gi" },
                                    },
                                },
                            ],
                        },
                    },
                }),
                [{ resource: "memory", container: "app", type: "AverageValue", value: "1Gi" }],
            );
        });

        it("reads every KEDA CPU and memory scaler, old and new spelling", () => {
            const so = {
                props: {
                    spec: {
                        triggers: [
                            { type: "cpu", metricType: "Utilization", metadata: { value: "95" } },
                            {
                                type: "memory",
                                metadata: {
                                    type: "AverageValue",
                                    value: "2Gi",
                                    containerName: "app",
                                },
                            },
                            { type: "rabbitmq", metadata: { value: "5" } },
                        ],
                    },
                },
            };
            assert.deepStrictEqual(kedaResourceTargets(so), [
                { resource: "cpu", container: undefined, type: "Utilization", value: "95" },
                { resource: "memory", container: "app", type: "AverageValue", value: "2Gi" },
            ]);
        });

        it("reads KEDA's pause annotations", () => {
            const so = (annotations: Record<string, string>) => ({
                props: { metadata: { annotations } },
            });
            assert.deepStrictEqual(kedaPause(so({})), { paused: false });
            assert.deepStrictEqual(kedaPause(so({ "autoscaling.keda.sh/paused-replicas": "0" })), {
                paused: true,
                replicas: 0,
            });
            assert.deepStrictEqual(kedaPause(so({ "autoscaling.keda.sh/paused": "True" })), {
                paused: true,
            });
            assert.deepStrictEqual(kedaPause(so({ "autoscaling.keda.sh/paused": "yes" })), {
                paused: false,
            });
        });
    });
});
