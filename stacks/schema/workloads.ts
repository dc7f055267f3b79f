/**
 * `sapoche-stack:workloads`: one entry per workload of the catalog, in the shape its family takes
 * (fixed, KEDA, HPA, fixed with a sidecar), with the scaled-to-zero and critical-consumer rules.
 */
import { z } from "zod";
import { CatalogEntry, SettingsShape, catalog, nodePortServicesOf, workloadKeys } from "../catalog";
import { mebibytes, memoryProblem } from "../../components/shared/quantity";
import { CRITICAL_CONSUMER_FLOOR, RANGES } from "../ranges";
import { SchemaContext } from "./context";
import { memory, range, reason, reviewDate } from "./primitives";
import { checkLive, containerSchema, podSchema, triggersSchema } from "./live";
import { probesSchema } from "./probes";
import { resourcesSchema } from "./resources";

/**
 * What every workload entry may carry besides its numbers: probes that replace the stack-level
 * ones (queue processes) or the component's own (servers), and the main container's and the
 * pod's live facts (`npm run import-live` writes them; stacks/schema/live.ts).
 */
const containerShape = {
    probes: probesSchema.optional(),
    container: containerSchema.optional(),
    pod: podSchema.optional(),
};

/** A fixed-size workload; `replicas: 0` must say why and when it will be reviewed. */
const fixedShapeFor = (today: Date) => ({
    replicas: range(RANGES.replicas),
    scaledToZero: z.strictObject({ reason, reviewDate: reviewDate(today) }).optional(),
    resources: resourcesSchema,
    ...containerShape,
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
    .strictObject({ autoscaling: hpaScaling, resources: resourcesSchema, ...containerShape })
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
        keda: z.strictObject({
            autoscaling: kedaScaling,
            resources: resourcesSchema,
            ...containerShape,
            triggers: triggersSchema.optional(),
        }),
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

/**
 * Each workload key with what its facts must agree with: its family (the program's pod labels)
 * and the port names its Service targets on its main container (Orthanc's Service targets the
 * program's proxy sidecar, not the container whose facts these are).
 */
const LIVE_CHECKS = new Map(
    catalog.flatMap((e: CatalogEntry) => {
        const services = nodePortServicesOf(e);
        return workloadKeys(e).map((k) => {
            const targets = services
                .filter((s) => s.selects === k.name && e.family !== "orthanc")
                .flatMap((s) => s.ports.map((p) => p.targetPort));
            return [
                k.name,
                {
                    name: k.name,
                    component: e.family,
                    servicePorts: targets.length ? targets : undefined,
                },
            ] as const;
        });
    }),
);

export function workloadsFor(context: SchemaContext) {
    const shapes = workloadShapesFor(context.today ?? new Date());
    const floor = context.stack === undefined ? undefined : CRITICAL_CONSUMER_FLOOR[context.stack];
    return z.strictObject(
        Object.fromEntries(
            catalog.flatMap(workloadKeys).map((k) => {
                const where = LIVE_CHECKS.get(k.name)!;
                const shape = shapes[k.shape].superRefine((w, ctx) => checkLive(w, ctx, where));
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

export type KedaScaling = z.infer<typeof kedaScaling>;
export type HpaScaling = z.infer<typeof hpaScaling>;
