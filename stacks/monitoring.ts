/**
 * `sapoche-stack:monitoring`: the alert thresholds and durations of one environment (schema),
 * and the Monitoring component's arguments derived from the workload plan, so the alerts watch
 * exactly the workloads, KEDA thresholds and Redis shape the stack deploys.
 */
import { z } from "zod";
import type { MonitoringArgs } from "../components/monitoring";
import { MASTER_SET } from "../components/redis-config";
import { producesPdfs } from "./catalog";
import type { PlanEntry } from "./plan";

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
const URL = "an https:// address (the README on the forge)";

/** The schema of `sapoche-stack:monitoring`. */
export const monitoringSchema = z.strictObject({
    prometheusNamespace: z
        .string({ error: NAME })
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: NAME }),
    runbookBaseUrl: z.string({ error: URL }).regex(/^https:\/\/[^\s#]+$/, { error: URL }),
    // The port the PDF consumers and workers serve their metrics on (an assumption until the
    // application confirms it); the pods run as a non-root user, so not a privileged port.
    pdfMetricsPort: int(1024, 65535),
    autoscaling: z.strictObject({
        atMaxFor: duration,
        flappingWindow: duration,
        flappingChanges: int(1, 100),
    }),
    queues: z.strictObject({
        growingFor: duration,
        stuckFor: duration,
        unavailableFor: duration,
    }),
    pdf: z.strictObject({ p95Seconds: int(1, 3600), for: duration }),
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
        storageCapacityGi: int(1, 1048576),
        minFreePercent: int(1, 99),
        for: duration,
    }),
    rollouts: z.strictObject({ stuckFor: duration }),
});

/** Validated `sapoche-stack:monitoring`. */
export type MonitoringSettings = z.infer<typeof monitoringSchema>;

// The HAProxy backend that health-checks `role:master` (components/redis-config.ts).
const PROXY_BACKEND = "master";

/** The Monitoring component's arguments (all but the namespace resource) for this plan. */
export function monitoringArgs(
    namespace: string,
    plan: readonly PlanEntry[],
    m: MonitoringSettings,
): Omit<MonitoringArgs, "namespace"> {
    const consumers = plan.flatMap((p) => (p.family === "queue-consumer" ? [p] : []));
    const redis = plan.find((p) => p.family === "redis");
    const orthanc = plan.find((p) => p.family === "orthanc");
    if (redis?.family !== "redis" || orthanc?.family !== "orthanc") {
        throw new Error("the plan has no Redis or no Orthanc entry to monitor");
    }
    // The PDF metrics port is the workloads' (stacks/plan.ts), not a threshold.
    const { prometheusNamespace, runbookBaseUrl, pdfMetricsPort: _port, ...thresholds } = m;
    return {
        prometheusNamespace,
        thresholds,
        targets: {
            namespace,
            criticalConsumers: consumers.filter((c) => c.critical).map((c) => c.name),
            kedaConsumers: consumers.flatMap((c) =>
                "autoscaling" in c.settings
                    ? [{ name: c.name, queueThreshold: c.settings.autoscaling.queueThreshold }]
                    : [],
            ),
            pdfWorkloads: plan.filter(producesPdfs).map((p) => p.name),
            redis: {
                statefulSet: redis.statefulSet,
                proxy: redis.proxy,
                nodes: redis.settings.nodes,
                masterSet: MASTER_SET,
                proxyBackend: PROXY_BACKEND,
            },
            orthanc: orthanc.name,
            runbookBaseUrl,
        },
    };
}
