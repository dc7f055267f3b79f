/**
 * Generates the policy pack's per-stack config (`policy-pack/config/<stack>.json`) from the
 * catalog and the stack files, so the names the pack protects by name (critical consumers, the
 * scheduler, the sanctioned Redis StatefulSet) and the node-port contract never drift from what
 * the program deploys, and the pack checks the adoption phase the stack file names.
 * `policy-pack/tests/packConfig.test.ts` fails when a committed file differs.
 *
 *   node -r ts-node/register/transpile-only scripts/pack-config.ts          # rewrite the files
 *   node -r ts-node/register/transpile-only scripts/pack-config.ts --check  # exit 1 if stale
 */
import * as fs from "fs";
import * as path from "path";
import { liveObjects } from "../stacks/adoption";
import { PHASES } from "../stacks/adoption-phases";
import * as catalog from "../stacks/catalog";
import { CRITICAL_CONSUMER_FLOOR } from "../stacks/ranges";
import { VOLUME_SOURCES } from "../stacks/schema/pod";
import { restrictedVolumeSources } from "../policy-pack/policies/lib/podSecurity";
import { parseSettings } from "../stacks/settings";
import { readStackFile } from "../lib/stack-file";
import { cataloguedServices, probeFloors, schedulerCommands } from "./pack-derived";

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
    "enforce-redis-settings",
    "enforce-redis-disruption-budget",
];

type PackConfig = Record<string, string | Record<string, unknown>>;

/**
 * The repository each piece of software of the catalog comes from, under code review here and
 * never read from the stack file the pack then judges. The platform's own images come from
 * registry.sapoche.internal; Orthanc, its proxy, Redis, HAProxy and the exporter are pulled from
 * Docker Hub today (policy-pack/README.md, "Allow-lists"): moving them to the platform registry is one line each.
 */
export const IMAGE_REPOSITORIES: Readonly<Record<catalog.ImageKey, string>> = {
    backend: "registry.sapoche.internal/sapoche/backend",
    backendNginx: "registry.sapoche.internal/sapoche/backend-nginx",
    frontendWeb: "registry.sapoche.internal/sapoche/frontend-web",
    dicomViewer: "registry.sapoche.internal/sapoche/dicom-viewer",
    designSystem: "registry.sapoche.internal/sapoche/design-system",
    orthanc: "docker.io/orthancteam/orthanc",
    orthancProxy: "docker.io/nginxinc/nginx-unprivileged",
    redis: "docker.io/library/redis",
    redisProxy: "docker.io/library/haproxy",
    redisExporter: "docker.io/oliver006/redis_exporter",
};

/**
 * The kinds the program's components render (`<group>/<Kind>`, core group `core`): the one
 * cluster-scoped kind is the Namespace, which enforce-namespace pins to the stack's namespace.
 * The pack test over both stacks and every adoption phase proves the program needs no other.
 */
export const NAMESPACE_KINDS = [
    "core/Namespace",
    "core/ServiceAccount",
    "core/ConfigMap",
    "core/Service",
    "core/PersistentVolumeClaim",
    "core/ResourceQuota",
    "core/LimitRange",
    "apps/Deployment",
    "apps/StatefulSet",
    "autoscaling/HorizontalPodAutoscaler",
    "policy/PodDisruptionBudget",
    "networking.k8s.io/NetworkPolicy",
    "keda.sh/ScaledObject",
    "keda.sh/TriggerAuthentication",
    "monitoring.coreos.com/PodMonitor",
    "monitoring.coreos.com/ServiceMonitor",
    "monitoring.coreos.com/PrometheusRule",
    "monitoring.coreos.com/AlertmanagerConfig",
] as const;

/** The `config:` map of `Pulumi.<stack>.yaml`, keys with the project prefix. */
export function stackConfig(stack: string): Record<string, unknown> {
    return readStackFile(stack).config;
}

function required<T>(config: Record<string, unknown>, key: string, stack: string): T {
    const value = config[`${PROJECT}:${key}`];
    if (value === undefined) {
        throw new Error(`Pulumi.${stack}.yaml has no ${PROJECT}:${key}`);
    }
    return value as T;
}

/**
 * The policy config of one stack, as the catalog and the stack file say. The adoption phase the
 * stack file names decides what `enforce-adoption-phase` checks and which rules report instead of
 * refusing. `config` and `file` default to the stack's own; the adoption e2e passes its sandbox
 * stack's (production1's numbers under another stack name).
 */
