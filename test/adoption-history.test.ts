/**
 * Adoption phases move forward one release at a time, from the stack's recorded history
 * (stacks/adoption-history.ts): the decision on its own, then the program under mocks, which reads
 * its own `adoption` output and refuses before registering anything.
 */
import { strict as assert } from "assert";
import { evaluateOutputs, evaluateProgram, PROJECT, stagingRanItsConfig } from "../lib/program";
import { ADOPTION_PHASES, AdoptionPhase } from "../stacks/adoption-phases";
import {
    AdoptionRecord,
    Decision,
    decideStep,
    parseRecord,
    Step,
} from "../stacks/adoption-history";
import { phaseConfig, releasedBefore } from "./support/phases";

const FILE = "Pulumi.production1.yaml";
const record = (phase: AdoptionPhase, imported = true): AdoptionRecord => ({
    phase,
    imported,
    traffic: {},
});
const step = (phase: AdoptionPhase, rest: Partial<Step> = {}): Step => ({
    phase,
    history: { deployedBefore: false },
    stackFile: FILE,
    namespace: "sapoche",
    ...rest,
});
const after = (from: AdoptionPhase, imported = true) => ({
    history: { record: record(from, imported), deployedBefore: true },
});

function refused(d: Decision): string {
    assert.ok("refused" in d, `expected a refusal, got ${JSON.stringify(d)}`);
    return d.refused;
}
function allowed(d: Decision) {
    assert.ok(!("refused" in d), `expected the step to be allowed, got ${JSON.stringify(d)}`);
    return d;
}

