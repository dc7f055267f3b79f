/**
 * Probes and `minReadySeconds`, in Kubernetes' own shape (`exec`, `httpGet`, `tcpSocket` or
 * `grpc`, plus timings), so a probe `npm run import-live` reads from the live namespace is
 * written and rendered unchanged. `sapoche-stack:queueProcess` holds the queue processes' probes
 * (consumers, workers, the scheduler); `workloads.<name>.probes` and `scheduler.probes` override
 * them per workload.
 */
import { z } from "zod";
import { LIVENESS_WINDOW_MIN_SECONDS, RANGES, STACK_FLOORS } from "../ranges";
import { int, range } from "./primitives";

/** A container port name as Kubernetes allows it (IANA service name: at most 15 characters). */
export const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
const PORT_ALLOWED =
    "a port number from 1 to 65535 or a container port name (at most 15 characters)";
export const portRef = z.union(
    [
        z
            .number({ error: PORT_ALLOWED })
            .int({ error: PORT_ALLOWED })
            .min(1, { error: PORT_ALLOWED })
            .max(65535, { error: PORT_ALLOWED }),
        z.string({ error: PORT_ALLOWED }).regex(PORT_NAME, { error: PORT_ALLOWED }),
    ],
    { error: PORT_ALLOWED },
);

const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;
const text = (what: string) => z.string({ error: what }).min(1, { error: what });

