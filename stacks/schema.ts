/**
 * The stack config's schema (zod). Each field's error message is the "what is allowed" part of
 * the report `stacks/settings.ts` prints; cross-field rules (min <= max, unique node ports, the
 * scaled-to-zero annotation pair) are refinements here so every problem is reported together.
 */
import { z } from "zod";
import { IMAGE_KEYS, SettingsShape, catalog, nodePortServices, workloadKeys } from "./catalog";
import { cpuProblem, formatCpu, mebibytes, memoryProblem, millicores } from "./quantity";
import { monitoringSchema } from "./monitoring";
import { networkSchema } from "./network";
import { CONTAINER_LIMIT_RANGE } from "../components/shared/limit-range";
import {
    CRITICAL_CONSUMER_FLOOR,
    FLOATING_TAGS,
    RANGES,
    REASON_MIN,
    REVIEW_HORIZON_DAYS,
    Range,
    STACK_ENVIRONMENTS,
} from "./ranges";

/** What the schema knows about the stack it validates (rules that differ per stack). */
export interface SchemaContext {
    /** Stack name (`production1`); stack-specific rules are skipped when unknown. */
    readonly stack?: string;
    /** Project name (`sapoche-stack`): a promotion source must be in the same project. */
    readonly project?: string;
    /** Today, for the review-date horizon. @default now */
    readonly today?: Date;
}

const range = (r: Range) => int(r.min, r.max);

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

/**
 * A quantity is a string; YAML reads an unquoted `1` or `1.5` as a number, which Kubernetes would
 * also take but the schema cannot tell from a typo, so the message says how to quote it.
 */
const quantity = (
    problem: (v: string) => string | undefined,
    what: string,
    quoted: (n: number) => string,
) =>
    z
        .string({
            error: (issue) =>
                typeof issue.input === "number"
                    ? `${what}, as a quoted string: write ${quoted(issue.input)}`
                    : what,
        })
        .superRefine((v, ctx) => {
            const p = problem(v);
            if (p) ctx.addIssue({ code: "custom", message: p });
        });
const cpu = quantity(cpuProblem, "a CPU quantity such as 250m or 2", (n) =>
    Number.isInteger(n) ? `'${n}'` : `'${formatCpu(Math.round(n * 1000))}'`,
);
const memory = quantity(
    memoryProblem,
    "a memory quantity in Mi or Gi such as 256Mi or 2Gi",
    (n) => `'${n}Mi' or '${n}Gi' (with its unit, in quotes)`,
);

// name[:port]/path...:tag or @sha256:digest; a tag (not `latest`) or a digest is required so a
// rollout is reproducible and staging's promotion record means something.
const IMAGE =
    /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:[a-f0-9]{64})?$/;
