/**
 * `sapoche-stack:monitoring`: the alert thresholds and durations of one environment. What the
 * alerts watch is derived from the plan in stacks/monitoring.ts.
 *
 * Accepted is what Prometheus accepts and what lets each alert fire: durations in Prometheus'
 * grammar; windows (read as `[range]` or `offset`) that hold at least two scrapes and no more
 * than Prometheus keeps; percentages a value can cross; a flapping count the window can hold.
 * The Prometheus figures are the Prometheus Operator's defaults (v0.91.0), constants here and
 * not stack values, because they are the guard's own parameters (docs/assumptions.md).
 */
import { z } from "zod";
import {
    PROMETHEUS_DURATION_ALLOWED,
    prometheusDuration,
    prometheusDurationMs,
} from "./primitives";

/** The operator's `scrapeInterval` and `evaluationInterval` default. */
export const SCRAPE_INTERVAL_MS = 30_000;
/** The operator's `retention` default: a window reaching further back reads nothing. */
export const RETENTION_MS = 86_400_000;
// Prometheus stores durations as int64 nanoseconds and refuses longer ones ("out of range").
const DURATION_MAX_MS = Math.floor((2 ** 63 - 1) / 1e6);

const ms = (v: number) => (v % 60_000 === 0 ? `${v / 60_000}m` : `${v / 1000}s`);

/**
 * An alert's `for`: at least one evaluation (a shorter one is the same as one, and `0` pages on a
 * single bad scrape), within what Prometheus can store.
 */
const forDuration = prometheusDuration(SCRAPE_INTERVAL_MS).superRefine((v, ctx) => {
    if ((prometheusDurationMs(v) ?? 0) > DURATION_MAX_MS) {
        ctx.addIssue({ code: "custom", message: `${PROMETHEUS_DURATION_ALLOWED}, at most 292y` });
    }
});

const WINDOW_ALLOWED =
    `${PROMETHEUS_DURATION_ALLOWED}, from ${ms(2 * SCRAPE_INTERVAL_MS)} (two scrapes ` +
    `${ms(SCRAPE_INTERVAL_MS)} apart: one sample shows no change) to 1d (Prometheus' retention: ` +
    "older samples are gone, so the alert could never fire)";
/** A window a rule reads back over (`[window]`, `offset window`). */
const window = z.string({ error: WINDOW_ALLOWED }).superRefine((v, ctx) => {
    const m = prometheusDurationMs(v);
    if (m === undefined || m < 2 * SCRAPE_INTERVAL_MS || m > RETENTION_MS) {
        ctx.addIssue({ code: "custom", message: WINDOW_ALLOWED });
    }
});

const int = (min: number, max: number, why = "") => {
    const allowed = `an integer from ${min} to ${max}${why}`;
    return z
        .number({ error: allowed })
        .int({ error: allowed })
        .min(min, { error: allowed })
        .max(max, { error: allowed });
};
/** A percentage an alert compares with `<` or `>`: 0 and 100 are never crossed. */
const percent = (of: string) =>
    int(1, 99, ` (a percent of ${of}: the value never goes below 0 or above 100)`);

const NAME = "a Kubernetes name (lowercase letters, digits and '-')";
const URL = "an https:// address without a trailing / (the runbooks' folder on the forge)";

/** The schema of `sapoche-stack:monitoring`. */
export const monitoringSchema = z.strictObject({
    prometheusNamespace: z
        .string({ error: NAME })
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: NAME }),
    runbookBaseUrl: z.string({ error: URL }).regex(/^https:\/\/[^\s#?]+[^\s#?/]$/, { error: URL }),
    inputs: z.strictObject({ absentFor: forDuration, targetDownFor: forDuration }),
    services: z.strictObject({ degradedFor: forDuration, downFor: forDuration }),
    autoscaling: z
        .strictObject({
            atMaxFor: forDuration,
            flappingWindow: window,
            flappingChanges: int(1, 100),
            blockedFor: forDuration,
            metricsMissingFor: forDuration,
        })
        .superRefine((a, ctx) => {
            // `changes()` counts steps between the samples inside the window: one scrape per
            // interval gives at most samples - 1 of them, and the rule fires above the count.
            const w = prometheusDurationMs(a.flappingWindow);
            if (w === undefined || w < 2 * SCRAPE_INTERVAL_MS) return;
            const most = Math.floor(w / SCRAPE_INTERVAL_MS) - 1;
            if (a.flappingChanges >= most) {
                ctx.addIssue({
                    code: "custom",
                    path: ["flappingChanges"],
                    message:
                        `an integer below ${most}: flappingWindow (${a.flappingWindow}) holds ` +
                        `${most + 1} scrapes ${ms(SCRAPE_INTERVAL_MS)} apart, so at most ${most} ` +
                        "changes, and the alert fires only above this count",
                });
            }
        }),
    queues: z.strictObject({
        growingFor: forDuration,
        stuckFor: window,
        unavailableFor: forDuration,
    }),
    pdf: z.strictObject({ backlogAgeFor: window, workersUnavailableFor: forDuration }),
    redis: z.strictObject({
        noMasterFor: forDuration,
        twoMastersFor: forDuration,
        failoverWindow: window,
        quorumLostFor: forDuration,
        replicationBrokenFor: forDuration,
        memoryPercent: percent("maxmemory"),
        memoryFor: forDuration,
        proxyNoMasterFor: forDuration,
    }),
    orthanc: z.strictObject({
        // The claim holding Orthanc's storage: not in the inventory (docs/assumptions.md).
        storageClaim: z
            .string({ error: NAME })
            .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: NAME }),
        minFreePercent: percent("the volume's capacity"),
        fullWithinDays: int(1, 365),
        for: forDuration,
    }),
    rollouts: z.strictObject({ stuckFor: forDuration }),
});

/** Validated `sapoche-stack:monitoring`. */
export type MonitoringSettings = z.infer<typeof monitoringSchema>;