describe("adoption phase history: the decision", () => {
    it("allows each phase after the one before it, and the same phase again", async () => {
        for (let i = 1; i < ADOPTION_PHASES.length; i++) {
            const [from, to] = [ADOPTION_PHASES[i - 1], ADOPTION_PHASES[i]];
            assert.equal(allowed(await decideStep(step(to, after(from)))).imported, true);
            allowed(await decideStep(step(from, after(from))));
        }
    });

    it("refuses every jump over a phase, naming the phase to release next and the skipped ones", async () => {
        for (let i = 0; i < ADOPTION_PHASES.length; i++) {
            for (let j = i + 2; j < ADOPTION_PHASES.length; j++) {
                const [from, to] = [ADOPTION_PHASES[i], ADOPTION_PHASES[j]];
                const m = refused(await decideStep(step(to, after(from))));
                assert.match(m, new RegExp(`the last released phase is ${from}`));
                const next = ADOPTION_PHASES[i + 1];
                assert.match(
                    m,
                    new RegExp(
                        `The phase to release next is ${next}: set sapoche-stack:adoption.phase to ${next} in ${FILE}`,
                    ),
                );
                assert.match(
                    m,
                    new RegExp(`so ${ADOPTION_PHASES.slice(i + 1, j).join(", ")} would be skipped`),
                );
            }
        }
    });

    it("refuses a step back unless SAPOCHE_ADOPTION_ROLLBACK names the phase released", async () => {
        const m = refused(await decideStep(step("reshape", after("services"))));
        assert.match(m, /that is a step back/);
        assert.match(m, /SAPOCHE_ADOPTION_ROLLBACK=reshape/);
        assert.match(m, /the phase to release next is redis-moved/);
        // Naming another phase is no licence for this one.
        refused(await decideStep(step("reshape", { ...after("services"), rollbackTo: "import" })));
        const back = allowed(
            await decideStep(step("reshape", { ...after("services"), rollbackTo: "reshape" })),
        );
        assert.equal(back.rollback, true);
        assert.match(back.notice ?? "", /going back from services to reshape/);
        assert.match(
            refused(
                await decideStep(step("reshape", { ...after("services"), rollbackTo: "later" })),
            ),
            /SAPOCHE_ADOPTION_ROLLBACK=later names no phase; .* one of import, reshape/,
        );
    });

    it("refuses enforce and done without a released import, naming import", async () => {
        // A stack that started at done (nothing live) has never imported.
        const m = refused(
            await decideStep(step("enforce", { ...after("done", false), rollbackTo: "enforce" })),
        );
        assert.match(m, /never released import/);
        assert.match(m, /The phase to release next is import/);
        for (const phase of ["enforce", "reshape", "services", "redis-moved"] as const) {
            const first = refused(await decideStep(step(phase)));
            assert.match(first, /has released no phase yet: the adoption starts with import/);
            assert.match(first, /The phase to release next is import/);
        }
        // A corrupted record that claims redis-moved without import cannot reach enforce.
        assert.match(
            refused(await decideStep(step("enforce", after("redis-moved", false)))),
            /never released import/,
        );
    });

    it("starts a new stack at done only when its namespace holds nothing to adopt, and says so", async () => {
        const fresh = allowed(await decideStep(step("done", { unadopted: async () => [] })));
        assert.equal(fresh.imported, false);
        assert.match(
            fresh.notice ?? "",
            /a new stack starts at done: namespace sapoche holds no Deployment or Service that this program did not write/,
        );
        const live = ["Deployment/consumer-dicom", "Service/redis-sp"];
        const m = refused(await decideStep(step("done", { unadopted: async () => live })));
        assert.match(
            m,
            /holds 2 object\(s\) this program did not write \(Deployment\/consumer-dicom, Service\/redis-sp\)/,
        );
        assert.match(m, /The phase to release next is import/);
        // `import` needs no read: it is always the first phase.
        let read = false;
        const unadopted = async () => ((read = true), live);
        allowed(await decideStep(step("import", { unadopted })));
        assert.equal(read, false);
        // Released before records existed: its objects are its own.
        const legacy = allowed(
            await decideStep(step("done", { history: { deployedBefore: true }, unadopted })),
        );
        assert.match(legacy.notice ?? "", /released before phases were recorded/);
        assert.equal(read, false);
    });

    it("refuses a malformed record, saying what it expects", () => {
        assert.equal(parseRecord(undefined, FILE), undefined);
        assert.deepEqual(parseRecord(record("reshape"), FILE), record("reshape"));
        for (const bad of [
            "done",
            { phase: "later", imported: true, traffic: {} },
            { phase: "done" },
        ]) {
            assert.throws(
                () => parseRecord(bad, FILE),
                /expected \{ phase: one of import, .*imported: boolean/,
            );
        }
    });
});

describe("adoption phase history: the program refuses before registering anything", function () {
    // Each case evaluates the whole program under mocks: seconds, not milliseconds.
    this.timeout(300_000);
    const own = (outputs: Record<string, unknown>) => ({
        stackOutputs: {
            ...stagingRanItsConfig(),
            [`organization/${PROJECT}/production1`]: outputs,
        },
    });

    it("refuses a jump on production1 (recorded import, stack file services)", async () => {
        await assert.rejects(
            evaluateProgram(
                "production1",
                phaseConfig("services"),
                own(releasedBefore("reshape")[`organization/${PROJECT}/production1`]),
            ),
            /adoption.phase is services, but the last released phase is import: .*The phase to release next is reshape/,
        );
    });

    it("refuses done on a new stack whose namespace holds live objects", async () => {
        await assert.rejects(
            evaluateProgram("production1", phaseConfig("done"), {
                unadopted: ["Deployment/consumer-dicom"],
            }),
            /holds 1 object\(s\) this program did not write \(Deployment\/consumer-dicom\).*The phase to release next is import/,
        );
    });

    it("records the released phase, whether import was released, and the traffic fields", async () => {
        const outputs = await evaluateOutputs("production1", phaseConfig("import"), own({}));
        const adoption = outputs.adoption as AdoptionRecord;
        assert.equal(adoption.phase, "import");
        assert.equal(adoption.imported, true);
        assert.equal(Object.keys(adoption.traffic.serviceSpec ?? {}).length, 7);
        assert.equal(Object.keys(adoption.traffic.podLabels ?? {}).length, 38);
        assert.equal(adoption.traffic.legacyTarget, "redis-legacy.sapoche.svc.cluster.local");
        const staging = await evaluateOutputs("staging");
        assert.deepEqual(
            { ...(staging.adoption as AdoptionRecord), traffic: undefined },
            { phase: "done", imported: false, traffic: undefined },
        );
    });
});
