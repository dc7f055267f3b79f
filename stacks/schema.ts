/**
 * The stack config's schema (zod). Each field's error message is the "what is allowed" part of
 * the report `stacks/settings.ts` prints; cross-field rules (min <= max, unique node ports, the
 * scaled-to-zero annotation pair) are refinements here so every problem is reported together.
 */
import { z } from "zod";
import { IMAGE_KEYS, SettingsShape, catalog, nodePortServices, workloadKeys } from "./catalog";
import { cpuProblem, mebibytes, memoryProblem, millicores } from "./quantity";
import { monitoringSchema } from "./monitoring";

const int = (min: number, max?: number) => {
    const allowed = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    return z
        .number({ error: allowed })
        .int({ error: allowed })
        .min(min, { error: allowed })
        .max(max ?? Number.MAX_SAFE_INTEGER, { error: allowed });
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsName = z
    .string({ error: "a Kubernetes name (lowercase letters, digits and '-')" })
    .regex(DNS_LABEL, { error: "a Kubernetes name (lowercase letters, digits and '-')" });

const quantity = (problem: (v: string) => string | undefined, what: string) =>
    z.string({ error: what }).superRefine((v, ctx) => {
        const p = problem(v);
        if (p) ctx.addIssue({ code: "custom", message: p });
    });
const cpu = quantity(cpuProblem, "a CPU quantity such as 250m or 2");
const memory = quantity(memoryProblem, "a memory quantity in Mi or Gi such as 256Mi or 2Gi");

// name[:port]/path...:tag or @sha256:digest; a tag (not `latest`) or a digest is required so a
// rollout is reproducible and staging's promotion record means something.
const IMAGE =
    /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:[a-f0-9]{64})?$/;
const IMAGE_ALLOWED = "an image reference with a pinned tag or digest, e.g. registry/app:1.2.3";
const image = z.string({ error: IMAGE_ALLOWED }).superRefine((v, ctx) => {
    const m = IMAGE.exec(v);
    const pinned = m !== null && (m[1] !== undefined || v.includes("@sha256:"));
    if (!pinned || m?.[1] === "latest") ctx.addIssue({ code: "custom", message: IMAGE_ALLOWED });
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isoDate = z
    .string({ error: "a date written YYYY-MM-DD" })
    .refine((v) => DATE.test(v) && !isNaN(Date.parse(`${v}T00:00:00Z`)), {
        error: "a date written YYYY-MM-DD",
    });

/** Requests and limits of one container. */
export const resourcesSchema = z
    .strictObject({
        cpu,
        memory,
        cpuLimit: cpu,
        memoryLimit: memory,
    })
    .superRefine((r, ctx) => {
        if (
            !cpuProblem(r.cpu) &&
            !cpuProblem(r.cpuLimit) &&
            millicores(r.cpuLimit) < millicores(r.cpu)
        ) {
            ctx.addIssue({
                code: "custom",
                path: ["cpuLimit"],
                message: `at least cpu (${r.cpu})`,
            });
        }
        if (
            !memoryProblem(r.memory) &&
            !memoryProblem(r.memoryLimit) &&
            mebibytes(r.memoryLimit) < mebibytes(r.memory)
        ) {
            ctx.addIssue({
                code: "custom",
                path: ["memoryLimit"],
                message: `at least memory (${r.memory})`,
            });
        }
    });

const scaledToZero = z.strictObject({
    reason: z
        .string({ error: "a non-empty reason" })
        .trim()
        .min(1, { error: "a non-empty reason" }),
    reviewDate: isoDate,
});

/** A fixed-size workload; `replicas: 0` must say why and when it will be reviewed. */
const fixedShape = {
    replicas: int(0),
    scaledToZero: scaledToZero.optional(),
    resources: resourcesSchema,
};
function checkScaledToZero(
    w: { replicas: number; scaledToZero?: unknown },
    ctx: z.RefinementCtx,
): void {
    if (w.replicas === 0 && w.scaledToZero === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["scaledToZero"],
            message: "{reason, reviewDate} because replicas is 0",
        });
    }
    if (w.replicas > 0 && w.scaledToZero !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["scaledToZero"],
            message: "no scaledToZero while replicas is above 0",
        });
    }
}
const fixedWorkload = z.strictObject(fixedShape).superRefine(checkScaledToZero);

function checkBounds(a: { minReplicas: number; maxReplicas: number }, ctx: z.RefinementCtx): void {
    if (a.maxReplicas >= 1 && a.minReplicas > a.maxReplicas) {
        ctx.addIssue({
            code: "custom",
            path: ["minReplicas"],
            message: `at most maxReplicas (${a.maxReplicas})`,
        });
    }
}

/** KEDA queue-depth scaling of a consumer. */
const kedaScaling = z
    .strictObject({
        minReplicas: int(0),
        maxReplicas: int(1),
        queueThreshold: int(1, 10000),
        pollingInterval: int(1, 3600),
        cooldownPeriod: int(1, 86400),
    })
    .superRefine(checkBounds);

/** HPA CPU/memory scaling of php-fpm. */
const hpaScaling = z
    .strictObject({
        minReplicas: int(1),
        maxReplicas: int(1),
        cpuUtilization: int(1, 100),
        memoryAverage: memory,
    })
    .superRefine(checkBounds);

