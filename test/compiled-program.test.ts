/**
 * The scripts run the program compiled by scripts/lib/compiled-program.sh (transpile only, no
 * import resolution), so a source file the program imports from outside the compiled folders
 * would only fail when the engine loads it. Every relative require of the compiled output must
 * name a file the build wrote.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../lib/program";

function jsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? jsFiles(p) : p.endsWith(".js") ? [p] : [];
    });
}

describe("the compiled program", function () {
    this.timeout(300_000);

    it("resolves every relative import to a file the build wrote", () => {
        const out = execFileSync("bash", [path.join(ROOT, "scripts/lib/compiled-program.sh")], {
            cwd: ROOT,
            encoding: "utf8",
        }).trim();
        const files = jsFiles(out);
        assert.ok(
            files.some((f) => f.endsWith(`${path.sep}index.js`)),
            `no index.js in ${out}`,
        );
        const unresolved: string[] = [];
        for (const file of files) {
            const source = fs.readFileSync(file, "utf8");
            for (const [, spec] of source.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
                const target = path.resolve(path.dirname(file), spec);
                const found = [target, `${target}.js`, path.join(target, "index.js")].some(
                    (t) => fs.existsSync(t) && fs.statSync(t).isFile(),
                );
                if (!found) unresolved.push(`${path.relative(out, file)}: ${spec}`);
            }
        }
        assert.deepEqual(unresolved, [], "imports outside tsconfig.program.json's include");
    });
});
