import { strict as assert } from "assert";
import * as path from "path";
import { ESLint } from "eslint";
import { ROOT } from "./support/program";

describe("the component boundary (eslint.config.mjs)", () => {
    // The project's own config, with only the boundary rule and without type information (which
    // would build the whole TypeScript program for one import statement).
    const eslint = new ESLint({
        cwd: ROOT,
        ignore: false,
        overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
        ruleFilter: ({ ruleId }) => ruleId === "no-restricted-imports",
    });
    const restricted = async (file: string) =>
        (await eslint.lintFiles([path.join(ROOT, file)]))
            .flatMap((r) => r.messages)
            .filter((m) => m.ruleId === "no-restricted-imports")
            .map((m) => m.message);

    it("rejects a component that imports stacks/", async () => {
        assert.deepEqual(await restricted("test/fixtures/lint/components/imports-stacks.ts"), [
            "'../../../../stacks/catalog' import is restricted from being used by a pattern. " +
                "components/ must not import stacks/ (the config layer): take the value as an Args field.",
        ]);
    });

    it("accepts the components as they are", async () => {
        assert.deepEqual(await restricted("components/queue-consumer.ts"), []);
    });
});
