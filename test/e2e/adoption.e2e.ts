/**
 * Adoption in phases (docs/operations/adoption.md): objects shaped like today's live
 * namespace (commands, env, volumes, probes, live pod labels), created first with kubectl, are
 * read back into the stack file by `npm run import-live`, then brought under the stack one phase
 * per release, as the runbook walks them: import, reshape, services, redis-moved, enforce, done.
 * Each phase's preview (`pulumi preview --json`, with the pack and the phase's generated pack
 * config) shows only the changes that phase allows, every live object keeps its uid throughout,
 * and the reshape leaves every live container's command, args, env, envFrom, probes and mounts
 * as they were.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { targetsFor } from "../../scripts/import-live/live-config";
import { packConfig } from "../../scripts/pack-config";
import { networkFlows } from "../../stacks/flows";
import { stackSettings } from "../../lib/program";
import { readStackFile } from "../../lib/stack-file";
import {
    getJson,
    kubectl,
    must,
    POLICY_PACK,
    resourceVersions,
    run,
    Sandbox,
} from "../../lib/sandbox";
import { LIVE_BROKER_URL, liveNamespace } from "./support/live-namespace";

const NS = "sapoche-adopt";
const STACK = "adopt";
/** The Service the runbook puts in front of the live redis-master before the import. */
const LEGACY = `redis-legacy.${NS}.svc.cluster.local`;
/** docs/operations/adoption.md, before phase reshape. */
const RECREATE = JSON.stringify([
    { op: "remove", path: "/spec/strategy/rollingUpdate" },
    { op: "replace", path: "/spec/strategy/type", value: "Recreate" },
]);
const RESTRICTING = ["NetworkPolicy", "ResourceQuota", "LimitRange"];

/** The NetworkPolicies production1's flow list renders in a phase (test/adoption.test.ts). */
function networkPolicies(phase: "enforce" | "done"): number {
    const flows = networkFlows({ ...stackSettings("production1"), adoption: { phase } });
    const ingress = flows.filter((f) => f.to.kind === "pods" && f.renderedBy === "baseline");
    const sources = new Set(flows.flatMap((f) => (f.from.kind === "pods" ? f.from.names : [])));
    return 2 + ingress.length + sources.size + 1;
}
/** Container facts import-live writes; the reshape must leave them as they run. */
const FACTS = ["command", "args", "env", "envFrom", "livenessProbe", "readinessProbe"] as const;

/** Per adopted live Deployment (in `live`, but redis-master), its main container's facts and mounts. */
function containerFacts(live: Record<string, string>): Record<string, unknown> {
    const items = getJson(["get", "deployments", "-n", NS]).items as any[];
    return Object.fromEntries(
        items
            .filter((d) => d.metadata.name !== "redis-master")
            .filter((d) => live[`Deployment/${d.metadata.name}`] !== undefined)
            .map((d) => {
                const c = d.spec.template.spec.containers[0];
                const mounts = ((c.volumeMounts ?? []) as any[]).map(
                    (m) => `${m.name}:${m.mountPath}`,
                );
                return [
                    d.metadata.name,
                    { ...Object.fromEntries(FACTS.map((k) => [k, c[k]])), mounts },
                ];
            }),
    );
}

function uids(): Record<string, string> {
    const kinds = "deployments,services,horizontalpodautoscalers,scaledobjects";
    const items = getJson(["get", kinds, "-n", NS]).items as any[];
    const ns = getJson(["get", "namespace", NS]);
    return Object.fromEntries([
        [`Namespace/${NS}`, ns.metadata.uid],
        ...items.map((i) => [`${i.kind}/${i.metadata.name}`, i.metadata.uid]),
    ]);
}

/** Every live object still exists with the same uid: nothing was deleted or recreated. */
function assertSameUids(live: Record<string, string>): void {
    const now = uids();
    const changed = Object.entries(live).filter(([object, uid]) => now[object] !== uid);
    assert.deepEqual(changed, [], "live objects that were recreated or deleted");
}

/** One step of `pulumi preview --json` that changes something, as `<op> <Kind>/<name>`. */
interface Step {
    readonly op: string;
    readonly kind: string;
    readonly name: string;
    /** Top-level fields of the object the step changes (`metadata`, `spec`, ...). */
    readonly fields: readonly string[];
}

