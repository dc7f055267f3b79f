/**
 * One bench scenario, run in its own process so its peak memory is its own. Prints one JSON line:
 * {scenario, resources, loadMs, evaluationMs, maxRssMb}: loadMs is loading (and transpiling) the
 * modules the program imports, evaluationMs is running it until every registration settled.
 *
 *   program      the real index.ts with Pulumi.production1.yaml, under mocks
 *   flat         a flat program registering the same number of plain ConfigMaps directly
 *   program-10x  index.ts with every list family of the catalog (consumers, workers) copied 10x
 *   pack         the policy pack over production1's resources (resource and stack policies)
 */
import * as path from "path";
import { evaluateProgram, readStackConfig, ROOT } from "../../test/support/program";

const scenario = process.argv[2];
const loadStart = process.hrtime.bigint();
let loadMs = 0;
const COPIES = 10;

/** Modules each scenario's program imports, loaded before the evaluation clock starts. */
const K8S = ["core/v1", "apps/v1", "autoscaling/v2", "policy/v1", "networking/v1", "apiextensions"];
const MODULES: Record<string, string[]> = {
    program: [
        ...K8S.map((g) => `@pulumi/kubernetes/${g}`),
        "../../stacks/settings",
        "../../stacks/capacity",
        "../../components",
    ],
    flat: ["@pulumi/kubernetes/core/v1"],
    "program-10x": [],
    pack: [],
};

async function run(): Promise<{ resources: number; evaluationMs: number }> {
    for (const m of MODULES[scenario] ?? []) require(m);
    loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
    const start = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;
    switch (scenario) {
        case "program": {
            const rs = await evaluateProgram("production1");
            return { resources: rs.length, evaluationMs: elapsed() };
        }
        case "flat": {
            process.env.BENCH_FLAT_COUNT = process.argv[3];
            const rs = await evaluateProgram("production1", readStackConfig("production1"), {
                program: path.join(__dirname, "flat-program.ts"),
            });
            return { resources: rs.length, evaluationMs: elapsed() };
        }
        case "program-10x": {
            const config = scaleCatalog();
            const rs = await evaluateProgram("production1", config);
            return { resources: rs.length, evaluationMs: elapsed() };
        }
        case "pack": {
            const rs = await evaluateProgram("production1");
            // The pack is a package of its own; load it only in this scenario.
            const pack = require(path.join(ROOT, "policy-pack", "tests", "evaluate"));
            const config = pack.stackPolicyConfig("production1");
            const packStart = process.hrtime.bigint();
            const findings = await pack.evaluatePack(rs, config);
            const mandatory = findings.filter((f: { level: string }) => f.level === "mandatory");
            if (mandatory.length > 0)
                throw new Error(`unexpected violations: ${JSON.stringify(mandatory)}`);
            return {
                resources: rs.length,
                evaluationMs: Number(process.hrtime.bigint() - packStart) / 1e6,
            };
        }
        default:
            throw new Error(`unknown scenario ${scenario}`);
    }
}

/**
 * Replaces the catalog module's exports with one whose consumers and workers are copied COPIES
 * times (names suffixed `-xN`), before any module that reads the catalog is loaded, and returns
 * production1's config with matching workload entries.
 */
function scaleCatalog(): Record<string, unknown> {
    const file = require.resolve("../../stacks/catalog");
    const catalog = require(file);
    const copy = <T extends { name: string }>(list: readonly T[]) =>
        Array.from({ length: COPIES }, (_, i) =>
            list.map((e) => ({ ...e, name: i === 0 ? e.name : `${e.name}-x${i}` })),
        ).flat();
    const consumers = copy(catalog.consumers as { name: string; keda: boolean }[]);
    const workers = copy(catalog.workers as { name: string }[]);
    const base = new Set<string>(catalog.configuredWorkloads);
    const extra = [...consumers, ...workers].map((e) => e.name).filter((n) => !base.has(n));
    require.cache[file]!.exports = {
        ...catalog,
        consumers,
        workers,
        configuredWorkloads: [...catalog.configuredWorkloads, ...extra],
        autoscaledWorkloads: new Set([
            ...catalog.autoscaledWorkloads,
            ...consumers.filter((c) => c.keda).map((c) => c.name),
        ]),
    };
    const config = readStackConfig("production1") as Record<string, Record<string, unknown>>;
    const workloads = { ...config["sapoche-stack:workloads"] };
    for (const name of extra) workloads[name] = workloads[name.replace(/-x\d+$/, "")];
    return { ...config, "sapoche-stack:workloads": workloads };
}

run()
    .then(({ resources, evaluationMs }) => {
        const maxRssMb = process.resourceUsage().maxRSS / 1024;
        console.log(JSON.stringify({ scenario, resources, loadMs, evaluationMs, maxRssMb }));
    })
    .catch((e) => {
        console.error(e);
        process.exit(1);
    });
