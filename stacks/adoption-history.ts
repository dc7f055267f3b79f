/**
 * Adoption phases move forward one release at a time, from what the stack last released. Each
 * successful update records its phase in the stack output `adoption` (the output resolves only
 * once every rollout succeeded, so a failed update leaves the previous record); the next run reads
 * it through a StackReference to itself before registering anything, and refuses:
 * - a jump over a phase;
 * - a step back, unless SAPOCHE_ADOPTION_ROLLBACK names the phase being released;
 * - `enforce` or `done` without a released `import`, and any phase but `import` on a stack with
 *   no record, except `done` when the namespace holds nothing to adopt.
 * Each refusal names the phase to release next (docs/operations/adoption.md, "Phase history").
 */
import { ADOPTION_PHASES, AdoptionPhase, nextPhase } from "./adoption-phases";

/** Names the phase a deliberate step back releases (docs/operations/adoption.md). */
export const ROLLBACK_ENV = "SAPOCHE_ADOPTION_ROLLBACK";

/** What a successful update records of its adoption (stack output `adoption`). */
export interface AdoptionRecord {
    readonly phase: AdoptionPhase;
    /** `import` was released by this stack at some point (false: it started at `done`). */
    readonly imported: boolean;
    /** The traffic-bearing fields it rendered (stacks/adoption-traffic.ts). */
    readonly traffic: TrafficRecord;
}

/** Traffic-bearing fields, by field, then by object: JSON text of what was rendered. */
export type TrafficRecord = {
    readonly serviceSpec?: Readonly<Record<string, string>>;
    readonly podLabels?: Readonly<Record<string, string>>;
    readonly legacyTarget?: string;
};

/** What the stack recorded before this run. */
export interface History {
    /** The `adoption` output of the last successful update, if any. */
    readonly record?: AdoptionRecord;
    /** The stack completed an update before (it has outputs), with or without a record. */
    readonly deployedBefore: boolean;
}

/** The record in a stack's `adoption` output; undefined when absent, an error when malformed. */
export function parseRecord(value: unknown, stackFile: string): AdoptionRecord | undefined {
    if (value === undefined || value === null) return undefined;
    const v = value as Partial<AdoptionRecord>;
    if (
        typeof v !== "object" ||
        !ADOPTION_PHASES.includes(v.phase as AdoptionPhase) ||
        typeof v.imported !== "boolean" ||
        typeof v.traffic !== "object" ||
        v.traffic === null
    ) {
        throw new Error(
            `${stackFile}: the stack output adoption of the last update is ${JSON.stringify(value)}; ` +
                `expected { phase: one of ${ADOPTION_PHASES.join(", ")}, imported: boolean, ` +
                "traffic: {...} }, as this program records it. The stack's history cannot be read, " +
                "so no phase can be checked against it. Nothing was registered.",
        );
    }
    return v as AdoptionRecord;
}

/** The inputs of one step decision. */
export interface Step {
    /** `sapoche-stack:adoption.phase` of this run. */
    readonly phase: AdoptionPhase;
    readonly history: History;
    /** The value of SAPOCHE_ADOPTION_ROLLBACK, if set. */
    readonly rollbackTo?: string;
    /**
     * `Kind/name` of objects in the namespace that this program did not write, read only when the
     * decision needs it (a first release at `done`).
     */
    readonly unadopted?: () => Promise<readonly string[]>;
    /** The stack file and namespace, for the messages. */
    readonly stackFile: string;
    readonly namespace: string;
}

/** The decision: refused with a message, or allowed with what this update records. */
export type Decision =
    | { readonly refused: string }
    | { readonly imported: boolean; readonly notice?: string; readonly rollback: boolean };

const KEY = "sapoche-stack:adoption.phase";

/** Whether this run may release `step.phase`, given what the stack released before. */
export async function decideStep(step: Step): Promise<Decision> {
    const { phase, history, stackFile } = step;
    const set = (p: AdoptionPhase) => `set ${KEY} to ${p} in ${stackFile}`;
    const record = history.record;
    const rollbackTo = step.rollbackTo ?? "";
    if (rollbackTo !== "" && !ADOPTION_PHASES.includes(rollbackTo as AdoptionPhase)) {
        return {
            refused: `${ROLLBACK_ENV}=${rollbackTo} names no phase; it names the phase a step back releases, one of ${ADOPTION_PHASES.join(", ")}. Nothing was registered.`,
        };
    }
    if (!record) {
        if (phase === "import") return { imported: true, rollback: false };
        if (phase === "done" && history.deployedBefore) {
            return {
                imported: false,
                rollback: false,
                notice:
                    `${stackFile}: ${KEY} is done and the stack was released before phases were ` +
                    "recorded: its objects are its own. Recording done from this update on.",
            };
        }
        if (phase === "done") {
            const found = (await step.unadopted?.()) ?? [];
            if (found.length === 0) {
                return {
                    imported: false,
                    rollback: false,
                    notice:
                        `${stackFile}: a new stack starts at done: namespace ${step.namespace} holds ` +
                        "no Deployment or Service that this program did not write, so there is nothing to adopt.",
                };
            }
            return {
                refused:
                    `${stackFile}: ${KEY} is done, but this stack has released no phase and namespace ` +
                    `${step.namespace} holds ${found.length} object(s) this program did not write ` +
                    `(${found.slice(0, 8).join(", ")}${found.length > 8 ? ", ..." : ""}): they are ` +
                    `adopted through the phases. The phase to release next is import: ${set("import")} ` +
                    "(docs/operations/adoption.md). Nothing was registered.",
            };
        }
        return {
            refused:
                `${stackFile}: ${KEY} is ${phase}, but this stack has released no phase yet: the ` +
                `adoption starts with import. The phase to release next is import: ${set("import")}. ` +
                "Nothing was registered.",
        };
    }
    const from = ADOPTION_PHASES.indexOf(record.phase);
    const to = ADOPTION_PHASES.indexOf(phase);
    const next = nextPhase(record.phase);
    const last = `the last released phase is ${record.phase}`;
    if (to > from + 1) {
        return {
            refused:
                `${stackFile}: ${KEY} is ${phase}, but ${last}: phases are released one at a time, ` +
                `so ${ADOPTION_PHASES.slice(from + 1, to).join(", ")} would be skipped. The phase ` +
                `to release next is ${next}: ${set(next)}. Nothing was registered.`,
        };
    }
    if (to < from && rollbackTo !== phase) {
        return {
            refused:
                `${stackFile}: ${KEY} is ${phase}, but ${last}: that is a step back. To go back on ` +
                `purpose, run with ${ROLLBACK_ENV}=${phase} (docs/operations/adoption.md, "Going ` +
                `back a phase"); otherwise the phase to release next is ${next}: ${set(next)}. ` +
                "Nothing was registered.",
        };
    }
    if ((phase === "enforce" || phase === "done") && !record.imported && to !== from) {
        return {
            refused:
                `${stackFile}: ${KEY} is ${phase}, but this stack never released import (${last}, ` +
                "started without it): what enforce applies assumes the live objects were adopted. " +
                `The phase to release next is import: ${set("import")}, with ${ROLLBACK_ENV}=import. ` +
                "Nothing was registered.",
        };
    }
    return {
        imported: record.imported || phase === "import",
        rollback: to < from,
        notice:
            to < from
                ? `${stackFile}: going back from ${record.phase} to ${phase} (${ROLLBACK_ENV}=${phase}).`
                : undefined,
    };
}
