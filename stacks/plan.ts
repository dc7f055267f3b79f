/**
 * The workload plan: every catalog row paired with its own settings slice, already narrowed by
 * family (a KEDA consumer's slice has KEDA scaling, a fixed one has replicas), plus what the rest
 * of the program derives from it: the images the row runs (which the promotion gate checks and
 * the components run), its pods at the peak (the ResourceQuota) and the live objects it adopts.
 * Everything downstream reads this one list; nothing narrows or repeats it.
 */
import type { ServiceSpec } from "../components";
import {
    CatalogEntry,
    EntryOf,
    Family,
    ImageKey,
    SCHEDULER_KEY,
    ServiceEntry,
    SettingsShape,
    catalog,
    schedulerName,
} from "./catalog";
import { Queue, Server, queue, server } from "./containers";
import type { Config, RedisSettings, Resources, WorkloadSettings } from "./schema";

/** Pods of one kind at the namespace's peak. */
export interface PodShape {
    /** Most pods it can run: an autoscaler's ceiling or the fixed count. */
    readonly replicas: number;
    /** Fewest pods it runs: an autoscaler's floor (absent: the fixed count, `replicas`). */
    readonly minReplicas?: number;
    /** Whether a rolling update adds pods (maxSurge 25 %) on top. */
    readonly surges: boolean;
    /** Requests and limits of each container of one pod. */
    readonly containers: readonly Resources[];
}

/** An image a workload runs, as the promotion gate records it. */
export interface PromotedImage {
    /** Key in `workloadImages`: the live name, `workload/container` for a sidecar. */
    readonly key: string;
    /** Live name of the Deployment or StatefulSet that runs it. */
    readonly workload: string;
    /** Image reference. */
    readonly image: string;
}

/** What the program derives from a row and its settings. */
interface Derived<E extends CatalogEntry> {
    /** Image reference of each image key the row names. */
    readonly images: { readonly [R in keyof E["imageKeys"]]: string };
    /** Every image it runs, for the promotion gate and the stack's `workloadImages`. */
    readonly promoted: readonly PromotedImage[];
    /** Its pods at the peak. */
    readonly pods: readonly PodShape[];
    /** Its volume claims: how many, and the size of each. */
    readonly claims?: { readonly count: number; readonly size: string };
    /** `Kind/name` of each object of today's live namespace it manages (adoption imports them). */
    readonly liveObjects: readonly string[];
}

type Fixed = WorkloadSettings<"fixed">;
type WithService<S> = S & { readonly service: ServiceSpec };

/** A KEDA consumer's slice: its scaling, plus the Secret KEDA reads the broker URL from. */
export interface KedaSettings extends Omit<WorkloadSettings<"keda">, "autoscaling" | "triggers"> {
    readonly autoscaling: WorkloadSettings<"keda">["autoscaling"] & {
        readonly brokerSecretName: string;
        /** The live triggers (`workloads.<name>.triggers`), when config has them. */
        readonly triggers?: WorkloadSettings<"keda">["triggers"];
    };
}

/** The settings slice of each family. */
export interface SettingsByFamily {
    "queue-consumer": Queue<Fixed> | Queue<KedaSettings>;
    worker: Queue<Fixed>;
    frontend: WithService<Server<Fixed>>;
    "php-backend": {
        readonly fpm: WithService<Server<WorkloadSettings<"hpa">>>;
        readonly nginx: WithService<Server<Fixed>>;
    };
    orthanc: WithService<Server<WorkloadSettings<"fixed-with-sidecar">>> & {
        readonly configSecretName: string;
    };
    redis: RedisSettings;
    scheduler: Queue<{ readonly liveName: string; readonly resources: Resources }>;
}

/** The plan entry of one family. */
export type PlanEntryOf<F extends Family> = EntryOf<F> &
    Derived<EntryOf<F>> & { readonly settings: SettingsByFamily[F] };

/** One plan entry, discriminated by `family`. */
export type PlanEntry = { [F in Family]: PlanEntryOf<F> }[Family];

/** The plan for a validated config: one entry per catalog row, in catalog order. */
export function buildPlan(c: Config): PlanEntry[] {
    return catalog.map((e) => planEntry(e, c));
}

