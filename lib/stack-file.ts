/**
 * The stack files (`Pulumi.<stack>.yaml`): the one reader every tool and test uses, so they all
 * see what the Pulumi CLI sees.
 *
 * YAML 1.2's core schema, as the CLI reads stack files: no timestamps (an unquoted 2027-02-26
 * stays a string instead of becoming a Date that no real preview would see), no YAML 1.1 words
 * (`yes` stays a string).
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..");

/** A stack file's document: its `config:` map (keys with the project prefix) and the rest. */
export interface StackFile {
    readonly config: Record<string, unknown>;
    readonly [key: string]: unknown;
}

/** Where a stack's file is: `<dir>/Pulumi.<stack>.yaml`. */
export function stackFilePath(stack: string, dir = ROOT): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Any YAML document of a stack file, parsed with the CLI's schema (for editors that compare). */
export function loadStackYaml(text: string): unknown {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA });
}

/**
 * A stack file's text as a document. A file without `config:` has no config (as for the CLI);
 * anything but a mapping there is refused, naming the file.
 */
export function parseStackFile(text: string, file = "the stack file"): StackFile {
    const doc = loadStackYaml(text) ?? {};
    if (typeof doc !== "object" || Array.isArray(doc)) {
        throw new Error(
            `${file}: expected a mapping with a \`config:\` map, got ${JSON.stringify(doc)}`,
        );
    }
    const config = (doc as { config?: unknown }).config ?? {};
    if (typeof config !== "object" || Array.isArray(config) || config === null) {
        throw new Error(
            `${file}: config: expected a mapping of keys (\`sapoche-stack:<key>\`) to values, got ${JSON.stringify(config)}`,
        );
    }
    return { ...(doc as object), config: config as Record<string, unknown> };
}

/** A stack's file in `dir` (default: this checkout), parsed. */
export function readStackFile(stack: string, dir = ROOT): StackFile {
    const file = stackFilePath(stack, dir);
    return parseStackFile(
        fs.readFileSync(file, "utf8"),
        path.relative(process.cwd(), file) || file,
    );
}
