/**
 * A saved plan (`pulumi preview --save-plan`) records each resource's goal not as its inputs but
 * as an `inputDiff` against the state it was planned from: `adds` and `updates` (top-level keys
 * with their new values) and `deletes` (keys). These helpers read it back; the release guard,
 * the release summary and the creates check all read a plan through them.
 */
export type Json = Record<string, any>;

export interface ResourcePlan {
    goal?: {
        type?: string;
        protect?: boolean;
        inputDiff?: { adds?: Json; updates?: Json; deletes?: string[] };
        dependencies?: string[];
        propertyDependencies?: Record<string, string[]>;
        [key: string]: unknown;
    };
    steps?: string[];
}

export interface SavedPlan {
    resourcePlans?: Record<string, ResourcePlan>;
}

/** The resource's own type: the URN's type segment also carries its parents' types. */
export function typeOf(urn: string, rp: ResourcePlan): string {
    return rp.goal?.type ?? urn.split("::")[2]?.split("$").pop() ?? "";
}

/**
 * The inputs the plan leads to, from the inputs the resource has now (`{}` for a new one):
 * everything for a create, the changed keys over the current inputs otherwise.
 */
export function goalInputs(rp: ResourcePlan, now: Json = {}): Json {
    const diff = rp.goal?.inputDiff ?? {};
    const next: Json = { ...now };
    for (const key of diff.deletes ?? []) delete next[key];
    return { ...next, ...diff.adds, ...diff.updates };
}
