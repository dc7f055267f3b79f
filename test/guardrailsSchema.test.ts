/**
 * Unsafe-but-valid config the schema refuses (issue 24 item 7): a liveness probe that restarts
 * every pod on one slow answer, and durations Prometheus would reject (the shared primitive the
 * monitoring schema uses).
 */
import { strict as assert } from "assert";
import { problemsAfter } from "./support/config";
import { prometheusDuration, prometheusDurationMs } from "../stacks/schema/primitives";

const Q = "sapoche-stack:queueProcess";

describe("liveness probes that can only kill", () => {
    // prettier-ignore
    const cases: [string, (c: any) => void, string[]][] = [
        ["a 1 s period with one failure", (c) => Object.assign(c.queueProcess.liveness, { periodSeconds: 1, failureThreshold: 1 }), [`${Q}.liveness.periodSeconds: got 1; expected periodSeconds x failureThreshold of at least 10 s (got 1 x 1 = 1 s: the probe would restart every pod on one slow answer)`]],
        ["a 3 s period with Kubernetes' default of 3 failures", (c) => { c.queueProcess.liveness.periodSeconds = 3; delete c.queueProcess.liveness.failureThreshold; }, [`${Q}.liveness.periodSeconds: got 3; expected periodSeconds x failureThreshold of at least 10 s (got 3 x 3 = 9 s: the probe would restart every pod on one slow answer)`]],
    ];
    // Staging: no period floor there, so the window rule speaks alone.
    for (const [what, breakIt, expected] of cases) {
        it(`rejects ${what}`, () => assert.deepEqual(problemsAfter(breakIt, "staging"), expected));
    }

    it("accepts Kubernetes' defaults (10 s x 3)", () => {
        assert.deepEqual(
            problemsAfter((c) => {
                delete c.queueProcess.liveness.periodSeconds;
                delete c.queueProcess.liveness.failureThreshold;
            }),
            [],
        );
    });
});

describe("production1's safety floors", () => {
    // prettier-ignore
    const cases: [string, (c: any) => void, string[]][] = [
        ["minReadySeconds 0 for every queue process", (c) => (c.queueProcess.minReadySeconds = 0), [`${Q}.minReadySeconds: got 0; expected at least 10 in production1 (its safety floor), not 0`]],
        ["a readiness probe every second", (c) => (c.queueProcess.readiness.periodSeconds = 1), [`${Q}.readiness.periodSeconds: got 1; expected at least 5 in production1 (its safety floor), not 1`]],
        ["one workload's minReadySeconds override at 0", (c) => (c.workloads["worker-booking"].probes = { minReadySeconds: 0 }), [`sapoche-stack:workloads.worker-booking.probes.minReadySeconds: got 0; expected at least 10 in production1 (its safety floor), not 0`]],
        ["the scheduler's liveness every 2 s", (c) => (c.scheduler.probes = { liveness: { exec: { command: ["true"] }, periodSeconds: 2, failureThreshold: 10 } }), [`sapoche-stack:scheduler.probes.liveness.periodSeconds: got 2; expected at least 5 in production1 (its safety floor), not 2`]],
    ];
    for (const [what, breakIt, expected] of cases) {
        it(`rejects ${what}`, () => assert.deepEqual(problemsAfter(breakIt), expected));
    }

    it("leaves staging's lower values alone", () => {
        assert.deepEqual(
            problemsAfter((c) => (c.queueProcess.minReadySeconds = 0), "staging"),
            [],
        );
    });
});

describe("Prometheus durations (stacks/schema/primitives.ts)", () => {
    it("reads what model.ParseDuration reads", () => {
        assert.equal(prometheusDurationMs("0"), 0);
        assert.equal(prometheusDurationMs("5m"), 300_000);
        assert.equal(prometheusDurationMs("1h30m"), 5_400_000);
        assert.equal(prometheusDurationMs("1d2h"), 93_600_000);
        assert.equal(prometheusDurationMs("250ms"), 250);
    });

    for (const bad of ["", "5", "1.5m", "30m1h", "5 m", "5M", "1h1h", "-5m", "5min"]) {
        it(`refuses ${JSON.stringify(bad)}, naming what Prometheus accepts`, () => {
            assert.equal(prometheusDurationMs(bad), undefined);
            const result = prometheusDuration().safeParse(bad);
            assert.equal(result.success, false);
            assert.match(
                result.error!.issues[0].message,
                /^a Prometheus duration: integers with units/,
            );
        });
    }

    it("refuses a duration below a floor", () => {
        const result = prometheusDuration(60_000).safeParse("0");
        assert.equal(result.success, false);
        assert.match(result.error!.issues[0].message, /at least 60 s$/);
        assert.equal(prometheusDuration(60_000).safeParse("2m").success, true);
    });
});