/** The Kubernetes steps of a preview that change something. */
function changes(json: string): Step[] {
    const preview = JSON.parse(json) as {
        steps: {
            op: string;
            urn: string;
            newState?: { type: string; inputs?: any };
            oldState?: { type: string; inputs?: any };
            detailedDiff?: Record<string, unknown>;
            diffReasons?: string[];
        }[];
    };
    return (
        preview.steps
            // A read changes nothing: the program reads its cluster's identity (stacks/cluster.ts).
            .filter((s) => s.op !== "same" && s.op !== "read")
            .filter((s) => (s.newState ?? s.oldState)?.type.startsWith("kubernetes:") ?? false)
            .map((s) => {
                const state = (s.newState ?? s.oldState) as { type: string; inputs?: any };
                const paths = [...Object.keys(s.detailedDiff ?? {}), ...(s.diffReasons ?? [])];
                return {
                    op: s.op,
                    kind: state.type.split(":")[2],
                    name: state.inputs?.metadata?.name ?? s.urn.split("::").pop(),
                    fields: [...new Set(paths.map((p) => p.split(/[.[]/)[0]))].sort(),
                };
            })
            .filter((s) => !s.kind.startsWith("providers"))
    );
}

/** `{ "<op> <Kind>": count }` of a list of steps. */
function tally(steps: readonly Step[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of steps) counts[`${s.op} ${s.kind}`] = (counts[`${s.op} ${s.kind}`] ?? 0) + 1;
    return counts;
}

const restricting = () =>
    (getJson(["get", "networkpolicies,resourcequotas,limitranges", "-n", NS]).items as any[]).map(
        (i) => `${i.kind}/${i.metadata.name}`,
    );
const namespaceLabels = () =>
    (getJson(["get", "namespace", NS]).metadata.labels ?? {}) as Record<string, string>;

describe("adoption of a live-shaped namespace, phase by phase", function () {
    this.timeout(45 * 60 * 1000);
    const sb = new Sandbox("adopt");
    let live: Record<string, string>;

    /**
     * Sets the phase in the sandbox's stack file (and redis.legacyMaster as the runbook does),
     * and writes the pack config scripts/pack-config.ts generates for it.
     */
    function enter(phase: string, legacyMaster: string): string {
        sb.editConfig(STACK, (c) => {
            c["sapoche-stack:adoption"] = { phase };
            c["sapoche-stack:redis"].legacyMaster = legacyMaster;
        });
        const { config } = readStackFile(STACK, sb.work);
        const name = `${STACK}-${phase}`;
        fs.writeFileSync(
            path.join(sb.work, "policy-pack", "config", `${name}.json`),
            JSON.stringify(packConfig("production1", config, `Pulumi.${STACK}.yaml`), null, 4),
        );
        return name;
    }

    /** `pulumi preview --json` with the pack and a pack config: the steps that change something. */
    function preview(policyConfig: string, extra: string[] = []): Step[] {
        const r = must(
            sb.pulumi([
                "preview",
                "--stack",
                STACK,
                "--json",
                "--policy-pack",
                POLICY_PACK,
                "--policy-pack-config",
                `policy-pack/config/${policyConfig}.json`,
                ...extra,
            ]),
        );
        return changes(r.stdout);
    }

    /**
     * Preview, assert on it, then apply, and check that no live object was recreated. Only a
     * content-named ConfigMap may be replaced or deleted (a new content is a new ConfigMap).
     */
    function release(policyConfig: string, check: (steps: Step[]) => void): void {
        const steps = preview(policyConfig);
        assert.deepEqual(
            steps.filter((s) => /replace|delete/.test(s.op) && s.kind !== "ConfigMap"),
            [],
        );
        check(steps);
        must(sb.up(STACK, policyConfig));
        assertSameUids(live);
    }

    const importLive = () =>
        run(
            "node",
            [
                "-r",
                "ts-node/register/transpile-only",
                "scripts/import-live/import-live.ts",
                "--stack",
                STACK,
                "--context",
                must(kubectl(["config", "current-context"])).stdout.trim(),
            ],
            { cwd: sb.work, env: sb.env },
        );

    before(() => {
        const manifests = path.join(sb.dir, "live.yaml");
        fs.writeFileSync(
            manifests,
            liveNamespace(NS)
                .map((o) => yaml.dump(o))
                .join("---\n"),
        );
        must(kubectl(["apply", "--server-side", "--field-manager=kubectl-live", "-f", manifests]));
        // Runbook, before the import: a stable name for the live Redis.
        must(
            kubectl([
                "expose",
                "deployment",
                "redis-master",
                "-n",
                NS,
                "--name=redis-legacy",
                "--port=6379",
            ]),
        );
        live = uids();
        // production1's numbers in a namespace of its own, with no promotion source.
        sb.initStack(STACK, "production1");
        sb.editConfig(STACK, (c) => {
            c["sapoche-stack:namespace"] = NS;
            c["sapoche-stack:promotion"] = { fromStack: "", bypassReason: "" };
        });
    });

    it("import-live: refuses the credential of the live namespace, names it masked, writes nothing", () => {
        const file = path.join(sb.work, `Pulumi.${STACK}.yaml`);
        const before = fs.readFileSync(file, "utf8");
        const r = importLive();
        assert.equal(r.code, 3, r.output);
        assert.match(
            r.output,
            /REFUSED: Deployment consumer-dicom env BROKER_URL holds a URL with a password \("amqp:\/\/sapoche:\*\*\*@rabbitmq/,
        );
        assert.doesNotMatch(r.output, /live-broker-pass/);
        assert.equal(fs.readFileSync(file, "utf8"), before);
    });

    it("import-live: refuses a credential in a live Deployment's args and probe header", () => {
        const token = "x9Kq2LmZ7pVt4RwY8sNc3BdJ";
        const objects = liveNamespace(NS) as any[];
        const d = objects.find(
            (o) =>
                o.kind === "Deployment" &&
                o.spec.template.spec.containers[0].readinessProbe?.httpGet !== undefined,
        );
        const c = d.spec.template.spec.containers[0];
        c.args = [...(c.args ?? []), "--api-token", token];
        c.readinessProbe.httpGet.httpHeaders = [{ name: "X-Probe", value: `Bearer ${token}` }];
        const manifests = path.join(sb.dir, "live-credentials.yaml");
        fs.writeFileSync(manifests, objects.map((o) => yaml.dump(o)).join("---\n"));
        must(kubectl(["apply", "--server-side", "--field-manager=kubectl-live", "-f", manifests]));
        const file = path.join(sb.work, `Pulumi.${STACK}.yaml`);
        const before = fs.readFileSync(file, "utf8");
        const r = importLive();
        assert.equal(r.code, 3, r.output);
        const name = d.metadata.name;
        assert.match(
            r.output,
            new RegExp(`REFUSED: Deployment ${name} args holds .*"[^"]*--api-token \\*\\*\\*"`),
        );
        assert.match(
            r.output,
            new RegExp(
                `REFUSED: Deployment ${name} readinessProbe.httpGet.httpHeaders X-Probe holds a Bearer`,
            ),
        );
        assert.match(r.output, /accepted: a reference to a Secret/);
        assert.doesNotMatch(r.output, new RegExp(token));
        assert.equal(fs.readFileSync(file, "utf8"), before);
    });

    it("import-live: once the credential is a Secret reference in the live namespace, imports everything; kwok's pods report no digest", () => {
        // The operator's fix, as the REFUSED line says: the broker URL moves into a Secret.
        const fixed = JSON.stringify(liveNamespace(NS)).replaceAll(
            JSON.stringify({ name: "BROKER_URL", value: LIVE_BROKER_URL }),
            JSON.stringify({
                name: "BROKER_URL",
                valueFrom: { secretKeyRef: { name: "sapoche-broker", key: "url" } },
            }),
        );
        // The live Deployments run the tags the stack file names, as production1's do (the
        // sandbox pinned its copy: lib/sandbox-stacks.ts).
        const images = () =>
            readStackFile(STACK, sb.work).config["sapoche-stack:images"] as Record<string, string>;
        const pinned = images();
        const objects = JSON.parse(fixed) as any[];
        for (const t of targetsFor("prod")) {
            const d = objects.find(
                (o) => o.kind === "Deployment" && o.metadata.name === t.deployment,
            );
            const c = d?.spec.template.spec.containers.find((x: any) => x.name === t.container);
            if (c) c.image = pinned[t.imageKey].split("@")[0];
        }
        const file = path.join(sb.dir, "live-fixed.yaml");
        fs.writeFileSync(file, objects.map((o) => yaml.dump(o)).join("---\n"));
        must(kubectl(["apply", "--server-side", "--field-manager=kubectl-live", "-f", file]));
        const r = importLive();
        assert.equal(r.code, 0, r.output);
        // kwok runs no container runtime: its pods report no imageID, so import-live says the
        // digest is unknown and leaves the values as they are; the sandbox's pins stand.
        const reported = (getJson(["get", "pods", "-n", NS]).items as any[]).flatMap((p) =>
            (p.status?.containerStatuses ?? []).map((c: any) => c.imageID ?? ""),
        );
        assert.deepEqual([...new Set(reported)], reported.length > 0 ? [""] : []);
        assert.match(
            r.output,
            /note: sapoche-stack:images\.backend: digest unknown, \d+ live pod\(s\) of registry\.sapoche\.internal\/sapoche\/backend:2026\.11\.2 report no imageID/,
        );
        assert.deepEqual(images(), pinned);
        assert.ok(Object.values(pinned).every((v) => /@sha256:[0-9a-f]{64}$/.test(v)));
        live = uids();
    });

    it("import: imports every live object (51) untouched, creates nothing that restricts admission or traffic", () => {
        // 52 with redis-master, which is not adopted, and redis-legacy, made by hand.
        assert.equal(Object.keys(live).length, 1 + 39 + 8 + 1 + 4);
        release(enter("import", LEGACY), (steps) => {
            assert.deepEqual(
                steps.filter((s) => s.op !== "import" && s.op !== "create"),
                [],
                "import changes nothing that exists",
            );
            assert.deepEqual(
                steps.filter((s) => RESTRICTING.includes(s.kind)),
                [],
            );
            assert.deepEqual(tally(steps.filter((s) => s.op === "import")), {
                "import Namespace": 1,
                "import Deployment": 38,
                "import Service": 7,
                "import HorizontalPodAutoscaler": 1,
                "import ScaledObject": 4,
            });
        });
        assert.deepEqual(restricting(), []);
        assert.ok(!Object.keys(namespaceLabels()).some((l) => l.startsWith("pod-security")));
        assert.equal(getJson(["get", "deployment", "consumer-dicom", "-n", NS]).spec.replicas, 1);
    });

    it("refuses a phase jump on the real engine: services right after import names reshape, and nothing is registered", () => {
        const config = enter("services", LEGACY);
        const before = resourceVersions(NS);
        const pack = [
            "--policy-pack",
            POLICY_PACK,
            "--policy-pack-config",
            `policy-pack/config/${config}.json`,
        ];
        for (const args of [
            ["preview", "--stack", STACK, ...pack],
            ["up", "--stack", STACK, "--yes", "--skip-preview", ...pack],
        ]) {
            const r = sb.pulumi(args);
            assert.notEqual(r.code, 0, r.output.slice(-4000));
            assert.match(
                r.output,
                /sapoche-stack:adoption.phase is services, but the last released phase is import/,
            );
            assert.match(
                r.output,
                /so reshape would be skipped\. The phase to release next is reshape: set sapoche-stack:adoption.phase to reshape/,
            );
        }
        assert.deepEqual(resourceVersions(NS), before, "nothing in the cluster changed");
        assertSameUids(live);
    });

    it("reshape: workloads and autoscalers take the program's shape in place; Services keep their live spec", () => {
        // Runbook: server-side apply cannot drop the rollingUpdate block another manager owns,
        // and Recreate forbids it, so the scheduler's strategy is switched by hand first.
        must(
            kubectl([
                "patch",
                "deployment",
                "sapoche-be--scheduler--prod",
                "-n",
                NS,
                "--type=json",
                "-p",
                RECREATE,
            ]),
        );
        const before = containerFacts(live);
        assert.equal(Object.keys(before).length, 38);
        release(enter("reshape", LEGACY), (steps) => {
            assert.deepEqual(tally(steps), {
                "update Namespace": 1,
                "update Deployment": 38,
                "update Service": 7,
                "update HorizontalPodAutoscaler": 1,
                "update ScaledObject": 4,
            });
            for (const s of steps.filter((x) => x.kind === "Service")) {
                assert.deepEqual(s.fields, ["metadata"], `Service ${s.name} changes ${s.fields}`);
            }
        });
        assert.deepEqual(restricting(), []);
        const labels = namespaceLabels();
        assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted");
        assert.equal(labels["pod-security.kubernetes.io/enforce"], undefined);
        const dicom = getJson(["get", "deployment", "consumer-dicom", "-n", NS]);
        assert.equal(dicom.spec.replicas, 2);
        assert.equal(
            dicom.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem,
            true,
        );
        const hpa = getJson(["get", "hpa", "sp-bnkd-php", "-n", NS]);
        assert.equal(
            hpa.spec.metrics.find((m: any) => m.resource.name === "cpu").resource.target
                .averageUtilization,
            70,
        );
        const redisSp = getJson(["get", "service", "redis-sp", "-n", NS]);
        assert.equal(redisSp.spec.selector["app.kubernetes.io/name"], "redis-master");
        // The facts import-live read from the live namespace run unchanged after the reshape;
        // the program may add mounts (scratch directories), never drop a live one.
        const after = containerFacts(live) as Record<string, { mounts: string[] }>;
        const lost: string[] = [];
        for (const [name, was] of Object.entries(before as Record<string, { mounts: string[] }>)) {
            const now = after[name];
            assert.deepEqual({ ...now, mounts: [] }, { ...was, mounts: [] }, name);
            lost.push(
                ...was.mounts.filter((m) => !now.mounts.includes(m)).map((m) => `${name} ${m}`),
            );
        }
        assert.deepEqual(lost, []);
    });

    it("services: only the live Services switch (named target ports, redis-sp to the proxy)", () => {
        release(enter("services", LEGACY), (steps) => {
            assert.deepEqual(tally(steps), { "update Service": 7 });
            for (const s of steps) {
                assert.ok(s.fields.includes("spec"), `Service ${s.name} changes ${s.fields}`);
            }
        });
        const redisSp = getJson(["get", "service", "redis-sp", "-n", NS]);
        assert.equal(redisSp.spec.selector["app.kubernetes.io/name"], "redis-proxy");
        const web = getJson(["get", "service", "sapoche-frontend-web", "-n", NS]);
        assert.equal(web.spec.ports[0].targetPort, "http");
        assert.deepEqual(restricting(), []);
    });

    it("redis-moved: only the Redis tier's configuration forgets the live Redis; the tier rolls onto it in place", () => {
        release(enter("redis-moved", ""), (steps) => {
            // New content, new ConfigMap name: created first, the old one deleted last.
            assert.deepEqual(tally(steps), {
                "replace ConfigMap": 2,
                "update StatefulSet": 1,
                "update Deployment": 1,
            });
        });
    });

    it("enforce: only the quota, the LimitRange, the NetworkPolicies and Pod Security enforce", () => {
        const policies = networkPolicies("enforce");
        release(enter("enforce", ""), (steps) => {
            assert.deepEqual(tally(steps), {
                "create ResourceQuota": 1,
                "create LimitRange": 1,
                "create NetworkPolicy": policies,
                "update Namespace": 1,
            });
        });
        assert.equal(restricting().length, policies + 2);
        assert.equal(namespaceLabels()["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("done: once the legacy objects are deleted by hand, only the adoption's patchForce goes, and FastCGI's node port closes", () => {
        must(kubectl(["delete", "deployment/redis-master", "service/redis-legacy", "-n", NS]));
        delete live["Deployment/redis-master"];
        delete live["Service/redis-legacy"];
        release(enter("done", ""), (steps) => {
            assert.deepEqual(tally(steps), {
                "update Namespace": 1,
                "update Service": 7,
                "update HorizontalPodAutoscaler": 1,
                "update ScaledObject": 4,
                // The two node-port policies lose php-fpm's `fpm` port (docs/network.md, FastCGI).
                "update NetworkPolicy": 2,
            });
            for (const s of steps) {
                const fields = s.kind === "NetworkPolicy" ? ["spec"] : ["metadata"];
                assert.deepEqual(s.fields, fields, `${s.kind} ${s.name} changes ${s.fields}`);
            }
        });
        const hpa = getJson(["get", "hpa", "sp-bnkd-php", "-n", NS]);
        assert.equal(hpa.metadata.annotations?.["pulumi.com/patchForce"], undefined);
        must(sb.pulumi(["preview", "--stack", STACK, "--expect-no-changes"]));
    });

    after(() => {
        // The namespace holds everything the stack made; its state goes with the sandbox.
        kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"]);
        sb.remove();
    });
});
