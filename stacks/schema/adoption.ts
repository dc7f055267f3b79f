/**
 * `sapoche-stack:adoption`: which phase of the adoption of the live namespace this stack is in
 * (stacks/adoption.ts says what each phase renders; docs/operations/adoption.md, is the
 * runbook). One phase per release, in this order; a stack that was never adopted, or whose
 * adoption is over, is `done`.
 */
import { z } from "zod";

/** The phases, in the order the runbook walks them. */
export const ADOPTION_PHASES = [
    "import",
    "reshape",
    "services",
    "redis-moved",
    "enforce",
    "done",
] as const;

/** One adoption phase. */
export type AdoptionPhase = (typeof ADOPTION_PHASES)[number];

const PHASE_ALLOWED =
    `one of ${ADOPTION_PHASES.join(", ")} (in that order, one release each; ` +
    `docs/operations/adoption.md)`;

export const adoption = z.strictObject({
    phase: z.enum(ADOPTION_PHASES, { error: PHASE_ALLOWED }),
});

export type AdoptionSettings = z.infer<typeof adoption>;

/**
 * Phases in which `redis-sp` sends clients to the proxy while the live `redis-master` still holds
 * the data: the proxy must know it (`redis.legacyMaster`), or clients would reach an empty cluster.
 */
export const LEGACY_REDIS_REQUIRED: readonly AdoptionPhase[] = ["services"];

/**
 * Phases after Redis' data has moved: the quota and the LimitRange's defaults must not meet a
 * live `redis-master` that still holds the data (a recreated pod would get the default 256Mi
 * limit), so `redis.legacyMaster` is empty from here on.
 */
export const LEGACY_REDIS_GONE: readonly AdoptionPhase[] = ["redis-moved", "enforce", "done"];

const EXAMPLE = "redis-legacy.sapoche.svc.cluster.local";

/**
 * The cross-field rules between the phase and `redis.legacyMaster`, for the whole config object
 * (they run even when other keys have problems, so every problem is reported together).
 */
export function withAdoptionRules<T extends z.ZodType>(schema: T): T {
    type Input = { adoption?: { phase?: unknown }; redis?: { legacyMaster?: unknown } };
    const phaseOf = (v: unknown) => (v as Input)?.adoption?.phase;
    const legacyOf = (v: unknown) => (v as Input)?.redis?.legacyMaster;
    const comparable = (p: { value: unknown }) =>
        ADOPTION_PHASES.includes(phaseOf(p.value) as AdoptionPhase) &&
        typeof legacyOf(p.value) === "string";
    return schema
        .refine(
            (v) =>
                !LEGACY_REDIS_REQUIRED.includes(phaseOf(v) as AdoptionPhase) || legacyOf(v) !== "",
            {
                path: ["redis", "legacyMaster"],
                when: comparable,
                error: (issue) =>
                    `the live Redis' address (such as ${EXAMPLE}) while adoption.phase is ` +
                    `${String(phaseOf(issue.input))}: redis-sp moves to the proxy, which must send ` +
                    `clients to the live redis-master until its data has moved`,
            },
        )
        .refine(
            (v) => !LEGACY_REDIS_GONE.includes(phaseOf(v) as AdoptionPhase) || legacyOf(v) === "",
            {
                path: ["redis", "legacyMaster"],
                when: comparable,
                error: (issue) =>
                    `"" once adoption.phase is ${String(phaseOf(issue.input))} (Redis' data has ` +
                    `moved: docs/operations/redis.md; phases ${LEGACY_REDIS_GONE.join(", ")})`,
            },
        ) as unknown as T;
}
