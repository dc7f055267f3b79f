/** Services: the live NodePort contract and internal ClusterIP Services. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Component, labelsFor, selectorFor } from "./labels";
import type { ServicePortEntry } from "../../stacks/catalog";

export interface ServiceArgs {
    readonly namespace: pulumi.Input<string>;
    /** Workload whose pods it selects. */
    readonly selects: string;
    readonly component: Component;
    readonly ports: readonly ServicePortEntry[];
    /** Node port per port name; a NodePort Service when given, else ClusterIP. */
    readonly nodePorts?: Readonly<Record<string, number>>;
}

/** A Service named exactly `name`, selecting one workload's pods. */
export function service(
    parent: pulumi.Resource,
    name: string,
    args: ServiceArgs,
): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        `${name}-service`,
        {
            metadata: {
                name,
                namespace: args.namespace,
                labels: labelsFor(args.selects, args.component),
            },
            spec: {
                type: args.nodePorts ? "NodePort" : "ClusterIP",
                selector: selectorFor(args.selects),
                ports: args.ports.map((p) => ({
                    name: p.name,
                    port: p.port,
                    targetPort: p.targetPort,
                    protocol: "TCP",
                    ...(args.nodePorts ? { nodePort: args.nodePorts[p.name] } : {}),
                })),
            },
        },
        // The cluster IP is the server's to assign. Never diff it: a change of `clusterIP`
        // replaces a Service (new IP, dropped connections), and an adopted Service carries its
        // live IP in state while the program names none.
        { parent, ignoreChanges: ["spec.clusterIP", "spec.clusterIPs"] },
    );
}
