/**
 * What the program renders into a workload's pod from its config entry, resolved for the
 * components: the probes and minReadySeconds of queue processes (`sapoche-stack:queueProcess`,
 * overridden per workload) and of servers (their own `probes`, else the component's).
 */
import type { ContainerFacts, PodFacts, Probes } from "../components";
import type { Config, ProbesSettings, QueueProcessSettings } from "./schema";

/**
 * A queue process's probes, resolved: the workload's own (`probes`) field by field, else the
 * stack's `sapoche-stack:queueProcess`.
 */
export interface QueueProbing {
    readonly probes: Probes;
    readonly minReadySeconds: number;
}
/** A server's probes where its config gives them; the component probes its own port otherwise. */
export interface ServerProbing {
    readonly probes?: Partial<Probes>;
    readonly minReadySeconds?: number;
}
/**
 * The live facts of a workload, typed as the components take them: the schema validated each in
 * Kubernetes' own shape (stacks/schema/live.ts), which is what makes the widening sound.
 */
export interface Facts {
    readonly container?: ContainerFacts;
    readonly pod?: PodFacts;
}
type Entry = {
    readonly probes?: ProbesSettings;
    readonly container?: unknown;
    readonly pod?: unknown;
};
/** A settings slice whose `probes` key is resolved for a queue process. */
export type Queue<S> = Omit<S, "probes" | "container" | "pod"> & QueueProbing & Facts;
/** A settings slice whose `probes` key is resolved for a server. */
export type Server<S> = Omit<S, "probes" | "container" | "pod"> & ServerProbing & Facts;

/**
 * A queue process's slice with its probes resolved: each of liveness, readiness and
 * minReadySeconds from the workload's own `probes` where set, else `sapoche-stack:queueProcess`.
 */
export function queue<S extends Entry>(w: S, c: Config): Queue<S> {
    const { probes: own, ...rest } = w;
    const q: QueueProcessSettings = c.queueProcess;
    const readiness = own?.readiness ?? q.readiness;
    const resolved: QueueProbing = {
        probes: {
            liveness: own?.liveness ?? q.liveness,
            ...(readiness === undefined ? {} : { readiness }),
        },
        minReadySeconds: own?.minReadySeconds ?? q.minReadySeconds,
    };
    return { ...(rest as Omit<S, "probes" | "container" | "pod"> & Facts), ...resolved };
}

/** A server's slice: the probes and minReadySeconds its config gives, if any. */
export function server<S extends Entry>(w: S): Server<S> {
    const { probes, ...others } = w;
    const rest = others as Omit<S, "probes" | "container" | "pod"> & Facts;
    if (probes === undefined) return rest;
    const { minReadySeconds, ...containerProbes } = probes;
    return {
        ...rest,
        probes: containerProbes,
        ...(minReadySeconds === undefined ? {} : { minReadySeconds }),
    };
}
