/**
 * The promotion gate that cannot deadlock, and the emergency rollback, on the real engine.
 * staging and production1 side by side (a namespace each, as on two clusters), in a sandbox that
 * is a git repository of its own so that `npm run rollback` has revisions to go back to:
 *
 *   revision A  both stack files run backend CURRENT   staging up, production1 released
 *   revision B  both stack files run backend NEXT      (a pull request bumping both files)
 *
 * 1. B's pull-request preview of production1 passes (gate off, as in pull-request.yml), while the
 *    gate report of that pull request says what production1 would refuse today; staging deploys
 *    B and records [NEXT, CURRENT]; production1 then accepts B through release.sh.
 * 2. An image staging never ran is refused on main, naming what staging runs and ran before; so
 *    is a tag staging ran, pushed again (the same tag, another digest), at preview.
 * 3. production1 may go back to CURRENT, which staging ran before but runs no more (history).
 * 4. release.sh from A's checkout is refused (A does not descend from B, which production1 runs);
 *    `npm run rollback -- --stack production1 --to A` redeploys A through release.sh: no change
 *    without a confirmation (exit 4), a revision off the main line is refused (exit 2), and with
 *    --approved, through the rollback workflow's own step (rollback.yml's script), A is applied
 *    (CURRENT again, sourceRevision A).
 *
 * Cost: staging `up` twice, production1 released twice plus once by the rollback. Every apply
 * waits for its namespace to settle (Sandbox.up / Sandbox.release, or `settled` after the
 * rollback: support/wait.ts) before the next step reads the cluster or the stack's outputs.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { getJson, must, run, Run, resourceVersions, Sandbox, settled } from "../../lib/sandbox";
import { localImage } from "../../lib/sandbox-stacks";

const STAGING_NS = "sapoche-promotion-staging";
const PROD_NS = "sapoche-promotion-prod";
const STAGING = "organization/sapoche-stack/staging";
const BACKEND = "registry.sapoche.internal/sapoche/backend";
// Pinned by digest as the sandbox pins its stack files (production1's pack refuses tags).
const CURRENT = localImage(`${BACKEND}:2026.11.2`);
const NEXT = localImage(`${BACKEND}:2026.12.0`);
const NEVER = localImage(`${BACKEND}:2026.12.9`);
/** NEXT's tag pushed again: other bytes under the tag staging ran. */
const REPUSHED = localImage(`${BACKEND}:2026.12.0`, 2);

/** The backend image a namespace's consumer-ecg Deployment runs. */
function ecgImage(namespace: string): string {
    return getJson(["get", "deployment", "consumer-ecg", "-n", namespace]).spec.template.spec
        .containers[0].image;
}

function setBackend(sb: Sandbox, stack: string, image: string): void {
    sb.editConfig(stack, (c) => (c["sapoche-stack:images"].backend = image));
}

