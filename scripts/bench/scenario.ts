/**
 * One bench scenario, run in its own process so its peak memory is its own. Prints one JSON line:
 * {scenario, resources, loadMs, evaluationMs, maxRssMb}: loadMs is loading (and transpiling) the
 * modules the program imports, evaluationMs is running it until every registration settled.
 *
 *   program      the real index.ts with Pulumi.production1.yaml, under mocks
 *   flat         a flat program registering the same number of plain ConfigMaps directly
 *   program-10x  index.ts with every queue-consumer and worker row of the catalog copied 10x
 *   pack         the policy pack over production1's resources (resource and stack policies)
 */
import * as path from "path";
import type * as Program from "../../lib/program";

// Loaded lazily: the program's modules read the catalog when they load (the config schema lists
// its workload keys), so the 10x scenario must scale the catalog before anything imports them.
const program = () => require("../../lib/program") as typeof Program;

const scenario = process.argv[2];
const loadStart = process.hrtime.bigint();
let loadMs = 0;
const COPIES = 10;
let perCopy: number | undefined;

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
    const scaled = scenario === "program-10x" ? scaleCatalog() : undefined;
    const { evaluateProgram, readStackConfig, ROOT } = program();
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
            const config = scaled!(readStackConfig("production1"));
            // Staging's config has no copied rows: the promotion source ran production1's images
            // (the program scenario's default source, also computed inside its evaluation).
            const { stackSettings } = program();
            const { workloadImages } = require("../../stacks/promotion");
            const images = workloadImages(stackSettings("production1", config).plan);
            const rs = await evaluateProgram("production1", config, {
                stackOutputs: { "organization/sapoche-stack/staging": { workloadImages: images } },
            });
            // Resources of one copy of the scaled rows: bench.ts checks the growth against it.
            perCopy = rs.filter((r) => /-x1(-|$)/.test(r.name)).length;
            return { resources: rs.length, evaluationMs: elapsed() };
        }
        case "pack": {
            const rs = await evaluateProgram("production1");
            // The pack is a package of its own; load it only in this scenario.
            const pack = require(path.join(ROOT, "policy-pack", "tests", "evaluate"));
            // The stack file as committed, with the pack config committed beside it.
            const config = pack.committedPolicyConfig("production1");
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
 * Copies every queue-consumer and worker row of the catalog COPIES times (names suffixed `-xN`),
 * in place in `stacks/catalog.ts`'s row list and in its family lists, before any module that
 * reads the catalog is loaded. Returns what turns production1's config into the matching one.
 * The schema, the plan, the quota and the components all derive from that row list, so the
 * program registers ~10x the workloads; `main` checks the resource count really grew.
 */
function scaleCatalog(): (config: Record<string, unknown>) => Record<string, unknown> {
    const catalog = require("../../stacks/catalog");
    const rows = catalog.catalog as { family: string; name: string }[];
    const scaled = rows.filter((e) => e.family === "queue-consumer" || e.family === "worker");
    const extra = Array.from({ length: COPIES - 1 }, (_, i) =>
        scaled.map((e) => ({ ...e, name: `${e.name}-x${i + 1}` })),
    ).flat();
    rows.push(...extra);
    for (const list of ["consumers", "workers"]) {
        const family = list === "consumers" ? "queue-consumer" : "worker";
        (catalog[list] as unknown[]).push(...extra.filter((e) => e.family === family));
    }
    (catalog.configuredWorkloads as string[]).push(...extra.map((e) => e.name));
    return (config) => {
        const workloads = { ...(config["sapoche-stack:workloads"] as Record<string, unknown>) };
        for (const { name } of extra) workloads[name] = workloads[name.replace(/-x\d+$/, "")];
        return { ...config, "sapoche-stack:workloads": workloads };
    };
}

run()
    .then(({ resources, evaluationMs }) => {
        const maxRssMb = process.resourceUsage().maxRSS / 1024;
        console.log(
            JSON.stringify({ scenario, resources, loadMs, evaluationMs, maxRssMb, perCopy }),
        );
    })
    .catch((e) => {
        console.error(e);
        process.exit(1);
    });
