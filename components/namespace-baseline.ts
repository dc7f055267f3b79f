import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FAMILIES, Family } from "./shared/labels";
import { CONTAINER_LIMIT_RANGE } from "./shared/limit-range";

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
     * (README, "Network reachability"). @default true
     */
    readonly networkPolicies?: boolean;
    /**
     * Whether pods are admitted under the namespace's rules: the ResourceQuota, the LimitRange and
     * the Pod Security `enforce` labels (audit and warn are always set: they refuse nothing).
     * False while the live namespace is adopted: a live pod recreated then has no requests (the
     * quota would refuse it) or would get the LimitRange's default limits. @default true
     */
    readonly admission?: boolean;
    /** Destinations outside the namespace the pods may connect to (besides DNS). @default [] */
    readonly egress?: readonly EgressDestination[];
    /** Workloads (`app.kubernetes.io/name`) that use Redis through `redis-sp`. @default [] */
    readonly redisClients?: readonly string[];
}

/** One allowed destination outside the namespace. */
export interface EgressDestination {
    /** What it is (`broker`, `database`): the name of its rule, for reviewers. */
    readonly name: string;
    /** Address ranges; `except` carves out what must stay denied (the metadata address). */
    readonly blocks: readonly { readonly cidr: string; readonly except?: readonly string[] }[];
    /** TCP ports. */
    readonly ports: readonly number[];
}

/**
 * What every workload stands on: the Namespace (protected: deleting it deletes everything in
 * it), a ResourceQuota sized from the peak, a LimitRange for anything created by hand,
 * NetworkPolicies along the seed's data flow, and one ServiceAccount per family with no token.
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
     * Ingress along the data flow; egress to DNS, the namespace's own pods and the configured
     * destinations only (the cloud metadata address never: see stacks/network.ts).
     */
    private networkPolicies(
        name: string,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
        args: NamespaceBaselineArgs,
    ): void {
        const egress = args.egress ?? [];
        const redisClients = args.redisClients ?? [];
        const component = (values: string[]) => ({
            matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values }],
        });
        const policy = (
            key: string,
            podSelector: k8s.types.input.meta.v1.LabelSelector,
            ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[],
        ) =>
            new k8s.networking.v1.NetworkPolicy(
                `${name}-netpol-${key}`,
                {
                    metadata: { name: key, namespace, labels },
                    spec: { podSelector, policyTypes: ["Ingress"], ingress },
                },
                { parent: this },
            );
        const tcp = (...ports: string[]) => ports.map((port) => ({ protocol: "TCP", port }));

        policy("default-deny-ingress", {}, []);
        // NodePort traffic arrives from node addresses (gateway, clinics): the node ports are
        // the live contract, so their pods accept any source on their serving port.
        policy("allow-node-ports", component(["php-backend", "frontend", "orthanc"]), [
            { ports: tcp("http", "fpm") },
        ]);
        // Clients by name: a family also holds pods that never use Redis (php's nginx).
        const names = {
            matchExpressions: [
                { key: "app.kubernetes.io/name", operator: "In", values: [...redisClients] },
            ],
        };
        policy("allow-redis-proxy-clients", component(["redis-proxy"]), [
            { from: [{ podSelector: names }], ports: tcp("redis") },
        ]);
        // Nodes replicate and Sentinels gossip among themselves; the proxy asks Sentinel for the
        // master and routes to it. Clients go through redis-sp (the data flow), never to a node.
        policy("allow-redis-nodes", component(["redis"]), [
            {
                from: [{ podSelector: component(["redis", "redis-proxy"]) }],
                ports: tcp("redis", "sentinel"),
            },
        ]);
        // Egress: every pod, one policy, so a pod without a rule of its own is still restricted.
        // Everything reached by Service name needs DNS first; the namespace's own pods are
        // reached directly (Redis, php-fpm) and are guarded by the ingress rules above.
        new k8s.networking.v1.NetworkPolicy(
            `${name}-netpol-restrict-egress`,
            {
                metadata: { name: "restrict-egress", namespace, labels },
                spec: {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [
                                {
                                    namespaceSelector: {
                                        matchLabels: {
                                            "kubernetes.io/metadata.name": "kube-system",
                                        },
                                    },
                                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                                },
                            ],
                            ports: [
                                { protocol: "UDP", port: 53 },
                                { protocol: "TCP", port: 53 },
                            ],
                        },
                        { to: [{ podSelector: {} }] },
                        ...egress.map((d) => ({
                            to: d.blocks.map((b) => ({
                                ipBlock: b.except
                                    ? { cidr: b.cidr, except: [...b.except] }
                                    : { cidr: b.cidr },
                            })),
                            ports: d.ports.map((port) => ({ protocol: "TCP", port })),
                        })),
                    ],
                },
            },
            { parent: this },
        );
    }
}
