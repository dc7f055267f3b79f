/**
 * Delivery on the real engine: staging and production1 side by side (each in a namespace of its
 * own, as on two clusters), production1 shipped only through scripts/delivery/release.sh, and
 * production1's preview gated on what staging has run.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    getJson,
    kubectl,
    must,
    run,
    Run,
    resourceVersions,
    Sandbox,
    settled,
} from "../../lib/sandbox";
import { localImage } from "../../lib/sandbox-stacks";
import * as catalog from "../../stacks/catalog";

const STAGING_NS = "sapoche-delivery-staging";
const PROD_NS = "sapoche-delivery-prod";
const BACKEND = "registry.sapoche.internal/sapoche/backend";
/** Pinned as the sandbox pins its stack files' images (production1's pack refuses tags). */
const CURRENT_BACKEND = localImage(`${BACKEND}:2026.11.2`);
const NEXT_BACKEND = localImage(`${BACKEND}:2026.12.0`);

function replicas(deployment: string): number {
    return getJson(["get", "deployment", deployment, "-n", PROD_NS]).spec.replicas;
}

function setReplicas(sb: Sandbox, workload: string, count: number): void {
    sb.editConfig("production1", (c) => (c["sapoche-stack:workloads"][workload].replicas = count));
}

function assertNothingApplied(r: Run, exitCode: number, before: Record<string, string>): void {
    assert.equal(r.code, exitCode, r.output.slice(-4000));
    assert.match(r.output, /nothing was applied/i);
    assert.doesNotMatch(r.output, /Updating \(production1\)/, "pulumi up never started");
    assert.deepEqual(resourceVersions(PROD_NS), before, "the cluster is unchanged");
}

