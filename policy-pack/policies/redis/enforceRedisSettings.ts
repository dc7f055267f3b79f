import { StackValidationPolicy } from "@pulumi/policy";
import { Container, describe, objectName, podSpecOf, PodSpec } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";
import {
    isRedisImage,
    isRedisStatefulSet,
    redisConfigOf,
    redisConfigSchema,
    RedisConfig,
    runsRedis,
} from "../lib/redis";
import { invocationsOf } from "../lib/runs";
import { configMapReader, serverInvocations, serverSettings } from "../lib/redisSettings";
import { failClosed } from "../lib/unknown";

/** What each judged setting must be, and why. */
const REQUIRED: readonly { key: string; allowed: string[]; why: string }[] = [
    {
        key: "appendonly",
        allowed: ["yes"],
        why: "the append-only file keeps every acknowledged job across a restart",
    },
    {
        key: "appendfsync",
        allowed: ["always", "everysec"],
        why: "with `no` the kernel decides when queued jobs reach the disk",
    },
    {
        key: "replica-read-only",
        allowed: ["yes"],
        why: "a writable replica diverges from its master and loses those writes at the next sync",
    },
];

const ACCEPTED =
    "run redis-server with `--appendonly yes` on its command line, or load a config file from a ConfigMap of the stack " +
    "(or written by the script that starts it, itself in a mounted ConfigMap)";

/**
 * The words the container runs: an official Redis image with no command runs `redis-server`
 * with the args (its entrypoint prepends it to an option or a config file).
 */
function withImageDefault(container: Container, config: RedisConfig): Container {
    const image = container.image ?? "";
    if ((container.command ?? []).length > 0 || !isRedisImage(image, config.images))
        return container;
    const args = container.args ?? [];
    const first = args[0];
    const prepend = first === undefined || first.startsWith("-") || first.endsWith(".conf");
    return prepend ? { ...container, command: ["redis-server"], args } : container;
}

/**
 * Redis is judged by what it runs: persistence and replication settings read from the server's
 * arguments and the config it loads, not from the name of its workload. Also finds a server
 * started from a script in a ConfigMap, which the resource policy cannot read.
 */
export const enforceRedisSettings: StackValidationPolicy = {
    name: "enforce-redis-settings",
    description:
        "Checks that every Redis server of a Redis StatefulSet runs with appendonly yes, appendfsync always or everysec and read-only replicas, read from its arguments and the config it loads; and that no other object starts one from a script.",
    enforcementLevel: "mandatory",
    configSchema: redisConfigSchema,
    validateStack: (args, reportViolation) => {
        const config = redisConfigOf(args.getConfig());
        // Read on demand: a ConfigMap whose data is not known yet matters only to a Redis that loads it.
        const configMaps = lazyData(args.resources.filter((r) => isKind(r.type, "ConfigMap")));
        for (const resource of args.resources) {
            const report = (message: string) => reportViolation(message, resource.urn);
            failClosed(describe(resource), report, () => {
                const pod = podSpecOf(resource);
                if (pod === undefined) return;
                if (isRedisStatefulSet(resource, config)) {
                    judgeServers(resource, pod, config, configMaps, report);
                    return;
                }
                const sanctioned =
                    isKind(resource.type, "StatefulSet") &&
                    objectName(resource) === config.sanctionedStatefulSet;
                for (const container of pod.containers ?? []) {
                    const read = configMapReader(pod, container, configMaps);
                    // What disallow-unsanctioned-redis sees already is its finding, not this one's.
                    if (sanctioned || runsRedis(container, config)) continue;
                    if (serverInvocations(container, read, config.commands).length > 0) {
                        report(
                            `${describe(resource)} container "${container.name}" starts a Redis-compatible server from a script; ` +
                                `Redis should run only as the Sentinel StatefulSet "${config.sanctionedStatefulSet}".`,
                        );
                    }
                }
            });
        }
    },
};

function lazyData(
    resources: { name: string; type: string; props: Record<string, any> }[],
): ReadonlyMap<string, Record<string, string>> {
    const byName = new Map(resources.map((r) => [objectName(r), r]));
    return {
        get: (name: string) => {
            const r = byName.get(name);
            return r === undefined ? undefined : ((r.props.data ?? {}) as Record<string, string>);
        },
    } as ReadonlyMap<string, Record<string, string>>;
}

function judgeServers(
    resource: { type: string; name: string; props: Record<string, any> },
    pod: PodSpec,
    config: RedisConfig,
    configMaps: ReadonlyMap<string, Record<string, string>>,
    report: (message: string) => void,
): void {
    for (const original of pod.containers ?? []) {
        const container = withImageDefault(original, config);
        const read = configMapReader(pod, container, configMaps);
        const runs = invocationsOf(container, read);
        // Sentinel is judged by enforce-sentinel-quorum, not as a data server.
        if (runs.some((inv) => /-sentinel$/.test(inv.program) || inv.args.includes("--sentinel")))
            continue;
        const servers = serverInvocations(container, read, config.commands);
        const where = `${describe(resource)} container "${container.name}"`;
        if (servers.length === 0) {
            const words = [...(container.command ?? []), ...(container.args ?? [])];
            const unread = words.length > 0 && /\.(sh|bash)$/.test(String(words[words.length - 1]));
            // A Redis image or command seen by name, whose server the pack cannot follow.
            if (runsRedis(original, config) || unread) {
                report(
                    `${where} runs a Redis server the pack cannot follow (${JSON.stringify(words)}); ${ACCEPTED}.`,
                );
            }
            continue;
        }
        for (const server of servers) {
            if (server.unreadScript !== undefined) {
                report(
                    `${where} runs ${server.unreadScript}, which is not in a mounted ConfigMap; ${ACCEPTED}.`,
                );
                continue;
            }
            const found = serverSettings(server, read);
            if (!found.known) {
                report(
                    `${where}: the pack cannot determine its persistence settings: ${found.why}; ${ACCEPTED}.`,
                );
                continue;
            }
            for (const rule of REQUIRED) {
                const value = (found.settings[rule.key] ?? "").toLowerCase();
                if (!rule.allowed.includes(value)) {
                    report(
                        `${where} runs ${server.program} with ${rule.key} "${value}" (from ${found.source}); ` +
                            `allowed: ${rule.allowed.join(" or ")}: ${rule.why}.`,
                    );
                }
            }
        }
    }
}
