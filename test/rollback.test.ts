/**
 * scripts/delivery/rollback.sh without the engine: a throwaway git repository whose revisions carry a
 * stand-in scripts/delivery/release.sh that reports how it was started. What the real release does with it
 * (gates, plan, confirmation, apply) is test/e2e/promotion.e2e.ts's job.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../lib/program";
import { localImage } from "../lib/sandbox-stacks";

/** Reports its arguments, where it runs, its source revision and the stack file it was given. */
const FAKE_RELEASE = `#!/usr/bin/env bash
echo "release.sh args: $*"
echo "release.sh cwd: $PWD"
echo "release.sh revision: $SAPOCHE_SOURCE_REVISION"
echo "release.sh declared rollback: $SAPOCHE_ROLLBACK"
echo "release.sh node_modules: $(test -d node_modules/js-yaml && echo linked)"
cat Pulumi.production1.yaml
exit "\${FAKE_EXIT:-0}"
`;

describe("npm run rollback (scripts/delivery/rollback.sh)", () => {
    let repo: string;
    const git = (...args: string[]) => {
        const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@localhost", ...args], {
            cwd: repo,
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.trim();
    };
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
        fs.writeFileSync(path.join(repo, file), text);
    };
    const commit = (message: string) => {
        git("add", "-A");
        git("commit", "-q", "-m", message);
        return git("rev-parse", "HEAD");
    };
    const rollback = (args: string[], env: Record<string, string> = {}) => {
        const r = spawnSync("bash", ["scripts/delivery/rollback.sh", ...args], {
            cwd: repo,
            env: { ...process.env, PULUMI_BACKEND_URL: "file:///nonexistent", ...env },
            encoding: "utf8",
            input: "",
        });
        return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
    };
    let old: string;
    let current: string;
    let unreviewed: string;

    before(() => {
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-rollback-"));
        git("init", "-q", "-b", "main");
        fs.mkdirSync(path.join(repo, "policy-pack"));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"));
        fs.symlinkSync(
            path.join(ROOT, "policy-pack", "node_modules"),
            path.join(repo, "policy-pack", "node_modules"),
        );
        write(".gitignore", "node_modules\n");
        write(
            "scripts/delivery/rollback.sh",
            fs.readFileSync(path.join(ROOT, "scripts/delivery/rollback.sh"), "utf8"),
        );
        write("scripts/delivery/release.sh", FAKE_RELEASE);
        write(
            "scripts/delivery/lib/backend.sh",
            fs.readFileSync(path.join(ROOT, "scripts/delivery/lib/backend.sh"), "utf8"),
        );
        // The old revision's stack file predates the stack's secrets provider.
        write("Pulumi.production1.yaml", "config:\n  sapoche-stack:images:\n    backend: b:1\n");
        write("policy-pack/keep", "");
        old = commit("old");
        write(
            "Pulumi.production1.yaml",
            "encryptionsalt: v1:salt\nconfig:\n  sapoche-stack:images:\n    backend: b:2\n",
        );
        current = commit("current");
        git("checkout", "-q", "-b", "unreviewed");
        write("Pulumi.production1.yaml", "config:\n  sapoche-stack:images:\n    backend: b:666\n");
        unreviewed = commit("unreviewed");
        git("checkout", "-q", "main");
    });

    it("runs the revision's own release.sh from a clean copy, with its revision and this stack's secrets provider", () => {
        const r = rollback(["--stack", "production1", "--to", old, "--approved"]);
        assert.equal(r.code, 0, r.output);
        assert.match(r.output, /release\.sh args: --stack production1 --approved\n/);
        assert.match(r.output, new RegExp(`release\\.sh revision: ${old}\\n`));
        // Declared, so release.sh's history check lets it go back (scripts/delivery/lib/history.ts).
        assert.match(r.output, new RegExp(`release\\.sh declared rollback: ${old}\\n`));
        assert.match(r.output, /release\.sh node_modules: linked\n/);
        const cwd = /release\.sh cwd: (.*)\n/.exec(r.output)![1];
        assert.notEqual(cwd, repo, "not the checkout");
        assert.ok(!fs.existsSync(cwd), "the copy is removed afterwards");
        // That revision's config, with the secrets-provider key it did not have yet.
        assert.match(r.output, /backend: b:1/);
        assert.match(r.output, /encryptionsalt: v1:salt/);
        assert.equal(git("status", "--porcelain"), "", "the checkout is untouched");
        assert.equal(git("rev-parse", "HEAD"), current);
    });

    it("exits with release.sh's code (e.g. 4: no confirmation)", () => {
        const r = rollback(["--stack", "production1", "--to", old], { FAKE_EXIT: "4" });
        assert.equal(r.code, 4, r.output);
        assert.match(r.output, /rollback: release of [0-9a-f]{40} exited 4/);
    });

    it("refuses a revision that is not on the main line, or not a commit, running nothing", () => {
        const offMain = rollback(["--stack", "production1", "--to", unreviewed, "--approved"]);
        assert.equal(offMain.code, 2, offMain.output);
        assert.match(
            offMain.output,
            new RegExp(
                `rollback: ${unreviewed} \\(${unreviewed}\\) is not an ancestor of HEAD: only a revision that has been on the main line can be redeployed; nothing was applied`,
            ),
        );
        assert.doesNotMatch(offMain.output, /release\.sh args/);

        // Even checked out: HEAD contains it, main does not.
        git("checkout", "-q", "unreviewed");
        const fromBranch = rollback(["--stack", "production1", "--to", unreviewed]);
        git("checkout", "-q", "main");
        assert.equal(fromBranch.code, 2, fromBranch.output);
        assert.match(fromBranch.output, /is not an ancestor of main/);

        const unknown = rollback(["--stack", "production1", "--to", "no-such-revision"]);
        assert.equal(unknown.code, 2);
        assert.match(unknown.output, /no-such-revision is not a commit of this repository/);

        const usage = rollback(["--stack", "production1"]);
        assert.equal(usage.code, 2);
        assert.match(
            usage.output,
            /Usage: scripts\/delivery\/rollback\.sh --stack <stack> --to <revision>/,
        );
    });

    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("without a Pulumi backend stops at once, running nothing, and names the --local command", () => {
        const r = rollback(["--stack", "production1", "--to", old], {
            PULUMI_BACKEND_URL: "",
            PATH: "/usr/bin:/bin", // no pulumi: not logged in anywhere
        });
        assert.equal(r.code, 2, r.output);
        assert.match(r.output, /no Pulumi backend .*nothing was run/);
        assert.match(r.output, /npm run rollback -- --local --stack production1 --to /);
        assert.doesNotMatch(r.output, /release\.sh args/);
    });

    it("in a local sandbox, pins the revision's image tags to local digests, as the sandbox's own copy", () => {
        const files = [
            "lib/sandbox-stacks.ts",
            "lib/run.ts",
            "lib/stack-file.ts",
            "lib/yaml-edit.ts",
            "tsconfig.json",
        ];
        for (const file of files) {
            write(file, fs.readFileSync(path.join(ROOT, file), "utf8"));
        }
        try {
            const r = rollback(["--stack", "production1", "--to", old, "--approved"], {
                SAPOCHE_LOCAL_SANDBOX: "1",
            });
            assert.equal(r.code, 0, r.output);
            assert.ok(r.output.includes(`backend: ${localImage("b:1")}\n`), r.output);
        } finally {
            for (const file of files) fs.rmSync(path.join(repo, file), { force: true });
        }
        assert.equal(git("status", "--porcelain"), "", "the checkout is untouched");
    });
});

