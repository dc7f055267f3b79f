import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { policies } from "../policies";
import { committedPolicyConfig, stackPolicyConfig } from "./evaluate";

const policiesDir = path.resolve(__dirname, "../policies");

/** Every policy file: policies/<area>/<verbNoun>.ts, leaving out lib/ and the index. */
function policyFiles(): string[] {
    return fs
        .readdirSync(policiesDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name !== "lib")
        .flatMap((area) =>
            fs
                .readdirSync(path.join(policiesDir, area.name))
                .map((file) => path.join(area.name, file)),
        );
}

describe("the policy pack's registry", () => {
    for (const file of policyFiles()) {
        it(`registers the one policy exported by ${file}`, () => {
            const exported = Object.entries(
                require(path.join(policiesDir, file)) as Record<string, unknown>,
            );
            assert.strictEqual(exported.length, 1, `${file} should export exactly one policy`);
            const [exportName, policy] = exported[0];
            assert.strictEqual(`${exportName}.ts`, path.basename(file));
            assert.match(exportName, /^(enforce|missing|disallow|configure|report)[A-Z]/);
            assert.ok(
                policies.includes(policy as (typeof policies)[number]),
                `${exportName} is not in the policies array`,
            );
        });
    }

    it("has exactly one file per registered policy", () => {
        assert.strictEqual(policyFiles().length, policies.length);
    });

    it("gives every policy a unique kebab-case name", () => {
        const names = policies.map((p) => p.name);
        assert.deepStrictEqual([...new Set(names)], names);
        for (const name of names) {
            assert.match(name, /^[a-z]+(-[a-z0-9]+)+$/);
        }
    });

    it("describes every policy in one sentence starting with Checks that", () => {
        for (const policy of policies) {
            assert.match(policy.description, /^Checks that .+\.$/, policy.name);
            assert.ok(!policy.description.includes(". "), `${policy.name}: one sentence only`);
        }
    });

    it("sets an enforcement level on every policy", () => {
        for (const policy of policies) {
            assert.ok(
                ["mandatory", "advisory"].includes(policy.enforcementLevel ?? ""),
                policy.name,
            );
        }
    });
});

describe("the per-stack policy config files", () => {
    for (const stack of ["production1", "staging"] as const) {
        it(`${stack}.json only configures properties the policies declare, with values of the declared type`, () => {
            const config = committedPolicyConfig(stack) as Record<string, unknown>;
            for (const [name, settings] of Object.entries(config)) {
                const policy = policies.find((p) => p.name === name);
                assert.ok(policy, `${stack}.json configures unknown policy ${name}`);
                if (typeof settings === "string") {
                    assert.ok(["advisory", "mandatory", "disabled"].includes(settings), name);
                    continue;
                }
                for (const [key, value] of Object.entries(settings as Record<string, unknown>)) {
                    // The engine's own key beside a policy's properties: the level, then config.
                    if (key === "enforcementLevel") {
                        assert.ok(["advisory", "mandatory", "disabled"].includes(String(value)));
                        continue;
                    }
                    const schema: PolicyConfigJSONSchema | undefined =
                        policy.configSchema?.properties[key];
                    assert.ok(schema, `${name} has no config property ${key}`);
                    const type: unknown = schema.type === "integer" ? "number" : schema.type;
                    const actual = Array.isArray(value) ? "array" : typeof value;
                    assert.strictEqual(actual, type, `${name}.${key}`);
                }
            }
        });
    }

    it("keeps production1's stricter consumer floor", () => {
        const floor = "enforce-consumer-min-replicas";
        assert.deepStrictEqual((stackPolicyConfig("production1")[floor] as any).minReplicas, 2);
        assert.deepStrictEqual((stackPolicyConfig("staging")[floor] as any).minReplicas, 1);
    });
});
