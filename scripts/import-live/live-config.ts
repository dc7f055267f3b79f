/**
 * The pure half of `npm run import-live`: the live namespace's Deployments, Services, HPAs and
 * ScaledObjects (as `kubectl get -o json` returns them) in, the stack config the inventory lacks
 * out: per workload the main container's command, args, env, envFrom, mounts and ports, its
 * probes, the pod's labels, selector, user and volumes, and a KEDA consumer's triggers.
 *
 * Nothing is invented: a fact the live objects do not hold is left out (the stack's default or
 * assumption stays), and every skipped or doubtful fact is reported as a note. A field that holds
 * a credential by the pack's detector (policy-pack/policies/lib/credentials.ts) is never
 * returned: it is reported in `dropped`, by field and masked, and import-live then writes nothing.
 * Secrets are never read.
 */
import {
    CatalogEntry,
    Family,
    catalog,
    nodePortServicesOf,
    redis,
    schedulerName,
    workloadKeys,
} from "../../stacks/catalog";
import { containerOf, podOf, probeOf, triggerOf, volumesOf } from "./live-facts";
import type { Dropped, ImportedEntry, LiveImport, LiveObject, Target } from "./live-types";

type Any = Record<string, any>;

const MAIN_CONTAINER: Record<Exclude<Family, "php-backend" | "redis">, string> = {
    "queue-consumer": "consumer",
    worker: "worker",
    frontend: "nginx",
    orthanc: "orthanc",
    scheduler: "scheduler",
};

/** Every workload whose facts import-live reads, with where they go (catalog order). */
export function targetsFor(environment: string): Target[] {
    return catalog.flatMap((e: CatalogEntry): Target[] => {
        const services = nodePortServicesOf(e);
        const portsOf = (workload: string) =>
            // Orthanc's Service reaches the program's read-only proxy sidecar, not Orthanc.
            e.family === "orthanc"
                ? []
                : services
                      .filter((s) => s.selects === workload)
                      .flatMap((s) =>
                          s.ports.map((p) => ({
                              service: s.name,
                              port: p.port,
                              name: p.targetPort,
                          })),
                      );
        switch (e.family) {
            case "redis":
                return [];
            case "scheduler": {
                const deployment = schedulerName(environment);
                return [
                    {
                        deployment,
                        key: ["sapoche-stack:scheduler"],
                        family: e.family,
                        container: MAIN_CONTAINER.scheduler,
                        imageKey: e.imageKeys.main,
                        keda: false,
                        servicePorts: [],
                    },
                ];
            }
            case "php-backend":
                return [
                    { tier: e.fpm.name, container: "php-fpm", imageKey: e.imageKeys.fpm },
                    { tier: e.nginx.name, container: "nginx", imageKey: e.imageKeys.nginx },
                ].map(({ tier, container, imageKey }) => ({
                    deployment: tier,
                    key: ["sapoche-stack:workloads", tier],
                    family: e.family,
                    container,
                    imageKey,
                    keda: false,
                    servicePorts: portsOf(tier),
                }));
            default:
                return workloadKeys(e).map((k) => ({
                    deployment: k.name,
                    key: ["sapoche-stack:workloads", k.name],
                    family: e.family,
                    container: MAIN_CONTAINER[e.family],
                    imageKey: e.imageKeys.main,
                    keda: e.family === "queue-consumer" && e.keda,
                    servicePorts: portsOf(k.name),
                }));
        }
    });
}

/**
 * The stack config facts of the live objects. `environment` names the scheduler's Deployment
 * (`sapoche-be--scheduler--<environment>`).
 */
