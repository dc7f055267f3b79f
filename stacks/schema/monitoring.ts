/**
 * `sapoche-stack:monitoring`: the alert thresholds and durations of one environment. What the
 * alerts watch is derived from the plan in stacks/monitoring.ts.
 */
import { z } from "zod";

const DURATION = "a duration such as 90s, 5m or 2h";
const duration = z.string({ error: DURATION }).regex(/^[1-9][0-9]*(s|m|h)$/, { error: DURATION });
const int = (min: number, max: number) => {
    const allowed = `an integer from ${min} to ${max}`;
    return z
        .number({ error: allowed })
        .int({ error: allowed })
        .min(min, { error: allowed })
        .max(max, { error: allowed });
};
const NAME = "a Kubernetes name (lowercase letters, digits and '-')";
const URL = "an https:// address without a trailing / (the runbooks' folder on the forge)";

/** The schema of `sapoche-stack:monitoring`. */
export const monitoringSchema = z.strictObject({
    prometheusNamespace: z
        .string({ error: NAME })
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: NAME }),
    runbookBaseUrl: z.string({ error: URL }).regex(/^https:\/\/[^\s#?]+[^\s#?/]$/, { error: URL }),
    inputs: z.strictObject({ absentFor: duration, targetDownFor: duration }),
    services: z.strictObject({ degradedFor: duration, downFor: duration }),
    autoscaling: z.strictObject({
        atMaxFor: duration,
        flappingWindow: duration,
        flappingChanges: int(1, 100),
        blockedFor: duration,
        metricsMissingFor: duration,
    }),
    queues: z.strictObject({
        growingFor: duration,
        stuckFor: duration,
        unavailableFor: duration,
    }),
    pdf: z.strictObject({ backlogAgeFor: duration, workersUnavailableFor: duration }),
    redis: z.strictObject({
        noMasterFor: duration,
        failoverWindow: duration,
        quorumLostFor: duration,
        replicationBrokenFor: duration,
        memoryPercent: int(1, 99),
        memoryFor: duration,
        proxyNoMasterFor: duration,
    }),
    orthanc: z.strictObject({
        // The claim holding Orthanc's storage: not in the inventory (docs/assumptions.md).
        storageClaim: z
            .string({ error: NAME })
            .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: NAME }),
        minFreePercent: int(1, 99),
        fullWithinDays: int(1, 365),
        for: duration,
    }),
    rollouts: z.strictObject({ stuckFor: duration }),
});

/** Validated `sapoche-stack:monitoring`. */
export type MonitoringSettings = z.infer<typeof monitoringSchema>;
