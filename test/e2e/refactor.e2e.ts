/**
 * The workload-plan refactor (issue 9) on the real engine: staging is deployed by the program as
 * it was before the refactor (the parent of its first commit, checked out with `git worktree`),
 * then the program as it is now previews and updates that same stack. Logical names changed in
 * the refactor; their aliases must make the engine match every deployed object, so nothing is
 * deleted, no workload is created or replaced, and every live object keeps its uid.
 *
 * The test prints what changed: renamed URNs (old -> new), updates with the fields they touch,
 * and anything created or replaced (later features, not the refactor).
 *
 * SAPOCHE_REFACTOR_BASE overrides the "before" commit (default: the parent of the commit whose
 * message starts "One typed workload plan").
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { getJson, kubectl, must, POLICY_PACK, ROOT, run, Sandbox } from "../../lib/sandbox";
import { readStackFile } from "../../lib/stack-file";

const NS = "sapoche-refactor";
const STACK = "staging";

/** Kinds whose creation, replacement or deletion would disturb what runs. */
const WORKLOAD_KINDS = new Set([
    "Deployment",
    "StatefulSet",
    "Service",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "ScaledObject",
    "TriggerAuthentication",
    "PersistentVolumeClaim",
    "Namespace",
]);

interface Step {
    readonly op: string;
    readonly urn: string;
    readonly oldState?: { readonly urn: string; readonly type: string; readonly inputs?: any };
    readonly newState?: { readonly type: string; readonly inputs?: any };
    readonly detailedDiff?: Record<string, unknown>;
    readonly diffReasons?: readonly string[];
}

/** `Deployment` from `kubernetes:apps/v1:Deployment` (the kind is after the last colon). */
const kindOf = (s: Step) => (s.newState?.type ?? s.oldState?.type ?? "").split(":").pop() ?? "";
const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** The commit whose program deploys the "before" state. */
function baseCommit(): string {
    if (process.env.SAPOCHE_REFACTOR_BASE) return process.env.SAPOCHE_REFACTOR_BASE;
    const sha = must(
        run("git", ["log", "--format=%H", "-n1", "--grep=^One typed workload plan"], { cwd: ROOT }),
    ).stdout.trim();
    assert.ok(sha, "no commit starting 'One typed workload plan': set SAPOCHE_REFACTOR_BASE");
    return `${sha}^`;
}

/** Every object of the namespace's main kinds by `Kind/name`, with its uid. */
function uids(): Record<string, string> {
    const kinds =
        "deployments,statefulsets,services,configmaps,poddisruptionbudgets," +
        "horizontalpodautoscalers,scaledobjects,triggerauthentications,persistentvolumeclaims";
    const items = getJson(["get", kinds, "-n", NS]).items as any[];
    // KEDA creates its own HPAs (keda-hpa-*); they are KEDA's, not the program's.
    return Object.fromEntries(
        items
            .filter((i) => !i.metadata.name.startsWith("keda-hpa-"))
            .map((i) => [`${i.kind}/${i.metadata.name}`, i.metadata.uid]),
    );
}

