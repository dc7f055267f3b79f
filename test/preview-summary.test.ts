/**
 * scripts/delivery/preview-summary.ts (a screen instead of ~8,000 lines of `--diff`) and the
 * pull-request comment (scripts/delivery/lib/pr-comment.ts): shaped like the engine's real output.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
const summary = require("../scripts/delivery/preview-summary");
const comment = require("../scripts/delivery/lib/pr-comment");
const gate = require("../scripts/delivery/lib/without-promotion-gate");

const URN = "urn:pulumi:staging::sapoche-stack::";

/** A `pulumi preview --diff` in the engine's layout: header, [urn=...], then properties. */
function diffPreview(): string {
    const resource = (sign: string, type: string, op: string, parent: string, name: string) =>
        [
            `        ${sign} ${type}: (${op})`,
            `            [urn=${URN}${parent}$${type}::${name}]`,
            `            [provider=${URN}pulumi:providers:kubernetes::sapoche::04da6b54]`,
            `            apiVersion: "v1"`,
            `            metadata  : {`,
            `                name     : "${name}"`,
            `            }`,
        ].join("\n");
    return [
        "Previewing update (staging):",
        `  pulumi:pulumi:Stack: (same)`,
        `    [urn=${URN}pulumi:pulumi:Stack::sapoche-stack-staging]`,
        resource(
            "+",
            "kubernetes:core/v1:Namespace",
            "create",
            "sapoche:namespace:Baseline",
            "sapoche",
        ),
        resource(
            "+",
            "kubernetes:apps/v1:Deployment",
            "create",
            "sapoche:workloads:Worker",
            "worker-a",
        ),
        resource(
            "+",
            "kubernetes:apps/v1:Deployment",
            "create",
            "sapoche:workloads:Worker",
            "worker-b",
        ),
        resource("~", "kubernetes:core/v1:Service", "update", "sapoche:workloads:Frontend", "web"),
        resource(
            "++",
            "kubernetes:apps/v1:StatefulSet",
            "create-replacement",
            "sapoche:workloads:Redis",
            "redis",
        ),
        resource(
            "+-",
            "kubernetes:apps/v1:StatefulSet",
            "replace",
            "sapoche:workloads:Redis",
            "redis",
        ),
        resource(
            "-",
            "kubernetes:core/v1:PersistentVolumeClaim",
            "delete",
            "sapoche:workloads:Redis",
            "data-redis-2",
        ),
        resource(
            "-",
            "kubernetes:core/v1:PersistentVolumeClaim",
            "delete[retain]",
            "sapoche:workloads:Redis",
            "data-redis-1",
        ),
        "Policies:",
        "    ⚠️ sapoche-policies@v0.1.0",
        "        · [exempted] [mandatory]  pod-security  (kubernetes:apps/v1:Deployment: worker-b)",
        "Policy Violations:",
        "    [mandatory]  sapoche-policies v0.1.0  redis-ha (kubernetes:apps/v1:StatefulSet: redis)",
        "    Redis must run at least 3 nodes.",
        "    [advisory]  sapoche-policies v0.1.0  report-promotion-bypass (kubernetes:apps/v1:Deployment: worker-a)",
        "error: preview failed",
        "Resources:",
        "    + 3 to create",
    ].join("\n");
}

