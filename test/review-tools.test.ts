/**
 * The reviewers' tools (`npm run render | diagram | capacity`) on both stacks' real programs
 * under mocks: every object rendered once with a stable name, every workload and Service in the
 * picture, capacity numbers that agree with the ResourceQuota the program sizes independently.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { stackResources, StackName } from "../lib/program";
import { adoptedOutputs, adoptedResources } from "./support/phases";
import { evaluateObjects, K8sObject, sortObjects, toObjects } from "../scripts/review/lib/objects";
import {
    formatCpu,
    formatMemory,
    mebibytes,
    millicores,
    readableMemory,
} from "../components/shared/quantity";
import { matchesSelector, surge, workloadsOf } from "../scripts/review/lib/workloads";
import { fileName, toYaml, writeRendered } from "../scripts/review/render";
import { capacityOf, formatMarkdown, inventoryPods, quotaOf } from "../scripts/review/capacity";
import { inventoryFlows, toDot, toSvg } from "../scripts/review/diagram";

const INVENTORY = fs.readFileSync(path.join(__dirname, "..", "docs", "live-namespace.txt"), "utf8");
const STACKS: StackName[] = ["production1", "staging"];

async function objectsOf(stack: StackName): Promise<K8sObject[]> {
    return toObjects(await stackResources(stack));
}

/** Once the adoption is done: production1 sizes its ResourceQuota from phase enforce on. */
async function adoptedObjectsOf(stack: StackName): Promise<K8sObject[]> {
    return toObjects(await adoptedResources(stack));
}

describe("render (npm run render)", () => {
    for (const stack of STACKS) {
        it(`${stack}: one file per Kubernetes object, named by kind and name, in apply order`, async () => {
            const objects = await objectsOf(stack);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), `render-${stack}-`));
            try {
                const files = writeRendered(
                    { stack, objects, gate: { refused: false, assumed: "test" } },
                    dir,
                );
                const written = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));
                assert.equal(files.length, objects.length);
                assert.deepEqual(
                    written.sort(),
                    [...files, "kustomization.yaml"].sort(),
                    "exactly the objects and the kustomization, nothing stale",
                );
                const kustomization = yaml.load(
                    fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"),
                ) as { resources: string[] };
                assert.deepEqual(kustomization.resources, files);
                assert.match(files[0], /^namespace--/, "the namespace is applied first");
                const first = yaml.load(fs.readFileSync(path.join(dir, files[0]), "utf8"));
                assert.deepEqual(first, objects[0], "the YAML is the object, unchanged");
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }

    it("names and orders objects independently of registration order", async () => {
        const objects = await objectsOf("production1");
        const shuffled = [...objects].reverse();
        assert.deepEqual(sortObjects(shuffled).map(fileName), objects.map(fileName));
        assert.equal(
            fileName(objects.find((o) => o.kind === "ScaledObject")!),
            "scaledobject.keda.sh--consumer-lis-testresult.yaml",
        );
    });

    it("never writes a Secret's values", () => {
        const secret = {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "s" },
            data: { password: "c2VjcmV0" },
            stringData: { token: "plain" },
        };
        const text = toYaml(secret);
        assert.ok(!text.includes("c2VjcmV0") && !text.includes("plain"), text);
        assert.match(text, /password: <redacted>/);
    });

    it("reports a refusal of production1's promotion gate and still renders the objects", async () => {
        // Staging's outputs say it ran nothing: every image of production1 is unpromoted.
        const refused = await evaluateObjects("production1", { workloadImages: {} });
        assert.equal(refused.gate.refused, true);
        assert.match(refused.gate.message ?? "", /has not run/);
        const accepted = await objectsOf("production1");
        assert.deepEqual(refused.objects.map(fileName), accepted.map(fileName));
    });

    it("npm run render, as its own process, writes the refusal and exits 0 (the pull-request path)", function () {
        // A whole Node process evaluating the program twice: seconds idle, much more under load.
        this.timeout(5 * 60 * 1000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-refused-"));
        try {
            const outputs = path.join(dir, "staging-outputs.json");
            fs.writeFileSync(outputs, JSON.stringify({ workloadImages: {} }));
            const out = path.join(dir, "yaml");
            const r = spawnSync(
                process.execPath,
                [
                    "-r",
                    "ts-node/register/transpile-only",
                    "scripts/review/render.ts",
                    "production1",
                ].concat(["--out", out, "--promotion-source", outputs]),
                { cwd: path.join(__dirname, ".."), encoding: "utf8" },
            );
            assert.equal(r.status, 0, r.stderr.slice(-2000));
            assert.match(fs.readFileSync(path.join(out, "promotion-gate.txt"), "utf8"), /REFUSED/);
        } finally {
            fs.rmSync(dir, { recursive: true });
        }
    });
});

