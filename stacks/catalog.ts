/**
 * The catalog: what exists in the sapoche namespace, one row per component. Code is shape, config
 * is numbers: a row says which workload exists, with its exact live names (typos included:
 * renaming a live object recreates it), family, purpose, ports, queue and which image key(s) it
 * runs. How many replicas, how much CPU and which image tag live in the stack config
 * (`Pulumi.<stack>.yaml`); `stacks/plan.ts` pairs each row with its own settings.
 *
 * Source of truth: docs/live-namespace.txt (a copy of the platform team's inventory).
 */
import type { Family } from "../components/shared/labels";

export type { Family };

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
    "redisExporter",
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];

/** A Service port that is part of the live contract (clients and gateways use the node port). */
export interface ServicePortEntry {
    readonly name: string;
    readonly port: number;
    /** Named container port it forwards to. */
    readonly targetPort: string;
}

/** A live Service; its node ports come from `sapoche-stack:nodePorts.<name>`. */
export interface ServiceEntry {
    readonly name: string;
    readonly ports: readonly ServicePortEntry[];
}

interface EntryBase<F extends Family> {
    readonly family: F;
    /** The component's logical name; the live name of its main object unless said otherwise. */
    readonly name: string;
    readonly purpose: string;
}

/** A queue consumer: reads one message-queue queue, optionally scaled by KEDA on its depth. */
export interface QueueConsumerEntry extends EntryBase<"queue-consumer"> {
    /** Broker queue it consumes (also the KEDA trigger's queue). */
    readonly queue: string;
    /** Critical consumers keep a replica floor (policy `enforce-consumer-min-replicas`). */
    readonly critical: boolean;
    /** Scaled by a KEDA ScaledObject of the same name (KEDA then owns `spec.replicas`). */
    readonly keda: boolean;
    readonly imageKeys: { readonly main: ImageKey };
}

/** A background worker: pulls jobs from a Redis-backed queue. */
export interface WorkerEntry extends EntryBase<"worker"> {
    readonly queue: string;
    readonly imageKeys: { readonly main: ImageKey };
}

/** A frontend site: an unprivileged nginx serving static files behind a NodePort Service. */
export interface FrontendEntry extends EntryBase<"frontend"> {
    readonly service: ServiceEntry;
    readonly imageKeys: { readonly main: ImageKey };
}

/** One tier of the PHP backend: its live Deployment name, purpose and Service. */
export interface PhpTierEntry {
    readonly name: string;
    readonly purpose: string;
    readonly service: ServiceEntry;
}

/** The PHP backend: php-fpm (HPA-scaled) behind an nginx tier, each with its live Service. */
export interface PhpBackendEntry extends EntryBase<"php-backend"> {
    readonly fpm: PhpTierEntry;
    readonly nginx: PhpTierEntry;
    readonly imageKeys: { readonly fpm: ImageKey; readonly nginx: ImageKey };
}

/** Orthanc's read-only DICOM API with its read-only proxy sidecar. */
export interface OrthancEntry extends EntryBase<"orthanc"> {
    readonly service: ServiceEntry;
    readonly imageKeys: { readonly main: ImageKey; readonly proxy: ImageKey };
}

/**
 * Redis. Today: Deployment `redis-master` (1 replica) behind Service `redis-sp`. Target: a
 * Sentinel StatefulSet; `redis-sp` keeps reaching the writable master through the proxy tier,
 * and Sentinel-aware clients use the Sentinel Service.
 */
export interface RedisEntry extends EntryBase<"redis"> {
    /** Today's Deployment, replaced (not adopted). */
    readonly liveName: string;
    readonly statefulSet: string;
    readonly proxy: string;
    readonly service: string;
    readonly sentinelService: string;
    readonly headlessService: string;
    readonly imageKeys: {
        readonly main: ImageKey;
        readonly proxy: ImageKey;
        /** redis_exporter, beside each Redis and each Sentinel (docs/operations/alerts.md). */
        readonly exporter: ImageKey;
    };
}

/** The task scheduler; its live name carries the environment ({@link schedulerName}). */
export interface SchedulerEntry extends EntryBase<"scheduler"> {
    readonly imageKeys: { readonly main: ImageKey };
}

/** One row of the catalog, discriminated by `family`. */
export type CatalogEntry =
    | QueueConsumerEntry
    | WorkerEntry
    | PhpBackendEntry
    | RedisEntry
    | SchedulerEntry
    | OrthancEntry
    | FrontendEntry;

