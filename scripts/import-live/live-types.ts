/**
 * The shapes import-live passes between its reading (scripts/import-live/live-config.ts) and its per-workload
 * facts (scripts/import-live/live-facts.ts), in a file of their own so neither imports the other back.
 */
import type { Family, ImageKey } from "../../stacks/catalog";
import type { ContainerSettings, PodSettings, TriggerSettings } from "../../stacks/schema/live";
import type { ProbeSettings } from "../../stacks/schema";

type Any = Record<string, any>;

/** A live object, as `kubectl get -o json` lists it. */
export interface LiveObject {
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly [k: string]: unknown };
    readonly spec?: Any;
}

/** Where one workload's facts go in the stack config, and which container holds them. */
export interface Target {
    /** Live name of the Deployment. */
    readonly deployment: string;
    /** Config path of its entry: `["sapoche-stack:workloads", name]` or `["sapoche-stack:scheduler"]`. */
    readonly key: readonly string[];
    readonly family: Family;
    /** The container the program renders (server-side apply merges containers by name). */
    readonly container: string;
    /** The catalog's image key of that container (`sapoche-stack:images.<key>`). */
    readonly imageKey: ImageKey;
    /** Whether KEDA scales it (its ScaledObject's triggers are read). */
    readonly keda: boolean;
    /**
     * The Services that reach this container: each port's number, and the name the program's
     * Service targets it by (the container must keep a port of that name).
     */
    readonly servicePorts: readonly { service: string; port: number; name: string }[];
}

/** One workload's facts, ready to be written under its config entry. */
export interface ImportedEntry {
    readonly target: Target;
    /** Absent when the live pod has no container the program could map. */
    readonly container?: ContainerSettings;
    readonly pod?: PodSettings;
    readonly probes?: { readonly liveness?: ProbeSettings; readonly readiness?: ProbeSettings };
    readonly triggers?: TriggerSettings[];
}

/** A literal left out because it looks like a credential (its value is never kept). */
export interface Dropped {
    readonly workload: string;
    /** The field: `env`, `args`, `command`, `livenessProbe.httpGet.httpHeaders`, `trigger metadata`... */
    readonly where: string;
    /** The variable, header or key, when the field has names; "" for a command line. */
    readonly name: string;
    /** What it looks like, and the value masked: never the credential (shared detector). */
    readonly kind: string;
    readonly redacted: string;
}

export interface LiveImport {
    readonly entries: readonly ImportedEntry[];
    /** What was not imported, or is doubtful, and why: for the operator, one line each. */
    readonly notes: readonly string[];
    readonly dropped: readonly Dropped[];
}