describe("capacity (npm run capacity)", () => {
    it("reads CPU and memory quantities as the API server does", () => {
        assert.equal(millicores("250m"), 250);
        assert.equal(millicores("2"), 2000);
        assert.equal(millicores("0.5"), 500);
        assert.equal(mebibytes("1Gi"), 1024);
        assert.equal(mebibytes("128Mi"), 128);
        assert.equal(mebibytes(`${2 ** 20}`), 1);
        assert.throws(() => mebibytes("lots"));
        assert.throws(() => millicores("a lot"));
    });

    it("writes canonical quantities for objects and rounded ones for people, from one module", () => {
        assert.equal(formatMemory(1536), "1536Mi");
        assert.equal(formatMemory(2048), "2Gi");
        assert.equal(readableMemory(1536), "1.5Gi");
        assert.equal(readableMemory(2048), "2Gi");
        assert.equal(readableMemory(320.4), "320Mi");
        assert.equal(formatCpu(28600), "28600m");
        assert.equal(formatCpu(2000), "2");
    });

    it("counts a rolling update's surge like Kubernetes (25 % rounded up, none for Recreate)", () => {
        assert.equal(surge("Deployment", { type: "RollingUpdate" }, 10), 3);
        assert.equal(surge("Deployment", { rollingUpdate: { maxSurge: 1 } }, 10), 1);
        assert.equal(surge("Deployment", { type: "Recreate" }, 10), 0);
        assert.equal(surge("StatefulSet", undefined, 3), 0);
    });

    it("reads the inventory's pod count", () => {
        assert.deepEqual(inventoryPods(INVENTORY), [65, 75]);
    });

    for (const stack of STACKS) {
        it(`${stack}: every autoscaler at its maximum, mid-rollout, fits the ResourceQuota`, async () => {
            const objects = await adoptedObjectsOf(stack);
            const c = capacityOf(stack, objects, inventoryPods(INVENTORY));
            const quota = quotaOf(objects);
            for (const field of [
                "pods",
                "requestsCpu",
                "requestsMemory",
                "limitsCpu",
                "limitsMemory",
            ] as const) {
                assert.ok(quota[field] !== undefined, `the quota sets ${field}`);
                assert.ok(c.min[field] <= c.max[field] && c.max[field] <= c.rolling[field]);
                assert.ok(
                    c.rolling[field] <= quota[field]!,
                    `${field}: ${c.rolling[field]} at max mid-rollout exceeds the quota ${quota[field]}`,
                );
            }
            assert.equal(c.workloads, workloadsOf(objects).length);
            assert.match(formatMarkdown(c), /~65-75 pods/);
        });
    }

    for (const stack of STACKS) {
        it(`${stack}: the stack output \`capacity\` agrees with the report at min and at max`, async () => {
            const c = capacityOf(stack, await adoptedObjectsOf(stack));
            const { capacity } = (await adoptedOutputs(stack)) as any;
            for (const [scale, totals] of [
                ["atMinimum", c.min],
                ["atMaximum", c.max],
            ] as const) {
                const out = capacity[scale];
                assert.equal(out.pods, totals.pods, `${scale} pods`);
                assert.equal(millicores(out.requestsCpu), totals.requestsCpu, `${scale} CPU`);
                assert.equal(mebibytes(out.requestsMemory), totals.requestsMemory);
                assert.equal(millicores(out.limitsCpu), totals.limitsCpu);
                assert.equal(mebibytes(out.limitsMemory), totals.limitsMemory);
            }
            // The output's quota is the one the program creates.
            assert.equal(capacity.quota.pods, quotaOf(await adoptedObjectsOf(stack)).pods);
        });
    }

    it("production1: autoscalers at min and max give the catalog's pod counts", async () => {
        const workloads = workloadsOf(await adoptedObjectsOf("production1"));
        const php = workloads.find((w) => w.name === "sp-bnkd-php")!;
        assert.deepEqual(php.scaling, { min: 2, max: 20, by: "HPA" });
        const pdf = workloads.find((w) => w.name === "consumer-spc-pdf-generate")!;
        assert.equal(pdf.scaling.by, "KEDA");
        assert.equal(pdf.scaling.max, 15);
        const redis = workloads.find((w) => w.kind === "StatefulSet")!;
        assert.deepEqual(redis.scaling, { min: 3, max: 3, by: "fixed" });
        assert.equal(redis.surgeAtMax, 0);
    });

    it("shows the change against a baseline", async () => {
        const objects = await adoptedObjectsOf("production1");
        const c = capacityOf("production1", objects);
        const base = { ...c, max: { ...c.max, pods: c.max.pods - 2 } };
        assert.match(formatMarkdown(c, base), /\| pods \|.*\| \+2 \|/);
    });
});

