/** Services: the live NodePort contract and internal ClusterIP Services. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "./args";
import { childOf } from "./child";
import { Component, labelsFor, selectorFor } from "./labels";

/** Inputs of {@link service}. */
export interface ServiceArgs {
    /** Namespace of the Service. */
    readonly namespace: pulumi.Input<string>;
    /** Workload whose pods it selects. */
    readonly selects: string;
    /** Value of `app.kubernetes.io/component`. */
    readonly component: Component;
    /** Live name and ports; a port with a `nodePort` makes it a NodePort Service. */
    readonly spec: ServiceSpec;
    /** Logical names the Service had before (a rename without them is a replace). @default none */
    readonly aliases?: readonly string[];
}

/** A Service named exactly `args.spec.name`, selecting one workload's pods. */
export function service(
    parent: pulumi.Resource,
    logicalName: string,
    args: ServiceArgs,
): k8s.core.v1.Service {
    const nodePort = args.spec.ports.some((p) => p.nodePort !== undefined);
    return new k8s.core.v1.Service(
        logicalName,
        {
            metadata: {
                name: args.spec.name,
                namespace: args.namespace,
                labels: labelsFor(args.selects, args.component),
            },
            spec: {
                type: nodePort ? "NodePort" : "ClusterIP",
                selector: selectorFor(args.selects),
                ports: args.spec.ports.map((p) => ({
                    name: p.name,
                    port: p.port,
                    targetPort: p.targetPort,
                    protocol: "TCP",
                    ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
                })),
            },
        },
        // The cluster IP is the server's to assign. Never diff it: a change of `clusterIP`
        // replaces a Service (new IP, dropped connections), and an adopted Service carries its
        // live IP in state while the program names none.
        {
            ...childOf(parent, args.aliases),
            ignoreChanges: ["spec.clusterIP", "spec.clusterIPs"],
        },
    );
}
