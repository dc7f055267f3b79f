import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readLanes } from "../scripts/cluster/e2e-lanes";

/** A checkout with only the two files readLanes reads. */
function checkout(spec: string[], lanes: Record<string, string[]>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lanes-"));
    fs.mkdirSync(path.join(dir, "test", "e2e"), { recursive: true });
    fs.writeFileSync(path.join(dir, ".mocharc.e2e.json"), JSON.stringify({ spec }));
    fs.writeFileSync(path.join(dir, "test/e2e/lanes.json"), JSON.stringify({ lanes }));
    return dir;
}

describe("the e2e lanes (scripts/cluster/e2e-lanes.ts)", () => {
    it("runs every file of the suite exactly once, in the committed lanes", () => {
        const spec: string[] = JSON.parse(fs.readFileSync(".mocharc.e2e.json", "utf8")).spec;
        const files = readLanes().flatMap((l) => l.files);
        assert.deepEqual([...files].sort(), [...spec].sort());
    });

    it("refuses a suite file that is in no lane, naming it", () => {
        const dir = checkout(["a.e2e.ts", "b.e2e.ts"], { one: ["a.e2e.ts"] });
        assert.throws(
            () => readLanes(dir),
            /b\.e2e\.ts of \.mocharc\.e2e\.json's spec is in no lane/,
        );
    });

    it("refuses a file in two lanes, naming both", () => {
        const dir = checkout(["a.e2e.ts"], { one: ["a.e2e.ts"], two: ["a.e2e.ts"] });
        assert.throws(() => readLanes(dir), /a\.e2e\.ts is in lanes\.one and lanes\.two/);
    });

    it("refuses a lane file that is not in the suite, listing what is", () => {
        const dir = checkout(["a.e2e.ts"], { one: ["a.e2e.ts", "gone.e2e.ts"] });
        assert.throws(
            () => readLanes(dir),
            /lanes\.one lists gone\.e2e\.ts.*only the suite's files: a\.e2e\.ts/,
        );
    });
});
