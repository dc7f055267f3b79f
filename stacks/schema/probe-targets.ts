/**
 * Probes must reach something the container has: a port it declares (by name or number), or a
 * command. The ports are the program's own for the workload's main container (SERVER_PORTS,
 * held equal to what the components render by test/probes.test.ts) merged with
 * `container.ports` from the stack file, as components/shared/pod.ts merges them. Queue
 * processes declare none: they are probed with a command.
 */
import { z } from "zod";
import { catalog, CatalogEntry } from "../catalog";
import { portRef } from "./probes";

/** The ports the program gives each server's main container, by workload key. */
export const SERVER_PORTS: Readonly<Record<string, Readonly<Record<string, number>>>> =
    Object.fromEntries(
        catalog.flatMap((e: CatalogEntry): [string, Record<string, number>][] => {
            switch (e.family) {
                case "frontend":
                    return [[e.name, { http: 8080 }]];
                case "php-backend":
                    return [
                        [e.fpm.name, { fpm: 9000, http: 8080 }],
                        [e.nginx.name, { http: 8080 }],
                    ];
                case "orthanc":
                    return [[e.name, { orthanc: 8042 }]];
                default:
                    return [];
            }
        }),
    );

type Port = { name?: unknown; containerPort?: unknown };
type Probe = Record<string, { port?: unknown } | undefined> | undefined;
type Place = { probes?: { liveness?: Probe; readiness?: Probe }; container?: { ports?: Port[] } };

const QUEUE = new Set(["queue-consumer", "worker"]);

/** Every workload key with its config place and whether it takes queueProcess' probes. */
function workloads(c: {
    workloads?: Record<string, Place>;
    scheduler?: Place;
}): { name: string; path: string[]; place: Place | undefined; queue: boolean }[] {
    const keys = catalog.flatMap((e) =>
        e.family === "queue-consumer" || e.family === "worker"
            ? [{ name: e.name, queue: QUEUE.has(e.family) }]
            : e.family === "php-backend"
              ? [e.fpm.name, e.nginx.name].map((name) => ({ name, queue: false }))
              : e.family === "frontend" || e.family === "orthanc"
                ? [{ name: e.name, queue: false }]
                : [],
    );
    return [
        ...keys.map((k) => ({ ...k, path: ["workloads", k.name], place: c.workloads?.[k.name] })),
        { name: "scheduler", path: ["scheduler"], place: c.scheduler, queue: true },
    ];
}

function portsOf(name: string, place: Place | undefined): { name?: string; number?: number }[] {
    const given = (place?.container?.ports ?? []).map((p) => ({
        name: typeof p.name === "string" ? p.name : undefined,
        number: typeof p.containerPort === "number" ? p.containerPort : undefined,
    }));
    const own = Object.entries(SERVER_PORTS[name] ?? {}).map(([n, number]) => ({
        name: n,
        number,
    }));
    return [
        ...given,
        ...own.filter((o) => !given.some((g) => g.name === o.name || g.number === o.number)),
    ];
}

/** Reports each probe port no container it applies to has, once per config key. */
export function checkProbeTargets(config: unknown, ctx: z.RefinementCtx): void {
    const c = config as {
        workloads?: Record<string, Place>;
        scheduler?: Place;
        queueProcess?: Place["probes"];
    };
    const misses = new Map<string, { path: (string | number)[]; who: string[]; has: string[] }>();
    for (const w of workloads(c)) {
        const ports = portsOf(w.name, w.place);
        for (const kind of ["liveness", "readiness"] as const) {
            const own = w.place?.probes?.[kind];
            const [probe, base] =
                own !== undefined
                    ? [own, [...w.path, "probes", kind]]
                    : w.queue
                      ? [c.queueProcess?.[kind], ["queueProcess", kind]]
                      : [undefined, []];
            const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter(
                (h) => probe?.[h] !== undefined,
            );
            // A probe without exactly one handler, or a malformed port, is reported by its own rule.
            if (handlers.length !== 1) continue;
            for (const handler of ["httpGet", "tcpSocket", "grpc"]) {
                const port = probe?.[handler]?.port;
                if (port === undefined || !portRef.safeParse(port).success) continue;
                const has =
                    typeof port === "number"
                        ? ports.some((p) => p.number === port)
                        : ports.some((p) => p.name === port);
                if (has) continue;
                const path = [...base, handler, "port"];
                const key = path.join(".");
                const miss = misses.get(key) ?? { path, who: [], has: [] };
                miss.who.push(w.name);
                miss.has = ports.map((p) =>
                    p.name ? `${p.name} (${p.number})` : String(p.number),
                );
                misses.set(key, miss);
            }
        }
    }
    for (const { path, who, has } of misses.values()) {
        const list =
            has.length > 0
                ? has.join(", ")
                : "none; a queue process serves no port, so probe it with exec";
        ctx.addIssue({
            code: "custom",
            path,
            message: `a port the container of ${who.length > 3 ? `${who.slice(0, 3).join(", ")} and ${who.length - 3} more` : who.join(", ")} has (${list})`,
        });
    }
}
