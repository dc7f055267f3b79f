/**
 * The adoption phases, in the order they are released, and the columns of the program's phase
 * table (stacks/adoption-phases.ts) that the pack checks. The pack builds on its own, so it keeps
 * this copy; the program's test/adoption-phases.test.ts holds it equal to the table. Each phase is
 * one release; docs/operations/adoption.md.
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

/** The columns of one phase the pack checks. */
export interface PackPhaseRow {
    /** Live objects are imported unchanged (`ignoreChanges: ["metadata", "spec"]`). */
    readonly importsLive: boolean;
    /** Live Services keep their live spec (`ignoreChanges: ["spec"]`). */
    readonly servicesAsLive: boolean;
    /** What restricts admission or traffic exists; before, nothing may. */
    readonly enforced: boolean;
    /** A live object left out of the stack would be deleted (or not adopted, on `import`). */
    readonly adopting: boolean;
}

const row = (importsLive: boolean, servicesAsLive: boolean, enforced: boolean, adopting: boolean) =>
    ({ importsLive, servicesAsLive, enforced, adopting }) as const;

export const PACK_PHASES: Readonly<Record<AdoptionPhase, PackPhaseRow>> = {
    import: row(true, true, false, true),
    reshape: row(false, true, false, true),
    services: row(false, false, false, true),
    "redis-moved": row(false, false, false, true),
    enforce: row(false, false, true, true),
    done: row(false, false, true, false),
};