describe("promotion: staging's image history and rollback", function () {
    this.timeout(40 * 60 * 1000);
    const sb = new Sandbox("promotion");
    const git = (...args: string[]) =>
        must(
            run("git", ["-c", "user.name=e2e", "-c", "user.email=e2e@localhost", ...args], {
                cwd: sb.work,
            }),
        ).stdout.trim();
    /** Commits the sandbox's tree and returns the commit. */
    const commit = (message: string) => {
        git("add", "-A");
        git("commit", "-q", "-m", message);
        return git("rev-parse", "HEAD");
    };
    const stagingHistory = () =>
        JSON.parse(
            must(sb.pulumi(["stack", "output", "imageHistory", "--json", "--stack", "staging"]))
                .stdout,
        ) as Record<string, string[]>;
    let revisionA = "";

    before(() => {
        sb.initStack("staging");
        sb.initStack("production1");
        // Ports shifted apart from the other e2e files': NodePorts are cluster-wide.
        sb.relocate("staging", STAGING_NS, 300);
        sb.relocate("production1", PROD_NS, 1300);
        // The copy's linked node_modules are not part of any revision (the rollback links them).
        git("init", "-q", "-b", "main");
        fs.appendFileSync(
            path.join(sb.work, ".git", "info", "exclude"),
            "node_modules\npolicy-pack/node_modules\n",
        );
        revisionA = commit("A: backend CURRENT on both stacks");

        must(sb.up("staging", "staging"));
        // First deployment: no previous outputs, so the history is what staging runs now.
        assert.deepEqual(stagingHistory()["consumer-ecg"], [CURRENT]);
        must(sb.release(["--stack", "production1", "--approved"]));
        assert.equal(ecgImage(PROD_NS), CURRENT);
    });

    it("a two-file image bump passes the pull-request preview, staging deploys it, production1 accepts it", () => {
        setBackend(sb, "staging", NEXT);
        setBackend(sb, "production1", NEXT);
        commit("B: backend NEXT on both stacks");

        // The pull request: production1's real preview from a gate-off copy of its stack file,
        // written outside the tree, exactly as pull-request.yml runs it.
        const ungated = path.join(sb.dir, "Pulumi.production1.ungated.yaml");
        must(
            run(
                "node",
                [
                    "-r",
                    "ts-node/register/transpile-only",
                    "scripts/delivery/lib/without-promotion-gate.ts",
                    "production1",
                    ungated,
                ],
                {
                    cwd: sb.work,
                },
            ),
        );
        const pr = run(
            "bash",
            [
                "scripts/delivery/preview.sh",
                "production1",
                "--save-plan",
                path.join(sb.dir, "pr.plan.json"),
                "--config-file",
                ungated,
            ],
            {
                cwd: sb.work,
                env: {
                    ...sb.env,
                    PULUMI_EXPERIMENTAL: "true",
                    PREVIEW_OUT: path.join(sb.dir, "pr-preview.txt"),
                },
            },
        );
        assert.equal(pr.code, 0, pr.output.slice(-4000));
        assert.doesNotMatch(pr.output, /Refusing to deploy/);
        assert.ok(pr.output.includes(NEXT), "the preview shows the new image");
        assert.equal(git("status", "--porcelain"), "", "the pull-request path writes nothing");

        // The pull request's gate report against what staging has really run: NEXT is expected
        // there (staging runs it only after the merge), and it is a report, not a failure.
        const outputs = path.join(sb.dir, "staging-outputs.json");
        fs.writeFileSync(
            outputs,
            must(sb.pulumi(["stack", "output", "--stack", "staging", "--json"])).stdout,
        );
        const report = path.join(sb.dir, "gate-now");
        must(
            run(
                "npm",
                [
                    "run",
                    "-s",
                    "render",
                    "--",
                    "production1",
                    "--out",
                    report,
                    "--promotion-source",
                    outputs,
                ],
                { cwd: sb.work, env: sb.env },
            ),
        );
        const gateNow = fs.readFileSync(path.join(report, "promotion-gate.txt"), "utf8");
        assert.match(gateNow, /REFUSED/);
        assert.ok(gateNow.includes(`  - consumer-ecg: ${NEXT} (${STAGING} runs ${CURRENT})`));

        // Merged: main deploys staging, whose history now holds both images, newest first.
        must(sb.up("staging", "staging"));
        assert.equal(ecgImage(STAGING_NS), NEXT);
        assert.deepEqual(stagingHistory()["consumer-ecg"], [NEXT, CURRENT]);

        // main's production1 release runs the committed stack file: the gate is on, and accepts.
        const released = must(sb.release(["--stack", "production1", "--approved"]));
        assert.doesNotMatch(released.output, /Refusing to deploy/);
        assert.equal(ecgImage(PROD_NS), NEXT);
    });

    it("an image staging never ran is still refused on main, naming what staging runs and ran before", () => {
        setBackend(sb, "production1", NEVER);
        const before = resourceVersions(PROD_NS);
        const r: Run = sb.release(["--stack", "production1", "--approved"]);
        setBackend(sb, "production1", NEXT);
        assert.equal(r.code, 1, r.output.slice(-4000));
        assert.match(
            r.output,
            new RegExp(
                `Refusing to deploy \\d+ workload image\\(s\\) that ${STAGING} has not run successfully`,
            ),
        );
        assert.ok(
            r.output.includes(
                `  - consumer-ecg: ${NEVER} (${STAGING} runs ${NEXT}; ran before: ${CURRENT})`,
            ),
            r.output.slice(-4000),
        );
        assert.match(r.output, /nothing was applied/);
        assert.deepEqual(resourceVersions(PROD_NS), before, "the cluster is unchanged");
        assert.equal(ecgImage(PROD_NS), NEXT);
    });

    it("a re-pushed tag is refused: the tag staging ran, under another digest, fails production1's preview", () => {
        assert.equal(REPUSHED.split("@")[0], NEXT.split("@")[0]);
        setBackend(sb, "production1", REPUSHED);
        const before = resourceVersions(PROD_NS);
        const r = sb.preview("production1", "production1");
        setBackend(sb, "production1", NEXT);
        assert.notEqual(r.code, 0, r.output.slice(-4000));
        assert.ok(
            r.output.includes(
                `  - consumer-ecg: ${REPUSHED} (${STAGING} runs ${NEXT}; ran before: ${CURRENT})`,
            ),
            r.output.slice(-4000),
        );
        assert.deepEqual(resourceVersions(PROD_NS), before, "the cluster is unchanged");
    });

    it("production1 may go back to an image staging ran before but runs no more", () => {
        setBackend(sb, "production1", CURRENT);
        const r = sb.preview("production1", "production1");
        setBackend(sb, "production1", NEXT);
        assert.equal(r.code, 0, r.output.slice(-4000));
        assert.doesNotMatch(r.output, /Refusing to deploy|Promotion bypass/);
        assert.ok(r.output.includes(CURRENT), "the preview rolls consumer-ecg back to CURRENT");
        assert.equal(ecgImage(STAGING_NS), NEXT, "staging itself runs NEXT");
    });

    it("npm run rollback redeploys an earlier revision through release.sh's gates and confirmation", () => {
        const rollback = (to: string, extra: string[] = []) =>
            run(
                "npm",
                ["run", "-s", "rollback", "--", "--stack", "production1", "--to", to, ...extra],
                {
                    cwd: sb.work,
                    env: sb.env,
                    input: "",
                },
            );

        // Re-running an old release (revision A's checkout) is refused: production1 runs B.
        git("checkout", "-q", revisionA);
        const old = sb.release(["--stack", "production1", "--approved"]);
        git("checkout", "-q", "main");
        assert.equal(old.code, 6, old.output.slice(-4000));
        assert.match(old.output, new RegExp(`${revisionA} does not descend from the deployed`));
        assert.match(old.output, /nothing was applied/);

        // Not on the main line: refused before anything runs.
        git("checkout", "-q", "-b", "unreviewed");
        setBackend(sb, "production1", NEVER);
        const offMain = commit("an unreviewed change");
        git("checkout", "-q", "main");
        const before = resourceVersions(PROD_NS);
        const refused = rollback(offMain, ["--approved"]);
        assert.equal(refused.code, 2, refused.output.slice(-4000));
        assert.match(refused.output, /is not an ancestor of HEAD: .*nothing was applied/);

        // No terminal and no --approved: release.sh's refusal, with its exit code.
        const unconfirmed = rollback(revisionA);
        assert.equal(unconfirmed.code, 4, unconfirmed.output.slice(-4000));
        assert.match(unconfirmed.output, /rollback: releasing production1 at /);
        assert.match(unconfirmed.output, /stdin is not a terminal and --approved was not given/);
        assert.deepEqual(resourceVersions(PROD_NS), before, "the cluster is unchanged");

        // Approved: the rollback workflow's own step, its `run` script as rollback.yml holds it,
        // run as GitHub runs a bash step, with the dispatch inputs and the environment's secrets
        // in the variables the step maps them to (the kubeconfig as KUBECONFIG_DATA).
        const workflow = yaml.load(
            fs.readFileSync(path.join(sb.work, ".github/workflows/rollback.yml"), "utf8"),
        ) as any;
        const step = workflow.jobs.rollback.steps.find((s: any) =>
            /ci-release\.sh .*--rollback/.test(s.run ?? ""),
        );
        assert.ok(step, "rollback.yml has a step that runs ci-release.sh --rollback");
        const summary = path.join(sb.dir, "rollback-step-summary.md");
        const given: Record<string, string> = {
            STACK: "production1",
            REVISION: revisionA,
            REASON: "e2e: B misbehaves",
            PULUMI_BACKEND_URL: sb.env.PULUMI_BACKEND_URL!,
            PULUMI_CONFIG_PASSPHRASE: sb.env.PULUMI_CONFIG_PASSPHRASE!,
            AWS_ACCESS_KEY_ID: "unused-by-the-file-backend",
            AWS_SECRET_ACCESS_KEY: "unused-by-the-file-backend",
            KUBECONFIG_DATA: fs.readFileSync(sb.env.KUBECONFIG!, "utf8"),
        };
        assert.deepEqual(Object.keys(step.env).sort(), Object.keys(given).sort());
        const applied = run("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
            cwd: sb.work,
            env: {
                ...sb.env,
                ...given,
                KUBECONFIG: "",
                AWS_REGION: "unused-by-the-file-backend",
                GITHUB_STEP_SUMMARY: summary,
            },
            input: "",
        });
        assert.equal(applied.code, 0, applied.output.slice(-4000));
        assert.match(applied.output, /Updating \(production1\)/);
        // The rollback applies outside Sandbox.release: wait for the namespace the same way.
        settled(PROD_NS, "consumer-ecg");
        assert.equal(ecgImage(PROD_NS), CURRENT, "revision A's image, accepted from history");
        assert.equal(
            must(
                sb.pulumi(["stack", "output", "sourceRevision", "--stack", "production1"]),
            ).stdout.trim(),
            revisionA,
        );
        assert.equal(
            fs.readFileSync(summary, "utf8"),
            `Rollback of production1 to ${revisionA}: e2e: B misbehaves\n`,
        );
        assert.equal(ecgImage(STAGING_NS), NEXT, "staging untouched");
        assert.equal(git("status", "--porcelain"), "", "the rollback writes nothing in the tree");
    });

    after(() => {
        for (const ns of [STAGING_NS, PROD_NS]) {
            run("kubectl", ["delete", "namespace", ns, "--ignore-not-found", "--wait=false"], {
                env: process.env,
            });
        }
        sb.remove();
    });
});
