/**
 * The namespace's peak footprint: every workload at its maximum replicas, plus the extra pods a
 * rolling update adds (maxSurge 25 %), times the requests and limits of each pod. The
 * ResourceQuota is sized from this, so an autoscaler can always reach its maximum and a rollout
 * can always surge, but nothing beyond.
 */
import type { Peak } from "../components";
import type { PlanEntry } from "./plan";
import { formatCpu, formatMemory, mebibytes, millicores } from "../components/shared/quantity";
import type { Resources } from "./schema";

export type { Peak };

const surge = (replicas: number) => Math.ceil(replicas * 0.25);

/** The peak of the whole namespace, from the workload plan. */
export function namespacePeak(plan: readonly PlanEntry[]): Peak {
    const shapes = plan
        .flatMap((p) => p.pods)
        .map((s) => ({ ...s, pods: s.replicas + (s.surges ? surge(s.replicas) : 0) }));
    const claims = plan.flatMap((p) => (p.claims ? [p.claims] : []));
    const sum = sumOver(shapes);
    return {
        ...footprint(shapes),
        requestsEphemeralStorage: formatMemory(sum((r) => mebibytes(r.ephemeralStorage))),
        limitsEphemeralStorage: formatMemory(sum((r) => mebibytes(r.ephemeralStorageLimit))),
        persistentVolumeClaims: claims.reduce((t, c) => t + c.count, 0),
        requestsStorage: formatMemory(claims.reduce((t, c) => t + c.count * mebibytes(c.size), 0)),
    };
}

/** Pod shapes with the number of pods each runs at the scale being summed. */
type Counted = readonly { readonly pods: number; readonly containers: readonly Resources[] }[];

/** Sums a per-container quantity over every pod. */
const sumOver = (shapes: Counted) => (f: (r: Resources) => number) =>
    shapes.reduce((t, p) => t + p.pods * p.containers.reduce((u, r) => u + f(r), 0), 0);

/** Pods and CPU/memory requests and limits of the counted shapes. */
function footprint(shapes: Counted): Footprint {
    const sum = sumOver(shapes);
    return {
        pods: shapes.reduce((t, p) => t + p.pods, 0),
        requestsCpu: formatCpu(sum((r) => millicores(r.cpu))),
        requestsMemory: formatMemory(sum((r) => mebibytes(r.memory))),
        limitsCpu: formatCpu(sum((r) => millicores(r.cpuLimit))),
        limitsMemory: formatMemory(sum((r) => mebibytes(r.memoryLimit))),
    };
}

/** Pods and CPU/memory of the namespace at one scale (`npm run capacity` prints the same). */
export interface Footprint {
    readonly pods: number;
    readonly requestsCpu: string;
    readonly requestsMemory: string;
    readonly limitsCpu: string;
    readonly limitsMemory: string;
}

/**
 * The stack output `capacity`: what the workloads ask with every autoscaler at its floor and at
 * its ceiling (no rollout in progress), and the peak the ResourceQuota allows. Kept in the
 * stack's outputs so that a past revision's capacity can be read without the code of the time.
 */
export function capacityOutput(plan: readonly PlanEntry[]): {
    atMinimum: Footprint;
    atMaximum: Footprint;
    quota: Peak;
} {
    const at = (scale: "min" | "max"): Footprint =>
        footprint(
            plan
                .flatMap((p) => p.pods)
                .map((s) => ({
                    ...s,
                    pods: scale === "max" ? s.replicas : (s.minReplicas ?? s.replicas),
                })),
        );
    return { atMinimum: at("min"), atMaximum: at("max"), quota: namespacePeak(plan) };
}