describe("diagram (npm run diagram)", () => {
    it("matches label selectors as the API server does (matchLabels and every operator)", () => {
        const labels = { "app.kubernetes.io/name": "worker-booking", tier: "backend" };
        const expr = (operator: string, values?: string[], key = "app.kubernetes.io/name") => ({
            matchExpressions: [{ key, operator, values }],
        });
        assert.equal(matchesSelector(expr("In", ["worker-booking", "x"]), labels), true);
        assert.equal(matchesSelector(expr("In", ["x"]), labels), false);
        assert.equal(matchesSelector(expr("NotIn", ["x"]), labels), true);
        assert.equal(matchesSelector(expr("NotIn", ["worker-booking"]), labels), false);
        assert.equal(matchesSelector(expr("Exists", undefined, "tier"), labels), true);
        assert.equal(matchesSelector(expr("DoesNotExist", undefined, "tier"), labels), false);
        assert.equal(matchesSelector(expr("Bogus", ["worker-booking"]), labels), false);
        assert.equal(matchesSelector({ matchLabels: { tier: "backend" } }, labels), true);
        assert.equal(
            matchesSelector({ matchLabels: { tier: "backend" }, ...expr("In", ["x"]) }, labels),
            false,
            "matchLabels and matchExpressions must all hold",
        );
        assert.equal(matchesSelector({}, labels), false, "an empty selector draws no edge");
    });

    it("reads the inventory's data flow as chains of steps", () => {
        const [request, events] = inventoryFlows(INVENTORY);
        assert.equal(request[0], "External Requests");
        assert.ok(request.some((s) => s.startsWith("bknd-services-nginx")));
        assert.equal(request.at(-1), "External Databases / Storage");
        assert.equal(events[0], "Events");
    });

    for (const stack of STACKS) {
        it(`${stack}: every workload and every Service is in the picture`, async () => {
            const objects = await adoptedObjectsOf(stack);
            const svg = await toSvg(toDot(stack, objects, INVENTORY));
            // Graphviz writes each label cell as its own <text> element.
            const texts = new Set(
                [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
                    m[1].replace(/&#45;/g, "-").trim(),
                ),
            );
            const expected = objects
                .filter((o) => ["Deployment", "StatefulSet", "Service"].includes(o.kind))
                .map((o) => o.metadata.name);
            assert.ok(expected.length > 40, `only ${expected.length} workloads and Services`);
            const missing = expected.filter((name) => !texts.has(name));
            assert.deepEqual(missing, [], "missing from the picture");
            for (const nodePort of objects
                .filter((o) => o.kind === "Service")
                .flatMap((o) => ((o as any).spec.ports ?? []).map((p: any) => p.nodePort))
                .filter(Boolean)) {
                assert.ok(svg.includes(`node ${nodePort}`), `node port ${nodePort} is shown`);
            }
        });
    }
});
