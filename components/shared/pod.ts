/**
 * Pod templates. The one place that uses @pulumi/kubernetesx (archived upstream): its
 * PodBuilder turns env and port maps into container lists. To drop it, build the container
 * lists here by hand; nothing else imports it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import { Component, labelsFor, selectorFor } from "./labels";
import { containerSecurity, podSecurity } from "./defaults";

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
}

/** A pod template with the recommended labels, pod security and a spread over nodes. */
export function podTemplate(args: PodArgs): k8s.types.input.core.v1.PodTemplateSpec {
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
    const spec = new kx.PodBuilder({
        serviceAccountName: args.serviceAccountName,
        automountServiceAccountToken: false,
        securityContext: podSecurity(args.runAsUser),
        enableServiceLinks: false,
        terminationGracePeriodSeconds: 30,
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: args.spread ?? "ScheduleAnyway",
                labelSelector: { matchLabels: selectorFor(args.name) },
            },
        ],
        volumes: [...(args.volumes ?? [])],
        containers,
    }).podSpec.apply(dropEmptyLists);
    return { metadata: { labels: labelsFor(args.name, args.component) }, spec };
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
