/**
 * `sapoche-stack:adoption`: which phase of the adoption of the live namespace this stack is in
 * (stacks/adoption.ts says what each phase renders; docs/operations/adoption.md, is the
 * runbook). One phase per release, in this order; a stack that was never adopted, or whose
 * adoption is over, is `done`.
 */
import { z } from "zod";
import { ADOPTION_PHASES, AdoptionPhase, phasesWhere } from "../adoption-phases";
import { legacyTargetProblem } from "../adoption-target";

export { ADOPTION_PHASES };
export type { AdoptionPhase };

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
export const LEGACY_REDIS_REQUIRED: readonly AdoptionPhase[] = phasesWhere(
    "legacyTarget",
    "required",
);

/**
 * Phases after Redis' data has moved: the quota and the LimitRange's defaults must not meet a
 * live `redis-master` that still holds the data (a recreated pod would get the default 256Mi
 * limit), so `redis.legacyMaster` is empty from here on.
 */
export const LEGACY_REDIS_GONE: readonly AdoptionPhase[] = phasesWhere("legacyTarget", "empty");

const EXAMPLE = "redis-legacy.sapoche.svc.cluster.local";

/**
 * The cross-field rules between the phase and `redis.legacyMaster`, for the whole config object
 * (they run even when other keys have problems, so every problem is reported together).
 */
export function withAdoptionRules<T extends z.ZodType>(schema: T): T {
    type Input = {
        namespace?: unknown;
        adoption?: { phase?: unknown };
        redis?: { legacyMaster?: unknown };
    };
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
        )
        .refine(
            (v) =>
                legacyTargetProblem(String(legacyOf(v)), String((v as Input).namespace)) ===
                undefined,
            {
                path: ["redis", "legacyMaster"],
                when: (p) =>
                    typeof legacyOf(p.value) === "string" &&
                    typeof (p.value as Input)?.namespace === "string",
                error: (issue) =>
                    legacyTargetProblem(
                        String(legacyOf(issue.input)),
                        String((issue.input as Input).namespace),
                    ),
            },
        ) as unknown as T;
}
