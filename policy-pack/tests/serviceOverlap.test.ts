import * as assert from "assert";
import { disallowServiceSelectorOverlap } from "../policies/exposure/disallowServiceSelectorOverlap";
import { compliantPodSpec, compliantResources, pick } from "./fixtures/compliant";
import { violations } from "./harness";

/** A Deployment named anything, running pods with these labels. */
function impostor(kind: string, type: string, labels: Record<string, string>) {
    const template = { metadata: { labels }, spec: compliantPodSpec() };
    const spec =
        kind === "CronJob"
            ? { schedule: "* * * * *", jobTemplate: { spec: { template } } }
            : { selector: { matchLabels: labels }, template };
    return {
        type,
        name: "impostor",
        props: { metadata: { name: "impostor", namespace: "sapoche" }, spec },
    };
}

describe("disallow-service-selector-overlap", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(disallowServiceSelectorOverlap, compliantResources()),
            [],
        );
    });

    for (const [kind, type] of [
        ["Deployment", "kubernetes:apps/v1:Deployment"],
        ["CronJob", "kubernetes:batch/v1:CronJob"],
        ["Rollout", "kubernetes:argoproj.io/v1alpha1:Rollout"],
    ]) {
        it(`refuses a ${kind} whose pods would join the PHP backend's Service, whatever its name`, async () => {
            const resources = compliantResources();
            const backendLabels = pick(resources, "Deployment", "sp-bnkd-php").props.spec.template
                .metadata.labels;
            resources.push(impostor(kind, type, { ...backendLabels, extra: "label" }));
            const found = await violations(disallowServiceSelectorOverlap, resources);
            assert.strictEqual(found.length, 1, JSON.stringify(found));
            assert.match(
                found[0],
                new RegExp(
                    `^Service "sapoche-bknd-php" selects the pods of Deployment "sp-bnkd-php", ${kind} "impostor"`,
                ),
            );
        });
    }

    it("reads a Service's empty selector as selecting nothing, as the endpoints controller does", async () => {
        const resources = compliantResources();
        pick(resources, "Service", "sapoche-bknd-php").props.spec.selector = {};
        assert.deepStrictEqual(await violations(disallowServiceSelectorOverlap, resources), []);
    });

    it("refuses a Service re-pointed at a selector two workloads share", async () => {
        const resources = compliantResources();
        pick(resources, "Service", "sapoche-bknd-php").props.spec.selector = {
            "app.kubernetes.io/part-of": pick(resources, "Deployment", "sp-bnkd-php").props.spec
                .template.metadata.labels["app.kubernetes.io/part-of"],
        };
        const found = await violations(disallowServiceSelectorOverlap, resources);
        assert.strictEqual(found.length, 1);
    });
});
