/**
 * `npm run test:e2e`: the end-to-end files in lanes that run at the same time, each lane on a
 * local control plane of its own (its own state folder and ports), the files of one lane one
 * after another on that plane.
 *
 * Why lanes: an e2e file spends most of its wall time waiting (rollouts held by minReadySeconds,
 * the engine's awaits), not computing: namespace + wrappers + local took 354 s of CPU in 3006 s
 * of wall. Files that share nothing but the machine can wait at the same time. Why a plane per
 * lane and not one for all: the files deploy the same stacks into the same namespaces, and each
 * file's assertions read the whole namespace.
 *
 * The lanes are test/e2e/lanes.json. Every file of .mocharc.e2e.json's `spec` is in exactly one
 * lane, or nothing runs (a file left out of the lanes would silently never run in CI). Mocha's
 * options come from .mocharc.e2e.json, so a file runs here exactly as it runs alone.
 *
 *   SAPOCHE_E2E_LANES=1   one lane at a time (all files still run), for a machine short of memory
 *   SAPOCHE_E2E_PORT_BASE first lane's API server port (default 21000; lane i adds 100 * i)
 *
 * Prints each line of each lane with the lane's name, then each lane's result and wall time.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { must, run } from "../../lib/run";

const ROOT = path.resolve(__dirname, "../..");
const MOCHARC = ".mocharc.e2e.json";
const LANES = "test/e2e/lanes.json";

export interface Lane {
    name: string;
    files: string[];
}

/**
 * The lanes, checked against the suite's file list: each listed file exactly once, no file that
 * is not in the suite. Throws naming the file and what is accepted.
 */
export function readLanes(root = ROOT): Lane[] {
    const spec: string[] = JSON.parse(fs.readFileSync(path.join(root, MOCHARC), "utf8")).spec;
    const lanes: Record<string, string[]> = JSON.parse(
        fs.readFileSync(path.join(root, LANES), "utf8"),
    ).lanes;
    const seen = new Map<string, string>();
    for (const [name, files] of Object.entries(lanes)) {
        for (const file of files) {
            if (!spec.includes(file)) {
                throw new Error(
                    `${LANES}: lanes.${name} lists ${file}, which is not in ${MOCHARC}'s spec; ` +
                        `a lane may list only the suite's files: ${spec.join(", ")}`,
                );
            }
            if (seen.has(file)) {
                throw new Error(
                    `${LANES}: ${file} is in lanes.${seen.get(file)} and lanes.${name}; ` +
                        `each file runs in exactly one lane`,
                );
            }
            seen.set(file, name);
        }
    }
    const missing = spec.filter((f) => !seen.has(f));
    if (missing.length > 0) {
        throw new Error(
            `${LANES}: ${missing.join(", ")} of ${MOCHARC}'s spec is in no lane, so it would ` +
                `never run; add each to one lane`,
        );
    }
    return Object.entries(lanes).map(([name, files]) => ({ name, files }));
}

/** Mocha's arguments from .mocharc.e2e.json, without its file list (the lane gives the files). */
function mochaArgs(files: string[]): string[] {
    const rc = JSON.parse(fs.readFileSync(path.join(ROOT, MOCHARC), "utf8"));
    // Lines of four lanes interleave in one log: plain text reads better there than colours.
    const args = ["mocha", "--no-config", "--no-color"];
    for (const r of rc.require ?? []) args.push("--require", r);
    for (const e of rc.extension ?? []) args.push("--extension", e);
    if (rc.timeout) args.push("--timeout", String(rc.timeout));
    if (rc.reporter) args.push("--reporter", rc.reporter);
    if (rc.bail) args.push("--bail");
    return [...args, ...files];
}

interface Result {
    lane: Lane;
    code: number;
    seconds: number;
}

/** The lanes' with-cluster.sh processes still running: what a signal to the runner must stop. */
const running = new Set<ReturnType<typeof spawn>>();

/**
 * A signal (Ctrl-C, CI's timeout) to the runner reaches each lane's with-cluster.sh, whose EXIT
 * trap stops that lane's control plane; the runner waits for them before it exits. Without it a
 * killed runner left the lanes' kube-apiservers and etcds on their ports.
 */
function stopLanesOn(signal: NodeJS.Signals, code: number): void {
    process.once(signal, () => {
        console.log(`\ne2e: ${signal}: stopping ${running.size} lane(s) and their control planes`);
        // The whole lane (mocha, pulumi): bash runs its trap only once its foreground command ends.
        for (const child of running) if (child.pid) process.kill(-child.pid, "SIGTERM");
        const waitAll = [...running].map((c) => new Promise((r) => c.once("close", r)));
        void Promise.all(waitAll).then(() => process.exit(code));
    });
}