/** The schema of each shape a `sapoche-stack:workloads.<name>` entry can take. */
const workloadShapes = {
    fixed: fixedWorkload,
    keda: z.strictObject({ autoscaling: kedaScaling, resources: resourcesSchema }),
    hpa: z.strictObject({ autoscaling: hpaScaling, resources: resourcesSchema }),
    "fixed-with-sidecar": z
        .strictObject({ ...fixedShape, sidecarResources: resourcesSchema })
        .superRefine(checkScaledToZero),
} satisfies Record<SettingsShape, z.ZodType>;

/** A validated `sapoche-stack:workloads.<name>` entry of one shape. */
export type WorkloadSettings<S extends SettingsShape> = z.infer<(typeof workloadShapes)[S]>;

const workloads = z.strictObject(
    Object.fromEntries(catalog.flatMap(workloadKeys).map((k) => [k.name, workloadShapes[k.shape]])),
);

const nodePort = int(30000, 32767);
const nodePorts = z
    .strictObject(
        Object.fromEntries(
            nodePortServices.map((s) => [
                s.name,
                z.strictObject(Object.fromEntries(s.ports.map((p) => [p.name, nodePort]))),
            ]),
        ),
    )
    .superRefine((services, ctx) => {
        const seen = new Map<number, string>();
        for (const [svc, ports] of Object.entries(
            services as Record<string, Record<string, number>>,
        )) {
            for (const [port, value] of Object.entries(ports)) {
                const first = seen.get(value);
                if (first) {
                    ctx.addIssue({
                        code: "custom",
                        path: [svc, port],
                        message: `a node port not already used by ${first}`,
                    });
                } else {
                    seen.set(value, `${svc}.${port}`);
                }
            }
        }
    });

const redis = z
    .strictObject({
        nodes: int(1, 9),
        sentinelQuorum: int(1, 9),
        passwordSecretName: dnsName,
        storageClassName: dnsName,
        storageSize: memory,
        resources: resourcesSchema,
        sentinelResources: resourcesSchema,
        proxyReplicas: int(1, 10),
        proxyResources: resourcesSchema,
        // Data Redis may hold; writes are refused above it (noeviction: queues are never evicted).
        maxmemory: memory,
        // The legacy single Redis whose data moves into the cluster, or "" (README, Redis operations).
        legacyMaster: z
            .string({
                error: 'a DNS name of the legacy Redis such as redis-legacy.sapoche.svc.cluster.local, or ""',
            })
            .regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
                error: 'a DNS name of the legacy Redis such as redis-legacy.sapoche.svc.cluster.local, or ""',
            }),
    })
    .superRefine((r, ctx) => {
        // Headroom above maxmemory for replication buffers and the copy-on-write of AOF rewrites.
        const limit = r.resources?.memoryLimit;
        if (
            typeof r.maxmemory === "string" &&
            typeof limit === "string" &&
            !memoryProblem(r.maxmemory) &&
            !memoryProblem(limit) &&
            mebibytes(r.maxmemory) * 4 > mebibytes(limit) * 3
        ) {
            ctx.addIssue({
                code: "custom",
                path: ["maxmemory"],
                message: `at most 75% of resources.memoryLimit (${limit})`,
            });
        }
        if (r.nodes >= 1 && r.sentinelQuorum > r.nodes) {
            ctx.addIssue({
                code: "custom",
                path: ["sentinelQuorum"],
                message: `at most nodes (${r.nodes})`,
            });
        }
    });

/** Where this stack's images must have run first, and the emergency bypass. */
const promotion = z.strictObject({
    fromStack: z
        .string({ error: 'a stack reference such as "organization/sapoche-stack/staging", or ""' })
        .regex(/^$|^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
            error: 'a stack reference such as "organization/sapoche-stack/staging", or ""',
        }),
    bypassReason: z.string({ error: 'a reason for an emergency bypass, or ""' }),
});

/** Every key under the project's config namespace, parsed from JSON where it is an object. */
export const configSchema = z.strictObject({
    environment: z
        .string({ error: "a short lowercase word such as prod or staging" })
        .regex(/^[a-z][a-z0-9]{1,11}$/, {
            error: "a short lowercase word such as prod or staging",
        }),
    namespace: dnsName,
    images: z.strictObject(Object.fromEntries(IMAGE_KEYS.map((k) => [k, image]))),
    nodePorts,
    keda: z.strictObject({ brokerSecretName: dnsName }),
    orthanc: z.strictObject({ configSecretName: dnsName }),
    redis,
    scheduler: z.strictObject({ resources: resourcesSchema }),
    workloads,
    promotion,
    monitoring: monitoringSchema,
    adopt: z.boolean({ error: "true or false" }),
});

/** Config keys Pulumi stores as JSON text (objects and booleans). */
export const OBJECT_KEYS = new Set([
    "images",
    "nodePorts",
    "keda",
    "orthanc",
    "redis",
    "scheduler",
    "workloads",
    "promotion",
    "monitoring",
    "adopt",
]);

export type Resources = z.infer<typeof resourcesSchema>;
export type KedaScaling = z.infer<typeof kedaScaling>;
export type HpaScaling = z.infer<typeof hpaScaling>;
export type RedisSettings = z.infer<typeof redis>;
export type ScaledToZero = z.infer<typeof scaledToZero>;
export type PromotionSettings = z.infer<typeof promotion>;
/** The validated config, before it is paired with the catalog. */
export type Config = z.infer<typeof configSchema>;
