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

// The HAProxy backend that health-checks `role:master` (components/redis-config.ts).
const PROXY_BACKEND = "master";

// The families whose Deployments serve users (the data flow's request path and the viewers).
const USER_FACING = new Set<PlanEntry["family"]>(["php-backend", "orthanc", "frontend"]);

/** The Deployments of a plan entry, by their live names. */
function deploymentsOf(p: PlanEntry): string[] {
    return p.family === "php-backend" ? [p.fpm.name, p.nginx.name] : [p.name];
}

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
    const pdf = new Set(plan.filter(producesPdfs).map((p) => p.name));
    const { prometheusNamespace, runbookBaseUrl, ...rest } = m;
    const { storageClaim, ...orthancThresholds } = rest.orthanc;
    const keda = consumers.flatMap((c) =>
        "autoscaling" in c.settings
            ? [{ name: c.name, queueThreshold: c.settings.autoscaling.queueThreshold }]
            : [],
    );
    return {
        prometheusNamespace,
        thresholds: { ...rest, orthanc: orthancThresholds },
        targets: {
            namespace,
            services: plan.filter((p) => USER_FACING.has(p.family)).flatMap(deploymentsOf),
            criticalConsumers: consumers.filter((c) => c.critical).map((c) => c.name),
            kedaConsumers: keda,
            pdfQueues: keda.filter((k) => pdf.has(k.name)).map((k) => k.name),
            pdfWorkloads: plan.filter(producesPdfs).map((p) => p.name),
            redis: {
                statefulSet: redis.statefulSet,
                proxy: redis.proxy,
                nodes: redis.settings.nodes,
                masterSet: MASTER_SET,
                proxyBackend: PROXY_BACKEND,
            },
            orthanc: orthanc.name,
            orthancClaim: storageClaim,
            runbookBaseUrl,
        },
    };
}
