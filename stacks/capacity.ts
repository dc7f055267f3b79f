/**
 * The namespace's peak footprint: every workload at its maximum replicas, plus the extra pods a
 * rolling update adds (maxSurge 25 %), times the requests and limits of each pod. The
 * ResourceQuota is sized from this, so an autoscaler can always reach its maximum and a rollout
 * can always surge, but nothing beyond.
 */
import { autoscaledWorkloads, consumers, frontends, orthanc, phpBackend, workers } from "./catalog";
import { formatCpu, formatMemory, mebibytes, millicores } from "./quantity";
import type { Resources } from "./schema";
import type { Settings } from "./settings";

export interface Peak {
    readonly pods: number;
    readonly requestsCpu: string;
    readonly requestsMemory: string;
    readonly limitsCpu: string;
    readonly limitsMemory: string;
    readonly persistentVolumeClaims: number;
    readonly requestsStorage: string;
}

interface PodShape {
    /** Pods at the peak, surge included. */
    readonly pods: number;
    readonly containers: readonly Resources[];
}

const surge = (replicas: number) => Math.ceil(replicas * 0.25);

/** The peak of the whole namespace for one stack's settings. */
export function namespacePeak(s: Settings): Peak {
    const shapes: PodShape[] = [];
    const rolling = (name: string, extra: readonly Resources[] = []) => {
        const w = s.workloads[name];
        const max = autoscaledWorkloads.has(name) ? w.autoscaling!.maxReplicas : w.replicas!;
        shapes.push({ pods: max + surge(max), containers: [w.resources, ...extra] });
    };
    for (const c of consumers) rolling(c.name);
    for (const w of workers) rolling(w.name);
    for (const f of frontends) rolling(f.name);
    rolling(phpBackend.fpm.name);
    rolling(phpBackend.nginx.name);
    rolling(orthanc.name, [s.workloads[orthanc.name].sidecarResources!]);
    // The scheduler uses Recreate and Redis is a StatefulSet: neither surges.
    shapes.push({ pods: 1, containers: [s.scheduler.resources] });
    shapes.push({
        pods: s.redis.nodes,
        containers: [s.redis.resources, s.redis.sentinelResources],
    });
    const proxy = s.redis.proxyReplicas;
    shapes.push({ pods: proxy + surge(proxy), containers: [s.redis.proxyResources] });

    const sum = (f: (r: Resources) => number) =>
        shapes.reduce((t, p) => t + p.pods * p.containers.reduce((u, r) => u + f(r), 0), 0);
    return {
        pods: shapes.reduce((t, p) => t + p.pods, 0),
        requestsCpu: formatCpu(sum((r) => millicores(r.cpu))),
        requestsMemory: formatMemory(sum((r) => mebibytes(r.memory))),
        limitsCpu: formatCpu(sum((r) => millicores(r.cpuLimit))),
        limitsMemory: formatMemory(sum((r) => mebibytes(r.memoryLimit))),
        persistentVolumeClaims: s.redis.nodes,
        requestsStorage: formatMemory(s.redis.nodes * mebibytes(s.redis.storageSize)),
    };
}