export function packConfig(
    stack: PackStack,
    config = stackConfig(stack),
    file = `Pulumi.${stack}.yaml`,
): PackConfig {
    const settings = parseSettings(engineConfig(config), PROJECT, file);
    const { phase } = settings.adoption;
    const nodePorts = required<Record<string, Record<string, number>>>(config, "nodePorts", stack);
    const config_: PackConfig = {
        "enforce-consumer-min-replicas": {
            // The schema refuses a critical consumer below the same floor, naming its config key.
            minReplicas: CRITICAL_CONSUMER_FLOOR[stack],
            criticalConsumers: catalog.consumers.filter((c) => c.critical).map((c) => c.name),
        },
        "enforce-scheduler-singleton": {
            schedulerName: catalog.schedulerName(required<string>(config, "environment", stack)),
            schedulerCommands: schedulerCommands(config[`${PROJECT}:scheduler`]),
        },
        "disallow-scaled-scheduler": {
            schedulerName: catalog.schedulerName(required<string>(config, "environment", stack)),
        },
        "enforce-hpa-cpu-target": { maxCpuUtilization: 70 },
        "enforce-namespace": { namespace: settings.namespace },
        "disallow-unlisted-kind": { allowedKinds: [...NAMESPACE_KINDS] },
        "disallow-unlisted-image": {
            allowedRepositories: [...new Set(Object.values(IMAGE_REPOSITORIES))].sort(),
        },
        "disallow-unlisted-volume-source": {
            // What the program renders, never beyond the standard's restricted list.
            allowedVolumeSources: VOLUME_SOURCES.filter((source) =>
                (restrictedVolumeSources as readonly string[]).includes(source),
            ),
        },
        "disallow-service-exposure": {
            // Node ports are the live contract; every other Service stays inside the cluster.
            allowedServiceTypes:
                Object.keys(nodePorts).length > 0 ? ["ClusterIP", "NodePort"] : ["ClusterIP"],
            allowedNodePorts: Object.values(nodePorts)
                .flatMap((ports) => Object.values(ports))
                .sort((a, b) => a - b),
        },
        "enforce-catalogued-service": { services: cataloguedServices(nodePorts) },
        "enforce-probe-targets": probeFloors(stack),
        "disallow-exposed-fastcgi": {
            fastcgiWorkloads: [catalog.phpBackend.fpm.name],
            fastcgiClients: [...settings.network.fastcgiClients],
        },
        ...Object.fromEntries(
            REDIS_POLICIES.map((name) => [
                name,
                { sanctionedStatefulSet: catalog.redis.statefulSet },
            ]),
        ),
        ...Object.fromEntries(HELD_UNTIL_PROGRAM_RENDERS.map((name) => [name, "advisory"])),
        "enforce-adoption-phase":
            phase === "done"
                ? { phase }
                : { phase, liveObjects: [...liveObjects(settings)].sort() },
        // What the phase deliberately leaves live: the table's `relaxed` column.
        ...Object.fromEntries(PHASES[phase].relaxed.map((name) => [name, "advisory"])),
    };
    // Production1 runs what staging ran, byte for byte: an image that is not a digest is refused
    // (disallow-divergent-image-pull keeps its mandatory default), on every object but the live
    // ones an `import` brings under management unchanged: the pack is shown them as they run,
    // and that release cannot change their images (the reshape renders the stack file's).
    const pinned: Record<string, unknown> = {
        stackFile: file,
        imageKeys: Object.fromEntries(
            Object.entries(IMAGE_REPOSITORIES).map(([key, repository]) => [repository, key]),
        ),
    };
    if (PHASES[phase].importsLive) {
        pinned.importedLive = [...liveObjects(settings)]
            .filter((o) => /^Deployment\//.test(o))
            .sort();
    }
    config_["disallow-divergent-image-pull"] = pinned;
    // The advisory twin of that rule: it would report every finding a second time.
    config_["report-image-without-digest"] = "disabled";
    // Staging is where a tag may be run first: the rule reports there, since a tag staging runs
    // can never be promoted (the gate matches a digest only to a digest).
    if (stack === "staging") {
        config_["disallow-divergent-image-pull"] = { enforcementLevel: "advisory", ...pinned };
        // Staging runs single pods at its floors to save cost: a drain there stops no clinic.
        config_["disallow-evictable-last-pod"] = "advisory";
    }
    return config_;
}

/** Config as the engine hands it to the program: objects as JSON text, no project prefix. */
function engineConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(config)
            .filter(([key]) => key.startsWith(`${PROJECT}:`))
            .map(([key, v]) => [
                key.slice(PROJECT.length + 1),
                typeof v === "object" && v !== null ? JSON.stringify(v) : String(v),
            ]),
    );
}

/** Every generated file: path relative to the repo, and its text. */
export function generatedFiles(): Record<string, string> {
    const text = (config: PackConfig) => `${JSON.stringify(config, null, 4)}\n`;
    return {
        "policy-pack/config/production1.json": text(packConfig("production1")),
        "policy-pack/config/staging.json": text(packConfig("staging")),
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
