/**
 * `npm run render -- <stack> [--out <dir>] [--promotion-source <outputs.json>]`
 *
 * Writes every Kubernetes object the stack's program registers as plain YAML, one file per
 * object, for review, `kubectl diff -f <dir>` and GitOps consumers. No cluster, no state, no
 * credentials: the program runs under Pulumi mocks (see docs/operations/releases.md, "Reviewing a change", for why this
 * and not the provider's `renderYamlToDirectory`).
 *
 * Output (default `.local/render/<stack>/`, git-ignored; replaced on each run):
 *   <kind>[.<group>]--<name>.yaml   one object each; the name depends only on the object
 *   kustomization.yaml              every file in apply order (namespace first, autoscalers last)
 *   promotion-gate.txt              whether production1's promotion gate accepted the images
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { flagArg, stackArg, runMain } from "../lib/cli";
import { evaluateObjects, Evaluated, K8sObject, readOutputs, ROOT } from "./lib/objects";

const USAGE = "npm run render -- <stack> [--out <dir>] [--promotion-source <outputs.json>]";

/** The file name of an object: stable across runs and independent of the other objects. */
export function fileName(o: K8sObject): string {
    const group = o.apiVersion.includes("/") ? `.${o.apiVersion.split("/")[0]}` : "";
    return `${o.kind.toLowerCase()}${group}--${o.metadata.name}.yaml`;
}

/** Kinds whose values must never be written out in plain text. */
const REDACTED_KINDS = new Set(["Secret"]);

/**
 * The object as YAML: keys sorted (stable diffs), no anchors, no line folding. Secret values
 * are replaced: mocks resolve `pulumi.secret` values to plain text, and a rendered file is
 * uploaded as a build artifact.
 */
export function toYaml(o: K8sObject): string {
    let doc: Record<string, unknown> = { ...o };
    if (REDACTED_KINDS.has(o.kind)) {
        for (const field of ["data", "stringData"]) {
            const values = doc[field] as Record<string, unknown> | undefined;
            if (values) {
                doc = {
                    ...doc,
                    [field]: Object.fromEntries(Object.keys(values).map((k) => [k, "<redacted>"])),
                };
            }
        }
    }
    return yaml.dump(doc, { sortKeys: true, noRefs: true, lineWidth: -1 });
}

/** The promotion gate's answer, for reviewers. */
export function gateReport(e: Evaluated): string {
    const { gate } = e;
    if (!gate.refused) {
        return `promotion gate of ${e.stack}: accepted (assuming ${gate.assumed}).\n`;
    }
    return (
        `promotion gate of ${e.stack}: REFUSED (assuming ${gate.assumed}).\n` +
        `The objects in this folder are what ${e.stack} would register once the gate accepts.\n\n` +
        `${gate.message}\n`
    );
}

/** Writes the objects into `dir` (emptied first, so a removed object leaves no stale file). */
export function writeRendered(e: Evaluated, dir: string): string[] {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const files = e.objects.map(fileName);
    const duplicate = files.find((f, i) => files.indexOf(f) !== i);
    if (duplicate) throw new Error(`two objects render to the same file ${duplicate}`);
    e.objects.forEach((o, i) => fs.writeFileSync(path.join(dir, files[i]), toYaml(o)));
    fs.writeFileSync(
        path.join(dir, "kustomization.yaml"),
        yaml.dump({
            apiVersion: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources: files,
        }),
    );
    fs.writeFileSync(path.join(dir, "promotion-gate.txt"), gateReport(e));
    return files;
}

async function main(argv: string[]): Promise<number> {
    const stack = stackArg(argv, USAGE);
    const dir = path.resolve(flagArg(argv, "--out") ?? path.join(ROOT, ".local", "render", stack));
    const source = flagArg(argv, "--promotion-source");
    const evaluated = await evaluateObjects(stack, source ? readOutputs(source) : undefined);
    const files = writeRendered(evaluated, dir);
    console.log(
        `render: ${files.length} objects of ${stack} in ${path.relative(process.cwd(), dir) || "."}`,
    );
    process.stdout.write(gateReport(evaluated));
    return 0;
}

if (require.main === module) runMain(main);