describe("refactor: the workload plan against a stack deployed before it", function () {
    this.timeout(30 * 60 * 1000);
    const sb = new Sandbox("refactor");
    const oldCheckout = path.join(sb.dir, "before");
    let uidsBefore: Record<string, string>;
    let urnsBefore: string[];
    /** URN of every resource in the stack's state. */
    const urns = () =>
        (
            JSON.parse(must(sb.pulumi(["stack", "export", "--stack", STACK])).stdout).deployment
                .resources as { urn: string }[]
        ).map((r) => r.urn);

    before(() => {
        must(run("git", ["worktree", "add", "--detach", oldCheckout, baseCommit()], { cwd: ROOT }));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(oldCheckout, "node_modules"));

        sb.initStack(STACK);
        sb.relocate(STACK, NS, 2500);
        // The old program deploys the same stack (same backend, same passphrase salt), in the
        // same namespace with the same node ports as the new one previews.
        const read = (dir: string) => readStackFile(STACK, dir) as any;
        const now = read(sb.work);
        const old = read(oldCheckout);
        old.encryptionsalt = now.encryptionsalt;
        for (const key of ["namespace", "nodePorts"]) {
            old.config[`sapoche-stack:${key}`] = now.config[`sapoche-stack:${key}`];
        }
        fs.writeFileSync(path.join(oldCheckout, `Pulumi.${STACK}.yaml`), yaml.dump(old));

        // Without the policy pack: the old commit's pack is not what is under test here.
        must(
            run(
                "pulumi",
                ["up", "--stack", STACK, "--yes", "--skip-preview", "--non-interactive"],
                {
                    cwd: oldCheckout,
                    env: sb.env,
                },
            ),
        );
        uidsBefore = uids();
        urnsBefore = urns();
        assert.ok(Object.keys(uidsBefore).length > 50, "the old program deployed the namespace");
    });

    it("previews the new program with no delete and no workload created or replaced", () => {
        const preview = must(
            sb.pulumi([
                "preview",
                "--stack",
                STACK,
                "--json",
                // Unchanged resources too: a renamed one is a `same` step with its old URN.
                "--show-sames",
                "--policy-pack",
                POLICY_PACK,
                "--policy-pack-config",
                `policy-pack/config/${STACK}.json`,
            ]),
        );
        const steps = (JSON.parse(preview.stdout).steps ?? []) as Step[];
        assert.ok(steps.length > 50, "the preview lists every resource");

        const renamed = steps.filter((s) => s.oldState && s.oldState.urn !== s.urn);
        const updated = steps.filter((s) => s.op === "update");
        const created = steps.filter((s) => s.op === "create");
        const replaced = steps.filter((s) => /replace/.test(s.op));
        const deleted = steps.filter((s) => s.op === "delete");
        console.log(`      ${steps.length} steps: ${summary(steps)}`);
        for (const s of renamed)
            console.log(
                `      renamed ${kindOf(s)} ${nameOf(s.oldState!.urn)} -> ${nameOf(s.urn)}`,
            );
        for (const s of updated) {
            const fields =
                Object.keys(s.detailedDiff ?? {}).join(", ") || s.diffReasons?.join(", ");
            console.log(`      update ${kindOf(s)} ${nameOf(s.urn)}: ${fields}`);
        }
        for (const s of [...created, ...replaced])
            console.log(`      ${s.op} ${kindOf(s)} ${nameOf(s.urn)}`);

        // A missing alias shows as a delete of the old logical name plus a create of the same
        // object under the new one; a workload is never deleted. An object the program no longer
        // renders at all (a deliberate removal since the base commit, such as issue 28's PDF
        // PodMonitor or issue 29's reshaped NetworkPolicies) is deleted and listed.
        const objectOf = (s: Step) => {
            const state = s.newState ?? s.oldState;
            return `${kindOf(s)}/${state?.inputs?.metadata?.name ?? nameOf(s.urn)}`;
        };
        const createdObjects = new Set(created.map(objectOf));
        for (const s of deleted) console.log(`      delete ${objectOf(s)} (no longer rendered)`);
        assert.deepEqual(
            deleted
                .filter((s) => createdObjects.has(objectOf(s)) || WORKLOAD_KINDS.has(kindOf(s)))
                .map((s) => s.urn),
            [],
        );
        assert.deepEqual(
            [...created, ...replaced]
                .filter((s) => WORKLOAD_KINDS.has(kindOf(s)))
                .map((s) => `${s.op} ${kindOf(s)} ${nameOf(s.urn)}`),
            [],
        );
    });

    it("updates the stack in place: every workload keeps its uid, one state entry per object", () => {
        must(sb.up(STACK, STACK));
        const after = uids();
        const recreated = Object.entries(uidsBefore)
            .filter(([object, uid]) => after[object] !== uid)
            .map(([object]) => object);
        for (const object of recreated) console.log(`      new uid: ${object}`);
        assert.deepEqual(
            recreated.filter((o) => WORKLOAD_KINDS.has(o.split("/")[0])),
            [],
            "workloads, Services, PDBs, autoscalers and volume claims keep their uid",
        );

        // What the refactor renamed, as the state records it.
        const urnsAfter = urns();
        const gone = urnsBefore.filter((u) => !urnsAfter.includes(u)).map(nameOf);
        const added = urnsAfter.filter((u) => !urnsBefore.includes(u)).map(nameOf);
        console.log(`      logical names no longer in the state: ${gone.join(", ")}`);
        console.log(`      logical names new in the state: ${added.join(", ")}`);
        assert.ok(gone.includes("sapoche-be--scheduler--staging"));
        assert.ok(added.includes("scheduler") && added.includes("scheduler-deployment"));
        const deployments = (list: string[]) =>
            list.filter((u) => u.includes("kubernetes:apps/v1:Deployment::")).length;
        assert.equal(
            deployments(urnsAfter),
            deployments(urnsBefore),
            "one state entry per Deployment",
        );
        must(sb.pulumi(["preview", "--stack", STACK, "--expect-no-changes"]));
    });

    after(() => {
        sb.pulumi(["state", "unprotect", "--stack", STACK, "--all", "--yes"]);
        sb.pulumi(["destroy", "--stack", STACK, "--yes"]);
        kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"]);
        run("git", ["worktree", "remove", "--force", oldCheckout], { cwd: ROOT });
        sb.remove();
    });
});

function summary(steps: readonly Step[]): string {
    const counts = new Map<string, number>();
    for (const s of steps) counts.set(s.op, (counts.get(s.op) ?? 0) + 1);
    return [...counts].map(([op, n]) => `${n} ${op}`).join(", ");
}