describe("npm run rollback to a revision from before scripts/delivery/", () => {
    it("runs that revision's own scripts/release.sh", () => {
        const repo = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-rollback-layout-"));
        const git = (...args: string[]) => {
            const r = spawnSync(
                "git",
                ["-c", "user.name=t", "-c", "user.email=t@localhost", ...args],
                { cwd: repo, encoding: "utf8" },
            );
            assert.equal(r.status, 0, r.stderr);
            return r.stdout.trim();
        };
        const write = (file: string, text: string) => {
            fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
            fs.writeFileSync(path.join(repo, file), text);
        };
        try {
            git("init", "-q", "-b", "main");
            fs.mkdirSync(path.join(repo, "policy-pack"));
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"));
            fs.symlinkSync(
                path.join(ROOT, "policy-pack", "node_modules"),
                path.join(repo, "policy-pack", "node_modules"),
            );
            write(".gitignore", "node_modules\n");
            write("scripts/release.sh", FAKE_RELEASE);
            write("policy-pack/keep", "");
            write(
                "Pulumi.production1.yaml",
                "config:\n  sapoche-stack:images:\n    backend: b:1\n",
            );
            git("add", "-A");
            git("commit", "-q", "-m", "before the move");
            const before = git("rev-parse", "HEAD");
            git("rm", "-q", "scripts/release.sh");
            for (const f of ["scripts/delivery/rollback.sh", "scripts/delivery/lib/backend.sh"]) {
                write(f, fs.readFileSync(path.join(ROOT, f), "utf8"));
            }
            git("add", "-A");
            git("commit", "-q", "-m", "the move");
            const r = spawnSync(
                "bash",
                ["scripts/delivery/rollback.sh", "--stack", "production1", "--to", before],
                {
                    cwd: repo,
                    env: { ...process.env, PULUMI_BACKEND_URL: "file:///nonexistent" },
                    encoding: "utf8",
                    input: "",
                },
            );
            assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
            assert.match(r.stdout, /release\.sh args: --stack production1\n/);
            assert.match(r.stdout, new RegExp(`release\\.sh revision: ${before}\\n`));
        } finally {
            fs.rmSync(repo, { recursive: true, force: true });
        }
    });
});

describe("release history (scripts/delivery/lib/history.ts)", () => {
    const { judgeRevision } = require("../scripts/delivery/lib/history");
    const A = "a".repeat(40);
    const B = "b".repeat(40);
    // B descends from A; nothing else is an ancestor of anything; C is not in the clone.
    const isAncestor = (x: string, y: string) =>
        x.startsWith("c") ? undefined : x === y || (x === A && y === B);
    const verdict = (deployed: string | undefined, current: string, rollback?: string) =>
        judgeRevision({ deployed, current, rollback, isAncestor });

    it("lets a release move forward, repeat itself, or start a new stack", () => {
        assert.equal(verdict(A, B).ok, true);
        assert.equal(verdict(B, B).ok, true);
        assert.equal(verdict(undefined, A).ok, true);
        assert.equal(verdict(`${A}-dirty`, B).ok, true, "a laptop release's commit is its base");
    });

    it("refuses an older or diverged revision, naming both", () => {
        const v = verdict(B, A);
        assert.equal(v.ok, false);
        assert.equal(
            v.message,
            `${A} does not descend from the deployed ${B}: an older or diverged revision`,
        );
        assert.equal(verdict(B, "d".repeat(40)).ok, false);
    });

    it("refuses what it cannot compare: a commit missing from a shallow clone, or no commit at all", () => {
        assert.match(
            verdict("c".repeat(40), B).message,
            /not in this clone: fetch the full history/,
        );
        assert.match(
            verdict("unknown (not a git checkout)", B).message,
            /only commits can be compared/,
        );
    });

    it("lets a declared rollback go back", () => {
        const v = verdict(B, A, A);
        assert.deepEqual(v, { ok: true, message: `declared rollback to ${A}` });
    });
});
