/**
 * The adoption of the live namespace in phases (stacks/adoption.ts; docs/operations/adoption.md): each phase renders only what it allows. Under mocks an object's props are the
 * program's whatever its options; what the engine applies is the program's props except the
 * paths `ignoreChanges` names, which keep their live values. So a phase is compared with the one
 * before by that effective state.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    evaluateProgram,
    PROJECT,
    readStackConfig,
    ROOT,
    stackResources,
    stackSettings,
} from "../lib/program";
import { networkFlows } from "../stacks/flows";
import { RegisteredResource } from "../lib/mocks";
import {
    ADOPTION_PHASES,
    AdoptionPhase,
    kindOf,
    objectOf,
    phaseConfig,
    phaseResources,
} from "./support/phases";
import { readSeed } from "./support/seed";

const LIVE = "<live>";

/** What the engine applies: the program's props, with ignored top-level fields left live. */
function effective(r: RegisteredResource): Record<string, unknown> {
    const props: Record<string, unknown> = { ...r.props };
    for (const path of r.ignoreChanges) {
        if (path in props) props[path] = LIVE;
    }
    return props;
}

/** Kubernetes objects by `Kind/name`. */
function objects(rs: readonly RegisteredResource[]): Map<string, RegisteredResource> {
    return new Map(
        rs.filter((r) => r.custom && r.type.startsWith("kubernetes:")).map((r) => [objectOf(r), r]),
    );
}

/** Between two phases: objects added, removed, and changed (with the top-level fields that did). */
function changes(before: readonly RegisteredResource[], after: readonly RegisteredResource[]) {
    const a = objects(before);
    const b = objects(after);
    const changed: string[] = [];
    for (const [key, r] of b) {
        const old = a.get(key);
        if (!old) continue;
        const [x, y] = [effective(old), effective(r)];
        const fields = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter(
            (f) => JSON.stringify(x[f]) !== JSON.stringify(y[f]),
        );
        if (fields.length > 0) changed.push(`${key} ${fields.sort().join(",")}`);
    }
    return {
        added: [...b.keys()].filter((k) => !a.has(k)).sort(),
        removed: [...a.keys()].filter((k) => !b.has(k)).sort(),
        changed: changed.sort(),
    };
}

/** `Kind` counts of a list of `Kind/name [fields]` lines. */
function kinds(lines: readonly string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const line of lines) {
        const kind = line.split("/")[0];
        counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
}

const RESTRICTING = new Set(["NetworkPolicy", "ResourceQuota", "LimitRange"]);

/**
 * The NetworkPolicies a phase renders, from the flow list: the default deny, the egress floor,
 * one per ingress flow the baseline renders, one per workload's egress, and the scrape policy.
 */
function networkPolicies(phase: AdoptionPhase): number {
    const flows = networkFlows({ ...stackSettings("production1"), adoption: { phase } });
    const ingress = flows.filter((f) => f.to.kind === "pods" && f.renderedBy === "baseline");
    const sources = new Set(flows.flatMap((f) => (f.from.kind === "pods" ? f.from.names : [])));
    return 2 + ingress.length + sources.size + 1;
}
const PATCH_FORCE = "pulumi.com/patchForce";
const PSA_ENFORCE = "pod-security.kubernetes.io/enforce";
const namespaceOf = (rs: readonly RegisteredResource[]) =>
    rs.find((r) => kindOf(r) === "Namespace") as RegisteredResource;
const labelsOf = (r: RegisteredResource) =>
    (r.props as { metadata: { labels: Record<string, string> } }).metadata.labels;