/** The catalog row type of one family. */
export type EntryOf<F extends Family> = Extract<CatalogEntry, { family: F }>;

const BACKEND = { main: "backend" } as const;
const HTTP: readonly ServicePortEntry[] = [{ name: "http", port: 80, targetPort: "http" }];

// One row per component, as the inventory reads.
// prettier-ignore
export const catalog: readonly CatalogEntry[] = [
    { family: "queue-consumer", name: "consumer-dicom", purpose: "DICOM medical imaging", queue: "dicom", critical: true, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-ecg", purpose: "ECG data processing", queue: "ecg", critical: true, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-employee", purpose: "Employee data sync", queue: "employee", critical: false, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-lis-testresult", purpose: "Lab test results", queue: "lis-testresult", critical: true, keda: true, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-pat-dtc-homekit-register", purpose: "Patient homekit registration", queue: "pat-dtc-homekit-register", critical: false, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-pat-test-result-update", purpose: "Patient test result updates", queue: "pat-test-result-update", critical: true, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-revenue", purpose: "Revenue processing", queue: "revenue", critical: false, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-rfd-push-notification", purpose: "RFD notifications", queue: "rfd-push-notification", critical: false, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-spc-aborted-booking", purpose: "Aborted booking handling", queue: "spc-aborted-booking", critical: true, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-spc-checkup-orders", purpose: "Checkup orders", queue: "spc-checkup-orders", critical: true, keda: true, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-spc-pdf-generate", purpose: "PDF generation", queue: "spc-pdf-generate", critical: true, keda: true, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-spc-pdf-generate-examination", purpose: "Examination PDFs", queue: "spc-pdf-generate-examination", critical: true, keda: true, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-spc-pos-orders", purpose: "POS order processing", queue: "spc-pos-orders", critical: true, keda: false, imageKeys: BACKEND },
    { family: "queue-consumer", name: "consumer-spc-sync-test-master-data", purpose: "Test master data sync", queue: "spc-sync-test-master-data", critical: false, keda: false, imageKeys: BACKEND },
    { family: "worker", name: "worker-booking", purpose: "Booking operations", queue: "booking", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-batch-publisher", purpose: "Batch job publisher", queue: "batch-publisher", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-checkup-audit-history", purpose: "Checkup audit logging", queue: "checkup-audit-history", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-default", purpose: "Default worker queue", queue: "default", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-event-tracking", purpose: "Event tracking", queue: "event-tracking", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-examination-audit-history", purpose: "Examination audit logging", queue: "examination-audit-history", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-export-csv", purpose: "CSV export generation", queue: "export-csv", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-imaging-report", purpose: "Medical imaging reports", queue: "imaging-report", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-notifications", purpose: "General notifications", queue: "notifications", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-notifications-refdoc", purpose: "Reference doctor notifications", queue: "notifications-refdoc", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-pdf", purpose: "PDF generation (general)", queue: "pdf", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-pdf-en", purpose: "PDF generation (English)", queue: "pdf-en", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-pdf-svip-regen", purpose: "SVIP PDF regeneration", queue: "pdf-svip-regen", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-pdf-svip1", purpose: "SVIP tier 1 PDFs", queue: "pdf-svip1", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-pdf-svip2", purpose: "SVIP tier 2 PDFs", queue: "pdf-svip2", imageKeys: BACKEND },
    { family: "worker", name: "worker-sapoche-pdf-vip1", purpose: "VIP tier 1 PDFs", queue: "pdf-vip1", imageKeys: BACKEND },
    { family: "worker", name: "ds-sapoche-customer-consumer", purpose: "Data streaming customer consumer", queue: "customer", imageKeys: BACKEND },
    {
        family: "php-backend",
        name: "php-backend",
        purpose: "PHP application backend",
        fpm: {
            name: "sp-bnkd-php",
            purpose: "PHP application backend (php-fpm)",
            service: { name: "sapoche-bknd-php", ports: [{ name: "fpm", port: 9000, targetPort: "fpm" }, ...HTTP] },
        },
        nginx: { name: "sp-bknd-nginx", purpose: "Nginx frontend for PHP", service: { name: "bknd-services-nginx", ports: HTTP } },
        imageKeys: { fpm: "backend", nginx: "backendNginx" },
    },
    {
        family: "redis",
        name: "redis",
        purpose: "Redis cache, sessions and job queues",
        liveName: "redis-master",
        statefulSet: "redis",
        proxy: "redis-proxy",
        service: "redis-sp",
        sentinelService: "redis-sentinel",
        headlessService: "redis-headless",
        imageKeys: { main: "redis", proxy: "redisProxy", exporter: "redisExporter" },
    },
    { family: "scheduler", name: "scheduler", purpose: "Production task scheduler", imageKeys: BACKEND },
    {
        family: "orthanc",
        name: "orthanc-read-api",
        purpose: "Orthanc DICOM API (with sidecar)",
        service: { name: "orthanc-read-api-service", ports: HTTP },
        imageKeys: { main: "orthanc", proxy: "orthancProxy" },
    },
    { family: "frontend", name: "sapoche-frontend-web", purpose: "Main frontend web application", service: { name: "sapoche-frontend-web", ports: HTTP }, imageKeys: { main: "frontendWeb" } },
    { family: "frontend", name: "diag-design-system-nginx", purpose: "Design system/component library", service: { name: "diag-design-system-nginx", ports: HTTP }, imageKeys: { main: "designSystem" } },
    { family: "frontend", name: "diag-dicom-viewer-nginx", purpose: "DICOM medical image viewer", service: { name: "diag-dicom-viewer-nginx", ports: HTTP }, imageKeys: { main: "dicomViewer" } },
];

