/**
 * Pod templates. The one place that uses @pulumi/kubernetesx (archived upstream): its
 * PodBuilder turns env and port maps into container lists. To drop it, build the container
 * lists here by hand; nothing else imports it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerFacts, PodFacts, QueueProcessArgs, WorkloadArgs } from "./args";
import { Component, labelsFor, selectorFor } from "./labels";
import { containerProbes, containerSecurity, podSecurity, resourcesOf } from "./defaults";

type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type ContainerPort = k8s.types.input.core.v1.ContainerPort;

/** A container: kubernetesx's shape (env and ports as maps) plus its writable directories. */
export type ContainerArgs = kx.types.Container & {
    readonly name: string;
    /**
     * Directories the software writes to; each gets an emptyDir (the root FS is read-only) whose
     * `sizeLimit` is the container's ephemeral-storage limit.
     */
    readonly writable?: readonly string[];
};

/** The fields every container gets, whatever the family. */
export function secureContainer(
    c: Omit<ContainerArgs, "securityContext" | "imagePullPolicy">,
): ContainerArgs {
    return { imagePullPolicy: "IfNotPresent", securityContext: containerSecurity, ...c };
}

/**
 * The main container of a queue process (consumer, worker, scheduler): no port, a writable
 * /tmp, the probes the stack gives, then the facts read from the live namespace.
 */
export function processContainer(
    name: string,
    args: Pick<WorkloadArgs, "image" | "resources" | "container"> &
        Pick<QueueProcessArgs, "probes">,
): ContainerArgs {
    return withContainerFacts(
        secureContainer({
            name,
            image: args.image,
            resources: resourcesOf(args.resources),
            ...containerProbes(args.probes),
            writable: ["/tmp"],
        }),
        args.container,
    );
}

/**
 * A container with the facts config gives (read from the live namespace): its command, args,
 * env and envFrom replace the component's (given facts, the env is theirs alone: none if they
 * hold none); its ports and mounts are merged with the component's (the given one wins on the
 * same port name or number, or mount path, so a PDF producer keeps the metrics port it gains,
 * and a writable scratch directory a given mount covers is not added). Without facts the
 * container is returned as it is.
 */
export function withContainerFacts(c: ContainerArgs, f: ContainerFacts | undefined): ContainerArgs {
    if (f === undefined) return c;
    const mounted = new Set((f.volumeMounts ?? []).map((m) => m.mountPath as string));
    const own = ((c.volumeMounts as VolumeMount[] | undefined) ?? []).filter(
        (m) => !mounted.has(m.mountPath as string),
    );
    const { env: _componentEnv, ...rest } = c;
    return {
        ...rest,
        ...(f.command === undefined ? {} : { command: [...f.command] }),
        ...(f.args === undefined ? {} : { args: [...f.args] }),
        ...(f.env === undefined ? {} : { env: [...f.env] }),
        ...(f.envFrom === undefined ? {} : { envFrom: [...f.envFrom] }),
        ...(f.ports === undefined ? {} : { ports: mergePorts(c.ports, f.ports) }),
        volumeMounts: [...(f.volumeMounts ?? []), ...own],
        writable: c.writable?.filter((path) => !mounted.has(path)),
    };
}

/**
 * The given (live) ports, plus the component's own ports the live container does not have under
 * the same name or number: the metrics port a PDF producer gains for Prometheus.
 */
function mergePorts(
    own: kx.types.Container["ports"],
    given: readonly ContainerPort[],
): ContainerPort[] {
    const ownList: ContainerPort[] =
        own === undefined
            ? []
            : Array.isArray(own)
              ? (own as ContainerPort[])
              : Object.entries(own as Record<string, number>).map(([name, containerPort]) => ({
                    name,
                    containerPort,
                }));
    const names = new Set(given.map((p) => p.name));
    const numbers = new Set(given.map((p) => p.containerPort));
    return [
        ...given,
        ...ownList.filter((p) => !names.has(p.name) && !numbers.has(p.containerPort)),
    ];
}

