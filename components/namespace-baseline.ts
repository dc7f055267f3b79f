import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, FAMILIES, Family } from "./shared/labels";
import { CONTAINER_LIMIT_RANGE } from "./shared/limit-range";
import type { Flow, Peer } from "./shared/flow";

export const NAMESPACE_BASELINE_TYPE = "sapoche:namespace:Baseline";

/** The namespace's peak footprint, in canonical quantities: what the ResourceQuota allows. */
export interface Peak {
    /** Pods at the peak, rollout surge included. */
    readonly pods: number;
    /** Sum of CPU requests. */
    readonly requestsCpu: string;
    /** Sum of memory requests. */
    readonly requestsMemory: string;
    /** Sum of CPU limits. */
    readonly limitsCpu: string;
    /** Sum of memory limits. */
    readonly limitsMemory: string;
    /** Sum of ephemeral-storage requests. */
    readonly requestsEphemeralStorage: string;
    /** Sum of ephemeral-storage limits. */
    readonly limitsEphemeralStorage: string;
    /** Volume claims. */
    readonly persistentVolumeClaims: number;
    /** Sum of storage requests. */
    readonly requestsStorage: string;
}

/** Arguments of the namespace baseline. */
export interface NamespaceBaselineArgs {
    /** Name of the namespace (live: `sapoche`). */
    readonly namespace: string;
    /** Peak footprint of every workload; the ResourceQuota is sized from it. */
    readonly peak: Peak;
    /**
     * Whether the NetworkPolicies are created. False while the live namespace is adopted: live
     * pods carry only their old labels and no named ports, so a default deny would cut them off
     * (docs/network.md). @default true
     */
    readonly networkPolicies?: boolean;
    /**
     * Whether pods are admitted under the namespace's rules: the ResourceQuota, the LimitRange and
     * the Pod Security `enforce` labels (audit and warn are always set: they refuse nothing).
     * False while the live namespace is adopted: a live pod recreated then has no requests (the
     * quota would refuse it) or would get the LimitRange's default limits. @default true
     */
    readonly admission?: boolean;
    /** The flow list (stacks/flows.ts): the policies admit these and nothing else. @default [] */
    readonly flows?: readonly Flow[];
}

/**
 * What every workload stands on: the Namespace (protected: deleting it deletes everything in
 * it), a ResourceQuota sized from the peak, a LimitRange for anything created by hand,
 * NetworkPolicies along the flow list (stacks/flows.ts), and one ServiceAccount per family with no token.
 */
export class NamespaceBaseline extends pulumi.ComponentResource {
    /** The namespace name, carrying the dependency on the Namespace object. */
    public readonly namespace: pulumi.Output<string>;
    /** ServiceAccount name per family. */
    public readonly serviceAccounts: Readonly<Record<Family, pulumi.Output<string>>>;