describe("delivery: approved plans and staging first", function () {
    this.timeout(30 * 60 * 1000);
    const sb = new Sandbox("delivery");
    const planFile = path.join(sb.dir, "production1.plan.json");
    /** release.sh saving production1's plan to `planFile` (the plan job's step). */
    const savePlan = (...extra: string[]) =>
        sb.release(["--stack", "production1", "--plan-only", "--plan-file", planFile, ...extra]);
    let bookingReplicas: number;

    before(() => {
        sb.initStack("staging");
        sb.initStack("production1");
        sb.relocate("staging", STAGING_NS, 900);
        sb.relocate("production1", PROD_NS, 1800);
        must(sb.up("staging", "staging"));
    });

    it("saves a reviewed plan with a summary and applies exactly that plan", () => {
        const saved = must(savePlan());
        assert.match(
            saved.output,
            /Release of production1: \d+ to create, 0 to update, 0 to replace, 0 to delete/,
        );
        // A first release: creates grouped per kind, a few names each.
        assert.match(
            saved.output,
            /^ {2}create {2}Deployment +\d+: consumer-dicom, .*, \+\d+ more$/m,
        );
        assert.match(saved.output, /data-risk guard +passed/);
        assert.match(saved.output, /creates over live +passed/);
        assert.match(saved.output, /Full preview \(kept\): \S+preview\.txt/);
        assert.ok(fs.existsSync(/Full preview \(kept\): (\S+)/.exec(saved.output)![1]));
        assert.match(saved.output, /--stack production1 --apply-plan /);
        assert.ok(fs.existsSync(planFile));

        const applied = must(
            sb.release(["--stack", "production1", "--apply-plan", planFile, "--approved"]),
        );
        assert.match(applied.output, /Updating \(production1\)/);
        const deployments = getJson(["get", "deployments", "-n", PROD_NS]).items as any[];
        // Every configured workload, the Redis proxy and the scheduler.
        assert.equal(deployments.length, catalog.configuredWorkloads.length + 2);
        for (const d of deployments) {
            const available = (d.status.conditions ?? []).find((c: any) => c.type === "Available");
            assert.equal(available?.status, "True", `${d.metadata.name} Available`);
        }
        bookingReplicas = replicas("worker-booking");
    });

    it("changes nothing without a confirmation: no terminal and no --approved", () => {
        setReplicas(sb, "worker-booking", bookingReplicas + 1);
        const before = resourceVersions(PROD_NS);
        // Typing the stack name into a pipe is not a confirmation: only a terminal is.
        const r = sb.release(["--stack", "production1"], { input: "production1\n" });
        assertNothingApplied(r, 4, before);
        assert.match(r.output, /Release of production1: 0 to create, 2 to update/);
        // Which objects, and which fields: the replica edit made outside the stack is undone.
        assert.match(r.output, /^ {2}update {2}Deployment +worker-booking +.*spec\.replicas/m);
        assert.match(r.output, /stdin is not a terminal and --approved was not given/);
    });

    it("changes nothing when the name typed at the terminal is not the stack's", () => {
        const before = resourceVersions(PROD_NS);
        // `script` gives release.sh a terminal, as an operator at a shell has.
        const r = run(
            "script",
            ["-qec", "bash scripts/delivery/release.sh --stack production1", "/dev/null"],
            {
                cwd: sb.work,
                env: sb.env,
                input: "staging\n",
            },
        );
        assertNothingApplied(r, 4, before);
        assert.match(r.output, /Type the stack name \(production1\)/);
        assert.match(r.output, /confirmation did not match/);
    });

    it("refuses a saved plan after an unrelated config change, and applies it once config matches again", () => {
        must(savePlan());
        const pdf = replicas("worker-sapoche-pdf");
        setReplicas(sb, "worker-sapoche-pdf", pdf + 1);
        const before = resourceVersions(PROD_NS);
        const r = sb.release(["--stack", "production1", "--apply-plan", planFile, "--approved"]);
        assertNothingApplied(r, 3, before);
        assert.match(r.output, /no longer matches what an update would do now/);
        assert.match(r.output, /differs: .*Deployment::worker-sapoche-pdf/);

        // The refusal came from the change, not from plans that never compare equal.
        setReplicas(sb, "worker-sapoche-pdf", pdf);
        must(sb.release(["--stack", "production1", "--apply-plan", planFile, "--approved"]));
        assert.equal(replicas("worker-booking"), bookingReplicas + 1);
        assert.equal(replicas("worker-sapoche-pdf"), pdf);
    });

    it("refuses at preview an image staging has not run, then accepts it once staging ran it", () => {
        sb.editConfig("production1", (c) => (c["sapoche-stack:images"].backend = NEXT_BACKEND));
        const refused = sb.preview("production1", "production1");
        assert.notEqual(refused.code, 0);
        assert.match(
            refused.output,
            /Refusing to deploy \d+ workload image\(s\) that organization\/sapoche-stack\/staging has not run successfully/,
        );
        assert.ok(
            refused.output.includes(
                `  - consumer-ecg: ${NEXT_BACKEND} (organization/sapoche-stack/staging runs ${CURRENT_BACKEND})`,
            ),
            refused.output.slice(-4000),
        );
        assert.equal(
            getJson(["get", "deployment", "consumer-ecg", "-n", PROD_NS]).spec.template.spec
                .containers[0].image,
            CURRENT_BACKEND,
        );

        // Break-glass: the bypass passes the gate, and both the preview and the pack say so.
        sb.editConfig(
            "production1",
            (c) =>
                (c["sapoche-stack:promotion"].bypassReason =
                    "INC-4711 lab results down, the fix cannot wait for staging"),
        );
        const bypassed = sb.preview("production1", "production1");
        sb.editConfig("production1", (c) => (c["sapoche-stack:promotion"].bypassReason = ""));
        assert.equal(bypassed.code, 0, bypassed.output.slice(-4000));
        assert.match(
            bypassed.output,
            /Promotion bypass \(INC-4711 lab results down[^)]*\): .*consumer-ecg/,
        );
        // CLI 3.274 prints each policy result by level and name, then the description.
        assert.match(bypassed.output, /\[advisory\]\s+report-promotion-bypass\s/);
        assert.match(bypassed.output, /deployed without staging promotion: INC-4711/);
        assert.match(bypassed.output, /sapoche\.io\/promotion-bypass/);

        sb.editConfig("staging", (c) => (c["sapoche-stack:images"].backend = NEXT_BACKEND));
        must(sb.up("staging", "staging"));
        const accepted = sb.preview("production1", "production1");
        assert.equal(accepted.code, 0, accepted.output.slice(-4000));
        assert.doesNotMatch(accepted.output, /Refusing|mandatory/);
    });

    it("refuses a saved plan after the cluster was edited out of band", () => {
        must(savePlan());
        // A Deployment the plan leaves unchanged: the edit turns it into an update nobody reviewed.
        const web = "sapoche-frontend-web";
        must(
            kubectl([
                "scale",
                `deployment/${web}`,
                "-n",
                PROD_NS,
                `--replicas=${replicas(web) + 2}`,
            ]),
        );
        // Its new pods become ready first: the snapshot must not race the Deployment's status.
        settled(PROD_NS, web);
        const before = resourceVersions(PROD_NS);
        const r = sb.release(["--stack", "production1", "--apply-plan", planFile, "--approved"]);
        assertNothingApplied(r, 3, before);
        assert.match(r.output, new RegExp(`differs: .*Deployment::${web}`));
    });

    /** Runs `body` with `file` of the sandbox's program edited, then restores it. */
    function withEdit(file: string, from: string, to: string, body: () => void): void {
        const at = path.join(sb.work, file);
        const original = fs.readFileSync(at, "utf8");
        assert.ok(original.includes(from), `${file} holds ${from}`);
        fs.writeFileSync(at, original.replace(from, to));
        try {
            body();
        } finally {
            fs.writeFileSync(at, original);
        }
    }

    it("refuses in the plan job a plan that deletes redis-sp (renamed: replaced, the old one deleted)", () => {
        withEdit("stacks/catalog.ts", 'service: "redis-sp",', 'service: "redis-sp-v2",', () => {
            // As a reviewed catalog change would, the pack's catalogued Services follow it (CI's
            // packConfig test refuses a stale config), so the release guard is what refuses.
            const config = path.join(sb.work, "policy-pack", "config", "production1.json");
            const pack = JSON.parse(fs.readFileSync(config, "utf8"));
            const services = pack["enforce-catalogued-service"].services;
            assert.ok(services["redis-sp"], "the pack config catalogues redis-sp");
            services["redis-sp-v2"] = services["redis-sp"];
            delete services["redis-sp"];
            withEdit(
                "policy-pack/config/production1.json",
                fs.readFileSync(config, "utf8"),
                JSON.stringify(pack, null, 4),
                () => {
                    const before = resourceVersions(PROD_NS);
                    const r = savePlan();
                    assertNothingApplied(r, 5, before);
                    assert.match(
                        r.output,
                        /!! .*delete-replaced of Service redis-sp -> redis-sp-v2: a critical object/,
                    );
                },
            );
        });
    });

    it("refuses a plan that sets the claim retention policy to Delete, at plan and at apply", () => {
        withEdit(
            "components/redis/index.ts",
            'whenScaled: "Retain"',
            'whenScaled: "Delete"',
            () => {
                const before = resourceVersions(PROD_NS);
                const r = savePlan();
                assertNothingApplied(r, 5, before);
                assert.match(
                    r.output,
                    /StatefulSet redis: .*persistentVolumeClaimRetentionPolicy becomes/,
                );
                // Saved with a reason, the plan is still judged again at apply.
                must(savePlan("--allow-data-risk", "e2e: proving the apply-time guard"));
                const applied = sb.release([
                    "--stack",
                    "production1",
                    "--apply-plan",
                    planFile,
                    "--approved",
                ]);
                assertNothingApplied(applied, 5, before);
            },
        );
    });

    /**
     * A kubeconfig for the deploy identity of scripts/delivery/deployer-rbac.yaml, applied for
     * this test's namespace: the admin's cluster entry, a ServiceAccount token as the user.
     */
    function deployerKubeconfig(): string {
        const manifest = fs
            .readFileSync(path.join(sb.work, "scripts/delivery/deployer-rbac.yaml"), "utf8")
            .replace(/^(\s+namespace:) sapoche$/gm, `$1 ${PROD_NS}`)
            .replace(/resourceNames: \[sapoche\]/g, `resourceNames: [${PROD_NS}]`)
            .replace(/name: sapoche-deployer-namespace$/gm, `name: sapoche-deployer-${PROD_NS}`);
        must(kubectl(["apply", "-f", "-"], manifest));
        const token = must(
            kubectl(["create", "token", "sapoche-deployer", "-n", PROD_NS, "--duration", "2h"]),
        ).stdout.trim();
        const admin = JSON.parse(
            must(kubectl(["config", "view", "--raw", "--minify", "--flatten", "-o", "json"]))
                .stdout,
        );
        const cluster = admin.clusters[0];
        return JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [cluster],
            users: [{ name: "sapoche-deployer", user: { token } }],
            contexts: [
                {
                    name: "deployer",
                    context: { cluster: cluster.name, user: "sapoche-deployer" },
                },
            ],
            "current-context": "deployer",
        });
    }

    it("plans and then applies under the deploy identity the workflows hold (main.yml's two steps)", () => {
        const kubeconfig = deployerKubeconfig();
        const dir = fs.mkdtempSync(path.join(sb.dir, "deployer-"));
        const asDeployer = path.join(dir, "kubeconfig");
        fs.writeFileSync(asDeployer, kubeconfig);
        // The identity is the Role and nothing more: no Secrets, no other namespace.
        const can = (...args: string[]) =>
            run("kubectl", ["auth", "can-i", ...args], {
                env: { ...process.env, KUBECONFIG: asDeployer },
            }).stdout.trim();
        assert.equal(can("patch", "deployments", "-n", PROD_NS), "yes");
        assert.equal(can("get", "secrets", "-n", PROD_NS), "no");
        assert.equal(can("create", "deployments", "-n", STAGING_NS), "no");
        assert.equal(can("create", "namespaces"), "no");

        // A change to apply: one more worker-booking replica.
        const booking = replicas("worker-booking");
        setReplicas(sb, "worker-booking", booking + 1);
        const plan = path.join(dir, "production1.plan.json");
        // As main.yml's production1-plan and production1-apply steps run them: the same script,
        // the same kubeconfig handed over in KUBECONFIG_DATA, the apply from the saved plan.
        const step = (...args: string[]) =>
            run("bash", ["scripts/delivery/ci-release.sh", "production1", ...args], {
                cwd: sb.work,
                env: {
                    ...sb.env,
                    AWS_REGION: "unused-by-the-file-backend",
                    KUBECONFIG_DATA: kubeconfig,
                    KUBECONFIG: "",
                },
                input: "",
            });
        const planned = step("--plan-only", "--plan-file", plan);
        assert.equal(planned.code, 0, planned.output.slice(-4000));
        assert.match(planned.output, /data-risk guard +passed/);
        const applied = step("--apply-plan", plan, "--approved");
        assert.equal(applied.code, 0, applied.output.slice(-4000));
        assert.match(applied.output, /Updating \(production1\)/);
        assert.doesNotMatch(applied.output, /forbidden/i);
        settled(PROD_NS, "worker-booking");
        assert.equal(replicas("worker-booking"), booking + 1);
    });

    after(() => {
        for (const ns of [STAGING_NS, PROD_NS]) {
            kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=false"]);
        }
        sb.remove();
    });
});
