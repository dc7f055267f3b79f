import { strict as assert } from "assert";
import { parseStackFile, readStackFile } from "../lib/stack-file";
import { readStackConfig } from "../lib/program";
import { stackConfig } from "../scripts/pack-config";

describe("stack files (lib/stack-file.ts, the one reader)", () => {
    for (const stack of ["production1", "staging"]) {
        it(`${stack}: the program, the pack-config generator and the reader see the same config`, () => {
            const { config } = readStackFile(stack);
            assert.ok(Object.keys(config).length > 0);
            assert.deepEqual(readStackConfig(stack), config);
            assert.deepEqual(stackConfig(stack), config);
        });
    }

    it("reads as the Pulumi CLI does: no timestamps, no YAML 1.1 booleans", () => {
        const { config } = parseStackFile(
            "config:\n  p:reviewDate: 2027-02-26\n  p:answer: yes\n  p:n: 3\n",
        );
        assert.deepEqual(config, { "p:reviewDate": "2027-02-26", "p:answer": "yes", "p:n": 3 });
    });

    it("has no config when the file has no `config:` map", () => {
        assert.deepEqual(parseStackFile("encryptionsalt: abc\n").config, {});
    });

    it("refuses a `config:` that is not a mapping, naming the file and what is allowed", () => {
        assert.throws(
            () => parseStackFile("config:\n  - a\n", "Pulumi.x.yaml"),
            /^Error: Pulumi\.x\.yaml: config: expected a mapping of keys \(`sapoche-stack:<key>`\) to values, got \["a"\]$/,
        );
        assert.throws(
            () => parseStackFile("- a\n", "Pulumi.x.yaml"),
            /Pulumi\.x\.yaml: expected a mapping/,
        );
    });
});
