/**
 * Sets keys of a block-style YAML file (a Pulumi stack file) in place, keeping every other line,
 * comments included: the value of each edited key is rewritten, nothing else is touched. A
 * comment directly above an edited key describes its old value and goes with it; an edit may
 * bring comments of its own.
 *
 * The project has no comment-preserving YAML library (`yaml` is not a dependency), so this works
 * on lines, for the files this project writes (two-space indentation, block mappings). It proves
 * each result: the edited text must parse to exactly the old document with the edits applied,
 * or `applyEdits` throws and the caller writes nothing.
 */
import { isDeepStrictEqual } from "util";
import * as yaml from "js-yaml";
import { loadStackYaml } from "./stack-file";

/** Set `path` to `value` (creating missing mappings), or remove it (`value` undefined). */
export interface Edit {
    readonly path: readonly string[];
    readonly value: unknown;
    /** Comment lines (without `#`) written directly above the key. @default none */
    readonly comments?: readonly string[];
}

const isContent = (line: string) => line.trim() !== "" && !line.trimStart().startsWith("#");
const indentOf = (line: string) => line.length - line.trimStart().length;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The line of `key` at exactly `indent` among lines [start, end), or -1. */
function findKey(lines: string[], start: number, end: number, indent: number, key: string): number {
    const spelled = [key, `"${key}"`, `'${key}'`].map(escape).join("|");
    const re = new RegExp(`^ {${indent}}(?:${spelled}):(\\s|$)`);
    for (let i = start; i < end; i++) if (re.test(lines[i])) return i;
    return -1;
}

/** One past the last content line of the block that starts with the key at line `i`. */
function blockEnd(lines: string[], i: number, end: number): number {
    const indent = indentOf(lines[i]);
    let last = i;
    for (let j = i + 1; j < end; j++) {
        if (!isContent(lines[j])) continue;
        const ind = indentOf(lines[j]);
        // A sequence may sit at its key's own indentation.
        if (ind < indent || (ind === indent && !lines[j].trimStart().startsWith("- "))) break;
        last = j;
    }
    return last + 1;
}

/** The indentation of the first content line in [start, end), if any. */
function childIndent(lines: string[], start: number, end: number): number | undefined {
    for (let i = start; i < end; i++) if (isContent(lines[i])) return indentOf(lines[i]);
    return undefined;
}

function render(
    key: string,
    value: unknown,
    indent: number,
    comments: readonly string[],
): string[] {
    const pad = " ".repeat(indent);
    const text = yaml.dump({ [key]: value }, { lineWidth: -1, noRefs: true, indent: 2 });
    return [
        ...comments.map((c) => `${pad}# ${c}`),
        ...text
            .replace(/\n$/, "")
            .split("\n")
            .map((l) => pad + l),
    ];
}

function nest(path: readonly string[], value: unknown): unknown {
    return path.reduceRight((v, k) => ({ [k]: v }), value);
}

function applyOne(lines: string[], edit: Edit): string[] {
    let start = 0;
    let end = lines.length;
    let indent = 0;
    for (let d = 0; d < edit.path.length; d++) {
        const key = edit.path[d];
        if (d > 0) indent = childIndent(lines, start, end) ?? indent + 2;
        const i = findKey(lines, start, end, indent, key);
        const last = d === edit.path.length - 1;
        if (i < 0) {
            if (edit.value === undefined) return lines; // nothing to remove
            const value = nest(edit.path.slice(d + 1), edit.value);
            const out = render(key, value, indent, last ? (edit.comments ?? []) : []);
            // After the parent's last content line, so comments heading the next key stay with it.
            let at = end;
            while (at > start && !isContent(lines[at - 1])) at--;
            return [...lines.slice(0, at), ...out, ...lines.slice(at)];
        }
        const stop = blockEnd(lines, i, end);
        if (last) {
            let from = i;
            while (
                from > start &&
                lines[from - 1].trimStart().startsWith("#") &&
                indentOf(lines[from - 1]) === indent
            ) {
                from--;
            }
            const out =
                edit.value === undefined
                    ? []
                    : render(key, edit.value, indent, edit.comments ?? []);
            return [...lines.slice(0, from), ...out, ...lines.slice(stop)];
        }
        start = i + 1;
        end = stop;
    }
    return lines;
}

/** What the document is after the edits, computed on the parsed document (the proof's answer). */
export function editedDocument(doc: unknown, edits: readonly Edit[]): unknown {
    const root = JSON.parse(JSON.stringify(doc ?? {}));
    for (const e of edits) {
        let node = root;
        for (const k of e.path.slice(0, -1)) {
            if (node[k] === null || typeof node[k] !== "object") node[k] = {};
            node = node[k];
        }
        const leaf = e.path[e.path.length - 1];
        if (e.value === undefined) delete node[leaf];
        else node[leaf] = JSON.parse(JSON.stringify(e.value));
    }
    return root;
}

const load = loadStackYaml;

/**
 * The text with every edit applied, comments and untouched lines kept. Throws when the result
 * does not parse to the expected document (the file is then left for a human).
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
    let lines = text.split("\n");
    for (const e of edits) lines = applyOne(lines, e);
    const out = lines.join("\n");
    const expected = editedDocument(load(text), edits);
    let read: unknown;
    try {
        read = JSON.parse(JSON.stringify(load(out)));
    } catch {
        read = undefined;
    }
    if (!isDeepStrictEqual(read, expected)) {
        throw new Error(
            "could not edit the stack file safely (the edited text does not read back as intended); nothing was written",
        );
    }
    return out;
}
