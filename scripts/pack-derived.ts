/**
 * Parts of the pack config (scripts/pack-config.ts) that describe what the catalog and the
 * program's code render, so the pack refuses anything else: each catalogued Service's shape and
 * the scheduler's command line.
 */
import * as catalog from "../stacks/catalog";
import { selectorFor } from "../components/shared/labels";
import { LIVENESS_WINDOW_MIN_SECONDS, STACK_FLOORS } from "../stacks/ranges";

/** A Service as the catalog and the components render it. */
export interface ServiceShape {
    type: "ClusterIP" | "NodePort";
    headless?: true;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string; nodePort?: number }[];
}

/** Redis' and Sentinel's well-known ports, which components/redis.ts serves them on. */
const REDIS_PORT = 6379;
const SENTINEL_PORT = 26379;

/**
 * Every Service the program renders, keyed by name: the catalog's NodePort Services with the
 * stack's node-port contract (the live ports clients use), and Redis' three Services.
 */
export function cataloguedServices(
    nodePorts: Record<string, Record<string, number>>,
): Record<string, ServiceShape> {
    const redisPort = { name: "redis", port: REDIS_PORT, targetPort: "redis" };
    const sentinelPort = { name: "sentinel", port: SENTINEL_PORT, targetPort: "sentinel" };
    const { redis } = catalog;
    return {
        ...Object.fromEntries(
            catalog.nodePortServices.map((s) => [
                s.name,
                {
                    type: "NodePort",
                    selector: selectorFor(s.selects),
                    ports: s.ports.map((p) => ({
                        name: p.name,
                        port: p.port,
                        targetPort: p.targetPort,
                        nodePort: nodePorts[s.name]?.[p.name],
                    })),
                },
            ]),
        ),
        [redis.service]: {
            type: "ClusterIP",
            selector: selectorFor(redis.proxy),
            ports: [redisPort],
        },
        [redis.sentinelService]: {
            type: "ClusterIP",
            selector: selectorFor(redis.statefulSet),
            ports: [sentinelPort],
        },
        [redis.headlessService]: {
            type: "ClusterIP",
            headless: true,
            selector: selectorFor(redis.statefulSet),
            ports: [redisPort, sentinelPort],
        },
    };
}

/**
 * The command line the stack's scheduler runs (`scheduler.container`, written by import-live),
 * so the pack recognises a second scheduler by what it runs; empty while the stack file leaves
 * the command to the image.
 */
export function schedulerCommands(scheduler: unknown): string[] {
    const container = (scheduler as { container?: { command?: string[]; args?: string[] } })
        ?.container;
    const words = [...(container?.command ?? []), ...(container?.args ?? [])];
    // Quoted so the pack splits the line back into the same words.
    return words.length === 0 ? [] : [words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ")];
}

/** The liveness window a stack's rendered probes keep: its safety floor, else the schema's minimum. */
export function probeFloors(stack: string): { minLivenessWindowSeconds: number } {
    return {
        minLivenessWindowSeconds:
            STACK_FLOORS[stack]?.livenessWindowSeconds ?? LIVENESS_WINDOW_MIN_SECONDS,
    };
}