const IMAGE_ALLOWED = "an image reference with a pinned tag or digest, e.g. registry/app:1.2.3";
const image = z.string({ error: IMAGE_ALLOWED }).superRefine((v, ctx) => {
    const m = IMAGE.exec(v);
    const pinned = m !== null && (m[1] !== undefined || v.includes("@sha256:"));
    // A channel tag (`stable`, `Latest`) runs different code next week; the pack refuses the same
    // list in any letter case. A digest next to it pins the image, so the tag is then a label.
    const floating =
        m?.[1] !== undefined &&
        !v.includes("@sha256:") &&
        FLOATING_TAGS.includes(m[1].toLowerCase());
    if (!pinned) ctx.addIssue({ code: "custom", message: IMAGE_ALLOWED });
    else if (floating) {
        ctx.addIssue({
            code: "custom",
            message: `${IMAGE_ALLOWED}; "${m[1]}" is a floating tag (it names a channel, not a build)`,
        });
    }
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day (`2026-02-30` parses in JavaScript as 2 March: compare the round trip). */
function isCalendarDate(v: string): boolean {
    if (!DATE.test(v)) return false;
    const d = new Date(`${v}T00:00:00Z`);
    return !isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}
const day = (d: Date) => d.toISOString().slice(0, 10);

/** The latest review date allowed on `today`. */
export function reviewHorizon(today: Date): string {
    return day(new Date(Date.parse(day(today)) + REVIEW_HORIZON_DAYS * 86_400_000));
}

/** A calendar date at most REVIEW_HORIZON_DAYS ahead: a decision nobody reviews is forgotten. */
const reviewDate = (today: Date) =>
    z.string({ error: "a date written YYYY-MM-DD" }).superRefine((v, ctx) => {
        if (!isCalendarDate(v)) {
            ctx.addIssue({ code: "custom", message: "a calendar date written YYYY-MM-DD" });
        } else if (v > reviewHorizon(today)) {
            ctx.addIssue({
                code: "custom",
                message: `a date at most ${REVIEW_HORIZON_DAYS} days ahead (${reviewHorizon(today)} or earlier)`,
            });
        }
    });

const REASON_ALLOWED =
    `a short sentence saying why (at least ${REASON_MIN.characters} characters and ` +
    `${REASON_MIN.words} words)`;
function isReason(v: string): boolean {
    return v.length >= REASON_MIN.characters && v.split(/\s+/).length >= REASON_MIN.words;
}
/** Trimmed, and long enough to tell the next reader something (".", "tbd" say nothing). */
const reason = z
    .string({ error: REASON_ALLOWED })
    .trim()
    .refine(isReason, { error: REASON_ALLOWED });

/**
 * Ephemeral storage a container gets when its stack file does not say (Redis, Sentinel, HAProxy,
 * the scheduler, sidecars): enough for logs and small scratch files. Workloads that write real
 * files (the PDF and CSV workers' /tmp) set their own in the stack file.
 */
export const EPHEMERAL_STORAGE_DEFAULTS = { request: "256Mi", limit: "1Gi" } as const;

const { max: MAX } = CONTAINER_LIMIT_RANGE;

/** Requests and limits of one container, within the LimitRange the program creates. */
export const resourcesSchema = z
    .strictObject({
        cpu,
        memory,
        cpuLimit: cpu,
        memoryLimit: memory,
        ephemeralStorage: memory.default(EPHEMERAL_STORAGE_DEFAULTS.request),
        ephemeralStorageLimit: memory.default(EPHEMERAL_STORAGE_DEFAULTS.limit),
    })
    .superRefine((r, ctx) => {
        const pairs = [
            ["cpu", "cpuLimit", cpuProblem, millicores, MAX.cpu],
            ["memory", "memoryLimit", memoryProblem, mebibytes, MAX.memory],
            [
                "ephemeralStorage",
                "ephemeralStorageLimit",
                memoryProblem,
                mebibytes,
                MAX["ephemeral-storage"],
            ],
        ] as const;
        for (const [request, limit, problem, amount, max] of pairs) {
            const [req, lim] = [r[request], r[limit]];
            const ok = (v: unknown): v is string => typeof v === "string" && !problem(v);
            if (ok(req) && ok(lim) && amount(lim) < amount(req)) {
                ctx.addIssue({
                    code: "custom",
                    path: [limit],
                    message: `at least ${request} (${req})`,
                });
            }
            // A limit above the LimitRange's max is refused at admission, mid-rollout; the
            // request is at most the limit, so checking the limit covers both.
            if (ok(lim) && amount(lim) > amount(max)) {
                ctx.addIssue({
                    code: "custom",
                    path: [limit],
                    message: `at most ${max} (the max of the namespace's LimitRange sapoche-defaults)`,
                });
            } else if (ok(req) && !ok(lim) && amount(req) > amount(max)) {
                ctx.addIssue({
                    code: "custom",
                    path: [request],
                    message: `at most ${max} (the max of the namespace's LimitRange sapoche-defaults)`,
                });
            }
        }
    });

/** A fixed-size workload; `replicas: 0` must say why and when it will be reviewed. */
const fixedShapeFor = (today: Date) => ({
    replicas: range(RANGES.replicas),
    scaledToZero: z.strictObject({ reason, reviewDate: reviewDate(today) }).optional(),
    resources: resourcesSchema,
});
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
        minReplicas: range(RANGES.kedaMinReplicas),
        maxReplicas: range(RANGES.maxReplicas),
        queueThreshold: range(RANGES.queueThreshold),
        pollingInterval: range(RANGES.pollingInterval),
        cooldownPeriod: range(RANGES.cooldownPeriod),
    })
    .superRefine(checkBounds);

/** HPA CPU/memory scaling of php-fpm. */
const hpaScaling = z
    .strictObject({
        minReplicas: range(RANGES.hpaMinReplicas),
        maxReplicas: range(RANGES.maxReplicas),
        cpuUtilization: range(RANGES.cpuUtilization),
        memoryAverage: memory,
    })
    .superRefine(checkBounds);

