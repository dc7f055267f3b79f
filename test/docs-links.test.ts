/**
 * Every relative link of the repository's Markdown reaches a file, and every `#anchor` a heading
 * of that file (GitHub's slugs): the README and docs/ cross-reference each other, and the alerts'
 * runbook links land in docs/runbooks/.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../lib/program";

function markdownFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (["node_modules", ".git", ".local", "fixtures"].includes(e.name)) return [];
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return markdownFiles(p);
        return e.name.endsWith(".md") ? [p] : [];
    });
}

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[`*_]/g, "")
        .replace(/[^\p{L}\p{N} -]/gu, "")
        .replace(/ /g, "-");
}

function anchors(file: string): Set<string> {
    const text = fs.readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    return new Set([...text.matchAll(/^#{1,6} +(.+)$/gm)].map((m) => slug(m[1])));
}

describe("links between the repository's documents", () => {
    it("every relative link reaches a file, and every anchor a heading", () => {
        const broken: string[] = [];
        for (const file of markdownFiles(ROOT)) {
            const text = fs.readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
            for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                const target = m[1];
                if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
                const [rel, anchor] = target.split("#");
                const to = rel === "" ? file : path.resolve(path.dirname(file), rel);
                const where = `${path.relative(ROOT, file)} -> ${target}`;
                if (!fs.existsSync(to)) broken.push(`${where}: no such file`);
                else if (anchor && to.endsWith(".md") && !anchors(to).has(anchor)) {
                    broken.push(`${where}: no heading #${anchor}`);
                }
            }
        }
        assert.deepEqual(broken, []);
    });
});