describe("adoption of the live namespace, in phases", function () {
    // Six evaluations of the whole program, shared with the pack's tests.
    this.timeout(120_000);
    const resources = {} as Record<AdoptionPhase, RegisteredResource[]>;
    before(async () => {
        for (const phase of ADOPTION_PHASES) resources[phase] = await phaseResources(phase);
    });

    it("imports every live object by namespace/name in phase import, leaving its content alone", () => {
        const imported = resources.import
            .filter((r) => r.importId)
            .map((r) => `${kindOf(r)}/${r.importId}`)
            .sort();
        const seed = readSeed();
        const expected = [
            "Namespace/sapoche",
            ...seed.deployments
                .filter((d) => d.name !== "redis-master")
                .map((d) => `Deployment/sapoche/${d.name}`),
            ...seed.services.map((s) => `Service/sapoche/${s.name}`),
            ...seed.hpas
                .filter((h) => !h.keda)
                .map((h) => `HorizontalPodAutoscaler/sapoche/${h.name}`),
            ...seed.hpas.filter((h) => h.keda).map((h) => `ScaledObject/sapoche/${h.target}`),
        ].sort();
        assert.deepEqual(imported, expected);
        for (const r of resources.import.filter((x) => x.importId)) {
            assert.ok(
                r.ignoreChanges.includes("metadata") && r.ignoreChanges.includes("spec"),
                `${objectOf(r)} is imported with its content changed: ${r.ignoreChanges}`,
            );
        }
    });

    for (const phase of ADOPTION_PHASES.filter((p) => p !== "import")) {
        it(`imports nothing in phase ${phase}`, () => {
            assert.deepEqual(resources[phase].filter((r) => r.importId).map(objectOf), []);
        });
    }

    for (const phase of ["import", "reshape", "services", "redis-moved"] as const) {
        it(`creates nothing that restricts admission or traffic in phase ${phase}`, () => {
            assert.deepEqual(
                resources[phase].filter((r) => RESTRICTING.has(kindOf(r))).map(objectOf),
                [],
            );
            const ns = namespaceOf(resources[phase]);
            const labelsApplied = !ns.ignoreChanges.includes("metadata");
            assert.ok(!labelsApplied || !(PSA_ENFORCE in labelsOf(ns)), "Pod Security enforces");
        });
    }

    it("renders the quota, the LimitRange, the NetworkPolicies and Pod Security enforce from phase enforce on, and enforce as done", () => {
        for (const phase of ["enforce", "done"] as const) {
            assert.deepEqual(
                kinds(resources[phase].filter((r) => RESTRICTING.has(kindOf(r))).map(objectOf)),
                {
                    ResourceQuota: 1,
                    LimitRange: 1,
                    NetworkPolicy: networkPolicies(phase),
                },
            );
            assert.equal(labelsOf(namespaceOf(resources[phase]))[PSA_ENFORCE], "restricted");
        }
        // done drops only the adoption's patchForce from the live objects that do not carry it
        // for good (Deployments do), and closes php-fpm's FastCGI node port: the two node-port
        // policies (outside sources and the gateway) lose its `fpm` port (docs/network.md).
        const c = changes(resources.enforce, resources.done);
        assert.deepEqual([c.added, c.removed], [[], []]);
        assert.deepEqual(kinds(c.changed), {
            HorizontalPodAutoscaler: 1,
            Namespace: 1,
            NetworkPolicy: 2,
            ScaledObject: 4,
            Service: 7,
        });
        const unforced = (r: RegisteredResource) => {
            const metadata = (r.props as { metadata: { annotations?: Record<string, string> } })
                .metadata;
            const { [PATCH_FORCE]: force, ...annotations } = metadata.annotations ?? {};
            return { force, props: { ...r.props, metadata: { ...metadata, annotations } } };
        };
        const enforce = objects(resources.enforce);
        const closesFastcgi = new Set([
            "NetworkPolicy/allow-node-ports",
            "NetworkPolicy/allow-node-ports-gateway",
        ]);
        for (const r of objects(resources.done).values()) {
            if (closesFastcgi.has(objectOf(r))) {
                const ports = (o: RegisteredResource) =>
                    JSON.stringify((o.props as any).spec.ingress[0].ports);
                const was = ports(enforce.get(objectOf(r)) as RegisteredResource);
                assert.ok(was.includes('"fpm"') && !ports(r).includes('"fpm"'), objectOf(r));
                continue;
            }
            const before = unforced(enforce.get(objectOf(r)) as RegisteredResource);
            const after = unforced(r);
            assert.deepEqual(before.props, after.props, objectOf(r));
            if (!["Deployment", "StatefulSet"].includes(kindOf(r))) {
                assert.equal(after.force, undefined, objectOf(r));
            }
        }
    });

    it("the committed production1 renders import (no phase released yet), staging renders done", async () => {
        const strip = (rs: readonly RegisteredResource[]) =>
            [...objects(rs).values()].map((r) => [objectOf(r), r.props, r.ignoreChanges]);
        // The committed file names no legacy Redis yet: the runbook sets it before import.
        const committedImport = await evaluateProgram("production1", {
            ...phaseConfig("import"),
            [`${PROJECT}:redis`]: readStackConfig("production1")[`${PROJECT}:redis`],
        });
        assert.deepEqual(strip(await stackResources("production1")), strip(committedImport));
        const stagingDone = await evaluateProgram("staging", phaseConfig("done", "staging"));
        assert.deepEqual(strip(await stackResources("staging")), strip(stagingDone));
    });

    it("forces the program's values on every live object from reshape to enforce (another field manager owns them)", () => {
        for (const phase of ["reshape", "services", "redis-moved", "enforce"] as const) {
            const live = resources[phase].filter((r) =>
                resources.import.some((i) => i.importId && objectOf(i) === objectOf(r)),
            );
            assert.equal(live.length, 51);
            for (const r of live) {
                const a = (r.props as { metadata: { annotations?: Record<string, string> } })
                    .metadata.annotations;
                assert.equal(a?.[PATCH_FORCE], "true", `${phase}: ${objectOf(r)}`);
            }
        }
    });

    describe("each phase changes only what it allows, from the phase before", () => {
        it("reshape: the workloads and autoscalers take the program's shape, the Namespace its labels (Pod Security audit and warn), Services only their labels", () => {
            const c = changes(resources.import, resources.reshape);
            assert.deepEqual([c.added, c.removed], [[], []]);
            assert.deepEqual(kinds(c.changed), {
                Deployment: 38,
                HorizontalPodAutoscaler: 1,
                Namespace: 1,
                ScaledObject: 4,
                Service: 7,
            });
            for (const line of c.changed.filter((l) => l.startsWith("Service/"))) {
                assert.match(line, / metadata$/, `a Service spec changes in reshape: ${line}`);
            }
            const labels = labelsOf(namespaceOf(resources.reshape));
            assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted");
            assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted");
        });

        it("services: only the 7 live Services, their spec (named ports, redis-sp to the proxy)", () => {
            const c = changes(resources.reshape, resources.services);
            assert.deepEqual([c.added, c.removed], [[], []]);
            assert.deepEqual(kinds(c.changed), { Service: 7 });
            assert.ok(
                c.changed.every((l) => / spec$/.test(l)),
                c.changed.join("\n"),
            );
            const redisSp = objects(resources.services).get(
                "Service/redis-sp",
            ) as RegisteredResource;
            assert.deepEqual((redisSp.props as any).spec.selector, {
                "app.kubernetes.io/name": "redis-proxy",
            });
        });

        it("redis-moved: only the Redis tier (the legacy Redis forgotten; its ConfigMaps renamed by content)", () => {
            const c = changes(resources.services, resources["redis-moved"]);
            // New content, new name: the same two ConfigMaps, each under a new hash.
            const base = (names: string[]) => names.map((n) => n.replace(/-[0-9a-f]{10}$/, ""));
            assert.deepEqual(base(c.added), ["ConfigMap/redis-proxy", "ConfigMap/redis-scripts"]);
            assert.deepEqual(base(c.removed), base(c.added));
            assert.ok(c.changed.length > 0);
            for (const line of c.changed) {
                assert.match(line, /^(ConfigMap|StatefulSet|Deployment)\/redis/, line);
            }
        });

        it("enforce: only the quota, the LimitRange, the NetworkPolicies and the Namespace's enforce label", () => {
            const c = changes(resources["redis-moved"], resources.enforce);
            assert.deepEqual(kinds(c.added), {
                ResourceQuota: 1,
                LimitRange: 1,
                NetworkPolicy: networkPolicies("enforce"),
            });
            assert.deepEqual(c.removed, []);
            assert.deepEqual(c.changed, ["Namespace/sapoche metadata"]);
        });
    });
});

