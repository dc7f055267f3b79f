import * as assert from "assert";
import * as path from "path";
import { committedPolicyConfig, evaluatePack, stackPolicyConfig, StackName } from "./evaluate";
import { FixtureResource } from "./harness";

/** The program's `lib/program.ts`: runs the real program under Pulumi mocks. */
interface ProgramSupport {
    stackResources(stack: StackName): Promise<FixtureResource[]>;
}
/**
 * The program's `test/support/phases.ts`: production1 with its images pinned by digest as a
 * sandbox pins them (its pack refuses tags), as committed or at an adoption phase.
 */
interface PhaseSupport {
    pinnedResources(phase?: "done"): Promise<FixtureResource[]>;
}

// Loaded at run time so the pack type-checks on its own, without the program next to it.
const programSupport = path.resolve(__dirname, "../../lib/program");
const phaseSupport = path.resolve(__dirname, "../../test/support/phases");

/** What a stack renders with the config it is judged by: as committed, or once adopted. */
const cases: { name: string; resources(): Promise<FixtureResource[]>; config(): any }[] = [
    {
        name: "the production1 stack as committed, its images pinned by digest",
        resources: () => (require(phaseSupport) as PhaseSupport).pinnedResources(),
        config: () => committedPolicyConfig("production1"),
    },
    {
        name: "the staging stack as committed",
        resources: () => (require(programSupport) as ProgramSupport).stackResources("staging"),
        config: () => committedPolicyConfig("staging"),
    },
    {
        name: "production1 once its adoption is done, its images pinned by digest",
        resources: () => (require(phaseSupport) as PhaseSupport).pinnedResources("done"),
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

    it("refuses production1 as committed, with its tags: every image the import does not leave live, naming file, key, value and the commands", async () => {
        const program = require(programSupport) as ProgramSupport;
        const config = committedPolicyConfig("production1");
        const findings = (await evaluatePack(await program.stackResources("production1"), config))
            .filter((f) => f.policy === "disallow-divergent-image-pull")
            .map((f) => `${f.level} ${f.message}`);
        const imported: string[] = (config["disallow-divergent-image-pull"] as any).importedLive;
        assert.ok(imported.length > 30, `${imported.length} live Deployments imported`);
        // The Redis tier is created by the import, with the stack file's tags: refused.
        assert.ok(findings.length > 0);
        for (const f of findings) {
            assert.match(f, /^mandatory /);
            assert.match(
                f,
                /Only a digest names one set of bytes: set sapoche-stack:images\.\w+ in Pulumi\.production1\.yaml to "[^"@]+@sha256:<digest>" \(accepted: repository\[:tag\]@sha256:<64 hex digits>\)/,
            );
            assert.match(
                f,
                /crane digest .*docker buildx imagetools inspect .*skopeo inspect docker:\/\//,
            );
            assert.ok(!imported.some((d) => f.includes(`Deployment "${d.split("/")[1]}" `)), f);
        }
        assert.ok(
            findings.some(
                (f) =>
                    f.includes('runs "redis:7.4.2"') && f.includes("sapoche-stack:images.redis in"),
            ),
            findings.join("\n"),
        );
    });
});
