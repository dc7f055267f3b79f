/**
 * The adoption phases, in the runbook's order: the program's `stacks/schema/adoption.ts` (the
 * pack builds on its own, so it keeps its copy; `tests/adoptionPhase.test.ts` holds both lists
 * equal). Each is one release; docs/operations/adoption.md.
 */
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
