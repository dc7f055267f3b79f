import { strict as assert } from "assert";
import { evaluateProgram, PROJECT, readStackConfig } from "./support/program";
import { readSeed } from "./support/seed";

describe("adoption of the live namespace", () => {
    it("imports every live object by namespace/name, leaving its content alone for that update", async () => {
        const config = { ...readStackConfig("production1"), [`${PROJECT}:adopt`]: true };
        const rs = await evaluateProgram("production1", config);
        const imported = rs
            .filter((r) => r.importId)
            .map((r) => `${r.type.split(":")[2].split("/").pop()}/${r.importId}`)
            .sort();
        const seed = readSeed();
        const expected = [
            "Namespace/sapoche",
            ...seed.deployments
                .filter((d) => d.name !== "redis-master")
                .map((d) => `Deployment/sapoche/${d.name}`),
            ...seed.services.map((s) => `Service/sapoche/${s.name}`),
            ...seed.hpas
                .filter((h) => !h.keda)
                .map((h) => `HorizontalPodAutoscaler/sapoche/${h.name}`),
            ...seed.hpas.filter((h) => h.keda).map((h) => `ScaledObject/sapoche/${h.target}`),
        ].sort();
        assert.deepEqual(imported, expected);
    });

    it("imports nothing when adoption is off", async () => {
        const rs = await evaluateProgram("production1", readStackConfig("production1"));
        assert.deepEqual(
            rs.filter((r) => r.importId),
            [],
        );
    });
});