/** php-fpm: a memory target at or above the memory limit is never reached (pods die first). */
const hpaWorkload = z
    .strictObject({ autoscaling: hpaScaling, resources: resourcesSchema })
    .superRefine((w, ctx) => {
        // Refinements run even when a field failed: read defensively.
        const target: unknown = w.autoscaling?.memoryAverage;
        const limit: unknown = w.resources?.memoryLimit;
        if (
            typeof target === "string" &&
            typeof limit === "string" &&
            !memoryProblem(target) &&
            !memoryProblem(limit) &&
            mebibytes(target) >= mebibytes(limit)
        ) {
            ctx.addIssue({
                code: "custom",
                path: ["autoscaling", "memoryAverage"],
                message: `below resources.memoryLimit (${limit}): pods are killed before the average reaches it`,
            });
        }
    });

/** The schema of each shape a `sapoche-stack:workloads.<name>` entry can take. */
function workloadShapesFor(today: Date) {
    const fixedShape = fixedShapeFor(today);
    return {
        fixed: z.strictObject(fixedShape).superRefine(checkScaledToZero),
        keda: z.strictObject({ autoscaling: kedaScaling, resources: resourcesSchema }),
        hpa: hpaWorkload,
        "fixed-with-sidecar": z
            .strictObject({ ...fixedShape, sidecarResources: resourcesSchema })
            .superRefine(checkScaledToZero),
    } satisfies Record<SettingsShape, z.ZodType>;
}

/** A validated `sapoche-stack:workloads.<name>` entry of one shape. */
export type WorkloadSettings<S extends SettingsShape> = z.infer<
    ReturnType<typeof workloadShapesFor>[S]
>;

/** Critical consumers, which the pack holds to a replica floor per stack. */
const CRITICAL = new Set(
    catalog.flatMap((e) => (e.family === "queue-consumer" && e.critical ? [e.name] : [])),
);

function workloadsFor(context: SchemaContext) {
    const shapes = workloadShapesFor(context.today ?? new Date());
    const floor = context.stack === undefined ? undefined : CRITICAL_CONSUMER_FLOOR[context.stack];
    return z.strictObject(
        Object.fromEntries(
            catalog.flatMap(workloadKeys).map((k) => {
                const shape = shapes[k.shape];
                if (floor === undefined || !CRITICAL.has(k.name)) return [k.name, shape];
                // The same floor the pack enforces (scripts/pack-config.ts), named by config key.
                return [
                    k.name,
                    shape.superRefine((w, ctx) => {
                        const scale = w as {
                            replicas?: number;
                            autoscaling?: { minReplicas: number };
                        };
                        const [path, value] =
                            scale.autoscaling !== undefined
                                ? [["autoscaling", "minReplicas"], scale.autoscaling.minReplicas]
                                : [["replicas"], scale.replicas ?? floor];
                        // An invalid count is reported by its own rule already.
                        if (Number.isInteger(value) && value >= 0 && value < floor) {
                            ctx.addIssue({
                                code: "custom",
                                path,
                                message: `at least ${floor}: ${k.name} is a critical consumer (${context.stack}'s floor)`,
                            });
                        }
                    }),
                ];
            }),
        ),
    );
}

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
        nodes: range(RANGES.redisNodes),
        sentinelQuorum: int(1, RANGES.redisNodes.max),
        passwordSecretName: dnsName,
        storageClassName: dnsName,
        storageSize: memory,
        resources: resourcesSchema,
        sentinelResources: resourcesSchema,
        proxyReplicas: range(RANGES.proxyReplicas),
        proxyResources: resourcesSchema,
        // Each redis_exporter sidecar (one beside Redis, one beside Sentinel).
        exporterResources: resourcesSchema,
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
        // An even count tolerates no more failures than the odd count below it, and splits votes.
        const inRange =
            Number.isInteger(r.nodes) &&
            r.nodes >= RANGES.redisNodes.min &&
            r.nodes <= RANGES.redisNodes.max;
        if (inRange && r.nodes % 2 === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["nodes"],
                message: `an odd number from ${RANGES.redisNodes.min} to ${RANGES.redisNodes.max}`,
            });
        }
        // A minority quorum lets two sides of a partition each elect a master (split brain).
        const majority = Math.floor(r.nodes / 2) + 1;
        if (
            inRange &&
            Number.isInteger(r.sentinelQuorum) &&
            (r.sentinelQuorum < majority || r.sentinelQuorum > r.nodes)
        ) {
            ctx.addIssue({
                code: "custom",
                path: ["sentinelQuorum"],
                message: `a majority of nodes (${r.nodes}): from ${majority} to ${r.nodes}`,
            });
        }
    });

