/**
 * The real Pulumi CLI, Node language host and Kubernetes provider, with the policy pack, against
 * the local control plane (kwok nodes) on a local file backend. One ordered story: preview,
 * deploy, no-op, policy refusal, drift, concurrency, protection.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    bindStackFiles,
    clusterUid,
    getJson,
    kubectl,
    must,
    POLICY_PACK,
    Run,
    resourceVersions,
    run,
    Sandbox,
    settled,
} from "../../lib/sandbox";
import { settledNamespace, stackLocked } from "../../lib/wait";
import * as catalog from "../../stacks/catalog";

const NS = "sapoche";
const STAGING_SCHEDULER = catalog.schedulerName("staging");
const DEPLOYMENTS = [
    ...catalog.consumers.map((c) => c.name),
    ...catalog.workers.map((w) => w.name),
    catalog.phpBackend.fpm.name,
    catalog.phpBackend.nginx.name,
    catalog.orthanc.name,
    ...catalog.frontends.map((f) => f.name),
    catalog.redis.proxy,
    STAGING_SCHEDULER,
].sort();
const SERVICES = [
    ...catalog.nodePortServices.map((s) => s.name),
    catalog.redis.service,
    catalog.redis.sentinelService,
    catalog.redis.headlessService,
].sort();

/** Mandatory policy violations and unreachable-cluster warnings both fail a preview. */
function assertCleanPreview(r: Run): void {
    assert.doesNotMatch(r.output, /unreachable/i, "the preview must reach the cluster");
    assert.doesNotMatch(r.output, /mandatory/i, "no mandatory policy violation");
    assert.equal(r.code, 0, r.output.slice(-4000));
}