describe("preview summary (scripts/delivery/preview-summary.ts)", () => {
    it("counts each resource once per operation and kind, from --diff output", () => {
        const s = summary.summarize(diffPreview());
        assert.deepEqual(s.byOp, {
            create: { Namespace: 1, Deployment: 2 },
            update: { Service: 1 },
            replace: { StatefulSet: 1 },
            delete: { PersistentVolumeClaim: 2 },
        });
        assert.deepEqual(s.dangerous, [
            { op: "replace", kind: "StatefulSet", name: "redis" },
            { op: "delete", kind: "PersistentVolumeClaim", name: "data-redis-2" },
            { op: "delete", kind: "PersistentVolumeClaim", name: "data-redis-1" },
        ]);
        assert.deepEqual(
            s.policies.map((p: { level: string }) => p.level),
            ["mandatory", "advisory"],
        );
        assert.deepEqual(s.errors, ["error: preview failed"]);
    });

    it("prints a short summary with the path of the full preview", () => {
        const completed = diffPreview().replace("error: preview failed\n", "");
        const text = summary.format(
            summary.summarize(completed, { exitCode: 0 }),
            "/tmp/preview-staging.txt",
        );
        assert.match(
            text,
            /^Kubernetes objects: 3 to create, 1 to update, 1 to replace, 2 to delete\.$/m,
        );
        assert.match(text, /create: 2 Deployment, 1 Namespace/);
        assert.match(text, /!! REPLACE of StatefulSet redis/);
        assert.match(text, /Policy violations: 1 mandatory, 1 advisory\./);
        assert.match(text, /Full preview: \/tmp\/preview-staging\.txt$/);
        assert.doesNotMatch(text, /FAILED/);
        assert.ok(text.split("\n").length < 20);
    });

    it("shows a failed preview as failed, first, with every multi-line error in full", () => {
        // What a config error looks like: no step ran, the engine's Diagnostics hold the report.
        const failed = [
            "Previewing update (staging):",
            "",
            "Diagnostics:",
            "  pulumi:pulumi:Stack (sapoche-stack-staging):",
            "    error: Invalid stack configuration in Pulumi.staging.yaml (2 problems); nothing was registered:",
            "      - sapoche-stack:workloads.worker-booking.replicas: got 0; expected an integer from 1 to 40",
            '      - sapoche-stack:images.backend: got "latest"; expected a pinned tag',
            "",
            "    error: preview failed",
            "",
        ].join("\n");
        const s = summary.summarize(failed, { exitCode: 255 });
        assert.equal(s.failed, true);
        const text = summary.format(s, "/tmp/preview-staging.txt");
        const lines = text.split("\n");
        assert.match(lines[0], /^PREVIEW FAILED \(exit 255\): this is not a plan/);
        assert.match(text, /worker-booking\.replicas: got 0; expected an integer from 1 to 40/);
        assert.match(text, /images\.backend: got "latest"; expected a pinned tag/);
        assert.match(text, /Errors \(2\), in full:/);
        assert.match(text, /Kubernetes objects: unknown \(the preview did not complete\)\./);
        assert.doesNotMatch(text, /no change/);
        assert.doesNotMatch(text, /Policy violations: 0 mandatory/);
    });

    it("a preview refused by the pack counts what it saw as incomplete, never as the plan", () => {
        const text = summary.format(summary.summarize(diffPreview(), { exitCode: 255 }));
        assert.match(text, /^PREVIEW FAILED \(exit 255\)/);
        assert.match(text, /Kubernetes objects seen before it stopped: .* \(incomplete\)\./);
        assert.match(text, /Policy violations reported before it stopped: 1 mandatory, 1 advisory/);
    });

    it("an output with no closing Resources: summary is a failure even with exit 0 (cut short)", () => {
        const cut = "Previewing update (staging):\n  pulumi:pulumi:Stack: (same)\n";
        assert.equal(summary.summarize(cut, { exitCode: 0 }).failed, true);
    });

    it("exits 1 for a failed preview and 0 for a completed one", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "summary-"));
        const file = path.join(dir, "preview.txt");
        const script = path.join(__dirname, "..", "scripts", "delivery", "preview-summary.ts");
        const ts = ["-r", "ts-node/register/transpile-only"];
        fs.writeFileSync(file, "Previewing update (staging):\nResources:\n    140 unchanged\n");
        const ok = spawnSync("node", [...ts, script, file, "--exit-code", "0"], {
            encoding: "utf8",
        });
        assert.equal(ok.status, 0, ok.stdout);
        assert.match(ok.stdout, /no change/);
        const bad = spawnSync("node", [...ts, script, "--exit-code", "1", file], {
            encoding: "utf8",
        });
        assert.equal(bad.status, 1);
        assert.match(bad.stdout, /^PREVIEW FAILED \(exit 1\)/);
        const outcome = spawnSync("node", [...ts, script, file, "--outcome", "failure"], {
            encoding: "utf8",
        });
        assert.equal(outcome.status, 1);
    });

    it("reads the tree display (without --diff) as well", () => {
        const tree = [
            "     Type                              Name            Plan",
            " +   pulumi:pulumi:Stack               sapoche-stack   create",
            " +   ├─ kubernetes:core/v1:Namespace   sapoche         create",
            " ~   ├─ kubernetes:apps/v1:Deployment  worker-a        update     [diff: ~spec]",
            " +-  └─ kubernetes:apps/v1:StatefulSet redis           replace    [diff: ~spec]",
        ].join("\n");
        const s = summary.summarize(tree);
        assert.deepEqual(s.byOp.update, { Deployment: 1 });
        assert.deepEqual(s.dangerous, [{ op: "replace", kind: "StatefulSet", name: "redis" }]);
    });

    it("reads `pulumi preview --json`", () => {
        const json = JSON.stringify({
            steps: [
                {
                    op: "create",
                    urn: `${URN}kubernetes:core/v1:Namespace::sapoche`,
                    newState: { type: "kubernetes:core/v1:Namespace" },
                },
                {
                    op: "delete",
                    urn: `${URN}sapoche:workloads:Redis$kubernetes:apps/v1:StatefulSet::redis`,
                },
            ],
            diagnostics: [{ severity: "error", message: "boom\n" }],
            changeSummary: { create: 1, delete: 1 },
        });
        const s = summary.summarize(json);
        assert.deepEqual(s.byOp, { create: { Namespace: 1 }, delete: { StatefulSet: 1 } });
        assert.deepEqual(s.dangerous, [{ op: "delete", kind: "StatefulSet", name: "redis" }]);
        assert.deepEqual(s.errors, ["error: boom"]);
        assert.match(summary.format(s), /Policy violations: not in `pulumi preview --json` output/);
    });

    it("says 'none' for a preview without changes", () => {
        assert.match(
            summary.format(summary.summarize("Resources:\n    140 unchanged\n")),
            /^Kubernetes objects: no change\.$/m,
        );
    });
});

