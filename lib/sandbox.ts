/**
 * A sandbox for the real Pulumi CLI: a copy of this checkout (so `stack init` never writes into
 * the committed stack files), a fresh local file backend, and the local control plane's
 * kubeconfig. Needs scripts/toolchain/toolchain.sh's env and scripts/cluster/cluster.sh's cluster
 * (scripts/cluster/with-cluster.sh, which `npm run test:e2e` runs, provides both).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { Run, getJson, kubectl, must, run } from "./run";
import { settledNamespace } from "./wait";
import { readStackFile, stackFilePath } from "./stack-file";
import { bindStackFiles, startAtDone } from "./sandbox-stacks";

export { getJson, kubectl, must, run } from "./run";
export type { Run } from "./run";

export const ROOT = path.resolve(__dirname, "..");

export class Sandbox {
    readonly dir: string;
    readonly work: string;
    readonly state: string;
    readonly env: NodeJS.ProcessEnv;

    constructor(name: string) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `sapoche-${name}-`));
        this.work = path.join(this.dir, "work");
        this.state = path.join(this.dir, "state");
        fs.mkdirSync(this.state);
        copyCheckout(this.work);
        copyBuilds(this.work);
        const kubeconfig = process.env.KUBECONFIG;
        if (!kubeconfig)
            throw new Error("KUBECONFIG is not set: run through scripts/cluster/with-cluster.sh");
        bindStackFiles(this.work, clusterUid());
        startAtDone(this.work);
        this.env = {
            ...process.env,
            PULUMI_BACKEND_URL: `file://${this.state}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            // An automated run, as CI is: release.sh honours --approved only there.
            CI: "true",
            KUBECONFIG: kubeconfig,
        };
    }

    /** A `pulumi` command; the engine's commands run as parallel as the scripts run them. */
    pulumi(
        args: string[],
        opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
    ): Run {
        const parallel = ENGINE_COMMANDS.has(args[0])
            ? ["--parallel", enginesParallel(opts.env)]
            : [];
        return run("pulumi", [...args, ...parallel, "--non-interactive"], {
            cwd: this.work,
            env: { ...this.programEnv(), ...opts.env },
            input: opts.input,
            timeoutMs: opts.timeoutMs,
        });
    }

    /**
     * The sandbox's env with the program compiled ahead of the engine, as the scripts run it
     * (scripts/lib/compiled-program.sh, which recompiles only if a source changed since): for a
     * `pulumi` command a test starts itself. `SAPOCHE_COMPILED_PROGRAM: ""` runs ts-node instead.
     */
    programEnv(): NodeJS.ProcessEnv {
        const build = must(
            run("bash", ["scripts/lib/compiled-program.sh"], { cwd: this.work, env: this.env }),
        );
        return { ...this.env, SAPOCHE_COMPILED_PROGRAM: build.stdout.trim() };
    }

    /** `pulumi stack init` (file backend: organization/sapoche-stack/<stack>). */
    initStack(stack: string, copyConfigFrom?: string): void {
        if (copyConfigFrom) {
            fs.copyFileSync(
                path.join(this.work, `Pulumi.${copyConfigFrom}.yaml`),
                path.join(this.work, `Pulumi.${stack}.yaml`),
            );
        }
        must(this.pulumi(["stack", "init", stack]));
    }

    /** Preview with the policy pack and the stack's policy config, as CI does. */
    preview(stack: string, policyStack: string, extra: string[] = []): Run {
        return this.pulumi([
            "preview",
            "--stack",
            stack,
            ...withPack(policyStack),
            "--diff",
            ...extra,
        ]);
    }

    /**
     * `pulumi up` with the pack; when it succeeds, waits until the stack's namespace has settled
     * (support/wait.ts says why), so the next step never reads a namespace mid-rollout.
     */
    up(stack: string, policyStack: string, extra: string[] = []): Run {
        const r = this.pulumi([
            "up",
            "--stack",
            stack,
            "--yes",
            "--skip-preview",
            ...withPack(policyStack),
            ...extra,
        ]);
        if (r.code === 0) settledNamespace(this.namespaceOf(stack));
        return r;
    }

    /** The namespace a stack deploys to, from the sandbox's stack file. */
    namespaceOf(stack: string): string {
        const { config } = readStackFile(stack, this.work);
        return (config["sapoche-stack:namespace"] as string | undefined) ?? "sapoche";
    }

    /** Edits the sandbox's stack file (keys with the project prefix), keeping everything else. */
    editConfig(stack: string, edit: (config: Record<string, any>) => void): void {
        const doc = readStackFile(stack, this.work);
        edit(doc.config);
        fs.writeFileSync(
            stackFilePath(stack, this.work),
            yaml.dump(doc, { noRefs: true, lineWidth: 120 }),
        );
    }

    /**
     * Moves a stack to a namespace of its own, with its own NodePorts (they are cluster-wide), and
     * points the sandbox's policy config for that stack at the new namespace.
     */
    relocate(stack: string, namespace: string, portShift: number): void {
        const shifted: number[] = [];
        let nodePorts: Record<string, Record<string, number>> = {};
        this.editConfig(stack, (c) => {
            c["sapoche-stack:namespace"] = namespace;
            nodePorts = c["sapoche-stack:nodePorts"];
            for (const ports of Object.values<Record<string, number>>(nodePorts)) {
                for (const name of Object.keys(ports)) {
                    ports[name] = 30000 + ((ports[name] - 30000 + portShift) % 2768);
                    shifted.push(ports[name]);
                }
            }
        });
        // A listed stack's namespace is a constant of the project (stacks/identity.ts): the
        // sandbox's copy of that file moves, as a reviewed change would.
        const identity = path.join(this.work, "stacks", "identity.ts");
        const text = fs.readFileSync(identity, "utf8");
        const entry = new RegExp(`(\\b${stack}:\\s*\\{\\s*namespace:\\s*)"[^"]*"`);
        fs.writeFileSync(identity, text.replace(entry, `$1"${namespace}"`));
        // The pack's node-port contract follows the stack's ports, as scripts/pack-config.ts
        // derives it from the stack file.
        const file = path.join(this.work, "policy-pack", "config", `${stack}.json`);
        const pack = JSON.parse(fs.readFileSync(file, "utf8"));
        pack["enforce-namespace"] = { namespace };
        pack["disallow-service-exposure"] = {
            ...pack["disallow-service-exposure"],
            allowedNodePorts: shifted.sort((a, b) => a - b),
        };
        // So does each catalogued Service's shape (scripts/pack-derived.ts).
        const shapes = pack["enforce-catalogued-service"]?.services ?? {};
        for (const [service, ports] of Object.entries(nodePorts)) {
            for (const port of shapes[service]?.ports ?? []) {
                if (port.name in ports) port.nodePort = ports[port.name];
            }
        }
        fs.writeFileSync(file, JSON.stringify(pack, null, 4));
    }

    /** scripts/delivery/release.sh in the sandbox; stdin is a pipe unless a wrapper gives it a terminal. */
    release(args: string[], opts: { input?: string } = {}): Run {
        const r = run("bash", ["scripts/delivery/release.sh", ...args], {
            cwd: this.work,
            env: this.env,
            input: opts.input ?? "",
        });
        const stack = args[args.indexOf("--stack") + 1];
        const applied = r.code === 0 && !args.includes("--plan-only");
        if (applied && stack) settledNamespace(this.namespaceOf(stack));
        return r;
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/**
 * The pack as the scripts pass it: its executable launcher (precompiled; the only form the CLI
 * 3.274 + Node host 3.68 pair built here can start), or the directory if SAPOCHE_POLICY_PACK says so.
 */
export const POLICY_PACK = process.env.SAPOCHE_POLICY_PACK ?? "policy-pack/analyzer";

/** The policy pack with one stack's policy config. */
function withPack(policyStack: string): string[] {
    return [
        "--policy-pack",
        POLICY_PACK,
        "--policy-pack-config",
        `policy-pack/config/${policyStack}.json`,
    ];
}

const ENGINE_COMMANDS = new Set(["preview", "up", "destroy", "refresh"]);

/** How many operations the engine runs at once, as scripts/lib/engine.sh sets it for the scripts. */
function enginesParallel(env: NodeJS.ProcessEnv = {}): string {
    const text = fs.readFileSync(path.join(ROOT, "scripts", "lib", "engine.sh"), "utf8");
    const fallback = /SAPOCHE_PULUMI_PARALLEL:-(\d+)/.exec(text)?.[1];
    if (!fallback) throw new Error("scripts/lib/engine.sh: no default for SAPOCHE_PULUMI_PARALLEL");
    return env.SAPOCHE_PULUMI_PARALLEL || process.env.SAPOCHE_PULUMI_PARALLEL || fallback;
}

/**
 * Waits until `namespace` has settled after an out-of-band change to one of its workloads
 * (support/wait.ts); the workload is named for the error message only.
 */
export function settled(namespace: string, workload: string): void {
    try {
        settledNamespace(namespace);
    } catch (e) {
        throw new Error(`after changing ${workload}: ${(e as Error).message}`);
    }
}

/**
 * resourceVersion of every object of a namespace's main kinds: equal snapshots mean nothing was
 * written (take them once rollouts settled, or a status update shows up as a change).
 */
export function resourceVersions(namespace: string): Record<string, string> {
    const kinds =
        "deployments,statefulsets,services,configmaps,poddisruptionbudgets,horizontalpodautoscalers,scaledobjects";
    const items = getJson(["get", kinds, "-n", namespace]).items as any[];
    return Object.fromEntries(
        items.map((i) => [`${i.kind}/${i.metadata.name}`, i.metadata.resourceVersion]),
    );
}

export { bindStackFiles, startAtDone };

/** The uid of the local control plane's kube-system Namespace: its identity (stacks/cluster.ts). */
export function clusterUid(): string {
    return must(
        kubectl(["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]),
    ).stdout.trim();
}

/** Every tracked and untracked-but-not-ignored file, with node_modules linked, not copied. */
function copyCheckout(to: string): void {
    const files = must(run("git", ["ls-files", "-co", "--exclude-standard"], { cwd: ROOT }))
        .stdout.split("\n")
        .filter(Boolean);
    for (const f of files) {
        const src = path.join(ROOT, f);
        // Git lists files only; a directory here is a link to one (a worktree's linked
        // node_modules, listed as untracked), linked below rather than copied.
        if (!fs.existsSync(src) || fs.statSync(src).isDirectory()) continue;
        fs.mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
        fs.copyFileSync(src, path.join(to, f));
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(to, "node_modules"));
    fs.symlinkSync(
        path.join(ROOT, "policy-pack", "node_modules"),
        path.join(to, "policy-pack", "node_modules"),
    );
}

/**
 * The checkout's compiled program and pack, built once in the checkout (where git ignores them)
 * and copied into a sandbox with their stamps: a sandbox whose sources are still the checkout's
 * compiles neither again (seconds of CPU each, per sandbox), and a source a test edits is newer
 * than the stamps, so what it changed is recompiled on the next run.
 */
function copyBuilds(to: string): void {
    must(run("bash", ["scripts/lib/compiled-program.sh"], { cwd: ROOT }));
    must(run("bash", ["policy-pack/compile.sh"], { cwd: ROOT }));
    for (const dir of [".build", "policy-pack/bin"]) {
        fs.cpSync(path.join(ROOT, dir), path.join(to, dir), {
            recursive: true,
            preserveTimestamps: true,
        });
    }
    // The sources were copied just now: the builds were made from them, so they are fresh.
    const now = new Date();
    for (const stamp of [".build/program.stamp", "policy-pack/bin/.compiled"]) {
        fs.utimesSync(path.join(to, stamp), now, now);
    }
}
