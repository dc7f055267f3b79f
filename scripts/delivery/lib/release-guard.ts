// The release guard: classifies every step of a saved Pulumi update plan against an allow-list.
// Creates, sames and in-place updates pass; every other step (delete, replace, import, read,
// discard, ... and any operation this file does not know) of an object that stacks/critical.ts
// marks data-bearing or availability-critical is refused, as is every step of a resource type
// the program does not register. In-place updates of critical objects are judged field by field
// against the stack's state (`pulumi stack export`): without it, a field that cannot be compared
// is refused. The caller decides what a refusal means (release.sh: exit 5 unless
// --allow-data-risk "<why>").
import type { CriticalObjects as Critical } from "../../../stacks/critical";
import { Json, ResourcePlan, SavedPlan, goalInputs, typeOf } from "./plan-goal";

/** A resource of a `pulumi stack export`, as far as the guard reads it. */
interface StateResource {
    urn: string;
    delete?: boolean;
    protect?: boolean;
    inputs?: Json;
}

export interface StackExport {
    deployment?: { resources?: StateResource[] };
}

export interface Refusal {
    urn: string;
    type: string;
    kind: string;
    name: string;
    steps: string[];
    reason: string;
}

export interface Verdict {
    refused: Refusal[];
    passed: number;
}

/** Steps that change nothing or only add: they pass on any object whose type is known. */
export const SAFE_STEPS = new Set(["same", "create"]);
/** Steps Pulumi 3.274 knows besides those; on a critical object each needs --allow-data-risk. */
export const RISKY_STEPS = new Set([
    "update",
    "delete",
    "replace",
    "create-replacement",
    "delete-replaced",
    "read",
    "read-replacement",
    "refresh",
    "import",
    "import-replacement",
    "discard",
    "discard-replaced",
    "remove-pending-replace",
]);

/** The state's live entry of a URN (not one pending deletion), or undefined. */
function stateIndex(state: StackExport | undefined): Map<string, StateResource> {
    const index = new Map<string, StateResource>();
    for (const r of state?.deployment?.resources ?? []) {
        if (!r.delete || !index.has(r.urn)) index.set(r.urn, r);
    }
    return index;
}

function matchesPrefix(name: unknown, prefixes: readonly string[]): boolean {
    return typeof name === "string" && prefixes.some((p) => name === p || name.startsWith(`${p}-`));
}

