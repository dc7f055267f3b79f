import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ALERTS } from "../../components/monitoring-model";
import { renderRuleGroups } from "../../components/monitoring-rules";
import type { StackName } from "../../lib/program";
import { prometheusDurationMs } from "../../stacks/schema/primitives";
import { checkRules, promtool, testRules, writeRules } from "./promtool";
import { scenarios } from "./scenarios";
import { StackMonitoring, stackArgs, stackMonitoring } from "./stack";

before(function () {
    // Fails (never skips) without promtool: scripts/toolchain/behaviour-tools.sh installs it.
    promtool();
});

for (const stack of ["production1", "staging"] as StackName[]) {
    describe(`the alert rules of ${stack} under promtool`, function () {
        // Evaluating the program under mocks takes seconds.
        this.timeout(120_000);
        let m: StackMonitoring;
        let dir: string;
        before(async () => {
            m = await stackMonitoring(stack);
            dir = writeRules(m.groups);
        });

        it("are the rules rendered from the stack's config", () => {
            assert.deepEqual(m.groups, renderRuleGroups(m.targets, m.thresholds));
        });

        it("pass promtool check rules", () => {
            const rules = m.groups.flatMap((g) => g.rules ?? []).length;
            assert.match(checkRules(dir), new RegExp(`SUCCESS: ${rules} rules found`));
        });

        it("define every alert, and nothing but them", () => {
            const defined = new Set(m.groups.flatMap((g) => (g.rules ?? []).map((r) => r.alert)));
            assert.deepEqual([...defined].sort(), Object.values(ALERTS).sort());
        });

        for (const alert of Object.values(ALERTS)) {
            it(`${alert} fires and stays quiet when it should`, () => {
                const cases = scenarios(m.targets, m.thresholds).filter((s) => s.alert === alert);
                assert.ok(
                    cases.some((s) => s.expect.length > 0),
                    `${alert}: no firing case`,
                );
                assert.ok(
                    cases.some((s) => s.expect.length === 0),
                    `${alert}: no quiet case`,
                );
                assert.equal(testRules(dir, m.groups, cases, `${alert}.test.yml`), "");
            });
        }
    });
}

describe("durations the stack schema admits, under promtool", () => {
    it("the rules rendered at the schema's bounds, in composite units, pass promtool check rules", () => {
        const { targets, thresholds } = stackArgs("production1");
        // Every duration key at a bound or composite: windows 1m and 1d, a `for` 30s or 1h30m15s.
        const windows = new Set(["flappingWindow", "stuckFor", "backlogAgeFor", "failoverWindow"]);
        const bounds = (o: object, prefix: string): object =>
            Object.fromEntries(
                Object.entries(o).map(([k, v], i) => [
                    k,
                    typeof v === "object"
                        ? bounds(v, k)
                        : typeof v !== "string"
                          ? v
                          : windows.has(k) && prefix !== "rollouts"
                            ? i % 2 === 0
                                ? "1m30s"
                                : "1d"
                            : i % 2 === 0
                              ? "30s"
                              : "1h30m15s",
                ]),
            );
        const extreme = bounds(thresholds, "") as typeof thresholds;
        const groups = renderRuleGroups(targets, extreme);
        const dir = writeRules(groups);
        const rules = groups.flatMap((g) => g.rules ?? []).length;
        assert.match(checkRules(dir), new RegExp(`SUCCESS: ${rules} rules found`));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    // The schema's grammar (stacks/schema/primitives.ts) against Prometheus' own parser: a rule
    // whose `for` is the candidate passes promtool exactly when the grammar accepts it.
    const candidates = [
        ...["0", "90s", "1h30m", "2d3h4m5s6ms", "1y2w3d", "250ms", "1w", "5m"],
        ...["1.5h", "5 m", "30m1h", "1h1h", "5M", "-5m", "5", "m", "1h 30m", "1ms1s", "1d1y"],
    ];
    for (const v of candidates) {
        it(`${JSON.stringify(v)}: ${prometheusDurationMs(v) === undefined ? "refused" : "accepted"} by both`, () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-duration-"));
            fs.writeFileSync(
                path.join(dir, "for.yml"),
                `groups:\n  - name: d\n    rules:\n      - alert: Probe\n        expr: up == 0\n        for: ${JSON.stringify(v)}\n`,
            );
            const run = spawnSync(promtool(), ["check", "rules", path.join(dir, "for.yml")], {
                encoding: "utf8",
            });
            fs.rmSync(dir, { recursive: true, force: true });
            assert.equal(
                run.status === 0,
                prometheusDurationMs(v) !== undefined,
                run.stdout + run.stderr,
            );
        });
    }
});