/** A pod template's inputs. */
export interface PodArgs {
    /** Workload name: the pod labels and selector derive from it. */
    readonly name: string;
    /** Value of `app.kubernetes.io/component`. */
    readonly component: Component;
    /** Service account (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Numeric user the pod runs as. */
    readonly runAsUser: number;
    /** Its containers, built with {@link secureContainer}. */
    readonly containers: readonly ContainerArgs[];
    /** Extra volumes (config maps, secrets). @default none */
    readonly volumes?: readonly k8s.types.input.core.v1.Volume[];
    /**
     * How strictly replicas spread over nodes. @default "ScheduleAnyway" (a soft spread keeps a
     * node failure from taking every replica, without blocking scheduling in a small cluster).
     */
    readonly spread?: "ScheduleAnyway" | "DoNotSchedule";
    /**
     * Labels, selector, user and volumes config gives (read from the live namespace). Its volumes
     * come first; a component volume of the same name, or one no container mounts any more, is
     * left out; an emptyDir without a `sizeLimit` gets the first container's ephemeral-storage
     * limit. @default none
     */
    readonly facts?: PodFacts;
}

/** A pod template with the recommended labels, pod security and a spread over nodes. */
export function podTemplate(args: PodArgs): {
    metadata: { labels: Record<string, string> };
    spec: k8s.types.input.core.v1.PodTemplateSpec["spec"];
} {
    const containers = args.containers.map(({ writable, ...c }) => {
        // The kubelet evicts a pod whose emptyDir outgrows its sizeLimit; without one, a scratch
        // volume may fill the node's disk. The container's own limit is the natural bound.
        const sizeLimit = (c.resources as k8s.types.input.core.v1.ResourceRequirements | undefined)
            ?.limits as Record<string, pulumi.Input<string>> | undefined;
        const emptyDir = sizeLimit?.["ephemeral-storage"]
            ? { sizeLimit: sizeLimit["ephemeral-storage"] }
            : {};
        return {
            ...c,
            volumeMounts: [
                ...((c.volumeMounts as kx.types.VolumeMount[] | undefined) ?? []),
                ...(writable ?? []).map((path) => ({
                    volume: { name: scratchName(c.name, path), emptyDir },
                    destPath: path,
                })),
            ],
        };
    });
    const facts = args.facts;
    const spec = new kx.PodBuilder({
        serviceAccountName: args.serviceAccountName,
        automountServiceAccountToken: false,
        securityContext: podSecurity(args.runAsUser, facts?.securityContext),
        enableServiceLinks: false,
        terminationGracePeriodSeconds: 30,
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: args.spread ?? "ScheduleAnyway",
                labelSelector: { matchLabels: { ...(facts?.selector ?? selectorFor(args.name)) } },
            },
        ],
        volumes: volumesOf(args, containers),
        containers,
    }).podSpec.apply(dropEmptyLists);
    const labels = { ...facts?.labels, ...labelsFor(args.name, args.component) };
    return { metadata: { labels }, spec };
}

/** The pod's volumes: the given ones (sized), then the component's that are still mounted. */
function volumesOf(args: PodArgs, containers: readonly kx.types.Container[]): Volume[] {
    const own = [...(args.volumes ?? [])];
    const given = args.facts?.volumes;
    if (given === undefined) return own;
    const names = new Set(given.map((v) => v.name as string));
    const mounted = new Set(
        containers.flatMap((c) =>
            ((c.volumeMounts ?? []) as { name?: string }[]).flatMap((m) =>
                m.name === undefined ? [] : [m.name],
            ),
        ),
    );
    const limit = (containers[0]?.resources as k8s.types.input.core.v1.ResourceRequirements)
        ?.limits as Record<string, pulumi.Input<string>> | undefined;
    const sized = given.map((v) => {
        const emptyDir = v.emptyDir as k8s.types.input.core.v1.EmptyDirVolumeSource | undefined;
        return emptyDir !== undefined && emptyDir.sizeLimit === undefined && limit
            ? { ...v, emptyDir: { ...emptyDir, sizeLimit: limit["ephemeral-storage"] } }
            : v;
    });
    return [
        ...sized,
        ...own.filter((v) => !names.has(v.name as string) && mounted.has(v.name as string)),
    ];
}

function scratchName(container: string, path: string): string {
    return `${container}-${path.replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`.slice(0, 63);
}

/**
 * kubernetesx writes empty lists (`initContainers: []`, `env: []`); the API server drops them,
 * and a refresh would then report a difference that is not there.
 */
function dropEmptyLists<T>(value: T): T {
    if (Array.isArray(value)) return value.map(dropEmptyLists) as T;
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
        if (Array.isArray(v) && v.length === 0) continue;
        out[k] = dropEmptyLists(v);
    }
    return out as T;
}
