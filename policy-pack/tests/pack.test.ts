import * as assert from "assert";
import * as path from "path";
import { evaluatePack, stackPolicyConfig, StackName } from "./evaluate";
import { FixtureResource } from "./harness";

/** The program's `lib/program.ts`: runs the real program under Pulumi mocks. */
interface ProgramSupport {
    stackResources(stack: StackName): Promise<FixtureResource[]>;
}

// Loaded at run time so the pack type-checks on its own, without the program next to it.
const programSupport = path.resolve(__dirname, "../../lib/program");

describe("the policy pack over the real program", function () {
    // Evaluating the whole program under mocks takes seconds, not the usual milliseconds.
    this.timeout(60_000);

    for (const stack of ["production1", "staging"] as const) {
        it(`finds no mandatory violation in the ${stack} stack`, async () => {
            const { stackResources } = require(programSupport) as ProgramSupport;
            const findings = await evaluatePack(
                await stackResources(stack),
                stackPolicyConfig(stack),
            );
            for (const finding of findings.filter((f) => f.level === "advisory")) {
                console.log(`      advisory ${finding.policy}: ${finding.message}`);
            }
            const mandatory = findings
                .filter((f) => f.level === "mandatory")
                .map((f) => `${f.policy}: ${f.message}`);
            assert.deepStrictEqual(mandatory, []);
        });
    }
});
