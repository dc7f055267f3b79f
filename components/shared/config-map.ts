/**
 * ConfigMaps named after their content (`<name>-<hash>`), as kustomize's configMapGenerator does.
 *
 * The Kubernetes provider replaces a ConfigMap whose data changes. Under a fixed name that replace
 * has to delete the old ConfigMap first, and the engine then replaces every resource that mounts
 * it too: for Redis, the StatefulSet itself (every node down at once). A new content gets a new
 * name instead, so the new ConfigMap is created first, the workload mounting it rolls in place
 * (respecting its PDB), and the old one is deleted last. The name is deterministic, so renders,
 * plans and previews stay stable and on-call can tell which version a pod mounts.
 */
import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOf } from "./child";

export interface VersionedConfigMapArgs {
    /** Name before the content hash, e.g. `redis-scripts`. */
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    /** File name to content. */
    readonly data: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Earlier logical names of the resource (see childOf). */
    readonly aliases?: readonly string[];
}

/** `<name>-<first 10 hex digits of the SHA-256 of the data, keys sorted>`. */
export function contentName(name: string, data: Record<string, string>): string {
    const canonical = JSON.stringify(
        Object.keys(data)
            .sort()
            .map((k) => [k, data[k]]),
    );
    return `${name}-${crypto.createHash("sha256").update(canonical).digest("hex").slice(0, 10)}`;
}

/** A ConfigMap named after its content, as a child of `parent`. */
export function versionedConfigMap(
    parent: pulumi.Resource,
    logicalName: string,
    args: VersionedConfigMapArgs,
): k8s.core.v1.ConfigMap {
    const data = pulumi.output(args.data);
    return new k8s.core.v1.ConfigMap(
        logicalName,
        {
            metadata: {
                name: data.apply((d) => contentName(args.name, d)),
                namespace: args.namespace,
                labels: args.labels,
            },
            data,
        },
        childOf(parent, args.aliases),
    );
}
