/**
 * `npm run import-live -- --stack <stack> --context <kube-context> [--namespace <ns>] [--dry-run]`
 *
 * Reads the live namespace's Deployments, Services, HorizontalPodAutoscalers and ScaledObjects
 * through `kubectl get -o json` (never a Secret) and writes into `Pulumi.<stack>.yaml` what the
 * inventory lacks, per workload: the main container's command, args, env (Secret and ConfigMap
 * references as references; a literal credential anywhere is refused, below), envFrom, mounts
 * and ports, its probes, the pod's labels, selector, user and volumes, and a KEDA consumer's
 * triggers (scripts/import-live/live-config.ts), and the digest each image key's live pods report
 * (`status.containerStatuses[].imageID`, scripts/import-live/live-images.ts). Numbers (replicas,
 * autoscaler bounds, resources) stay config's decisions and are not touched. Every other line of the stack file, comments
 * included, is kept; the result is validated by the stack schema before it is written.
 *
 * Exit codes: 0 written (or, with --dry-run, would be written), 1 failure or bad live data
 * (nothing written), 2 usage, 3 refused: a field it would copy (env, command, args, probe
 * headers and commands, trigger metadata) holds a literal credential by the shared detector
 * (policy-pack/policies/lib/credentials.ts); each is listed by object and field, masked, and
 * nothing is written until it is a Secret reference in the live namespace; 4 refused: the live
 * pods of one image key report different digests (different bytes under one tag), nothing written.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT, ROOT, readStackConfig, toEngineConfig } from "../../lib/program";
import { ConfigError, parseSettings } from "../../stacks/settings";
import { STACKS, UsageError, flagArg, runMain } from "../lib/cli";
import { liveToConfig, targetsFor } from "./live-config";
import { liveImages } from "./live-images";
import type { LiveImport, LiveObject } from "./live-types";
import { importEdits } from "./live-edits";
import { LiveDataError, parseLiveList } from "./live-schema";
import { applyEdits } from "../../lib/yaml-edit";
import { ACCEPTED } from "../../stacks/schema/credentials";

const USAGE =
    "npm run import-live -- --stack <stack> --context <kube-context> [--namespace <ns>] [--dry-run]";

/** What is read from the cluster; Secrets are not, ever (pods: only for the digests they run). */
export const KINDS = [
    "deployments.apps",
    "pods",
    "services",
    "horizontalpodautoscalers.autoscaling",
    "scaledobjects.keda.sh",
] as const;