function planEntry(e: CatalogEntry, c: Config): PlanEntry {
    switch (e.family) {
        case "queue-consumer": {
            const settings: SettingsByFamily["queue-consumer"] = e.keda
                ? queue(keda(workload(c, e.name, "keda"), c.keda.brokerSecretName), c)
                : queue(workload(c, e.name, "fixed"), c);
            const [min, max] =
                "autoscaling" in settings
                    ? [settings.autoscaling.minReplicas, settings.autoscaling.maxReplicas]
                    : [settings.replicas, settings.replicas];
            const images = imagesOf(e, c);
            return {
                ...e,
                settings,
                images,
                promoted: [{ key: e.name, workload: e.name, image: images.main }],
                pods: [{ ...rolling(max, settings.resources), minReplicas: min }],
                liveObjects: [
                    `Deployment/${e.name}`,
                    ...(e.keda ? [`ScaledObject/${e.name}`] : []),
                ],
            };
        }
        case "worker":
        case "frontend": {
            const w = workload(c, e.name, "fixed");
            const images = imagesOf(e, c);
            const common = {
                images,
                promoted: [{ key: e.name, workload: e.name, image: images.main }],
                pods: [rolling(w.replicas, w.resources)],
            };
            if (e.family === "worker") {
                return {
                    ...e,
                    ...common,
                    settings: queue(w, c),
                    liveObjects: [`Deployment/${e.name}`],
                };
            }
            return {
                ...e,
                ...common,
                settings: { ...server(w), service: withNodePorts(e.service, c) },
                liveObjects: [`Deployment/${e.name}`, `Service/${e.service.name}`],
            };
        }
        case "php-backend": {
            const fpm = workload(c, e.fpm.name, "hpa");
            const nginx = workload(c, e.nginx.name, "fixed");
            const images = imagesOf(e, c);
            return {
                ...e,
                settings: {
                    fpm: { ...server(fpm), service: withNodePorts(e.fpm.service, c) },
                    nginx: { ...server(nginx), service: withNodePorts(e.nginx.service, c) },
                },
                images,
                promoted: [
                    { key: e.fpm.name, workload: e.fpm.name, image: images.fpm },
                    { key: e.nginx.name, workload: e.nginx.name, image: images.nginx },
                ],
                pods: [
                    {
                        ...rolling(fpm.autoscaling.maxReplicas, fpm.resources),
                        minReplicas: fpm.autoscaling.minReplicas,
                    },
                    rolling(nginx.replicas, nginx.resources),
                ],
                liveObjects: [
                    `Deployment/${e.fpm.name}`,
                    `Deployment/${e.nginx.name}`,
                    `HorizontalPodAutoscaler/${e.fpm.name}`,
                    `Service/${e.fpm.service.name}`,
                    `Service/${e.nginx.service.name}`,
                ],
            };
        }
        case "orthanc": {
            const w = workload(c, e.name, "fixed-with-sidecar");
            const images = imagesOf(e, c);
            return {
                ...e,
                settings: {
                    ...server(w),
                    configSecretName: c.orthanc.configSecretName,
                    service: withNodePorts(e.service, c),
                },
                images,
                promoted: [
                    { key: e.name, workload: e.name, image: images.main },
                    { key: `${e.name}/read-proxy`, workload: e.name, image: images.proxy },
                ],
                pods: [rolling(w.replicas, w.resources, w.sidecarResources)],
                liveObjects: [`Deployment/${e.name}`, `Service/${e.service.name}`],
            };
        }
        case "redis": {
            const r = c.redis;
            const images = imagesOf(e, c);
            return {
                ...e,
                settings: r,
                images,
                promoted: [
                    { key: e.statefulSet, workload: e.statefulSet, image: images.main },
                    // One key for both redis_exporter sidecars: they run the same image.
                    {
                        key: `${e.statefulSet}/redis-exporter`,
                        workload: e.statefulSet,
                        image: images.exporter,
                    },
                    { key: e.proxy, workload: e.proxy, image: images.proxy },
                ],
                // A StatefulSet does not surge; the proxy Deployment does. Each pod runs Redis,
                // Sentinel and a redis_exporter beside each.
                pods: [
                    {
                        replicas: r.nodes,
                        surges: false,
                        containers: [
                            r.resources,
                            r.sentinelResources,
                            r.exporterResources,
                            r.exporterResources,
                        ],
                    },
                    rolling(r.proxyReplicas, r.proxyResources),
                ],
                claims: { count: r.nodes, size: r.storageSize },
                // Only `redis-sp` is adopted: the live redis-master Deployment is replaced.
                liveObjects: [`Service/${e.service}`],
            };
        }
        case "scheduler": {
            const liveName = schedulerName(c.environment);
            const images = imagesOf(e, c);
            return {
                ...e,
                settings: queue({ liveName, ...c.scheduler }, c),
                images,
                promoted: [{ key: SCHEDULER_KEY, workload: liveName, image: images.main }],
                // Recreate: the old pod is gone before the new one starts, so no surge.
                pods: [{ replicas: 1, surges: false, containers: [c.scheduler.resources] }],
                liveObjects: [`Deployment/${liveName}`],
            };
        }
    }
}

/**
 * One `sapoche-stack:workloads` entry, typed by its shape. The schema validated this very entry
 * with the schema of that shape (both come from `workloadKeys` in the catalog), which is what
 * makes the cast sound.
 */
function workload<S extends SettingsShape>(
    c: Config,
    name: string,
    _shape: S,
): WorkloadSettings<S> {
    return (c.workloads as Record<string, unknown>)[name] as WorkloadSettings<S>;
}

function keda(w: WorkloadSettings<"keda">, brokerSecretName: string): KedaSettings {
    const { triggers, ...rest } = w;
    return {
        ...rest,
        autoscaling: {
            ...w.autoscaling,
            brokerSecretName,
            ...(triggers === undefined ? {} : { triggers }),
        },
    };
}

function imagesOf<E extends CatalogEntry>(e: E, c: Config): Derived<E>["images"] {
    const refs = c.images as Record<ImageKey, string>;
    return Object.fromEntries(
        Object.entries(e.imageKeys).map(([role, key]) => [role, refs[key as ImageKey]]),
    ) as Derived<E>["images"];
}

function withNodePorts(s: ServiceEntry, c: Config): ServiceSpec {
    const nodePorts = (c.nodePorts as Record<string, Record<string, number>>)[s.name];
    return { name: s.name, ports: s.ports.map((p) => ({ ...p, nodePort: nodePorts[p.name] })) };
}

function rolling(replicas: number, ...containers: Resources[]): PodShape {
    return { replicas, surges: true, containers };
}
