/**
 * Generates the policy pack's per-stack config (`policy-pack/config/<stack>.json`) from the
 * catalog and the stack files, so the names the pack protects by name (critical consumers, the
 * scheduler, the sanctioned Redis StatefulSet) and the node-port contract never drift from what
 * the program deploys. `policy-pack/tests/packConfig.test.ts` fails when a committed file differs.
 *
 *   node -r ts-node/register/transpile-only scripts/pack-config.ts          # rewrite the files
 *   node -r ts-node/register/transpile-only scripts/pack-config.ts --check  # exit 1 if stale
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as catalog from "../stacks/catalog";
import { CRITICAL_CONSUMER_FLOOR } from "../stacks/ranges";

const ROOT = path.resolve(__dirname, "..");
const PROJECT = "sapoche-stack";

/** The stacks that have a policy config. */
export const STACKS = ["production1", "staging"] as const;
export type PackStack = (typeof STACKS)[number];

/**
 * Rules the pack enforces but the program does not render yet: they run advisory in the stack
 * configs (so real previews stay green) until the program changes; remove an entry once the
 * program renders what the rule asks for (README of the pack lists what that is).
 */
const HELD_UNTIL_PROGRAM_RENDERS: readonly string[] = [];

/** Every Redis policy takes the sanctioned StatefulSet's name. */
const REDIS_POLICIES = [
    "disallow-unsanctioned-redis",
    "enforce-redis-sentinel",
    "enforce-redis-replicas",
    "enforce-sentinel-quorum",
    "enforce-redis-spread",
    "enforce-redis-persistence",
    "enforce-redis-disruption-budget",
];

type PackConfig = Record<string, string | Record<string, unknown>>;

function stackConfig(stack: PackStack): Record<string, unknown> {
    const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
    // JSON_SCHEMA keeps dates and the like as strings, as the Pulumi CLI reads them.
    const doc = yaml.load(fs.readFileSync(file, "utf8"), { schema: yaml.JSON_SCHEMA }) as {
        config: Record<string, unknown>;
    };
    return doc.config;
}

function required<T>(config: Record<string, unknown>, key: string, stack: string): T {
    const value = config[`${PROJECT}:${key}`];
    if (value === undefined) {
        throw new Error(`Pulumi.${stack}.yaml has no ${PROJECT}:${key}`);
    }
    return value as T;
}

/** The policy config of one stack, as the catalog and the stack file say. */
export function packConfig(stack: PackStack): PackConfig {
    const config = stackConfig(stack);
    const nodePorts = required<Record<string, Record<string, number>>>(config, "nodePorts", stack);
    const config_: PackConfig = {
        "enforce-consumer-min-replicas": {
            // The schema refuses a critical consumer below the same floor, naming its config key.
            minReplicas: CRITICAL_CONSUMER_FLOOR[stack],
            criticalConsumers: catalog.consumers.filter((c) => c.critical).map((c) => c.name),
        },
        "enforce-scheduler-singleton": {
            schedulerName: catalog.schedulerName(required<string>(config, "environment", stack)),
        },
        "enforce-hpa-cpu-target": { maxCpuUtilization: 70 },
        "enforce-namespace": { namespace: required<string>(config, "namespace", stack) },
        "disallow-service-exposure": {
            allowedNodePorts: Object.values(nodePorts)
                .flatMap((ports) => Object.values(ports))
                .sort((a, b) => a - b),
        },
        ...Object.fromEntries(
            REDIS_POLICIES.map((name) => [
                name,
                { sanctionedStatefulSet: catalog.redis.statefulSet },
            ]),
        ),
        ...Object.fromEntries(HELD_UNTIL_PROGRAM_RENDERS.map((name) => [name, "advisory"])),
    };
    // Staging runs tags on purpose: its images are what production1 is promoted from.
    if (stack === "staging") {
        config_["report-image-without-digest"] = "disabled";
    }
    return config_;
}

/**
 * The adoption update's config: production1's, except that a Service may still select the
 * unmanaged `redis-master` until its data has moved, and the imported Namespace keeps its live
 * Pod Security labels (the import changes no admission rule; README, "Adopting the live
 * namespace"): both are reported, not refused.
 */
export function adoptionConfig(): PackConfig {
    return {
        ...packConfig("production1"),
        "missing-service-workload": "advisory",
        "enforce-pod-security-labels": "advisory",
        "missing-pod-security-audit-labels": "advisory",
        ...Object.fromEntries(LIVE_OBJECTS_BREAK.map((name) => [name, "advisory"])),
    };
}

/**
 * Rules today's live objects break (the pack rejects the live namespace, by design). The import
 * update must bring those objects under management unchanged, and CLI 3.274 shows the pack the
 * imported (live) object, so during that one update these rules report instead of refusing. The
 * reshape that follows runs with production1's config, which enforces every one of them.
 * Caveat: objects the import update creates are judged by the same relaxed config.
 */
const LIVE_OBJECTS_BREAK: readonly string[] = [
    "disallow-service-account-token",
    "enforce-consumer-min-replicas",
    "enforce-container-security-context",
    "enforce-hpa-cpu-target",
    "enforce-run-as-non-root",
    "enforce-scheduler-singleton",
    "enforce-seccomp-profile",
    "missing-container-probes",
    "missing-container-resources",
    "missing-ephemeral-storage",
    "missing-recommended-labels",
    "missing-scaled-to-zero-reason",
];

/** Every generated file: path relative to the repo, and its text. */
export function generatedFiles(): Record<string, string> {
    const text = (config: PackConfig) => `${JSON.stringify(config, null, 4)}\n`;
    return {
        "policy-pack/config/production1.json": text(packConfig("production1")),
        "policy-pack/config/staging.json": text(packConfig("staging")),
        "policy-pack/config/adoption.json": text(adoptionConfig()),
    };
}

function main(): void {
    const check = process.argv.includes("--check");
    let stale = false;
    for (const [file, text] of Object.entries(generatedFiles())) {
        const target = path.join(ROOT, file);
        const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
        if (current === text) {
            continue;
        }
        stale = true;
        if (check) {
            console.error(`${file} differs from what the catalog and stack files give`);
        } else {
            fs.writeFileSync(target, text);
            console.log(`wrote ${file}`);
        }
    }
    if (check && stale) {
        console.error("run: node -r ts-node/register/transpile-only scripts/pack-config.ts");
        process.exit(1);
    }
}

if (require.main === module) {
    main();
}