describe("pull-request comment (scripts/delivery/lib/pr-comment.ts)", () => {
    it("is built even when every input file is missing", () => {
        const body = comment.build({ stack: "production1", outcome: "failure" });
        assert.ok(body.startsWith(comment.marker("production1")));
        assert.match(body, /❌ preview failed/);
        assert.match(body, /no preview output/);
        assert.match(body, /no saved plan/);
    });

    it("shows policy result, plan summary, capacity, gate and artifact links", () => {
        const body = comment.build({
            stack: "staging",
            outcome: "success",
            summary: "Changes: 1 to update.",
            plan: "Plan: 0 to create, 1 to update.",
            capacity: "| pods | 45 |",
            gate: "promotion gate of production1: accepted",
            artifacts: "https://example.invalid/artifacts/1",
            run: "https://example.invalid/runs/1",
        });
        for (const part of [
            "✅",
            "Changes: 1 to update.",
            "Plan: 0 to create",
            "| pods | 45 |",
            "accepted",
            "artifacts/1",
            "runs/1",
        ]) {
            assert.ok(body.includes(part), part);
        }
    });

    it("stays under GitHub's 65,536-character limit, keeping the end of a huge preview", () => {
        const preview = "x".repeat(200_000) + "\nResources:\n    + 131 to create\n";
        const body = comment.build({ stack: "staging", outcome: "success", preview });
        assert.ok(body.length < comment.LIMIT, `${body.length} characters`);
        assert.match(body, /characters cut/);
        assert.match(body, /\+ 131 to create/);
    });

    it("cannot be broken out of its code block by backticks in the preview", () => {
        const body = comment.build({ stack: "staging", summary: "a ``` b ```` c" });
        assert.match(body, /`````text\na ``` b ```` c\n`````/);
    });
});

describe("pull-request stack file without the promotion gate", () => {
    it("only empties promotion.fromStack", () => {
        const doc = {
            config: {
                "sapoche-stack:namespace": "sapoche",
                "sapoche-stack:promotion": {
                    fromStack: "organization/sapoche-stack/staging",
                    bypassReason: "",
                },
            },
        };
        assert.deepEqual(gate.withoutGate(doc), {
            config: {
                "sapoche-stack:namespace": "sapoche",
                "sapoche-stack:promotion": {
                    fromStack: "organization/sapoche-stack/staging",
                    bypassReason: gate.BYPASS,
                },
            },
        });
        const file = path.join(os.tmpdir(), `gate-${process.pid}.yaml`);
        try {
            assert.equal(
                require("child_process").spawnSync(process.execPath, [
                    "-r",
                    "ts-node/register/transpile-only",
                    require.resolve("../scripts/delivery/lib/without-promotion-gate"),
                    "production1",
                    file,
                ]).status,
                0,
            );
            assert.match(fs.readFileSync(file, "utf8"), /bypassReason: 'Pull-request preview: /);
        } finally {
            fs.rmSync(file, { force: true });
        }
    });
});