/**
 * The scheduler's live name carries the environment (`sapoche-be--scheduler--prod`). Staging
 * gets `--staging`, so that a pod name alone tells an on-call engineer which environment's
 * scheduler is running, and the two can never be confused in shared logs or dashboards.
 */
export function schedulerName(environment: string): string {
    return `sapoche-be--scheduler--${environment}`;
}

/**
 * Key of the scheduler in `workloadImages`: its live name without the environment suffix, so
 * staging's and production1's records compare.
 */
export const SCHEDULER_KEY = "sapoche-be--scheduler";

/**
 * Whether a row generates PDFs: the consumers and workers the catalog names after what they make
 * (`consumer-spc-pdf-generate`, `worker-sapoche-pdf-en`, ...). They export the PDF histogram on
 * a container port named `metrics` (an assumption until the application confirms it: docs/operations/alerts.md), which the monitoring scrapes and alerts on.
 */
export function producesPdfs(e: CatalogEntry): e is QueueConsumerEntry | WorkerEntry {
    return (e.family === "queue-consumer" || e.family === "worker") && e.name.includes("pdf");
}

/** How a workload's numbers are shaped under `sapoche-stack:workloads.<name>`. */
export type SettingsShape = "fixed" | "keda" | "hpa" | "fixed-with-sidecar";

/** The `sapoche-stack:workloads` keys a row reads, with their shape (Redis and the scheduler have keys of their own). */
export function workloadKeys(e: CatalogEntry): readonly { name: string; shape: SettingsShape }[] {
    switch (e.family) {
        case "queue-consumer":
            return [{ name: e.name, shape: e.keda ? "keda" : "fixed" }];
        case "worker":
        case "frontend":
            return [{ name: e.name, shape: "fixed" }];
        case "php-backend":
            return [
                { name: e.fpm.name, shape: "hpa" },
                { name: e.nginx.name, shape: "fixed" },
            ];
        case "orthanc":
            return [{ name: e.name, shape: "fixed-with-sidecar" }];
        case "redis":
        case "scheduler":
            return [];
    }
}

/** The live NodePort Services a row owns, with the workload each selects. */
export function nodePortServicesOf(
    e: CatalogEntry,
): readonly (ServiceEntry & { readonly selects: string })[] {
    switch (e.family) {
        case "php-backend":
            return [e.fpm, e.nginx].map((t) => ({ ...t.service, selects: t.name }));
        case "orthanc":
        case "frontend":
            return [{ ...e.service, selects: e.name }];
        default:
            return [];
    }
}

// Views of the one list above, for readers that need one family (tests, the e2e suite).
const ofFamily = <F extends Family>(f: F) => catalog.filter((e): e is EntryOf<F> => e.family === f);
const only = <F extends Family>(f: F): EntryOf<F> => ofFamily(f)[0];

export const consumers = ofFamily("queue-consumer");
export const workers = ofFamily("worker");
export const frontends = ofFamily("frontend");
export const phpBackend = only("php-backend");
export const orthanc = only("orthanc");
export const redis = only("redis");
export const scheduler = only("scheduler");

/** Every live NodePort Service, in catalog order. */
export const nodePortServices = catalog.flatMap(nodePortServicesOf);

/** Names of every workload whose numbers live under `sapoche-stack:workloads`. */
export const configuredWorkloads: readonly string[] = catalog.flatMap((e) =>
    workloadKeys(e).map((k) => k.name),
);
