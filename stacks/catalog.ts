/**
 * The catalog: what exists in the sapoche namespace. Code is shape, config is numbers: this file
 * says which workloads exist, with their exact live names (typos included: renaming a live object
 * recreates it), family, purpose, ports and queue. How many replicas, how much CPU and which
 * image tag live in the stack config (`Pulumi.<stack>.yaml`).
 *
 * Source of truth: ../shared/seed/sapoche-namespace.txt.
 */

/** A workload family; each has exactly one ComponentResource in `components/`. */
export type Family =
    "queue-consumer" | "worker" | "php-backend" | "redis" | "scheduler" | "orthanc" | "frontend";

/** Keys of `sapoche-stack:images`: one image reference per piece of software. */
export const IMAGE_KEYS = [
    "backend",
    "backendNginx",
    "frontendWeb",
    "dicomViewer",
    "designSystem",
    "orthanc",
    "orthancProxy",
    "redis",
    "redisProxy",
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];

/** A queue consumer: reads one message-queue queue, optionally scaled by KEDA on its depth. */
export interface ConsumerEntry {
    readonly name: string;
    readonly purpose: string;
    /** Broker queue it consumes (also the KEDA trigger's queue). */
    readonly queue: string;
    /** Critical consumers must keep a replica floor (policy `minimum-consumer-replicas`). */
    readonly critical: boolean;
    /** Scaled by a KEDA ScaledObject of the same name (KEDA then owns `spec.replicas`). */
    readonly keda: boolean;
}

/** A background worker: pulls jobs from a Redis-backed queue. */
export interface WorkerEntry {
    readonly name: string;
    readonly purpose: string;
    readonly queue: string;
}

/** A frontend site: an unprivileged nginx serving static files behind a NodePort Service. */
export interface FrontendEntry {
    readonly name: string;
    readonly purpose: string;
    readonly image: ImageKey;
    /** Name of its NodePort Service (live name). */
    readonly service: string;
}

// One row per workload, as the inventory reads.
// prettier-ignore
export const consumers: readonly ConsumerEntry[] = [
    { name: "consumer-dicom", purpose: "DICOM medical imaging", queue: "dicom", critical: true, keda: false },
    { name: "consumer-ecg", purpose: "ECG data processing", queue: "ecg", critical: true, keda: false },
    { name: "consumer-employee", purpose: "Employee data sync", queue: "employee", critical: false, keda: false },
    { name: "consumer-lis-testresult", purpose: "Lab test results", queue: "lis-testresult", critical: true, keda: true },
    { name: "consumer-pat-dtc-homekit-register", purpose: "Patient homekit registration", queue: "pat-dtc-homekit-register", critical: false, keda: false },
    { name: "consumer-pat-test-result-update", purpose: "Patient test result updates", queue: "pat-test-result-update", critical: true, keda: false },
    { name: "consumer-revenue", purpose: "Revenue processing", queue: "revenue", critical: false, keda: false },
    { name: "consumer-rfd-push-notification", purpose: "RFD notifications", queue: "rfd-push-notification", critical: false, keda: false },
    { name: "consumer-spc-aborted-booking", purpose: "Aborted booking handling", queue: "spc-aborted-booking", critical: true, keda: false },
    { name: "consumer-spc-checkup-orders", purpose: "Checkup orders", queue: "spc-checkup-orders", critical: true, keda: true },
    { name: "consumer-spc-pdf-generate", purpose: "PDF generation", queue: "spc-pdf-generate", critical: true, keda: true },
    { name: "consumer-spc-pdf-generate-examination", purpose: "Examination PDFs", queue: "spc-pdf-generate-examination", critical: true, keda: true },
    { name: "consumer-spc-pos-orders", purpose: "POS order processing", queue: "spc-pos-orders", critical: true, keda: false },
    { name: "consumer-spc-sync-test-master-data", purpose: "Test master data sync", queue: "spc-sync-test-master-data", critical: false, keda: false },
];

// prettier-ignore
export const workers: readonly WorkerEntry[] = [
    { name: "worker-booking", purpose: "Booking operations", queue: "booking" },
    { name: "worker-sapoche-batch-publisher", purpose: "Batch job publisher", queue: "batch-publisher" },
    { name: "worker-sapoche-checkup-audit-history", purpose: "Checkup audit logging", queue: "checkup-audit-history" },
    { name: "worker-sapoche-default", purpose: "Default worker queue", queue: "default" },
    { name: "worker-sapoche-event-tracking", purpose: "Event tracking", queue: "event-tracking" },
    { name: "worker-sapoche-examination-audit-history", purpose: "Examination audit logging", queue: "examination-audit-history" },
    { name: "worker-sapoche-export-csv", purpose: "CSV export generation", queue: "export-csv" },
    { name: "worker-sapoche-imaging-report", purpose: "Medical imaging reports", queue: "imaging-report" },
    { name: "worker-sapoche-notifications", purpose: "General notifications", queue: "notifications" },
    { name: "worker-sapoche-notifications-refdoc", purpose: "Reference doctor notifications", queue: "notifications-refdoc" },
    { name: "worker-sapoche-pdf", purpose: "PDF generation (general)", queue: "pdf" },
    { name: "worker-sapoche-pdf-en", purpose: "PDF generation (English)", queue: "pdf-en" },
    { name: "worker-sapoche-pdf-svip-regen", purpose: "SVIP PDF regeneration", queue: "pdf-svip-regen" },
    { name: "worker-sapoche-pdf-svip1", purpose: "SVIP tier 1 PDFs", queue: "pdf-svip1" },
    { name: "worker-sapoche-pdf-svip2", purpose: "SVIP tier 2 PDFs", queue: "pdf-svip2" },
    { name: "worker-sapoche-pdf-vip1", purpose: "VIP tier 1 PDFs", queue: "pdf-vip1" },
    { name: "ds-sapoche-customer-consumer", purpose: "Data streaming customer consumer", queue: "customer" },
];

