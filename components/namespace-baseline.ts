import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FAMILIES, Family } from "./shared/labels";

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
}

/** Pods that talk to Redis (app.kubernetes.io/component values). */
const REDIS_CLIENTS = ["php-backend", "queue-consumer", "worker", "scheduler"];

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
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                    },
                },
            },
            { parent: this, protect: true },
        );
        this.namespace = ns.metadata.name;
        const namespace = this.namespace;

        new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: { name: "sapoche-peak", namespace, labels },
                spec: {
                    hard: {
                        pods: String(args.peak.pods),
                        "requests.cpu": args.peak.requestsCpu,
                        "requests.memory": args.peak.requestsMemory,
                        "limits.cpu": args.peak.limitsCpu,
                        "limits.memory": args.peak.limitsMemory,
                        persistentvolumeclaims: String(args.peak.persistentVolumeClaims),
                        "requests.storage": args.peak.requestsStorage,
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
                    limits: [
                        {
                            type: "Container",
                            defaultRequest: { cpu: "100m", memory: "128Mi" },
                            default: { cpu: "500m", memory: "256Mi" },
                            max: { cpu: "4", memory: "8Gi" },
                        },
                    ],
                },
            },
            { parent: this },
        );

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

        this.networkPolicies(name, namespace, labels);
        this.registerOutputs({ namespace: this.namespace, serviceAccounts: this.serviceAccounts });
    }

    /**
     * Ingress along the data flow; egress stays open (databases, brokers and storage live
     * outside the namespace at addresses this program does not know).
     */
    private networkPolicies(
        name: string,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
    ): void {
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
        policy("allow-redis-proxy-clients", component(["redis-proxy"]), [
            { from: [{ podSelector: component(REDIS_CLIENTS) }], ports: tcp("redis") },
        ]);
        // Nodes replicate and Sentinels gossip among themselves; the proxy health-checks the
        // nodes; Sentinel-aware clients ask Sentinel for the master and then connect to it.
        policy("allow-redis-nodes", component(["redis"]), [
            {
                from: [{ podSelector: component(["redis", "redis-proxy", ...REDIS_CLIENTS]) }],
                ports: tcp("redis", "sentinel"),
            },
        ]);
    }
}