/**
 * One lane: scripts/cluster/with-cluster.sh starts the lane's control plane, runs mocha on the
 * lane's files, and stops the plane. Ports and folders are the lane's own; local.e2e.ts's two
 * per-stack planes move with the lane (SAPOCHE_LOCAL_PORT_OFFSET, SAPOCHE_LOCAL_CLUSTERS).
 */
function runLane(lane: Lane, index: number, dir: string): Promise<Result> {
    const base = Number(process.env.SAPOCHE_E2E_PORT_BASE ?? "21000") + 100 * index;
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        SAPOCHE_CLUSTER_DIR: path.join(dir, lane.name, "cluster"),
        SAPOCHE_APISERVER_PORT: String(base),
        SAPOCHE_ETCD_PORT: String(base + 10),
        SAPOCHE_KCM_PORT: String(base + 20),
        SAPOCHE_SCHEDULER_PORT: String(base + 30),
        SAPOCHE_LOCAL_CLUSTERS: path.join(dir, lane.name, "local"),
        SAPOCHE_LOCAL_PORT_OFFSET: String(3000 + 1000 * index),
    };
    const start = Date.now();
    const child = spawn(
        "bash",
        ["scripts/cluster/with-cluster.sh", "npx", ...mochaArgs(lane.files)],
        // Its own session and process group, so a signal to the runner can end the lane as a whole.
        { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    running.add(child);
    const label = `[${lane.name}]`;
    for (const stream of [child.stdout, child.stderr]) {
        readline
            .createInterface({ input: stream })
            .on("line", (line) => process.stdout.write(`${label} ${line}\n`));
    }
    return new Promise((resolve) => {
        child.on("close", (code, signal) => {
            running.delete(child);
            // The lane is a session of its own (detached). Whatever outlived it there, such as
            // the engine's plugins when a signal ended the CLI (Pulumi starts each in a process
            // group of its own), goes with it.
            if (child.pid) spawnSync("pkill", ["-TERM", "-s", String(child.pid)]);
            resolve({
                lane,
                code: code ?? (signal ? 128 : 1),
                seconds: Math.round((Date.now() - start) / 1000),
            });
        });
    });
}

async function main(): Promise<void> {
    stopLanesOn("SIGINT", 130);
    stopLanesOn("SIGTERM", 143);
    const lanes = readLanes();
    const atOnce = Math.max(1, Number(process.env.SAPOCHE_E2E_LANES ?? lanes.length));
    // Built once here: the lanes' sandboxes then copy fresh builds instead of racing to write
    // the same .build/ and policy-pack/bin/ (and a cold toolchain is built once, not per lane).
    must(run("bash", ["scripts/toolchain/toolchain.sh"], { cwd: ROOT, timeoutMs: 90 * 60 * 1000 }));
    must(run("bash", ["scripts/lib/compiled-program.sh"], { cwd: ROOT }));
    must(run("bash", ["policy-pack/compile.sh"], { cwd: ROOT }));

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-e2e-lanes-"));
    console.log(`e2e: ${lanes.length} lanes, ${atOnce} at once; control planes under ${dir}`);
    for (const lane of lanes) console.log(`  ${lane.name}: ${lane.files.join(", ")}`);

    const start = Date.now();
    const results: Result[] = [];
    const queue = lanes.map((lane, index) => ({ lane, index }));
    const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
            results.push(await runLane(next.lane, next.index, dir));
        }
    };
    await Promise.all(Array.from({ length: Math.min(atOnce, lanes.length) }, worker));

    console.log("\ne2e lanes:");
    for (const r of results) {
        const verdict = r.code === 0 ? "passed" : `FAILED (exit ${r.code})`;
        console.log(`  ${r.lane.name.padEnd(12)} ${verdict.padEnd(16)} ${r.seconds} s`);
    }
    console.log(`  wall time: ${Math.round((Date.now() - start) / 1000)} s`);
    const failed = results.filter((r) => r.code !== 0);
    if (failed.length === 0) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`  logs of the failed lanes' control planes stay in ${dir}`);
    process.exit(failed.length === 0 ? 0 : 1);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`e2e-lanes: ${(e as Error).message}`);
        process.exit(2);
    });
}