/** `kubectl get <kind> -o json` in the namespace; KEDA's kind may be missing from a cluster. */
function kubectlGet(
    kind: (typeof KINDS)[number],
    context: string,
    namespace: string,
): LiveObject[] {
    if (/secret/i.test(kind)) throw new Error("import-live never reads Secrets");
    const r = spawnSync(
        "kubectl",
        ["--context", context, "--namespace", namespace, "get", kind, "--output", "json"],
        { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    if (r.error) throw new Error(`kubectl: ${r.error.message}`);
    if (r.status !== 0) {
        if (kind === "scaledobjects.keda.sh" && /doesn't have a resource type/.test(r.stderr)) {
            return [];
        }
        throw new Error(`kubectl get ${kind} failed: ${r.stderr.trim()}`);
    }
    const kindName = (
        {
            "deployments.apps": "Deployment",
            pods: "Pod",
            services: "Service",
            "horizontalpodautoscalers.autoscaling": "HorizontalPodAutoscaler",
            "scaledobjects.keda.sh": "ScaledObject",
        } as const
    )[kind];
    return parseLiveList(r.stdout, kind, kindName);
}

/** Reads the live objects of a namespace through a kube context. */
export function readLive(context: string, namespace: string): LiveObject[] {
    return KINDS.flatMap((k) => kubectlGet(k, context, namespace));
}

/** The stack file's text after importing `live`, validated; throws ConfigError when invalid. */
export function importedText(
    stack: string,
    text: string,
    live: LiveImport,
    provenance: string,
    images: Readonly<Record<string, string>> = {},
): string {
    const out = applyEdits(text, [
        ...importEdits(live, readStackConfig(stack, text), provenance),
        ...Object.entries(images).map(([key, value]) => ({
            path: ["config", `${PROJECT}:images`, key],
            value,
        })),
    ]);
    const raw = Object.fromEntries(
        Object.entries(toEngineConfig(readStackConfig(stack, out))).map(([k, v]) => [
            k.slice(PROJECT.length + 1),
            v,
        ]),
    );
    parseSettings(raw, PROJECT, `Pulumi.${stack}.yaml`);
    return out;
}

function report(live: LiveImport): void {
    for (const n of live.notes) console.log(`note: ${n}`);
    for (const d of live.dropped) {
        console.error(
            `REFUSED: Deployment ${d.workload} ${d.where}${d.name ? ` ${d.name}` : ""} holds ${d.kind} ` +
                `(${JSON.stringify(d.redacted)}); accepted: ${ACCEPTED}.`,
        );
    }
}

function diff(before: string, after: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-live-"));
    const [a, b] = [path.join(dir, "before.yaml"), path.join(dir, "after.yaml")];
    fs.writeFileSync(a, before);
    fs.writeFileSync(b, after);
    const r = spawnSync("diff", ["-u", "--label", "stack file", "--label", "after import", a, b], {
        encoding: "utf8",
    });
    fs.rmSync(dir, { recursive: true, force: true });
    return r.stdout;
}

async function main(argv: string[]): Promise<number> {
    const stack = flagArg(argv, "--stack");
    const context = flagArg(argv, "--context");
    const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
    // Any stack with a stack file (production1, staging, or a stack of the e2e suite).
    if (!stack || !/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(file) || !context) {
        throw new UsageError(
            `usage: ${USAGE}\n  <stack>: a stack file's, e.g. ${STACKS.join(", ")}`,
        );
    }
    const text = fs.readFileSync(file, "utf8");
    const config = readStackConfig(stack, text);
    const namespace = flagArg(argv, "--namespace") ?? String(config[`${PROJECT}:namespace`]);
    const environment = String(config[`${PROJECT}:environment`]);
    let live: LiveImport;
    let objects: LiveObject[];
    try {
        objects = readLive(context, namespace);
        live = liveToConfig(objects, environment);
    } catch (e) {
        if (!(e instanceof LiveDataError)) throw e;
        console.error(`import-live: bad live data; nothing was written.\n${e.message}`);
        return 1;
    }
    if (live.dropped.length > 0) {
        // A credential is never written: the operator moves it to a Secret, then imports again.
        report(live);
        console.error(
            `import-live: ${live.dropped.length} literal credential(s) in the live namespace ` +
                `(listed above, masked); ${path.basename(file)} was not written. Move each into a ` +
                `Secret and reference it (docs/operations/adoption.md), then run import-live again.`,
        );
        return 3;
    }
    const deployments = new Map(
        objects.filter((o) => o.kind === "Deployment").map((d) => [d.metadata.name, d]),
    );
    const pods = objects.filter((o) => o.kind === "Pod");
    const current = (config[`${PROJECT}:images`] ?? {}) as Record<string, string>;
    const digests = liveImages(targetsFor(environment), deployments, pods, current);
    for (const n of digests.notes) console.log(`note: ${n}`);
    if (digests.refused.length > 0) {
        for (const r of digests.refused) console.error(`REFUSED: ${r}`);
        console.error(`import-live: ${path.basename(file)} was not written.`);
        return 4;
    }
    const day = new Date().toISOString().slice(0, 10);
    let out: string;
    try {
        out = importedText(
            stack,
            text,
            live,
            `--context ${context}, namespace ${namespace}, ${day}`,
            digests.images,
        );
    } catch (e) {
        report(live);
        if (e instanceof ConfigError) {
            console.error(
                `import-live: the imported config would be invalid; nothing was written.\n${e.message}`,
            );
            return 1;
        }
        throw e;
    }
    report(live);
    if (argv.includes("--dry-run")) {
        process.stdout.write(diff(text, out));
        console.log(`import-live: dry run, ${path.basename(file)} not written.`);
    } else {
        fs.writeFileSync(file, out);
        console.log(
            `import-live: ${live.entries.length} workloads of ${namespace} written to ${path.basename(file)}; ` +
                `review the diff and run a preview before committing.`,
        );
    }
    return 0;
}

if (require.main === module) runMain(main);
