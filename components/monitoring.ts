import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import type { IAlertmanagerConfig } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig";
import { renderInhibitRules } from "./monitoring-inhibit";
import type { MonitoringThresholds, RuleTargets } from "./monitoring-model";
import { renderRuleGroups } from "./monitoring-rules";
import { METRICS_PORTS } from "./shared/metrics";

export const MONITORING_TYPE = "sapoche:monitoring:Monitoring";

/** Arguments of the namespace's monitoring: what to scrape, what to alert on, how soon. */
export interface MonitoringArgs {
    /** Namespace the monitors and rules live in (the Namespace resource's name output). */
    readonly namespace: pulumi.Input<string>;
    /** Names and numbers the rules watch; `targets.namespace` is the same namespace, in plain. */
    readonly targets: RuleTargets;
    /** Thresholds and durations of this environment. */
    readonly thresholds: MonitoringThresholds;
    /** Namespace of the Prometheus that scrapes these pods. @default "monitoring" */
    readonly prometheusNamespace?: string;
    /**
     * Whether the scrape NetworkPolicy is created. False while the live namespace is adopted:
     * selecting a pod isolates it. @default true
     */
    readonly networkPolicy?: boolean;
}

// Named container ports the monitors scrape; the pods declare them (components/shared/metrics.ts).
const PORTS = {
    ...METRICS_PORTS,
    /** Orthanc's Service port through the read-only proxy (GET reaches Orthanc's metrics). */
    orthanc: "http",
} as const;

// Prometheus' duration grammar (model.ParseDuration): units in descending order, each once.
const DURATION = /^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Every problem of the plain arguments, so all of them are reported together. */
function problems(args: MonitoringArgs): string[] {
    const found: string[] = [];
    const walk = (prefix: string, value: object) => {
        for (const [key, v] of Object.entries(value)) {
            const field = `${prefix}.${key}`;
            if (typeof v === "object") walk(field, v);
            else if (typeof v === "string" && (v === "" || !DURATION.test(v))) {
                found.push(`\`${field}\` (${v}) must be a duration such as 90s, 5m or 1h30m`);
            } else if (typeof v === "number" && !(v > 0)) {
                found.push(`\`${field}\` (${v}) must be greater than 0`);
            }
        }
    };
    walk("thresholds", args.thresholds);
    const t = args.targets;
    const names = [
        t.namespace,
        ...t.criticalConsumers,
        ...t.kedaConsumers.map((c) => c.name),
        ...t.pdfWorkloads,
        ...t.services,
        t.redis.statefulSet,
        t.redis.proxy,
        t.orthanc,
        t.orthancClaim,
    ];
    // Names end up inside PromQL regexes and label matchers: only DNS labels are safe there.
    for (const name of names.filter((n) => !DNS_LABEL.test(n))) {
        found.push(`\`targets\` name (${JSON.stringify(name)}) must be a Kubernetes name`);
    }
    if (args.thresholds.redis.memoryPercent >= 100) {
        found.push(
            `\`thresholds.redis.memoryPercent\` (${args.thresholds.redis.memoryPercent}) must be below 100`,
        );
    }
    if (args.thresholds.orthanc.minFreePercent >= 100) {
        found.push(
            `\`thresholds.orthanc.minFreePercent\` (${args.thresholds.orthanc.minFreePercent}) must be below 100`,
        );
    }
    return found;
}

/**
 * The namespace's monitoring priorities as Prometheus Operator objects: PodMonitors for Redis
 * (redis_exporter beside Redis and Sentinel) and the HAProxy tier, a
 * ServiceMonitor for Orthanc, one PrometheusRule with every alert, one AlertmanagerConfig whose
 * inhibition rules make one incident page once, and the NetworkPolicy that lets Prometheus reach
 * the metrics ports past the namespace's default deny.
 */