export function liveToConfig(objects: readonly LiveObject[], environment: string): LiveImport {
    const notes: string[] = [];
    const dropped: Dropped[] = [];
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
    const deployments = new Map(byKind("Deployment").map((d) => [d.metadata.name, d]));
    const services = new Map(byKind("Service").map((s) => [s.metadata.name, s]));
    const scaledObjects = byKind("ScaledObject");
    const targets = targetsFor(environment);
    const known = new Set([...targets.map((t) => t.deployment), redis.liveName]);

    for (const name of deployments.keys()) {
        if (!known.has(name)) notes.push(`Deployment ${name}: not in the catalog; not imported.`);
    }
    if (deployments.has(redis.liveName)) {
        notes.push(
            `Deployment ${redis.liveName}: not imported (replaced by the Redis StatefulSet; docs/operations/redis.md).`,
        );
    }
    for (const hpa of byKind("HorizontalPodAutoscaler")) {
        const cpu = (hpa.spec?.metrics ?? []).find((m: Any) => m.resource?.name === "cpu")?.resource
            ?.target?.averageUtilization;
        notes.push(
            `HorizontalPodAutoscaler ${hpa.metadata.name}: live ${hpa.spec?.minReplicas ?? 1}-${hpa.spec?.maxReplicas}` +
                (cpu === undefined ? "" : `, CPU ${cpu} %`) +
                ` (bounds and targets are decided in config, not imported).`,
        );
    }

    const entries: ImportedEntry[] = [];
    for (const target of targets) {
        const d = deployments.get(target.deployment);
        if (d === undefined) {
            notes.push(
                `Deployment ${target.deployment}: not in the live namespace; its config is left as it is.`,
            );
            continue;
        }
        const at = (what: string) => `Deployment ${target.deployment}: ${what}`;
        const pod: Any = d.spec?.template?.spec ?? {};
        const containers: Any[] = pod.containers ?? [];
        let main = containers.find((c) => c.name === target.container);
        if (main === undefined && containers.length === 1) {
            main = containers[0];
            notes.push(
                at(
                    `its container is named ${main.name}, the program's ${target.container}: server-side apply ` +
                        `merges containers by name, so the reshape would add a second one (rename it first).`,
                ),
            );
        } else if (main === undefined) {
            notes.push(
                at(
                    `no container named ${target.container} among ${containers.map((c) => c.name).join(", ")}; container facts not imported.`,
                ),
            );
        }
        for (const c of containers) {
            if (c !== main)
                notes.push(
                    at(
                        `container ${c.name} not imported (the program renders only ${target.container} and its own sidecars).`,
                    ),
                );
        }
        for (const c of pod.initContainers ?? []) {
            notes.push(at(`init container ${c.name} not imported (the program renders none).`));
        }

        const volumes = volumesOf(pod.volumes ?? [], at, notes);
        const podFacts = podOf(d, pod, main, volumes, at, notes);
        const entry: {
            -readonly [K in keyof ImportedEntry]: ImportedEntry[K];
        } = { target, pod: podFacts };
        if (main !== undefined) {
            const mountable = new Set(volumes.keys());
            entry.container = containerOf(main, target, services, mountable, at, notes, dropped);
            const probe = (p: Any | undefined, where: string) =>
                p === undefined ? undefined : probeOf(p, where, target.deployment, dropped);
            const liveness = probe(main.livenessProbe, "livenessProbe");
            const readiness = probe(main.readinessProbe, "readinessProbe");
            const probes = {
                ...(liveness ? { liveness } : {}),
                ...(readiness ? { readiness } : {}),
            };
            if (Object.keys(probes).length > 0) entry.probes = probes;
            if (main.startupProbe)
                notes.push(at("its startupProbe is not imported (the program renders none)."));
        }
        const scaled = scaledObjects.find(
            (s) => (s.spec?.scaleTargetRef?.name ?? s.metadata.name) === target.deployment,
        );
        if (scaled !== undefined && !target.keda) {
            notes.push(
                at(
                    `ScaledObject ${scaled.metadata.name} not imported: the catalog runs it at fixed replicas.`,
                ),
            );
        } else if (scaled !== undefined) {
            entry.triggers = (scaled.spec?.triggers ?? []).map((t: Any) =>
                triggerOf(t, target.deployment, dropped),
            );
        } else if (target.keda) {
            notes.push(at("no live ScaledObject; the program's assumed trigger stays."));
        }
        entries.push(entry);
    }
    const userless = entries.filter((e) => e.pod?.securityContext?.runAsUser === undefined);
    if (userless.length > 0) {
        notes.push(
            `${userless.length} Deployments set no non-root user (${userless.map((e) => e.target.deployment).join(", ")}): ` +
                `the program's assumed user of each image stays (docs/assumptions.md).`,
        );
    }
    return { entries, notes, dropped };
}