const STACK_REF = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * Where this stack's images must have run first, and the emergency bypass. A production stack
 * (its environment is `prod`) must name a source: only an explicit bypass reason, never an empty
 * source, lets it run an image nothing ran before. The source is another stack of this project.
 */
const promotionFor = ({ stack, project }: SchemaContext) =>
    promotionShape.superRefine((p, ctx) => {
        const production = stack !== undefined && STACK_ENVIRONMENTS[stack] === "prod";
        const example = `"organization/${project ?? "sapoche-stack"}/staging"`;
        if (p.fromStack === "" && production) {
            ctx.addIssue({
                code: "custom",
                path: ["fromStack"],
                message:
                    `a stack reference such as ${example} (${stack} runs only images a staging ` +
                    `stack ran; in an emergency set bypassReason, never an empty source)`,
            });
        }
        const [, sourceProject, sourceStack] =
            typeof p.fromStack === "string" && STACK_REF.test(p.fromStack)
                ? p.fromStack.split("/")
                : [];
        if (sourceProject !== undefined && project !== undefined && sourceProject !== project) {
            ctx.addIssue({
                code: "custom",
                path: ["fromStack"],
                message: `a stack of this project (${project}), such as ${example}`,
            });
        } else if (sourceStack !== undefined && sourceStack === stack) {
            ctx.addIssue({
                code: "custom",
                path: ["fromStack"],
                message: `another stack than ${stack} itself, such as ${example}`,
            });
        }
        if (p.fromStack === "" && p.bypassReason !== "") {
            ctx.addIssue({
                code: "custom",
                path: ["bypassReason"],
                message: '"" while fromStack is "" (there is no promotion gate to bypass)',
            });
        }
    });

const promotionShape = z.strictObject({
    fromStack: z
        .string({ error: 'a stack reference such as "organization/sapoche-stack/staging", or ""' })
        .regex(/^$|^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
            error: 'a stack reference such as "organization/sapoche-stack/staging", or ""',
        }),
    // "" (no bypass) or a real reason: a blank or one-word reason would hide a bypass in the log.
    bypassReason: z
        .string({ error: `"" (no bypass) or ${REASON_ALLOWED} for an emergency bypass` })
        .refine((v) => v === "" || isReason(v.trim()), {
            error: `"" (no bypass) or ${REASON_ALLOWED} for an emergency bypass`,
        }),
    // Distinct images per workload this stack remembers having run (default in stacks/promotion.ts).
    historyLength: int(1, 50).optional(),
});

/**
 * The environment word. A known stack runs its own (production1 runs `prod`): the scheduler's
 * live name ends with it, so another word would rename, that is replace, the scheduler.
 */
const ENVIRONMENT = /^[a-z][a-z0-9]{1,11}$/;
const environmentFor = ({ stack }: SchemaContext) => {
    const expected = stack === undefined ? undefined : STACK_ENVIRONMENTS[stack];
    return z
        .string({ error: "a short lowercase word such as prod or staging" })
        .regex(/^[a-z][a-z0-9]{1,11}$/, {
            error: "a short lowercase word such as prod or staging",
        })
        .refine((v) => expected === undefined || !ENVIRONMENT.test(v) || v === expected, {
            error: `"${expected}" (the environment of stack ${stack})`,
        });
};

/** Every key under the project's config namespace, parsed from JSON where it is an object. */
export const configSchemaFor = (context: SchemaContext) =>
    z.strictObject({
        environment: environmentFor(context),
        namespace: dnsName,
        images: z.strictObject(Object.fromEntries(IMAGE_KEYS.map((k) => [k, image]))),
        nodePorts,
        keda: z.strictObject({ brokerSecretName: dnsName }),
        orthanc: z.strictObject({ configSecretName: dnsName }),
        redis,
        scheduler: z.strictObject({ resources: resourcesSchema }),
        workloads: workloadsFor(context),
        promotion: promotionFor(context),
        monitoring: monitoringSchema,
        network: networkSchema,
        adopt: z.boolean({ error: "true or false" }),
    });

/** The schema without stack-specific rules: its shape lists the allowed keys. */
export const configSchema = configSchemaFor({});

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
    "network",
    "adopt",
]);

export type Resources = z.infer<typeof resourcesSchema>;
export type KedaScaling = z.infer<typeof kedaScaling>;
export type HpaScaling = z.infer<typeof hpaScaling>;
export type RedisSettings = z.infer<typeof redis>;
export type PromotionSettings = z.infer<typeof promotionShape>;
/** The validated config, before it is paired with the catalog. */
export type Config = z.infer<typeof configSchema>;
