/**
 * The Monitoring component's arguments derived from the workload plan, so the alerts watch
 * exactly the workloads, KEDA thresholds and Redis shape the stack deploys (the thresholds'
 * schema: stacks/schema/monitoring.ts).
 */
import type { MonitoringArgs } from "../components/monitoring";
import { MASTER_SET } from "../components/redis/config";
import { producesPdfs } from "./catalog";
import type { PlanEntry } from "./plan";
import type { MonitoringSettings } from "./schema/monitoring";

// The HAProxy backend that health-checks `role:master` (components/redis/haproxy.ts).
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
            // redis-sp's proxy too: its pods are Ready only while they would let a client in
            // (the Sentinel poll included), which no HAProxy metric says.
            services: [
                ...plan.filter((p) => USER_FACING.has(p.family)).flatMap(deploymentsOf),
                redis.proxy,
            ],
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
