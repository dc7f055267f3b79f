import { stackPolicyConfig } from "./evaluate";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

/** The generator `scripts/pack-config.ts` of the program (loaded at run time: it reads the catalog). */
interface Generator {
    generatedFiles(): Record<string, string>;
}

const root = path.resolve(__dirname, "../..");

describe("the per-stack policy config", () => {
    it("is exactly what scripts/pack-config.ts derives from the catalog and the stack files", () => {
        const { generatedFiles } = require(path.join(root, "scripts/pack-config")) as Generator;
        const files = generatedFiles();
        assert.deepStrictEqual(Object.keys(files).sort(), [
            "policy-pack/config/production1.json",
            "policy-pack/config/staging.json",
        ]);
        for (const [file, text] of Object.entries(files)) {
            assert.strictEqual(
                fs.readFileSync(path.join(root, file), "utf8"),
                text,
                `${file} is stale: run node -r ts-node/register/transpile-only scripts/pack-config.ts`,
            );
        }
    });

    it("names the critical consumers, the scheduler and the sanctioned Redis of production1", () => {
        // Once adopted: in phase import the committed file reports the consumer floor instead.
        const config = stackPolicyConfig("production1") as any;
        assert.ok(
            config["enforce-consumer-min-replicas"].criticalConsumers.includes("consumer-dicom"),
        );
        assert.ok(
            !config["enforce-consumer-min-replicas"].criticalConsumers.includes("consumer-revenue"),
        );
        assert.strictEqual(
            config["enforce-scheduler-singleton"].schedulerName,
            "sapoche-be--scheduler--prod",
        );
        assert.strictEqual(config["disallow-unsanctioned-redis"].sanctionedStatefulSet, "redis");
    });
});
