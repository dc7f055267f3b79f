import { strict as assert } from "assert";
import { ALERTS } from "../../components/monitoring-model";
import { renderRuleGroups } from "../../components/monitoring-rules";
import type { StackName } from "../../lib/program";
import { checkRules, promtool, testRules, writeRules } from "./promtool";
import { scenarios } from "./scenarios";
import { StackMonitoring, stackMonitoring } from "./stack";

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
