import * as assert from "assert";
import { enforceDisruptionBudgetHeadroom } from "../policies/autoscaling/enforceDisruptionBudgetHeadroom";
import { enforceHpaCpuTarget } from "../policies/autoscaling/enforceHpaCpuTarget";
import { enforceConsumerMinReplicas } from "../policies/consumers/enforceConsumerMinReplicas";
import { missingDisruptionBudget } from "../policies/workloads/missingDisruptionBudget";
import { stackPolicyConfig } from "./evaluate";
import { compliantResources, pick } from "./fixtures/compliant";
import { violations } from "./harness";

const production1 = stackPolicyConfig("production1");

/** The rules read objects as the controllers do (policies/lib/semantics.ts), not as they are spelled. */
describe("the pack judges with Kubernetes' own semantics", () => {
    for (const [setting, blocks] of [
        [{ minAvailable: "67%" }, false],
        [{ minAvailable: "76%" }, true],
        [{ minAvailable: "3" }, true],
        [{ maxUnavailable: "1%" }, false],
        [{ maxUnavailable: "0%" }, true],
    ] as const) {
        it(`${blocks ? "refuses" : "accepts"} a budget of ${JSON.stringify(setting)} over a workload of 4 pods`, async () => {
            const resources = compliantResources();
            const pdb = pick(resources, "PodDisruptionBudget", "worker-booking");
            pdb.props.spec = { selector: pdb.props.spec.selector, ...setting };
            const found = await violations(enforceDisruptionBudgetHeadroom, resources);
            assert.strictEqual(found.length, blocks ? 1 : 0, JSON.stringify(found));
        });
    }

    it("reads a policy/v1 budget with an empty selector as covering every pod of the namespace", async () => {
        const resources = compliantResources();
        const pdb = pick(resources, "PodDisruptionBudget", "worker-booking");
        pdb.props.spec = { selector: {}, minAvailable: "100%" };
        const found = await violations(enforceDisruptionBudgetHeadroom, resources);
        assert.strictEqual(found.length, 1);
        assert.match(
            found[0],
            /PodDisruptionBudget "worker-booking" allows no disruption when .*Deployment "sp-bnkd-php".* run at their minimum/,
        );
    });

    it("counts a budget without a selector as covering nothing", async () => {
        const resources = compliantResources();
        delete pick(resources, "PodDisruptionBudget", "worker-booking").props.spec.selector;
        const found = await violations(missingDisruptionBudget, resources);
        assert.deepStrictEqual(found, [
            'Deployment "worker-booking" runs up to 4 replicas and should have a PodDisruptionBudget selecting its pods.',
        ]);
    });

    it("gives an HPA without metrics the API's 80 % CPU target, above the ceiling", async () => {
        const resources = compliantResources();
        delete pick(resources, "HorizontalPodAutoscaler", "sp-bnkd-php").props.spec.metrics;
        const found = await violations(enforceHpaCpuTarget, resources);
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /80/);
    });

    it("holds a critical consumer at KEDA's paused-replicas count", async () => {
        const resources = compliantResources();
        const so = pick(resources, "ScaledObject", "consumer-spc-pdf-generate");
        so.props.metadata.annotations = { "autoscaling.keda.sh/paused-replicas": "0" };
        const found = await violations(enforceConsumerMinReplicas, resources, production1);
        assert.ok(
            found.some((m) => m.includes("consumer-spc-pdf-generate")),
            JSON.stringify(found),
        );
    });
});

describe("KEDA's CPU and memory scalers are judged like the HPA KEDA makes of them", () => {
    it("refuses a cpu trigger above the CPU ceiling, in either spelling", async () => {
        for (const trigger of [
            { type: "cpu", metricType: "Utilization", metadata: { value: "95" } },
            { type: "cpu", metadata: { type: "Utilization", value: "90" } },
        ]) {
            const resources = compliantResources();
            pick(resources, "ScaledObject", "consumer-spc-pdf-generate").props.spec.triggers.push(
                trigger,
            );
            const found = await violations(enforceHpaCpuTarget, resources);
            assert.strictEqual(found.length, 1, JSON.stringify(found));
            assert.match(
                found[0],
                /ScaledObject "consumer-spc-pdf-generate" should target CPU utilization at most 70%/,
            );
        }
    });

    it("accepts a cpu trigger at the ceiling", async () => {
        const resources = compliantResources();
        pick(resources, "ScaledObject", "consumer-spc-pdf-generate").props.spec.triggers.push({
            type: "cpu",
            metricType: "Utilization",
            metadata: { value: "70" },
        });
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, resources), []);
    });
});
