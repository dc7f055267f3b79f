/**
 * The rules that keep the house (.dependency-cruiser.cjs): each must fail on its fixture under
 * test/fixtures/architecture/<rule>/, a small tree laid out like the repository.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import { promisify } from "util";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../lib/program";

const FIXTURES = path.join(ROOT, "test", "fixtures", "architecture");
const DEPCRUISE = path.join(ROOT, "node_modules", ".bin", "depcruise");

/** The project's rules, without its tsconfig and its exclusion of the fixtures. */
function fixtureConfig(): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "depcruise-")), "config.cjs");
    fs.writeFileSync(
        file,
        `const c = require(${JSON.stringify(path.join(ROOT, ".dependency-cruiser.cjs"))});\n` +
            "module.exports = { ...c, options: { ...c.options, tsConfig: undefined, exclude: undefined } };\n",
    );
    return file;
}

/** `rule from -> to` for every violation dependency-cruiser finds in one fixture tree. */
async function violations(config: string, fixture: string): Promise<string[]> {
    const cwd = path.join(FIXTURES, fixture);
    const { stdout } = await promisify(execFile)(
        DEPCRUISE,
        ["--config", config, "-T", "json", ...fs.readdirSync(cwd)],
        { cwd, encoding: "utf8" },
    ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" })); // exits 1 on violations
    const report = JSON.parse(stdout) as {
        summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    return report.summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`).sort();
}

describe("the rules that keep the house (.dependency-cruiser.cjs)", function () {
    this.timeout(60_000);
    const config = fixtureConfig();

    const cases: [string, string[]][] = [
        ["no-circular", ["no-circular a.ts -> b.ts"]],
        [
            "components-never-import-stacks",
            ["components-never-import-stacks components/worker.ts -> stacks/catalog.ts"],
        ],
        [
            "config-never-imports-the-model",
            ["config-never-imports-the-model stacks/schema/workloads.ts -> stacks/plan.ts"],
        ],
        [
            "tools-never-import-tests",
            ["tools-never-import-tests scripts/tool.ts -> test/support.ts"],
        ],
        [
            "lib-never-imports-tests-or-tools",
            ["lib-never-imports-tests-or-tools lib/shared.ts -> test/support.ts"],
        ],
    ];
    // One cruise per fixture, all at once: each starts its own Node process.
    const found = new Map<string, string[]>();
    before(async () => {
        await Promise.all(
            cases.map(async ([rule]) => found.set(rule, await violations(config, rule))),
        );
    });
    for (const [rule, expected] of cases) {
        it(`${rule} fails on its fixture`, () => {
            assert.deepEqual(found.get(rule), expected);
        });
    }
});
