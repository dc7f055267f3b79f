/**
 * `npm run bench`: wall time and peak memory of evaluating the program under mocks, against a
 * flat program of the same size and a 10x catalog, and the policy pack over production1. Each
 * scenario runs in its own process, ROUNDS times, interleaved, and the median is printed, so
 * ratios are measured in one run on the same (shared, noisy) machine. Prints figures; asserts
 * nothing about time.
 */
import { execFileSync } from "child_process";
import * as path from "path";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "3");
interface Result {
    scenario: string;
    resources: number;
    loadMs: number;
    evaluationMs: number;
    maxRssMb: number;
    processMs: number;
    /** program-10x: resources of one copy of the scaled catalog rows. */
    perCopy?: number;
}

function run(...args: string[]): Result {
    const start = Date.now();
    const out = execFileSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(__dirname, "scenario.ts"), ...args],
        { encoding: "utf8", cwd: path.resolve(__dirname, "..", "..") },
    );
    const line = out.trim().split("\n").pop()!;
    return { ...JSON.parse(line), processMs: Date.now() - start };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const samples: Record<string, Result[]> = { program: [], flat: [], "program-10x": [], pack: [] };
for (let round = 0; round < ROUNDS; round++) {
    const program = run("program");
    samples.program.push(program);
    samples.flat.push(run("flat", String(program.resources)));
    samples["program-10x"].push(run("program-10x"));
    samples.pack.push(run("pack"));
}

const summary = Object.fromEntries(
    Object.entries(samples).map(([name, rs]) => [
        name,
        {
            resources: rs[0].resources,
            loadMs: median(rs.map((r) => r.loadMs)),
            evaluationMs: median(rs.map((r) => r.evaluationMs)),
            processMs: median(rs.map((r) => r.processMs)),
            maxRssMb: median(rs.map((r) => r.maxRssMb)),
        },
    ]),
);
const p = summary.program;
const f = summary.flat;
const x = summary["program-10x"];
// The 10x scenario must really register 10 copies of the consumer and worker rows (it once
// patched lists the program no longer read, and silently measured 1x).
const perCopy = samples["program-10x"][0].perCopy ?? 0;
if (perCopy === 0 || x.resources !== p.resources + 9 * perCopy) {
    throw new Error(
        `program-10x registered ${x.resources} resources; expected ${p.resources} + 9 x ${perCopy}`,
    );
}
const fmt = (n: number) => n.toFixed(0).padStart(7);
console.log(`median of ${ROUNDS} rounds, each scenario in its own process\n`);
console.log("scenario        resources  load ms  eval ms  process ms  peak RSS MB");
for (const [name, s] of Object.entries(summary)) {
    console.log(
        `${name.padEnd(14)} ${String(s.resources).padStart(9)} ${fmt(s.loadMs)} ${fmt(s.evaluationMs)} ` +
            `${fmt(s.processMs).padStart(11)} ${fmt(s.maxRssMb).padStart(12)}`,
    );
}
console.log("");
console.log(
    `program / flat, evaluation (modules loaded): ${(p.evaluationMs / f.evaluationMs).toFixed(2)}x  (target <= 1.25x)`,
);
console.log(
    `program / flat, load + evaluation:           ${((p.loadMs + p.evaluationMs) / (f.loadMs + f.evaluationMs)).toFixed(2)}x`,
);
console.log(
    `program / flat, whole process:               ${(p.processMs / f.processMs).toFixed(2)}x`,
);
console.log(
    `10x catalog: consumer and worker rows x10 (${perCopy} -> ${10 * perCopy} resources), ` +
        `${p.resources} -> ${x.resources} resources in all (${(x.resources / p.resources).toFixed(1)}x; ` +
        `the baseline, Redis, PHP, Orthanc, frontends and scheduler are not copied)`,
);
console.log(
    `10x catalog: ${(x.resources / p.resources).toFixed(1)}x resources took ` +
        `${(x.evaluationMs / p.evaluationMs).toFixed(2)}x the time  (target: at most linear)`,
);
console.log(`peak memory, production1: ${p.maxRssMb.toFixed(0)} MB (target < 300 MB)`);
console.log(
    `policy pack over production1: ${summary.pack.evaluationMs.toFixed(0)} ms (target < 1000 ms)`,
);

// Validation of a stack file that holds a 5 MB literal (issue 25): every pattern that reads a
// value nobody controls must stay linear, or a preview of such a file would hang.
{
    const { readStackConfig, stackSettings } =
        require("../../lib/program") as typeof import("../../lib/program");
    const config = readStackConfig("production1") as Record<string, any>;
    const workloads = config["sapoche-stack:workloads"];
    const big = "a".repeat(5 * 1024 * 1024);
    workloads["worker-booking"].container = {
        env: [{ name: "QUEUE_NAME", value: big }],
    };
    const start = process.hrtime.bigint();
    let outcome = "accepted";
    try {
        stackSettings("production1", config);
    } catch (e) {
        outcome = `refused (${String((e as Error).message)
            .split("\n")[0]
            .slice(0, 60)}...)`;
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(
        `stack file with a 5 MB value validated in ${ms.toFixed(0)} ms: ${outcome} (target: well under 1 s)`,
    );
}

// The shared credential detector (policy-pack/policies/lib/credentials.ts) over 5 MB values of
// the shapes that would make a backtracking pattern quadratic, and of an ordinary config file.
{
    const { findCredentials } =
        require("../../policy-pack/policies/lib/credentials") as typeof import("../../policy-pack/policies/lib/credentials");
    const size = 5 * 1024 * 1024;
    const shapes: [string, string][] = [
        ["one 5 MB token", "a"],
        ["base64", "QUFB"],
        ["credential keys", "password "],
        ["URLs with passwords", "a://b:c@"],
        ["Bearer words", "Bearer "],
        ["a config file", "listen 8080;\nserver_name sapoche.example;\nroot /var/www/html;\n"],
    ];
    findCredentials("warm up the preset"); // its 1 MB of rules loads once per process
    const figures = shapes.map(([what, unit]) => {
        const value = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
        const [start, cpu] = [process.hrtime.bigint(), process.cpuUsage()];
        findCredentials(value);
        const used = process.cpuUsage(cpu);
        // CPU time too: on a loaded, shared machine the wall time mostly measures the others.
        return (
            `${what} ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms ` +
            `(CPU ${((used.user + used.system) / 1000).toFixed(0)} ms)`
        );
    });
    console.log(
        `credential detector over 5 MB: ${figures.join(", ")} (target: well under 1 s each)`,
    );
}
