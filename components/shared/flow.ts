/**
 * The shape of one flow of the flow list (stacks/flows.ts builds the list from the stack's
 * settings): what the baseline renders its NetworkPolicies from.
 */

/** A TCP or UDP port, by number or by the name the destination's container declares. */
export interface FlowPort {
    readonly protocol: "TCP" | "UDP";
    readonly port: string | number;
}

/** One end of a flow. */
export type Peer =
    /** Pods of the namespace, by `app.kubernetes.io/name`. */
    | { readonly kind: "pods"; readonly names: readonly string[] }
    /** Every pod of other namespaces, by `kubernetes.io/metadata.name`. */
    | { readonly kind: "namespaces"; readonly namespaces: readonly string[] }
    /** The cluster's DNS (kube-system, `k8s-app: kube-dns`). */
    | { readonly kind: "dns" }
    /** Addresses outside the pod network; `except` carves out what stays denied. */
    | {
          readonly kind: "addresses";
          readonly name: string;
          readonly blocks: readonly { readonly cidr: string; readonly except: readonly string[] }[];
          /** Why a `0.0.0.0/0` block is there (the stack's recorded reason); '' without one. */
          readonly reason: string;
      };

/** One allowed connection, and why it exists. */
export interface Flow {
    /** Stable key: the NetworkPolicy rendering an ingress flow is `allow-<key>`. */
    readonly key: string;
    /** Why the platform needs it, for reviewers and the test's report. */
    readonly what: string;
    readonly from: Peer;
    readonly to: Peer;
    readonly ports: readonly FlowPort[];
    /**
     * Which component renders the ingress side: the baseline, or the monitoring component
     * (allow-prometheus-scrape, beside the PodMonitors that use the same ports).
     */
    readonly renderedBy: "baseline" | "monitoring";
}
