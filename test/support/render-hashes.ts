/**
 * `node -r ts-node/register/transpile-only test/support/render-hashes.ts`
 *
 * Proof that a refactoring changed no behaviour (issue 23): a SHA-256 per evaluation of the
 * program under mocks, for both stacks as committed and for each stack at every adoption phase.
 * `objects` hashes the rendered YAML (what `npm run render` writes, in its order); `urns`
 * hashes every registration's type, logical name, parent, aliases and resource options (a
 * change there is a delete and a create in the engine); `inputs` hashes every registration's
 * inputs, components and stack references included; `order` is the registration order (the order
 * of a preview's steps, which a builder may change without changing any resource). Run it before and after: the lines must be
 * equal.
 */
import * as crypto from "crypto";
import { RegisteredResource } from "../../lib/mocks";
import { evaluateProgram, StackName } from "../../lib/program";
import { toObjects } from "../../scripts/review/lib/objects";
import { toYaml } from "../../scripts/review/render";
import { ADOPTION_PHASES, phaseConfig } from "./phases";

const sha = (text: string) => crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);

/** JSON with object keys sorted, so a hash depends on values, never on insertion order. */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (v && typeof v === "object") {
        const entries = Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
    }
    return JSON.stringify(v) ?? "null";
}

function identity(r: RegisteredResource): string {
    const { type, name, parent, aliases, protect, ignoreChanges, importId, custom } = r;
    return canonical({ type, name, parent, aliases, protect, ignoreChanges, importId, custom });
}

/** The three hashes of one evaluation, and how many resources it registered. */
export function hashes(resources: readonly RegisteredResource[]) {
    const sorted = (lines: string[]) => lines.sort().join("\n");
    return {
        count: resources.length,
        objects: sha(toObjects(resources).map(toYaml).join("---\n")),
        urns: sha(sorted(resources.map(identity))),
        inputs: sha(sorted(resources.map((r) => `${identity(r)} ${canonical(r.props)}`))),
        // Registration order: the order of a preview's steps, not a change to any resource.
        order: sha(resources.map(identity).join("\n")),
    };
}

async function main(): Promise<void> {
    const stacks: StackName[] = ["staging", "production1"];
    console.log(
        "| evaluation | resources | objects | urns | inputs | order |\n|---|---|---|---|---|---|",
    );
    const row = (label: string, h: ReturnType<typeof hashes>) =>
        console.log(
            `| ${label} | ${h.count} | ${h.objects} | ${h.urns} | ${h.inputs} | ${h.order} |`,
        );
    for (const stack of stacks)
        row(`${stack} (as committed)`, hashes(await evaluateProgram(stack)));
    for (const stack of stacks) {
        for (const phase of ADOPTION_PHASES) {
            const resources = await evaluateProgram(stack, phaseConfig(phase, stack));
            row(`${stack} at ${phase}`, hashes(resources));
        }
    }
}

if (require.main === module) {
    main().then(
        () => process.exit(0),
        (e) => {
            console.error(e);
            process.exit(1);
        },
    );
}
