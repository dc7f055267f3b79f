import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ALERTS } from "../../components/monitoring-model";
import { stackMonitoring } from "./stack";

const RUNBOOKS = path.join(__dirname, "..", "..", "docs", "runbooks");

describe("the runbooks of the alerts", function () {
    this.timeout(120_000);

    it("has one page per alert under docs/runbooks, titled with its name, and no page without an alert", () => {
        const pages = fs.readdirSync(RUNBOOKS).filter((f) => f.endsWith(".md"));
        assert.deepEqual(
            pages.sort(),
            Object.values(ALERTS)
                .map((a) => `${a}.md`)
                .sort(),
        );
        for (const alert of Object.values(ALERTS)) {
            const text = fs.readFileSync(path.join(RUNBOOKS, `${alert}.md`), "utf8");
            assert.match(text, new RegExp(`^# ${alert}\\n`), alert);
            assert.match(text, /## What to do\n\n\S/, alert);
        }
    });

    for (const stack of ["production1", "staging"] as const) {
        it(`links every rule of ${stack} to its page in the repository's docs/runbooks on the forge`, async () => {
            const m = await stackMonitoring(stack);
            assert.equal(
                m.targets.runbookBaseUrl,
                "https://github.com/sapoche/sapoche-stack/blob/main/docs/runbooks",
            );
            const rules = m.groups.flatMap((g) => g.rules ?? []);
            assert.ok(rules.length > Object.values(ALERTS).length);
            for (const r of rules) {
                const url = String(r.annotations?.runbook_url);
                assert.equal(url, `${m.targets.runbookBaseUrl}/${r.alert}.md`);
                const page = path.join(RUNBOOKS, path.basename(url));
                assert.ok(fs.existsSync(page), `${r.alert}: ${page} is missing`);
            }
        });
    }
});