/** Why a resource is critical, or undefined when it is not. */
function criticality(
    type: string,
    logical: string,
    inputsList: (Json | undefined)[],
    critical: Critical,
): string | undefined {
    const known =
        critical.knownTypes.includes(type) ||
        critical.knownTypes.some((t) => t.endsWith(":*") && type.startsWith(t.slice(0, -1)));
    if (!known) return critical.reasons.type;
    if (type.startsWith("pulumi:providers:")) return critical.reasons.provider;
    if (type === "pulumi:pulumi:Stack") return undefined;
    const kind = type.split(":").pop() ?? "";
    if (type.startsWith("kubernetes:") && critical.kinds.includes(kind))
        return critical.reasons.kind;
    if (matchesPrefix(logical, critical.prefixes)) return critical.reasons.name;
    for (const inputs of inputsList) {
        const meta = inputs?.metadata ?? {};
        const labels = meta.labels ?? {};
        if (critical.names.includes(meta.name) || matchesPrefix(meta.name, critical.prefixes)) {
            return critical.reasons.name;
        }
        if (critical.components.includes(labels["app.kubernetes.io/component"])) {
            return critical.reasons.name;
        }
        if (matchesPrefix(labels["app.kubernetes.io/name"], critical.prefixes)) {
            return critical.reasons.name;
        }
    }
    return undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const hasDelete = (policy: unknown) => JSON.stringify(policy ?? {}).includes('"Delete"');

/**
 * What an in-place update of a critical object risks, field by field; [] when nothing. `old` is
 * the state's inputs (undefined: not known, so a changed field cannot be judged and is refused).
 */
function updateRisks(
    kind: string,
    oldInputs: Json | undefined,
    inputs: Json,
    changed: string[],
): string[] {
    const risks: string[] = [];
    if (!changed.includes("spec")) return risks;
    const spec = inputs.spec ?? {};
    if (!oldInputs) {
        if (["StatefulSet", "Deployment", "PodDisruptionBudget", "Service"].includes(kind)) {
            risks.push("spec changes and the stack's state was not given to compare it (--state)");
        }
        return risks;
    }
    const old = oldInputs.spec ?? {};
    const replicas = (s: Json) => (s.replicas === undefined ? 1 : s.replicas);
    if (kind === "StatefulSet") {
        if (typeof spec.replicas !== "number" || replicas(spec) < replicas(old)) {
            risks.push(`replicas go down from ${replicas(old)} to ${spec.replicas ?? 1}`);
        }
        const policy = spec.persistentVolumeClaimRetentionPolicy;
        if (!same(policy, old.persistentVolumeClaimRetentionPolicy) && hasDelete(policy)) {
            risks.push(`persistentVolumeClaimRetentionPolicy becomes ${JSON.stringify(policy)}`);
        }
        if (!same(spec.volumeClaimTemplates, old.volumeClaimTemplates)) {
            risks.push("volumeClaimTemplates change");
        }
    }
    if (kind === "Deployment" && spec.replicas === 0 && replicas(old) !== 0) {
        risks.push(`replicas go down from ${replicas(old)} to 0`);
    }
    if (kind === "PodDisruptionBudget" && !same(spec, old)) {
        risks.push(
            `the disruption budget changes from ${JSON.stringify(old)} to ${JSON.stringify(spec)}`,
        );
    }
    if (
        kind === "Service" &&
        (!same(spec.selector, old.selector) || !same(spec.ports, old.ports))
    ) {
        risks.push("the selector or ports change (clients would reach other pods or none)");
    }
    return risks;
}

/**
 * Every step of the plan judged: `refused` lists what needs --allow-data-risk (each with the
 * URN, kind, name, steps and why), `passed` counts the rest.
 */
export function judge(
    plan: SavedPlan,
    state: StackExport | undefined,
    critical: Critical,
): Verdict {
    const olds = stateIndex(state);
    const refused: Refusal[] = [];
    let passed = 0;
    for (const [urn, rp] of Object.entries<ResourcePlan>(plan.resourcePlans ?? {})) {
        const type = typeOf(urn, rp);
        const logical = urn.split("::").pop() ?? urn;
        const steps = rp.steps?.length ? rp.steps : ["same"];
        const old = olds.get(urn);
        const inputs = goalInputs(rp, old?.inputs);
        const why = criticality(type, logical, [inputs, old?.inputs], critical);
        const kind = type.split(":").pop() ?? "";
        const [was, is] = [
            old?.inputs?.metadata?.name,
            rp.goal ? inputs.metadata?.name : undefined,
        ];
        const name = was && is && was !== is ? `${was} -> ${is}` : (is ?? was ?? logical);
        const refuse = (reason: string) => refused.push({ urn, type, kind, name, steps, reason });
        const unknown = steps.filter((s) => !SAFE_STEPS.has(s) && !RISKY_STEPS.has(s));
        if (unknown.length) {
            refuse(
                `unknown step ${unknown.join(", ")} (known: ${[...SAFE_STEPS, ...RISKY_STEPS].join(", ")})`,
            );
            continue;
        }
        if (old?.protect === true && rp.goal && rp.goal.protect !== true) {
            refuse("`protect` is removed (the next step could delete it)");
            continue;
        }
        const risky = steps.filter((s) => !SAFE_STEPS.has(s));
        if (!why || risky.length === 0) {
            passed += 1;
            continue;
        }
        if (risky.every((s) => s === "update")) {
            const diff = rp.goal?.inputDiff ?? {};
            const changed = [
                ...Object.keys(diff.adds ?? {}),
                ...Object.keys(diff.updates ?? {}),
                ...(diff.deletes ?? []),
            ];
            const risks = type.startsWith("kubernetes:")
                ? updateRisks(kind, old?.inputs, inputs, changed)
                : [];
            if (risks.length === 0) {
                passed += 1;
                continue;
            }
            refuse(`${why}; in-place update: ${risks.join("; ")}`);
            continue;
        }
        refuse(why);
    }
    return { refused, passed };
}

/** The refusal as a reviewer reads it, naming what would be accepted. */
export function formatRefusal({ refused }: Pick<Verdict, "refused">): string {
    if (!refused.length) return "Release guard: every step is a create, a no-op or a safe update.";
    const lines = ["Release guard: these steps risk data or availability:"];
    for (const r of refused) {
        lines.push(`  !! ${r.steps.join("+")} of ${r.kind} ${r.name}: ${r.reason}`);
    }
    lines.push(
        "Accepted without --allow-data-risk: creates, no-ops, and in-place updates that keep",
        "StatefulSet replicas, claim templates and a Retain claim policy, keep `protect`, and keep",
        "critical Services, PDBs and non-zero Deployments as they are (stacks/critical.ts).",
    );
    return lines.join("\n");
}
