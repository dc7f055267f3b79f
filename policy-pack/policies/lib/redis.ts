import { PolicyConfigSchema } from "@pulumi/policy";
import { configOf } from "./config";
import { labelKeys } from "./conventions";
import { allContainers, Container, KubeResource, objectName, podSpecOf, Workload } from "./kube";
import { isKind } from "./resourceTypes";

/** Container names of the Sentinel StatefulSet. */
export const redisContainer = "redis";
export const sentinelContainer = "sentinel";

/**
 * Images of Redis and of servers that speak its protocol, matched against the image's repository
 * without registry or tag: a pattern without `/` matches the last path segment, one with `/` the
 * trailing segments; `*` matches within a segment.
 */
export const defaultRedisImages = [
    "redis",
    "redis-stack",
    "redis-stack-server",
    "redis/*",
    "bitnami/redis*",
    "bitnamicharts/redis*",
    "rapidfort/redis*",
    "valkey",
    "valkey-*",
    "valkey/*",
    "bitnami/valkey*",
    "keydb",
    "eqalpha/keydb*",
    "dragonfly",
    "dragonflydb/*",
    "kvrocks",
    "apache/kvrocks",
    "garnet",
    "microsoft/garnet",
    "tair",
    "alibaba/tair*",
];

/** Programs that start a Redis-compatible server when a container's command or args run them. */
export const defaultRedisCommands = [
    "redis-server",
    "redis-stack-server",
    "valkey-server",
    "keydb-server",
    "dragonfly",
    "kvrocks",
];

/** The config every Redis policy takes: which StatefulSet is sanctioned, and what counts as Redis. */
export const redisConfigSchema: PolicyConfigSchema = {
    properties: {
        sanctionedStatefulSet: { type: "string", minLength: 1, default: "redis" },
        // Added to the built-in lists, never replacing them: config can only widen what counts.
        images: { type: "array", items: { type: "string" }, default: [] },
        commands: { type: "array", items: { type: "string" }, default: [] },
    },
};

/** The Redis config of a policy that declares redisConfigSchema. */
export interface RedisConfig {
    sanctionedStatefulSet: string;
    images: string[];
    commands: string[];
}

/** The Redis config over its defaults, the configured images and commands added to the built-in ones. */
export function redisConfigOf(given: object): RedisConfig {
    const config = configOf<RedisConfig>(redisConfigSchema, given);
    return {
        ...config,
        images: [...defaultRedisImages, ...config.images],
        commands: [...defaultRedisCommands, ...config.commands],
    };
}

function glob(pattern: string): RegExp {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*");
    return new RegExp(`^${escaped}$`, "i");
}

/** The repository path of an image without registry host, tag or digest: `bitnami/redis`. */
export function repositoryOf(image: string): string {
    const withoutDigest = image.split("@")[0];
    const segments = withoutDigest.split("/");
    // A first segment with a dot, a port or `localhost` is a registry host.
    if (segments.length > 1 && /[.:]|^localhost$/.test(segments[0])) {
        segments.shift();
    }
    const last = segments.length - 1;
    segments[last] = segments[last].replace(/:.*$/, "");
    return segments.join("/").toLowerCase();
}

/** Whether an image is Redis or a Redis-compatible server according to the image patterns. */
export function isRedisImage(image: string, patterns: string[] = defaultRedisImages): boolean {
    const segments = repositoryOf(image).split("/");
    return patterns.some((pattern) => {
        const depth = pattern.split("/").length;
        return depth <= segments.length && glob(pattern).test(segments.slice(-depth).join("/"));
    });
}

/**
 * Whether a command line starts a Redis-compatible server: its program is one of `commands`
 * (any path), directly or through a shell script that runs it.
 */
export function isRedisCommand(
    words: string[],
    commands: string[] = defaultRedisCommands,
): boolean {
    const names = commands.map((c) => c.toLowerCase());
    const programOf = (word: string) => word.slice(word.lastIndexOf("/") + 1).toLowerCase();
    if (words.length > 0 && names.includes(programOf(String(words[0])))) {
        return true;
    }
    // `sh -c "exec redis-server ..."`: look for the program as a word of any shell script.
    return words.some((word) =>
        String(word)
            .split(/[\s;&|()`$"']+/)
            .some((token) => names.includes(programOf(token))),
    );
}

/** Whether the container runs a Redis-compatible server, by image or by command line. */
export function runsRedis(container: Container, config: RedisConfig): boolean {
    return (
        (container.image !== undefined && isRedisImage(container.image, config.images)) ||
        isRedisCommand([...(container.command ?? []), ...(container.args ?? [])], config.commands)
    );
}

/** The containers of an object that run a Redis-compatible server. */
export function redisContainersOf(resource: KubeResource, config: RedisConfig): Container[] {
    const pod = podSpecOf(resource);
    return pod === undefined ? [] : allContainers(pod).filter((c) => runsRedis(c, config));
}

/**
 * The StatefulSets every Redis rule applies to: the sanctioned one (by name, whatever its labels),
 * any StatefulSet labelled component redis, and any StatefulSet that runs a Redis server.
 */
export function isRedisStatefulSet(resource: KubeResource, config: RedisConfig): boolean {
    if (!isKind(resource.type, "StatefulSet")) {
        return false;
    }
    return (
        objectName(resource) === config.sanctionedStatefulSet ||
        (resource.props as Workload).metadata?.labels?.[labelKeys.component] === "redis" ||
        redisContainersOf(resource, config).length > 0
    );
}

/** The container with this name in the StatefulSet's pod template. */
export function containerNamed(workload: Workload, name: string): Container | undefined {
    return workload.spec?.template?.spec?.containers?.find((c) => c.name === name);
}
