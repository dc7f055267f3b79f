/**
 * Fields that carry traffic change only in the phase meant to change them (the `changes` column
 * of stacks/adoption-phases.ts): what a live Service selects and its ports switch in `services`,
 * the labels of the live Deployments' pods (what those Services select) in `reshape`, and the
 * legacy Redis target is set before any client reaches it and cleared in `redis-moved`. Each
 * update records what it rendered (stack output `adoption.traffic`); the next one compares.
 *
 * The legacy target is config, checked before anything is registered. Services and pod labels
 * are checked as each live object registers (a stack transformation): a preview refuses, so
 * scripts/delivery/release.sh stops before anything is applied.
 */
import * as pulumi from "@pulumi/pulumi";
import { AdoptionPhase, PHASES, TrafficField } from "./adoption-phases";
import type { AdoptionRecord, TrafficRecord } from "./adoption-history";

/** JSON text with sorted keys: equal values give equal text. */
export function canonical(value: unknown): string {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        throw new pulumi.RunError(
            "a traffic-bearing field is not a plain value at registration; the adoption's " +
                "traffic check cannot compare it (stacks/adoption-traffic.ts)",
        );
    }
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/** Which traffic fields this release may change against the last record. */
export function changeable(
    phase: AdoptionPhase,
    record: AdoptionRecord | undefined,
    rollback: boolean,
): Readonly<Record<TrafficField, boolean>> {
    // A deliberate step back restores an earlier rendering; the runbook says what it changes.
    if (!record || rollback) return PHASES.done.changes;
    // The step into the steady state changes nothing that carries traffic: `enforce`'s column.
    if (phase === "done" && record.phase !== "done") return PHASES.enforce.changes;
    return PHASES[phase].changes;
}

const MEANT: Readonly<Record<TrafficField, string>> = {
    serviceSpec: "services",
    podLabels: "reshape",
    legacyTarget: "import or reshape (and cleared in redis-moved)",
};

const WHAT: Readonly<Record<TrafficField, string>> = {
    serviceSpec: "spec (selector, ports)",
    podLabels: "pod template labels (what the live Services select)",
    legacyTarget: "redis.legacyMaster",
};

function refusal(
    field: TrafficField,
    object: string,
    phase: AdoptionPhase,
    record: AdoptionRecord,
    was: string,
    now: string,
): string {
    return (
        `${object}: its ${WHAT[field]} would change in adoption phase ${phase} (last released ` +
        `phase ${record.phase}: ${was}; now ${now}). It carries traffic, so only phase ` +
        `${MEANT[field]} changes it, and any phase once done is released. Render it as released, ` +
        `or change it in that phase (docs/operations/adoption.md, "Traffic-bearing fields"). ` +
        "Refused before the object was registered."
    );
}

/** Collects, and checks against the record, the traffic-bearing fields this run renders. */
export class TrafficCheck {
    private readonly serviceSpec: Record<string, string> = {};
    private readonly podLabels: Record<string, string> = {};
    private readonly allowed: Readonly<Record<TrafficField, boolean>>;

    constructor(
        private readonly phase: AdoptionPhase,
        private readonly record: AdoptionRecord | undefined,
        rollback: boolean,
        private readonly live: ReadonlySet<string>,
        private readonly legacyTarget: string,
    ) {
        this.allowed = changeable(phase, record, rollback);
    }

    /** The legacy target against the record: a config value, checked before registering. */
    checkConfig(stackFile: string): void {
        const was = this.record?.traffic.legacyTarget;
        if (this.allowed.legacyTarget || was === undefined || was === this.legacyTarget) return;
        throw new pulumi.RunError(
            refusal(
                "legacyTarget",
                `${stackFile}: sapoche-stack:redis.legacyMaster`,
                this.phase,
                this.record!,
                JSON.stringify(was),
                JSON.stringify(this.legacyTarget),
            ),
        );
    }

    /** Registers the check on every live Service and Deployment (before any is registered). */
    register(): void {
        pulumi.runtime.registerStackTransformation((args) => {
            const kind = args.type.split(":")[2]?.split("/").pop();
            if (args.type.split(":")[0] !== "kubernetes") return undefined;
            const props = args.props as {
                metadata?: { name?: unknown };
                spec?: { selector?: unknown; ports?: unknown; template?: any };
            };
            const name = props.metadata?.name;
            if (typeof name !== "string" || !this.live.has(`${kind}/${name}`)) return undefined;
            if (kind === "Service") {
                const spec = { selector: props.spec?.selector, ports: props.spec?.ports };
                this.observe("serviceSpec", `Service/${name}`, canonical(spec));
            } else if (kind === "Deployment") {
                const labels = props.spec?.template?.metadata?.labels;
                this.observe("podLabels", `Deployment/${name}`, canonical(labels));
            }
            return undefined;
        });
    }

    private observe(field: "serviceSpec" | "podLabels", object: string, now: string): void {
        this[field][object] = now;
        const was = this.record?.traffic[field]?.[object];
        if (this.allowed[field] || was === undefined || was === now) return;
        throw new pulumi.RunError(refusal(field, object, this.phase, this.record!, was, now));
    }

    /** What this update records. */
    recorded(): TrafficRecord {
        return {
            serviceSpec: { ...this.serviceSpec },
            podLabels: { ...this.podLabels },
            legacyTarget: this.legacyTarget,
        };
    }
}
