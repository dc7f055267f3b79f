import * as assert from "assert";
import { enforceSchedulerSingleton } from "../policies/scheduler/enforceSchedulerSingleton";
import { compliantResources, pick } from "./fixtures/compliant";
import { violations } from "./harness";

const scheduler = "sapoche-be--scheduler--prod";

describe("enforce-scheduler-singleton", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceSchedulerSingleton, compliantResources()),
            [],
        );
    });

    it("rejects two scheduler replicas", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", scheduler).props.spec.replicas = 2;
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            `Deployment "${scheduler}" should set spec.replicas to exactly 1, not 2.`,
        ]);
    });

    it("rejects a scheduler that leaves spec.replicas to an autoscaler", async () => {
        const resources = compliantResources();
        delete pick(resources, "Deployment", scheduler).props.spec.replicas;
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            `Deployment "${scheduler}" should set spec.replicas to exactly 1, not unset.`,
        ]);
    });

    it("rejects the default rolling update, which briefly runs two schedulers", async () => {
        const resources = compliantResources();
        delete pick(resources, "Deployment", scheduler).props.spec.strategy;
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            `Deployment "${scheduler}" should use strategy Recreate so two schedulers never overlap during a rollout, not RollingUpdate.`,
        ]);
    });
});
