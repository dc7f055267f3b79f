/**
 * A Redis server's persistence and replication settings as it will actually run: the built-in
 * defaults, then the config file it loads (a mounted ConfigMap key, or the lines the script that
 * starts it writes), then its `--option value` arguments, as redis-server applies them.
 */
import { Container, PodSpec } from "./kube";
import { FileReader, Invocation, invocationsOf } from "./runs";

/** Redis 7's defaults for the settings the pack judges (redis.conf of the release). */
export const REDIS_DEFAULTS: Readonly<Record<string, string>> = {
    appendonly: "no",
    appendfsync: "everysec",
    save: "3600 1 300 100 60 10000",
    "replica-read-only": "yes",
};

/** Old names redis-server still accepts for the same settings. */
const ALIASES: Readonly<Record<string, string>> = {
    "slave-read-only": "replica-read-only",
    slaveof: "replicaof",
};

/** What a Redis server runs with, or why the pack cannot tell. */
export type ServerSettings =
    | { known: true; settings: Record<string, string>; source: string }
    | { known: false; why: string };

const unquote = (v: string) => v.trim().replace(/^"(.*)"$|^'(.*)'$/, "$1$2");

/** Directives of a redis.conf text, `include`d files read as redis-server reads them. */
export function parseRedisConfig(
    text: string,
    read: FileReader,
    depth = 0,
): Record<string, string> | string {
    const settings: Record<string, string> = {};
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const [name, ...rest] = line.split(/\s+/);
        const key = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
        const value = rest.map(unquote).join(" ");
        if (key === "include") {
            const included = depth < 5 ? read(value) : undefined;
            if (included === undefined) return `it includes ${value}, which the pack cannot read`;
            const inner = parseRedisConfig(included, read, depth + 1);
            if (typeof inner === "string") return inner;
            Object.assign(settings, inner);
        } else {
            settings[key] = value;
        }
    }
    return settings;
}

/** The settings of one redis-server invocation: `[config-file] [--name value ...]`. */
export function serverSettings(invocation: Invocation, read: FileReader): ServerSettings {
    const args = invocation.args;
    let settings: Record<string, string> = { ...REDIS_DEFAULTS };
    let source = "built-in defaults";
    let i = 0;
    let fromArgs = false;
    if (args.length > 0 && !args[0].startsWith("--")) {
        const file = args[0];
        // A file the pack can read, else the lines the starting script writes (its config).
        const text =
            read(file) ??
            (invocation.written.length > 0 ? invocation.written.join("\n") : undefined);
        if (text === undefined) {
            return {
                known: false,
                why: `it loads ${file}, which is neither in a mounted ConfigMap nor written by its script`,
            };
        }
        const parsed = parseRedisConfig(text, read);
        if (typeof parsed === "string") return { known: false, why: parsed };
        settings = { ...settings, ...parsed };
        source = `${file}`;
        i = 1;
    }
    while (i < args.length) {
        if (!args[i].startsWith("--")) {
            i++;
            continue;
        }
        const name = args[i].slice(2).toLowerCase();
        const values: string[] = [];
        while (++i < args.length && !args[i].startsWith("--")) values.push(unquote(args[i]));
        settings[ALIASES[name] ?? name] = values.join(" ");
        fromArgs = true;
    }
    return { known: true, settings, source: fromArgs ? `${source} and its arguments` : source };
}

/**
 * Reads files a container sees through ConfigMap volumes: the mount's path (and subPath or the
 * volume's items) leads to a key of a ConfigMap of the stack.
 */
export function configMapReader(
    pod: PodSpec,
    container: Container,
    configMaps: ReadonlyMap<string, Record<string, string>>,
): FileReader {
    return (file: string) => {
        for (const mount of (container.volumeMounts ?? []) as {
            name: string;
            mountPath?: string;
            subPath?: string;
        }[]) {
            const volume = (pod.volumes ?? []).find(
                (v: { name: string }) => v.name === mount.name,
            ) as
                | { configMap?: { name?: string; items?: { key: string; path: string }[] } }
                | undefined;
            const data =
                volume?.configMap?.name === undefined
                    ? undefined
                    : configMaps.get(volume.configMap.name);
            const at = (mount.mountPath ?? "").replace(/\/+$/, "");
            if (data === undefined || !(file === at || file.startsWith(`${at}/`))) continue;
            const relative = mount.subPath ?? file.slice(at.length + 1);
            const item = volume?.configMap?.items?.find((it) => it.path === relative);
            const key = item?.key ?? (volume?.configMap?.items ? undefined : relative);
            if (key !== undefined && key in data) return data[key];
        }
        return undefined;
    };
}

/** The Redis server invocations of a container (not Sentinel: `redis-sentinel`, `redis-server --sentinel`). */
export function serverInvocations(
    container: Container,
    read: FileReader,
    commands: string[],
): Invocation[] {
    const names = commands.map((c) => c.toLowerCase());
    return invocationsOf(container, read).filter(
        (inv) => names.includes(inv.program) && !inv.args.includes("--sentinel"),
    );
}
