import * as assert from "assert";
import * as path from "path";
import { committedPolicyConfig, evaluatePack, stackPolicyConfig, StackName } from "./evaluate";
import { FixtureResource } from "./harness";

/** The program's `lib/program.ts`: runs the real program under Pulumi mocks. */
interface ProgramSupport {
    stackResources(stack: StackName): Promise<FixtureResource[]>;
}
/** The program's `test/support/phases.ts`: production1 at each adoption phase. */
interface PhaseSupport {
    phaseResources(phase: "done"): Promise<FixtureResource[]>;
}

// Loaded at run time so the pack type-checks on its own, without the program next to it.
const programSupport = path.resolve(__dirname, "../../lib/program");
const phaseSupport = path.resolve(__dirname, "../../test/support/phases");

/** What a stack renders with the config it is judged by: as committed, or once adopted. */
const cases: { name: string; resources(): Promise<FixtureResource[]>; config(): any }[] = [
    ...(["production1", "staging"] as const).map((stack) => ({
        name: `the ${stack} stack as committed`,
        resources: () => (require(programSupport) as ProgramSupport).stackResources(stack),
        config: () => committedPolicyConfig(stack),
    })),
    {
        name: "production1 once its adoption is done",
        resources: () => (require(phaseSupport) as PhaseSupport).phaseResources("done"),
        config: () => stackPolicyConfig("production1"),
    },
];

describe("the policy pack over the real program", function () {
    // Evaluating the whole program under mocks takes seconds, not the usual milliseconds.
    this.timeout(60_000);

    for (const c of cases) {
        it(`finds no mandatory violation in ${c.name}`, async () => {
            const findings = await evaluatePack(await c.resources(), c.config());
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
