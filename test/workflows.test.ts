/**
 * The workflows and CODEOWNERS, read as GitHub reads them: no job that a pull request triggers
 * can read a production secret, jobs holding secrets run no install scripts, the comment job runs
 * the base commit's code, releases are grouped per stack and the drift check never shares their
 * group, and CODEOWNERS covers every path that decides what reaches production.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ROOT } from "../lib/program";

/**
 * The GitHub environments the workflows may use, as configured in the repository's settings
 * (docs/operations/releases.md, "Credentials"): no secret exists at repository level, so a job
 * holds exactly its environment's secrets.
 */
const ENVIRONMENTS: Record<
    string,
    { stack: string; access: "read" | "write"; reviewers: boolean; branches: "main" | "any" }
> = {
    "staging-preview": { stack: "staging", access: "read", reviewers: false, branches: "any" },
    "production1-preview": {
        stack: "production1",
        access: "read",
        reviewers: true,
        branches: "any",
    },
    "production1-readonly": {
        stack: "production1",
        access: "read",
        reviewers: false,
        branches: "main",
    },
    staging: { stack: "staging", access: "write", reviewers: false, branches: "main" },
    production1: { stack: "production1", access: "write", reviewers: true, branches: "main" },
};

const DIR = path.join(ROOT, ".github", "workflows");
const workflows = fs
    .readdirSync(DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((file) => ({
        file,
        doc: yaml.load(fs.readFileSync(path.join(DIR, file), "utf8")) as any,
    }));

/** Event names of a workflow (`on:` as a string, a list or a map; js-yaml reads `on` as is). */
function events(doc: any): string[] {
    const on = doc.on ?? doc[true as any];
    if (typeof on === "string") return [on];
    return Array.isArray(on) ? on : Object.keys(on ?? {});
}

/** Every environment a job can run in: a literal, or each value its matrix or inputs give. */
function environmentsOf(doc: any, job: any): string[] {
    const env = typeof job.environment === "object" ? job.environment?.name : job.environment;
    if (env === undefined) return [];
    const expr = /^\$\{\{\s*(matrix|inputs)\.([\w-]+)\s*\}\}$/.exec(env);
    if (!expr) return [env];
    if (expr[1] === "matrix") {
        const m = job.strategy?.matrix ?? {};
        return [...(m[expr[2]] ?? []), ...(m.include ?? []).map((i: any) => i[expr[2]])];
    }
    const on = doc.on ?? doc[true as any];
    return on.workflow_dispatch.inputs[expr[2]].options;
}

const secretsIn = (node: unknown): string[] =>
    [...JSON.stringify(node ?? {}).matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);

const jobs = workflows.flatMap(({ file, doc }) =>
    Object.entries(doc.jobs as Record<string, any>).map(([id, job]) => ({
        where: `${file}: job ${id}`,
        file,
        doc,
        id,
        job,
        events: events(doc),
        environments: environmentsOf(doc, job),
        secrets: secretsIn(job),
    })),
);

describe("workflows (.github/workflows)", () => {
    it("run only on events whose code is reviewed or the repository's own", () => {
        const allowed = ["pull_request", "push", "schedule", "workflow_dispatch"];
        for (const { file, doc } of workflows) {
            for (const e of events(doc)) assert.ok(allowed.includes(e), `${file}: event ${e}`);
        }
    });

    it("read secrets only inside a job's environment, never at workflow level or by inheritance", () => {
        for (const { file, doc } of workflows) {
            assert.deepEqual(secretsIn(doc.env), [], `${file}: secrets in the workflow's env`);
        }
        for (const j of jobs) {
            assert.ok(!JSON.stringify(j.job).includes('"secrets":"inherit"'), j.where);
            if (j.secrets.length)
                assert.ok(j.environments.length, `${j.where} reads secrets without an environment`);
            for (const e of j.environments)
                assert.ok(ENVIRONMENTS[e], `${j.where}: unknown environment ${e}`);
        }
    });

    it("give a job that a pull request triggers staging's read access at most, production1's only after approval", () => {
        const pr = jobs.filter((j) => j.events.includes("pull_request"));
        assert.ok(pr.length >= 4);
        for (const j of pr) {
            for (const name of j.environments) {
                const e = ENVIRONMENTS[name];
                assert.equal(e.access, "read", `${j.where}: ${name} can write`);
                assert.equal(e.branches, "any", `${j.where}: ${name} is for main only`);
                if (e.stack !== "staging")
                    assert.ok(e.reviewers, `${j.where}: ${name} without reviewers`);
            }
            assert.ok(!j.secrets.includes("GITHUB_TOKEN"), `${j.where}: use github.token`);
        }
        const prod = pr.filter((j) =>
            j.environments.some((e) => ENVIRONMENTS[e].stack === "production1"),
        );
        assert.deepEqual(
            prod.map((j) => j.id),
            ["preview-production1"],
        );
        // The write environments and production1's unreviewed read-only one are main's alone.
        for (const j of jobs.filter((j) =>
            j.environments.some((e) => ENVIRONMENTS[e].branches === "main"),
        )) {
            assert.ok(!j.events.includes("pull_request"), j.where);
        }
    });

    it("install without install scripts in every job that holds secrets", () => {
        for (const j of jobs.filter((j) => j.secrets.length)) {
            for (const step of j.job.steps ?? []) {
                for (const line of String(step.run ?? "").split(/&&|\n/)) {
                    if (/\bnpm (ci|install|i)\b/.test(line)) {
                        assert.match(line, /--ignore-scripts/, `${j.where}: ${line.trim()}`);
                    }
                }
            }
        }
    });

    it("run the pull-request comment script from the base commit", () => {
        const comment = jobs.find((j) => j.id === "comment")!;
        assert.ok(comment.job.permissions["pull-requests"] === "write");
        const checkouts = comment.job.steps.filter((s: any) =>
            /actions\/checkout@/.test(s.uses ?? ""),
        );
        assert.equal(checkouts.length, 1);
        assert.equal(checkouts[0].with.ref, "${{ github.event.pull_request.base.sha }}");
    });

    it("pin every action by commit", () => {
        for (const j of jobs) {
            for (const s of j.job.steps ?? []) {
                if (s.uses)
                    assert.match(
                        s.uses,
                        /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/,
                        `${j.where}: ${s.uses}`,
                    );
            }
        }
    });

    it("group releases per stack, never cancelled, and keep the drift check out of their groups", () => {
        const releases = jobs.filter((j) =>
            j.environments.some((e) => ENVIRONMENTS[e].access === "write"),
        );
        assert.ok(releases.length >= 4);
        for (const j of releases) {
            const c = j.job.concurrency;
            assert.ok(c, `${j.where} has no concurrency group`);
            assert.equal(c["cancel-in-progress"], false, j.where);
            const stacks = j.environments.map((e) => ENVIRONMENTS[e].stack);
            const groups = stacks.map((s) => String(c.group).replace("${{ inputs.stack }}", s));
            assert.deepEqual(
                groups,
                stacks.map((s) => `release-${s}`),
                j.where,
            );
        }
        for (const { file, doc } of workflows) {
            const group = String(doc.concurrency?.group ?? "");
            assert.ok(!/^(release|drift)-/.test(group), `${file}: workflow-wide group ${group}`);
        }
        const drift = jobs.find((j) => j.file === "nightly.yml")!;
        assert.equal(drift.job.concurrency.group, "drift-${{ matrix.stack }}");
    });

    it("offer a rollback of production1 only in its approved environment", () => {
        const rollback = jobs.find((j) => j.file === "rollback.yml")!;
        assert.deepEqual(rollback.events, ["workflow_dispatch"]);
        assert.deepEqual(rollback.environments.sort(), ["production1", "staging"]);
        assert.ok(ENVIRONMENTS.production1.reviewers);
    });
});

describe("CODEOWNERS", () => {
    const owners = fs
        .readFileSync(path.join(ROOT, ".github", "CODEOWNERS"), "utf8")
        .split("\n")
        .map((l) => l.replace(/#.*/, "").trim())
        .filter(Boolean)
        .map((l) => l.split(/\s+/));

    /** The pattern owning `file`, as GitHub resolves it: the last matching line wins. */
    function ownerOf(file: string): string[] | undefined {
        let owner: string[] | undefined;
        for (const [pattern, ...who] of owners) {
            const p = pattern.startsWith("/") ? pattern.slice(1) : pattern;
            const hit = p.endsWith("/") ? file.startsWith(p) : file === p;
            if (hit) owner = who;
        }
        return owner;
    }

    it("owns every path that decides what reaches production", () => {
        const git = (dir: string) =>
            fs.readdirSync(path.join(ROOT, dir)).map((f) => path.join(dir, f));
        const decisive = [
            "index.ts",
            "Pulumi.yaml",
            "Pulumi.staging.yaml",
            "Pulumi.production1.yaml",
            "package.json",
            "package-lock.json",
            "policy-pack/package.json",
            "policy-pack/package-lock.json",
            "policy-pack/policies/index.ts",
            "tsconfig.json",
            ".ci/run",
            ".github/CODEOWNERS",
            ...git("scripts").filter((f) => /\.(sh|js|ts)$/.test(f)),
            ...git("scripts/lib"),
            ...git("scripts/delivery"),
            ...git("scripts/delivery/lib"),
            ...git("stacks"),
            ...git("components"),
            ...git(".github/workflows"),
        ];
        for (const file of decisive) {
            assert.deepEqual(
                ownerOf(file),
                ["@sapoche/platform-engineering"],
                `${file} has no code owner`,
            );
        }
    });
});