const probeShape = {
    exec: z
        .strictObject({
            command: z
                .array(text("a non-empty string"), {
                    error: "a list of strings: the program and its arguments",
                })
                .min(1, { error: "a list of strings: the program and its arguments" }),
        })
        .optional(),
    httpGet: z
        .strictObject({
            path: z
                .string({ error: "a path starting with /" })
                .regex(/^\//, { error: "a path starting with /" }),
            port: portRef,
            host: z.string().optional(),
            scheme: z.enum(["HTTP", "HTTPS"], { error: "HTTP or HTTPS" }).optional(),
            httpHeaders: z
                .array(z.strictObject({ name: text("a header name"), value: z.string() }))
                .optional(),
        })
        .optional(),
    tcpSocket: z.strictObject({ port: portRef, host: z.string().optional() }).optional(),
    grpc: z.strictObject({ port: int(1, 65535), service: z.string().optional() }).optional(),
    initialDelaySeconds: range(RANGES.probeSeconds).optional(),
    periodSeconds: range(RANGES.probePeriod).optional(),
    timeoutSeconds: range(RANGES.probePeriod).optional(),
    failureThreshold: range(RANGES.probeThreshold).optional(),
    successThreshold: range(RANGES.probeThreshold).optional(),
    terminationGracePeriodSeconds: range(RANGES.probePeriod).optional(),
};

type ProbeInput = { [K in (typeof HANDLERS)[number]]?: unknown } & {
    successThreshold?: number;
    periodSeconds?: number;
    failureThreshold?: number;
};

/** Exactly one handler: Kubernetes refuses a probe with none or with two. */
function oneHandler(p: ProbeInput, ctx: z.RefinementCtx): void {
    const set = HANDLERS.filter((h) => p[h] !== undefined);
    if (set.length !== 1) {
        ctx.addIssue({
            code: "custom",
            message:
                `exactly one of ${HANDLERS.join(", ")}` +
                (set.length > 1 ? ` (got ${set.join(" and ")})` : ""),
        });
    }
}

/** A readiness probe. */
export const probeSchema = z.strictObject(probeShape).superRefine(oneHandler);

/** A liveness probe: Kubernetes requires `successThreshold` 1. */
export const livenessSchema = z.strictObject(probeShape).superRefine((p, ctx) => {
    oneHandler(p, ctx);
    if (p.successThreshold !== undefined && p.successThreshold !== 1) {
        ctx.addIssue({
            code: "custom",
            path: ["successThreshold"],
            message: "1 (Kubernetes requires 1 for a liveness probe)",
        });
    }
    // Kubernetes' defaults when the key is left out: periodSeconds 10, failureThreshold 3.
    const period = p.periodSeconds ?? 10;
    const failures = p.failureThreshold ?? 3;
    if (period * failures < LIVENESS_WINDOW_MIN_SECONDS) {
        ctx.addIssue({
            code: "custom",
            path: [p.periodSeconds !== undefined ? "periodSeconds" : "failureThreshold"],
            message:
                `periodSeconds x failureThreshold of at least ${LIVENESS_WINDOW_MIN_SECONDS} s ` +
                `(got ${period} x ${failures} = ${period * failures} s: the probe would restart every pod on one slow answer)`,
        });
    }
});

const minReadySeconds = range(RANGES.minReadySeconds);

/**
 * `sapoche-stack:queueProcess`: how the backend image's queue runner shows it is alive and
 * working, for every consumer, worker and the scheduler. Readiness is optional in the schema,
 * but both stack files configure it: without it a rollout counts as done once the container
 * starts.
 */
export const queueProcessSchema = z.strictObject({
    liveness: livenessSchema,
    readiness: probeSchema.optional(),
    minReadySeconds,
});

/** `workloads.<name>.probes` / `scheduler.probes`: per-workload overrides, each optional. */
export const probesSchema = z.strictObject({
    liveness: livenessSchema.optional(),
    readiness: probeSchema.optional(),
    minReadySeconds: minReadySeconds.optional(),
});

export type ProbeSettings = z.infer<typeof probeSchema>;
export type QueueProcessSettings = z.infer<typeof queueProcessSchema>;
export type ProbesSettings = z.infer<typeof probesSchema>;

type Probes = { minReadySeconds?: unknown; liveness?: Probe; readiness?: Probe };
type Probe = { periodSeconds?: unknown; failureThreshold?: unknown } | undefined;

/**
 * The stack's safety floors (STACK_FLOORS) over every place probes are configured:
 * queueProcess, scheduler.probes and workloads.<name>.probes. Kubernetes' default period (10 s)
 * counts when the key is left out.
 */
export function checkStackFloors(config: unknown, ctx: z.RefinementCtx, stack?: string): void {
    const floors = stack === undefined ? undefined : STACK_FLOORS[stack];
    if (floors === undefined) return;
    const c = config as {
        queueProcess?: Probes;
        scheduler?: { probes?: Probes };
        workloads?: Record<string, { probes?: Probes }>;
    };
    if (
        floors.queueReadiness &&
        c.queueProcess !== undefined &&
        c.queueProcess.readiness === undefined
    ) {
        ctx.addIssue({
            code: "custom",
            path: ["queueProcess", "readiness"],
            message:
                `a readiness probe in ${stack} (its safety floor: without one a rollout counts each ` +
                `consumer, worker and the scheduler ready the moment it starts)`,
        });
    }
    const places: [string[], Probes | undefined][] = [
        [["queueProcess"], c.queueProcess],
        [["scheduler", "probes"], c.scheduler?.probes],
        ...Object.entries(c.workloads ?? {}).map(([name, w]): [string[], Probes | undefined] => [
            ["workloads", name, "probes"],
            w?.probes,
        ]),
    ];
    for (const [path, probes] of places) {
        const ready = probes?.minReadySeconds;
        if (
            typeof ready === "number" &&
            ready >= RANGES.minReadySeconds.min &&
            ready < floors.minReadySeconds
        ) {
            ctx.addIssue({
                code: "custom",
                path: [...path, "minReadySeconds"],
                message: `at least ${floors.minReadySeconds} in ${stack} (its safety floor), not ${ready}`,
            });
        }
        // A period under the floor is reported once, by the period's own floor below.
        const period = probes?.liveness?.periodSeconds;
        if (typeof period !== "number" || period >= floors.probePeriodSeconds) {
            checkLivenessWindow(probes?.liveness, [...path, "liveness"], floors, stack!, ctx);
        }
        for (const kind of ["liveness", "readiness"] as const) {
            const period = probes?.[kind]?.periodSeconds;
            // A period outside Kubernetes' range is reported by its own rule already.
            const valid = typeof period === "number" && period >= RANGES.probePeriod.min;
            if (valid && period < floors.probePeriodSeconds) {
                ctx.addIssue({
                    code: "custom",
                    path: [...path, kind, "periodSeconds"],
                    message: `at least ${floors.probePeriodSeconds} in ${stack} (its safety floor), not ${period}`,
                });
            }
        }
    }
}

/** production1's liveness window: a failing liveness check may restart a container only after this long. */
function checkLivenessWindow(
    probe: Probe,
    path: string[],
    floors: { livenessWindowSeconds: number },
    stack: string,
    ctx: z.RefinementCtx,
): void {
    const { periodSeconds, failureThreshold } = probe ?? {};
    const period = periodSeconds ?? 10;
    const failures = failureThreshold ?? 3;
    // Out-of-range values, and windows under the general minimum, are reported by their own rules.
    if (probe === undefined || !Number.isInteger(period) || !Number.isInteger(failures)) return;
    const window = (period as number) * (failures as number);
    if (window >= LIVENESS_WINDOW_MIN_SECONDS && window < floors.livenessWindowSeconds) {
        ctx.addIssue({
            code: "custom",
            path: [...path, periodSeconds !== undefined ? "periodSeconds" : "failureThreshold"],
            message:
                `periodSeconds x failureThreshold of at least ${floors.livenessWindowSeconds} s in ${stack} ` +
                `(its safety floor), not ${period} x ${failures} = ${window} s`,
        });
    }
}
