/**
 * The shape import-live reads from `kubectl get -o json`, as a typed schema: a missing or
 * mistyped field, a string where a list belongs or an oversized value stops the import with the
 * object, the field and what was expected, before any of it is read (never a TypeError, never
 * silently wrong config). Fields the import does not read are let through unchecked.
 */
import { z } from "zod";
import type { LiveObject } from "./live-types";

/** The longest string a live object may hold: longer is refused, not read. */
export const MAX_VALUE = 1024 * 1024;

const str = z.string().max(MAX_VALUE, { error: `a string of at most ${MAX_VALUE} characters` });
const strings = z.array(str, { error: "a list of strings" });
const labels = z.record(z.string(), str, { error: "a map of strings" });
const metadata = z.looseObject({
    name: z.string().min(1),
    labels: labels.optional(),
    annotations: labels.optional(),
});
const port = z.union([z.number().int(), z.string()], { error: "a port number or name" });
const probe = z.looseObject({
    exec: z.looseObject({ command: strings.optional() }).optional(),
    httpGet: z
        .looseObject({
            path: str.optional(),
            port,
            httpHeaders: z.array(z.looseObject({ name: str, value: str })).optional(),
        })
        .optional(),
    tcpSocket: z.looseObject({ port }).optional(),
});
const container = z.looseObject({
    name: z.string(),
    image: z.string().optional(),
    command: strings.optional(),
    args: strings.optional(),
    env: z
        .array(
            z.looseObject({
                name: str,
                value: str.optional(),
                valueFrom: z.looseObject({}).optional(),
            }),
        )
        .optional(),
    envFrom: z.array(z.looseObject({ prefix: str.optional() })).optional(),
    volumeMounts: z.array(z.looseObject({ name: z.string(), mountPath: str })).optional(),
    ports: z
        .array(z.looseObject({ containerPort: z.number().int(), name: z.string().optional() }))
        .optional(),
    livenessProbe: probe.optional(),
    readinessProbe: probe.optional(),
    startupProbe: probe.optional(),
});
const deployment = z.looseObject({
    kind: z.literal("Deployment"),
    metadata,
    spec: z.looseObject({
        selector: z.looseObject({ matchLabels: labels.optional() }),
        template: z.looseObject({
            metadata: z.looseObject({ labels: labels.optional() }).optional(),
            spec: z.looseObject({
                containers: z.array(container).min(1, { error: "at least one container" }),
                initContainers: z.array(container).optional(),
                volumes: z.array(z.looseObject({ name: z.string() })).optional(),
            }),
        }),
    }),
});
const service = z.looseObject({
    kind: z.literal("Service"),
    metadata,
    spec: z
        .looseObject({
            ports: z
                .array(z.looseObject({ port: z.number().int(), targetPort: port.optional() }))
                .optional(),
        })
        .optional(),
});
const hpa = z.looseObject({
    kind: z.literal("HorizontalPodAutoscaler"),
    metadata,
    spec: z.looseObject({
        minReplicas: z.number().int().optional(),
        maxReplicas: z.number().int(),
        metrics: z.array(z.looseObject({})).optional(),
    }),
});
const scaledObject = z.looseObject({
    kind: z.literal("ScaledObject"),
    metadata,
    spec: z.looseObject({
        scaleTargetRef: z.looseObject({ name: z.string() }),
        triggers: z.array(
            z.looseObject({
                type: z.string(),
                name: z.string().optional(),
                metadata: labels.optional(),
                authenticationRef: z.looseObject({ name: z.string() }).optional(),
            }),
        ),
    }),
});
/** What a pod's status says its containers run (import-live reads digests, nothing else). */
const pod = z.looseObject({
    kind: z.literal("Pod"),
    metadata,
    status: z
        .looseObject({
            containerStatuses: z
                .array(z.looseObject({ name: str, image: str, imageID: str.optional() }))
                .optional(),
        })
        .optional(),
});
const SCHEMAS = {
    Deployment: deployment,
    Pod: pod,
    Service: service,
    HorizontalPodAutoscaler: hpa,
    ScaledObject: scaledObject,
} as const;

/** Bad live data: what, where, and what was expected. Nothing is written after one. */
export class LiveDataError extends Error {}

/**
 * The items of `kubectl get <what> -o json`'s output, each checked against its kind's schema;
 * throws LiveDataError naming the object and the field.
 */
export function parseLiveList(
    stdout: string,
    what: string,
    kind: keyof typeof SCHEMAS,
): LiveObject[] {
    let list: unknown;
    try {
        list = JSON.parse(stdout);
    } catch (e) {
        throw new LiveDataError(
            `kubectl get ${what}: the output is not JSON (truncated or corrupted: ` +
                `${(e as Error).message}, ${stdout.length} characters); nothing was read.`,
        );
    }
    const items = z.looseObject({ items: z.array(z.unknown()) }).safeParse(list);
    if (!items.success) {
        throw new LiveDataError(
            `kubectl get ${what}: expected a List with items, got another shape.`,
        );
    }
    return items.data.items.map((raw, i) => {
        const item = { kind, ...(raw as object) };
        const name = (raw as { metadata?: { name?: unknown } })?.metadata?.name;
        const at = `${kind} ${typeof name === "string" ? name : `#${i} (no metadata.name)`}`;
        const r = SCHEMAS[kind].safeParse(item);
        if (!r.success) {
            const problems = r.error.issues.map(
                (issue) => `${issue.path.join(".") || "(the object)"}: ${issue.message}`,
            );
            throw new LiveDataError(
                `${at} from kubectl get ${what}: ${problems.slice(0, 5).join("; ")}` +
                    `${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ""}.`,
            );
        }
        return r.data as unknown as LiveObject;
    });
}