describe("the real engine against the local control plane", function () {
    this.timeout(30 * 60 * 1000);
    const sb = new Sandbox("e2e");

    before(() => {
        sb.initStack("staging");
        sb.initStack("production1");
    });

    it("previews staging with the policy pack: the cluster is reached and no mandatory rule breaks", () => {
        assertCleanPreview(sb.preview("staging", "staging"));
    });

    it("shows a failed preview as failed: exit non-zero, every error in full in the summary", () => {
        // What an operator sees from `npm run preview:local` (scripts/delivery/preview.sh with a summary).
        const file = path.join(sb.work, "Pulumi.staging.yaml");
        const original = fs.readFileSync(file, "utf8");
        try {
            sb.editConfig("staging", (c) => {
                c["sapoche-stack:workloads"]["worker-booking"].replicas = 0;
                c["sapoche-stack:images"].backend =
                    "registry.sapoche.internal/sapoche/backend:latest";
            });
            const r = run("bash", ["scripts/delivery/preview.sh", "staging"], {
                cwd: sb.work,
                env: {
                    ...sb.env,
                    SAPOCHE_PREVIEW_SUMMARY: "1",
                    PREVIEW_OUT: path.join(sb.dir, "failed-preview.txt"),
                },
            });
            assert.notEqual(r.code, 0, r.output.slice(-4000));
            assert.match(r.stdout, /^PREVIEW FAILED \(exit \d+\): this is not a plan/m);
            assert.match(r.stdout, /sapoche-stack:images\.backend: got ".*:latest"; expected/);
            assert.match(
                r.stdout,
                /sapoche-stack:workloads\.worker-booking\.scaledToZero: missing; expected/,
            );
            assert.doesNotMatch(
                r.stdout,
                /Kubernetes objects: no change|Policy violations: 0 mandatory/,
            );
        } finally {
            fs.writeFileSync(file, original);
        }
    });

    it("deploys staging: every catalog object exists and every Deployment becomes Available", () => {
        must(sb.up("staging", "staging"));
        const deployments = getJson(["get", "deployments", "-n", NS]).items as any[];
        assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), DEPLOYMENTS);
        for (const d of deployments) {
            const available = (d.status.conditions ?? []).find((c: any) => c.type === "Available");
            assert.equal(available?.status, "True", `${d.metadata.name} Available`);
        }
        const services = getJson(["get", "services", "-n", NS]).items as any[];
        assert.deepEqual(services.map((s) => s.metadata.name).sort(), SERVICES);
        const hpas = getJson(["get", "horizontalpodautoscalers", "-n", NS]).items as any[];
        assert.deepEqual(
            hpas.map((h) => h.metadata.name),
            [catalog.phpBackend.fpm.name],
        );
        const scaled = getJson(["get", "scaledobjects", "-n", NS]).items as any[];
        assert.deepEqual(
            scaled.map((s) => s.metadata.name).sort(),
            catalog.consumers
                .filter((c) => c.keda)
                .map((c) => c.name)
                .sort(),
        );
        const redis = getJson(["get", "statefulset", "redis", "-n", NS]);
        assert.equal(redis.status.readyReplicas, 3);
    });

    it("previews production1 once staging has run its images", () => {
        assertCleanPreview(sb.preview("production1", "production1"));
    });

    it("reports no changes on a second preview", () => {
        assertCleanPreview(sb.preview("staging", "staging", ["--expect-no-changes"]));
    });

    it("refuses production1 when the kubeconfig reaches another cluster than its own, naming both", () => {
        // production1 bound to its own cluster while KUBECONFIG reaches this one (staging's).
        const own = "0b7e1c52-6f0e-4f39-9a53-1d2b3c4d5e6f";
        const here = clusterUid();
        const file = path.join(sb.work, "Pulumi.production1.yaml");
        const original = fs.readFileSync(file, "utf8");
        const before = resourceVersions(NS);
        try {
            bindStackFiles(sb.work, own);
            const r = sb.pulumi(["up", "--stack", "production1", "--yes", "--skip-preview"]);
            assert.notEqual(r.code, 0, "the update must fail");
            assert.match(r.output, new RegExp(`kube-system uid is ${own}`));
            assert.match(
                r.output,
                new RegExp(`reaches the cluster whose kube-system uid is ${here}`),
            );
            assert.match(r.output, /Nothing was registered/);
        } finally {
            fs.writeFileSync(file, original);
            bindStackFiles(sb.work, here);
        }
        assert.deepEqual(resourceVersions(NS), before, "nothing in the cluster changed");
    });

    it("refuses, before approval, a production1 plan whose creates land on staging's objects", () => {
        // Both stacks in one cluster and namespace: production1's "create" of the Namespace and
        // every workload would take staging's over. release.sh refuses it in the plan job.
        const before = resourceVersions(NS);
        const r = run(
            "bash",
            [
                "scripts/delivery/release.sh",
                "--stack",
                "production1",
                "--plan-only",
                "--plan-file",
                path.join(sb.dir, "production1.plan.json"),
            ],
            { cwd: sb.work, env: sb.env },
        );
        assert.equal(r.code, 7, r.output.slice(-4000));
        assert.ok(
            /already exist in the cluster and are not in this stack's state/.test(r.output),
            r.output.slice(-4000),
        );
        assert.match(r.output, /!! Namespace sapoche \(managed by: /);
        assert.match(r.output, /!! Deployment sapoche\/worker-booking /);
        assert.match(r.output, /Nothing was applied/);
        assert.doesNotMatch(r.output, /plan saved to/);
        assert.deepEqual(resourceVersions(NS), before, "nothing in the cluster changed");
    });

    it("refuses an update that breaks a mandatory policy, naming it, and leaves the cluster unchanged", () => {
        // The stack config's schema now refuses what the pack refuses, before the engine starts
        // (stacks/ranges.ts), so the policy side is exercised through the pack's own config: a
        // consumer floor of 3 that staging's critical consumers (1 replica) do not meet.
        const before = resourceVersions(NS);
        const file = path.join(sb.work, "policy-pack", "config", "staging.json");
        const original = fs.readFileSync(file, "utf8");
        const pack = JSON.parse(original);
        pack["enforce-consumer-min-replicas"] = {
            ...pack["enforce-consumer-min-replicas"],
            minReplicas: 3,
        };
        fs.writeFileSync(file, JSON.stringify(pack, null, 4));
        const r = sb.pulumi([
            "up",
            "--stack",
            "staging",
            "--yes",
            "--policy-pack",
            POLICY_PACK,
            "--policy-pack-config",
            "policy-pack/config/staging.json",
        ]);
        fs.writeFileSync(file, original);
        assert.notEqual(r.code, 0);
        assert.match(r.output, /enforce-consumer-min-replicas/);
        assert.match(r.output, /mandatory/);
        assert.deepEqual(resourceVersions(NS), before);
    });

    it("leaves an autoscaler's replica change alone: no drift reported, and up succeeds", () => {
        must(
            kubectl(["scale", "deployment", catalog.phpBackend.fpm.name, "-n", NS, "--replicas=3"]),
        );
        // As after a real scale-up, the new pods are ready before anyone looks.
        settled(NS, catalog.phpBackend.fpm.name);
        assertCleanPreview(
            sb.pulumi(["preview", "--stack", "staging", "--refresh", "--expect-no-changes"]),
        );
        must(sb.up("staging", "staging", ["--refresh"]));
        const fpm = getJson(["get", "deployment", catalog.phpBackend.fpm.name, "-n", NS]);
        assert.equal(fpm.spec.replicas, 3, "the autoscaler's replica count stands");
    });

    it("reports out-of-band edits with preview --refresh and restores them with up", () => {
        must(kubectl(["scale", "deployment", "worker-booking", "-n", NS, "--replicas=5"]));
        must(
            kubectl([
                "set",
                "image",
                "deployment/consumer-ecg",
                "-n",
                NS,
                "consumer=registry.sapoche.internal/sapoche/backend:hotfix",
            ]),
        );
        settled(NS, "worker-booking");
        settled(NS, "consumer-ecg");
        const drift = sb.pulumi([
            "preview",
            "--stack",
            "staging",
            "--refresh",
            "--expect-no-changes",
            "--diff",
        ]);
        assert.notEqual(drift.code, 0, "drift must fail --expect-no-changes");
        assert.match(drift.output, /worker-booking/);
        assert.match(drift.output, /consumer-ecg/);
        must(sb.up("staging", "staging", ["--refresh"]));
        assert.equal(getJson(["get", "deployment", "worker-booking", "-n", NS]).spec.replicas, 2);
        const ecg = getJson(["get", "deployment", "consumer-ecg", "-n", NS]);
        // The sandbox pins the stack file's tag to a local digest (lib/sandbox-stacks.ts).
        assert.match(
            ecg.spec.template.spec.containers[0].image,
            /backend:2026\.11\.2@sha256:[0-9a-f]{64}$/,
        );
        assertCleanPreview(
            sb.pulumi(["preview", "--stack", "staging", "--refresh", "--expect-no-changes"]),
        );
    });

    it("refuses a second update while one runs on the same stack, and keeps the state intact", async () => {
        sb.editConfig(
            "staging",
            (c) => (c["sapoche-stack:workloads"]["worker-sapoche-pdf"].replicas = 2),
        );
        const first = spawn(
            "pulumi",
            ["up", "--stack", "staging", "--yes", "--skip-preview", "--non-interactive"],
            {
                cwd: sb.work,
                env: sb.programEnv(),
            },
        );
        let firstOutput = "";
        first.stdout.on("data", (d) => (firstOutput += d));
        first.stderr.on("data", (d) => (firstOutput += d));
        const firstDone = new Promise<number>((resolve) =>
            first.on("close", (code) => resolve(code ?? -1)),
        );
        // The second update starts only once the first holds the stack's lock.
        stackLocked(sb.state);
        const second = sb.pulumi(["up", "--stack", "staging", "--yes", "--skip-preview"]);
        assert.equal(await firstDone, 0, firstOutput.slice(-4000));
        settledNamespace(NS);
        assert.notEqual(second.code, 0);
        assert.match(second.output, /locked/i);
        assert.equal(
            getJson(["get", "deployment", "worker-sapoche-pdf", "-n", NS]).spec.replicas,
            2,
        );
        assertCleanPreview(sb.preview("staging", "staging", ["--expect-no-changes"]));
    });

    it("refuses to destroy the protected namespace and Redis volumes until protection is lifted", () => {
        const refused = sb.pulumi(["destroy", "--stack", "staging", "--yes"]);
        assert.notEqual(refused.code, 0);
        assert.match(refused.output, /protect/i);
        must(kubectl(["get", "deployment", "worker-booking", "-n", NS]));

        must(sb.pulumi(["destroy", "--stack", "staging", "--yes", "--exclude-protected"]));
        must(kubectl(["get", "namespace", NS]));
        const pvcs = getJson(["get", "pvc", "-n", NS]).items as any[];
        assert.deepEqual(pvcs.map((p) => p.metadata.name).sort(), [
            "data-redis-0",
            "data-redis-1",
            "data-redis-2",
        ]);
        for (const kind of [
            "deployments",
            "statefulsets",
            "services",
            "scaledobjects",
            "horizontalpodautoscalers",
            "poddisruptionbudgets",
        ]) {
            assert.deepEqual(getJson(["get", kind, "-n", NS]).items, [], `${kind} removed`);
        }

        must(sb.pulumi(["state", "unprotect", "--stack", "staging", "--all", "--yes"]));
        must(sb.pulumi(["destroy", "--stack", "staging", "--yes"]));
        const gone = kubectl(["get", "namespace", NS]);
        assert.ok(
            gone.code !== 0 || /Terminating/.test(gone.stdout),
            "the namespace is deleted once unprotected",
        );
    });
});