export class Monitoring extends pulumi.ComponentResource {
    public readonly rules: k8s.apiextensions.CustomResource;
    public readonly podMonitors: Record<string, k8s.apiextensions.CustomResource>;
    public readonly serviceMonitor: k8s.apiextensions.CustomResource;
    public readonly inhibitions: k8s.apiextensions.CustomResource;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super(MONITORING_TYPE, name, {}, opts);
        const found = problems(args);
        if (found.length > 0) {
            throw new Error(`Monitoring ${name}: ${found.join("; ")}`);
        }
        const t = args.targets;
        const prometheusNamespace = args.prometheusNamespace ?? "monitoring";
        const labels = {
            "app.kubernetes.io/name": name,
            "app.kubernetes.io/component": "monitoring",
            "app.kubernetes.io/part-of": "sapoche",
            "app.kubernetes.io/managed-by": "pulumi",
        };
        const metadata = (suffix: string) => ({
            name: `${name}-${suffix}`,
            namespace: args.namespace,
            labels,
        });
        const selectNames = (names: readonly string[]) => ({
            matchExpressions: [
                { key: "app.kubernetes.io/name", operator: "In", values: [...names] },
            ],
        });
        // Copied onto every series: rules select a workload's series by its name.
        const podTargetLabels = ["app.kubernetes.io/name"];

        const podMonitor = (
            suffix: string,
            names: readonly string[],
            ports: readonly string[],
        ): k8s.apiextensions.CustomResource => {
            const spec: IPodMonitor["spec"] = {
                selector: selectNames(names),
                podTargetLabels,
                podMetricsEndpoints: ports.map((port) => ({ port, path: "/metrics" })),
            };
            return new k8s.apiextensions.CustomResource(
                `${name}-${suffix}`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: metadata(suffix),
                    spec,
                },
                { parent: this },
            );
        };
        this.podMonitors = {
            redis: podMonitor(
                "redis",
                [t.redis.statefulSet],
                [PORTS.metrics, PORTS.sentinelMetrics],
            ),
            "redis-proxy": podMonitor("redis-proxy", [t.redis.proxy], [PORTS.metrics]),
        };

        const serviceMonitorSpec: IServiceMonitor["spec"] = {
            selector: { matchLabels: { "app.kubernetes.io/name": t.orthanc } },
            podTargetLabels,
            endpoints: [{ port: PORTS.orthanc, path: "/tools/metrics-prometheus" }],
        };
        this.serviceMonitor = new k8s.apiextensions.CustomResource(
            `${name}-orthanc`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: metadata("orthanc"),
                spec: serviceMonitorSpec,
            },
            { parent: this },
        );

        const groups = renderRuleGroups(t, args.thresholds);
        const ruleSpec: IPrometheusRule["spec"] = { groups };
        this.rules = new k8s.apiextensions.CustomResource(
            `${name}-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: metadata("rules"),
                spec: ruleSpec,
            },
            { parent: this },
        );

        // Inhibitions only: who is paged, and how, is the platform's Alertmanager route, which
        // this namespace does not know (docs/assumptions.md).
        const inhibitSpec: IAlertmanagerConfig["spec"] = {
            inhibitRules: renderInhibitRules(t, groups),
        };
        this.inhibitions = new k8s.apiextensions.CustomResource(
            `${name}-inhibit`,
            {
                apiVersion: "monitoring.coreos.com/v1alpha1",
                kind: "AlertmanagerConfig",
                metadata: metadata("inhibit"),
                spec: inhibitSpec,
            },
            { parent: this },
        );

        // The namespace denies ingress by default; Orthanc's port is already open (NodePort).
        if (args.networkPolicy ?? true) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-allow-scrape`,
                {
                    metadata: { ...metadata("allow-scrape"), name: "allow-prometheus-scrape" },
                    spec: {
                        podSelector: selectNames([t.redis.statefulSet, t.redis.proxy]),
                        policyTypes: ["Ingress"],
                        ingress: [
                            {
                                from: [
                                    {
                                        namespaceSelector: {
                                            matchLabels: {
                                                "kubernetes.io/metadata.name": prometheusNamespace,
                                            },
                                        },
                                    },
                                ],
                                ports: [PORTS.metrics, PORTS.sentinelMetrics].map((port) => ({
                                    protocol: "TCP",
                                    port,
                                })),
                            },
                        ],
                    },
                },
                { parent: this },
            );
        }

        this.registerOutputs({}); // children are properties, not outputs: see shared/child.ts
    }
}
