/**
 * Runs commands for the e2e suite and the tools that drive the real engine: never throws, the
 * caller asserts on the result; `must` turns a failed run into an error carrying its output.
 */
import { spawnSync } from "child_process";

export interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** stdout and stderr together, for messages that may land on either. */
    readonly output: string;
    readonly ms: number;
}

/** Runs a command, never throwing; the caller asserts on the result. */
export function run(
    cmd: string,
    args: string[],
    opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Run {
    const start = Date.now();
    const r = spawnSync(cmd, args, {
        cwd: opts.cwd,
        env: opts.env,
        input: opts.input,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 15 * 60 * 1000,
    });
    const stdout = r.stdout ?? "";
    const stderr = (r.stderr ?? "") + (r.error ? `\n${r.error.message}` : "");
    return {
        code: r.status ?? -1,
        stdout,
        stderr,
        output: `${stdout}\n${stderr}`,
        ms: Date.now() - start,
    };
}

export function kubectl(args: string[], input?: string): Run {
    return run("kubectl", args, { input, env: process.env });
}

/** kubectl get ... -o json, parsed. */
export function getJson(args: string[]): any {
    return JSON.parse(must(kubectl([...args, "-o", "json"])).stdout);
}

/** The run, or an error carrying its output. */
export function must(r: Run): Run {
    if (r.code !== 0) {
        // The errors first (they may be far up a long preview), then the tail.
        const errors = r.output.split("\n").filter((l) => /error|mandatory\]|failed/i.test(l));
        throw new Error(`exit ${r.code}\n${errors.join("\n")}\n...\n${r.output.slice(-3000)}`);
    }
    return r;
}
