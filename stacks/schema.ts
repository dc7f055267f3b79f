/**
 * The stack config's schema (zod). Each field's error message is the "what is allowed" part of
 * the report `stacks/settings.ts` prints; cross-field rules (min <= max, unique node ports, the
 * scaled-to-zero annotation pair) are refinements here so every problem is reported together.
 *
 * This file is the entry point (the whole config, node ports, promotion, environment); the
 * building blocks live in `stacks/schema/`: `primitives.ts` (integers, names, quantities, images,
 * review dates, reasons), `resources.ts` (container requests and limits), `probes.ts` (probes and
 * minReadySeconds), `workloads.ts` (the `workloads` entries by shape), `redis.ts` and
 * `adoption.ts` (the adoption phase, and its rules on `redis.legacyMaster`).
 */
import { z } from "zod";
import { IMAGE_KEYS, nodePortServices, schedulerName } from "./catalog";
import { identityOf } from "./identity";
import { monitoringSchema } from "./schema/monitoring";
import { networkSchema } from "./schema/network";
import { STACK_ENVIRONMENTS } from "./ranges";
import { adoption, withAdoptionRules } from "./schema/adoption";
import { SchemaContext } from "./schema/context";
import { REASON_ALLOWED, dnsName, image, int, isReason } from "./schema/primitives";
import { checkLive, containerSchema, podSchema } from "./schema/live";
import { checkStackFloors, probesSchema, queueProcessSchema } from "./schema/probes";
import { checkProbeTargets } from "./schema/probe-targets";
import { redis } from "./schema/redis";
import { resourcesSchema } from "./schema/resources";
import { workloadsFor } from "./schema/workloads";

export { ADOPTION_PHASES } from "./schema/adoption";
export type { AdoptionPhase, AdoptionSettings } from "./schema/adoption";
export type { SchemaContext } from "./schema/context";
export { reviewHorizon } from "./schema/primitives";
export type { RedisSettings } from "./schema/redis";
export type { ProbeSettings, ProbesSettings, QueueProcessSettings } from "./schema/probes";
export { EPHEMERAL_STORAGE_DEFAULTS, resourcesSchema } from "./schema/resources";
export type { Resources } from "./schema/resources";
export type { HpaScaling, KedaScaling, WorkloadSettings } from "./schema/workloads";

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

const STACK_REF = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * Where this stack's images must have run first, and the emergency bypass. A production stack
 * (its environment is `prod`) must name a source: only an explicit bypass reason, never an empty
 * source, lets it run an image nothing ran before. The source is another stack of this project.
 */
const promotionFor = ({ stack, project }: SchemaContext) => {
    const fixed = identityOf(stack)?.promotionSource;
    const shape =
        fixed === undefined
            ? promotionShape
            : promotionShape.extend({
                  fromStack: constant(fixed, stack!, "promotion source").optional(),
              });
    return shape.superRefine((given, ctx) => {
        // The rules below hold for the constant too: a review of stacks/identity.ts meets them.
        const p = { ...given, fromStack: fixed ?? given.fromStack };
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
};

/**
 * A guard parameter a listed stack's file may repeat but never change (stacks/identity.ts): the
 * value must equal the constant, or the key be left out.
 */
function constant(value: string, stack: string, what: string) {
    const allowed =
        `"${value}" or no key: the ${what} of ${stack} is a constant of the project ` +
        `(stacks/identity.ts, changed under review), not a stack-file value`;
    return z.string({ error: allowed }).refine((v) => v === value, { error: allowed });
}

/** The namespace: the constant for a listed stack, the file's own for a sandbox copy. */
const namespaceFor = ({ stack }: SchemaContext) => {
    const fixed = identityOf(stack)?.namespace;
    return fixed === undefined ? dnsName : constant(fixed, stack!, "namespace").optional();
};

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

/**
 * The uid of the cluster's `kube-system` Namespace (stacks/cluster.ts), or `unrecorded` until the
 * platform team has read it from the stack's cluster; an unrecorded stack matches no cluster.
 */
const CLUSTER_UID = /^(unrecorded|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const clusterUid = z
    .string({ error: 'the uid of the stack\'s cluster (a lowercase UUID) or "unrecorded"' })
    .regex(CLUSTER_UID, {
        error:
            "the uid of the stack's cluster, a lowercase UUID as `kubectl get namespace kube-system " +
            "-o jsonpath='{.metadata.uid}'` prints it, or \"unrecorded\"",
    });

/** Every key under the project's config namespace, parsed from JSON where it is an object. */
export const configSchemaFor = (context: SchemaContext) =>
    withAdoptionRules(configShapeFor(context)).superRefine((config, ctx) => {
        checkStackFloors(config, ctx, context.stack);
        checkProbeTargets(config, ctx);
    });

const configShapeFor = (context: SchemaContext) =>
    z
        .strictObject({
            environment: environmentFor(context),
            namespace: namespaceFor(context),
            clusterUid,
            images: z.strictObject(Object.fromEntries(IMAGE_KEYS.map((k) => [k, image]))),
            nodePorts,
            keda: z.strictObject({ brokerSecretName: dnsName }),
            orthanc: z.strictObject({ configSecretName: dnsName }),
            redis,
            queueProcess: queueProcessSchema,
            scheduler: z.strictObject({
                resources: resourcesSchema,
                probes: probesSchema.optional(),
                container: containerSchema.optional(),
                pod: podSchema.optional(),
            }),
            workloads: workloadsFor(context),
            promotion: promotionFor(context),
            monitoring: monitoringSchema,
            network: networkSchema,
            adoption,
        })
        .superRefine((c, ctx) => {
            // The scheduler's live name (its pods' app.kubernetes.io/name) carries the environment.
            if (typeof c.environment === "string" && c.scheduler !== undefined) {
                const name = schedulerName(c.environment);
                checkLive(c.scheduler, ctx, { name, component: "scheduler" }, ["scheduler"]);
            }
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
    "queueProcess",
    "scheduler",
    "workloads",
    "promotion",
    "monitoring",
    "network",
    "adoption",
]);

export type PromotionSettings = z.infer<typeof promotionShape>;
/** The validated config, before it is paired with the catalog. */
export type Config = z.infer<typeof configSchema>;