// prettier-ignore
export const frontends: readonly FrontendEntry[] = [
    { name: "sapoche-frontend-web", purpose: "Main frontend web application", image: "frontendWeb", service: "sapoche-frontend-web" },
    { name: "diag-design-system-nginx", purpose: "Design system/component library", image: "designSystem", service: "diag-design-system-nginx" },
    { name: "diag-dicom-viewer-nginx", purpose: "DICOM medical image viewer", image: "dicomViewer", service: "diag-dicom-viewer-nginx" },
];

/** The PHP backend: php-fpm behind an nginx tier, each with its live Service. */
export const phpBackend = {
    fpm: {
        name: "sp-bnkd-php",
        purpose: "PHP application backend (php-fpm)",
        service: "sapoche-bknd-php",
    },
    nginx: {
        name: "sp-bknd-nginx",
        purpose: "Nginx frontend for PHP",
        service: "bknd-services-nginx",
    },
} as const;

/** Orthanc read-only DICOM API (PACS) with its read-only proxy sidecar. */
export const orthanc = {
    name: "orthanc-read-api",
    purpose: "Orthanc DICOM API (with sidecar)",
    service: "orthanc-read-api-service",
} as const;

/**
 * Redis. Today: Deployment `redis-master` (1 replica) behind Service `redis-sp`. Target: a
 * 3-node Sentinel StatefulSet `redis`; `redis-sp` keeps reaching the writable master through the
 * `redis-proxy` tier, and Sentinel-aware clients use `redis-sentinel`.
 */
export const redis = {
    liveName: "redis-master",
    statefulSet: "redis",
    proxy: "redis-proxy",
    service: "redis-sp",
    sentinelService: "redis-sentinel",
    headlessService: "redis-headless",
    purpose: "Redis cache, sessions and job queues",
} as const;

/**
 * The scheduler's live name carries the environment (`sapoche-be--scheduler--prod`). Staging
 * gets `--staging`, so that a pod name alone tells an on-call engineer which environment's
 * scheduler is running, and the two can never be confused in shared logs or dashboards.
 */
export function schedulerName(environment: string): string {
    return `sapoche-be--scheduler--${environment}`;
}
export const scheduler = { purpose: "Production task scheduler" } as const;

/** A Service port that is part of the live contract (clients and gateways use the node port). */
export interface ServicePortEntry {
    readonly name: string;
    readonly port: number;
    /** Named container port it forwards to. */
    readonly targetPort: string;
}

/** A NodePort Service of the live namespace; its node ports come from `sapoche-stack:nodePorts`. */
export interface NodePortServiceEntry {
    readonly name: string;
    /** Workload whose pods it selects. */
    readonly selects: string;
    readonly ports: readonly ServicePortEntry[];
}

export const nodePortServices: readonly NodePortServiceEntry[] = [
    {
        name: phpBackend.fpm.service,
        selects: phpBackend.fpm.name,
        ports: [
            { name: "fpm", port: 9000, targetPort: "fpm" },
            { name: "http", port: 80, targetPort: "http" },
        ],
    },
    {
        name: phpBackend.nginx.service,
        selects: phpBackend.nginx.name,
        ports: [{ name: "http", port: 80, targetPort: "http" }],
    },
    ...frontends.map((f) => ({
        name: f.service,
        selects: f.name,
        ports: [{ name: "http", port: 80, targetPort: "http" }],
    })),
    {
        name: orthanc.service,
        selects: orthanc.name,
        ports: [{ name: "http", port: 80, targetPort: "http" }],
    },
];

/** The live NodePort Service of that name. */
export function nodePortService(name: string): NodePortServiceEntry {
    const entry = nodePortServices.find((s) => s.name === name);
    if (!entry) throw new Error(`no NodePort Service ${name} in the catalog`);
    return entry;
}

/** Names of every workload whose numbers live under `sapoche-stack:workloads`. */
export const configuredWorkloads: readonly string[] = [
    ...consumers.map((c) => c.name),
    ...workers.map((w) => w.name),
    phpBackend.fpm.name,
    phpBackend.nginx.name,
    orthanc.name,
    ...frontends.map((f) => f.name),
];

/** Workloads autoscaled by HPA or KEDA: their config has `autoscaling` instead of `replicas`. */
export const autoscaledWorkloads: ReadonlySet<string> = new Set([
    ...consumers.filter((c) => c.keda).map((c) => c.name),
    phpBackend.fpm.name,
]);

/**
 * Key of the scheduler in `workloadImages`: its live name without the environment suffix, so
 * staging's and production1's records compare.
 */
export const SCHEDULER_KEY = "sapoche-be--scheduler";

/**
 * Image reference of every workload (and sidecar, as `workload/container`) by live name, for the
 * stack's outputs and the promotion gate.
 */
export function workloadImages(images: Readonly<Record<ImageKey, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of consumers) out[c.name] = images.backend;
    for (const w of workers) out[w.name] = images.backend;
    for (const f of frontends) out[f.name] = images[f.image];
    out[phpBackend.fpm.name] = images.backend;
    out[phpBackend.nginx.name] = images.backendNginx;
    out[orthanc.name] = images.orthanc;
    out[`${orthanc.name}/read-proxy`] = images.orthancProxy;
    out[SCHEDULER_KEY] = images.backend;
    out[redis.statefulSet] = images.redis;
    out[redis.proxy] = images.redisProxy;
    return out;
}
