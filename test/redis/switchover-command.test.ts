/**
 * `npm run redis:switchover`: what it runs against which cluster, with a stand-in `kubectl`
 * (KUBECTL) that records its arguments and answers as a cluster would. Nothing reaches a real
 * cluster.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/** Runs the command with a fake kubectl answering `uid` for kube-system; returns what it did. */
function run(args: string[], uid: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-switchover-"));
    const calls = path.join(dir, "calls");
    const kubectl = path.join(dir, "kubectl");
    fs.writeFileSync(
        kubectl,
        `#!/bin/sh\necho "$*" >> "${calls}"\ncase "$*" in *kube-system*) echo "${uid}" ;; esac\n`,
        { mode: 0o755 },
    );
    const r = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "scripts/redis/switchover.ts", ...args],
        { cwd: ROOT, env: { ...process.env, KUBECTL: kubectl }, encoding: "utf8" },
    );
    const made = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, calls: made };
}

describe("npm run redis:switchover", function () {
    this.timeout(60_000);

    it("refuses a stack bound to no cluster yet and runs nothing in any pod", function () {
        const r = run(["production1", "--context", "prod"], "1234-uid");
        assert.equal(r.status, 2, r.stderr);
        assert.match(
            r.stderr,
            /Pulumi\.production1\.yaml: sapoche-stack:clusterUid is "unrecorded"/,
        );
        assert.match(r.stderr, /1234-uid/);
        assert.match(r.stderr, /Nothing was run\./);
        assert.deepEqual(r.calls, [
            "--context prod get namespace kube-system -o jsonpath={.metadata.uid}",
        ]);
    });

    it("names the stacks it accepts and refuses a pod that is not an ordinal", function () {
        const none = run([], "x");
        assert.equal(none.status, 2);
        assert.match(none.stderr, /one of production1, staging/);
        const pod = run(["staging", "--pod", "redis-0"], "x");
        assert.equal(pod.status, 2);
        assert.match(pod.stderr, /--pod: got "redis-0"; expected a pod ordinal/);
        assert.deepEqual(pod.calls, []);
    });
});