    constructor(name: string, args: NamespaceBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        super(NAMESPACE_BASELINE_TYPE, name, {}, opts);
        const admission = args.admission ?? true;
        const labels = {
            "app.kubernetes.io/part-of": "sapoche",
            "app.kubernetes.io/managed-by": "pulumi",
        };
        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: args.namespace,
                    labels: {
                        ...labels,
                        // Pod Security Admission enforces what our policies already require.
                        ...(admission
                            ? {
                                  "pod-security.kubernetes.io/enforce": "restricted",
                                  "pod-security.kubernetes.io/enforce-version": "latest",
                              }
                            : {}),
                        // Audit and warn at the same level: a violation is logged and shown to
                        // kubectl before anything relies on enforce refusing it.
                        "pod-security.kubernetes.io/audit": "restricted",
                        "pod-security.kubernetes.io/audit-version": "latest",
                        "pod-security.kubernetes.io/warn": "restricted",
                        "pod-security.kubernetes.io/warn-version": "latest",
                    },
                },
            },
            { parent: this, protect: true },
        );
        this.namespace = ns.metadata.name;
        const namespace = this.namespace;

        if (admission) this.admissionRules(name, namespace, labels, args.peak);

        this.serviceAccounts = Object.fromEntries(
            FAMILIES.map((family) => {
                const sa = new k8s.core.v1.ServiceAccount(
                    `${name}-sa-${family}`,
                    {
                        metadata: { name: `sapoche-${family}`, namespace, labels },
                        automountServiceAccountToken: false,
                    },
                    { parent: this },
                );
                return [family, sa.metadata.name];
            }),
        ) as Record<Family, pulumi.Output<string>>;

        if (args.networkPolicies ?? true) {
            this.networkPolicies(name, namespace, labels, args);
        }
        this.registerOutputs({}); // children are properties, not outputs: see shared/child.ts
    }

    /** The ResourceQuota sized from the peak, and the LimitRange for pods made by hand. */
    private admissionRules(
        name: string,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
        peak: Peak,
    ): void {
        new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: { name: "sapoche-peak", namespace, labels },
                spec: {
                    hard: {
                        pods: String(peak.pods),
                        "requests.cpu": peak.requestsCpu,
                        "requests.memory": peak.requestsMemory,
                        "limits.cpu": peak.limitsCpu,
                        "limits.memory": peak.limitsMemory,
                        "requests.ephemeral-storage": peak.requestsEphemeralStorage,
                        "limits.ephemeral-storage": peak.limitsEphemeralStorage,
                        persistentvolumeclaims: String(peak.persistentVolumeClaims),
                        "requests.storage": peak.requestsStorage,
                    },
                },
            },
            { parent: this },
        );

        // Defaults only for containers created outside this program (kubectl run during an
        // incident); ours always set their own.
        new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: { name: "sapoche-defaults", namespace, labels },
                spec: {
                    limits: [{ type: "Container", ...CONTAINER_LIMIT_RANGE }],
                },
            },
            { parent: this },
        );
    }

    /**
     * Ingress and egress along the flow list, per workload and port: one ingress policy per flow
     * into the namespace, one egress policy per workload with every flow it starts. Pods no
     * flow names may resolve names and nothing else.
     */
    private networkPolicies(
        name: string,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
        args: NamespaceBaselineArgs,
    ): void {
        const flows = args.flows ?? [];
        const policy = (
            key: string,
            spec: k8s.types.input.networking.v1.NetworkPolicySpec,
            peers: readonly Peer[] = [],
        ) => {
            // A reviewer of the object sees why it opens every address (the pack requires it).
            const reasons = [
                ...new Set(
                    peers.flatMap((p) =>
                        p.kind === "addresses" && p.blocks.some((b) => b.cidr.endsWith("/0"))
                            ? [`${p.name}: ${p.reason}`]
                            : [],
                    ),
                ),
            ];
            const annotations = reasons.length
                ? { annotations: { [ANNOTATIONS.everyAddressReason]: reasons.join("; ") } }
                : {};
            return new k8s.networking.v1.NetworkPolicy(
                `${name}-netpol-${key}`,
                { metadata: { name: key, namespace, labels, ...annotations }, spec },
                { parent: this },
            );
        };
        const dns = flows.find((f) => f.to.kind === "dns");
        policy("default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"], ingress: [] });
        // Every pod, so a pod no flow names is still restricted: names resolve, nothing else.
        policy("restrict-egress", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: dns ? [{ to: peers(dns.to), ports: ports(dns) }] : [],
        });
        for (const f of flows) {
            if (f.to.kind !== "pods" || f.renderedBy !== "baseline") continue;
            policy(
                `allow-${f.key}`,
                {
                    podSelector: byName(f.to.names),
                    policyTypes: ["Ingress"],
                    ingress: [{ from: peers(f.from), ports: ports(f) }],
                },
                [f.from],
            );
        }
        const sources = [
            ...new Set(flows.flatMap((f) => (f.from.kind === "pods" ? f.from.names : []))),
        ].sort();
        for (const source of sources) {
            const out = flows.filter(
                (f) => f.from.kind === "pods" && f.from.names.includes(source),
            );
            policy(
                `egress-${source}`,
                {
                    podSelector: byName([source]),
                    policyTypes: ["Egress"],
                    egress: out.map((f) => ({ to: peers(f.to), ports: ports(f) })),
                },
                out.map((f) => f.to),
            );
        }
    }
}

/** Pods by `app.kubernetes.io/name`. */
const byName = (names: readonly string[]) => ({
    matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: [...names] }],
});

function ports(f: Flow): k8s.types.input.networking.v1.NetworkPolicyPort[] {
    return f.ports.map((p) => ({ protocol: p.protocol, port: p.port }));
}

/** A flow's end as NetworkPolicy peers. */
function peers(p: Peer): k8s.types.input.networking.v1.NetworkPolicyPeer[] {
    switch (p.kind) {
        case "pods":
            return [{ podSelector: byName(p.names) }];
        case "namespaces":
            return p.namespaces.map((n) => ({
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } },
            }));
        case "dns":
            return [
                {
                    namespaceSelector: {
                        matchLabels: { "kubernetes.io/metadata.name": "kube-system" },
                    },
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
            ];
        case "addresses":
            return p.blocks.map((b) => ({
                ipBlock: b.except.length
                    ? { cidr: b.cidr, except: [...b.except] }
                    : { cidr: b.cidr },
            }));
    }
}