describe("scripts/delivery/adoption-phase.ts (preview.sh runs it before every preview)", () => {
    const script = path.join(ROOT, "scripts", "delivery", "adoption-phase.ts");
    const run = (stackFile: string, packFile: string) =>
        spawnSync("node", ["-r", "ts-node/register/transpile-only", script, stackFile, packFile], {
            encoding: "utf8",
        });

    for (const stack of ["production1", "staging"]) {
        it(`accepts ${stack}'s committed stack file and pack config`, () => {
            const r = run(
                path.join(ROOT, `Pulumi.${stack}.yaml`),
                path.join(ROOT, "policy-pack", "config", `${stack}.json`),
            );
            assert.equal(r.status, 0, r.stderr);
        });
    }

    it("refuses a pack config generated for another phase, saying how to regenerate it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-phase-"));
        const stackFile = path.join(dir, "Pulumi.production1.yaml");
        fs.writeFileSync(
            stackFile,
            fs
                .readFileSync(path.join(ROOT, "Pulumi.production1.yaml"), "utf8")
                .replace(/phase: import/, "phase: reshape"),
        );
        const r = run(stackFile, path.join(ROOT, "policy-pack", "config", "production1.json"));
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(r.status, 1);
        assert.equal(
            r.stderr.trim(),
            "Pulumi.production1.yaml is in adoption phase reshape, but production1.json makes the pack check phase import: run node -r ts-node/register/transpile-only scripts/pack-config.ts and commit both.",
        );
    });
});
