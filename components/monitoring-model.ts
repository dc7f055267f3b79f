/**
 * The monitoring family's model: what the alert rules watch (targets), how soon they fire
 * (thresholds, from stack config), the alert names, and the helpers that write PromQL selectors
 * and alerting rules. Pure data, no Pulumi: the promtool tests use it directly.
 */
import type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";

/** A Prometheus duration as the config writes it: `90s`, `5m`, `2h`. */
export type Duration = string;

/** Thresholds and durations per environment (stack config `monitoring`). */
export interface MonitoringThresholds {
    readonly autoscaling: {
        /** How long an autoscaler may sit at its maximum before it pages. */
        readonly atMaxFor: Duration;
        /** Window in which desired-replica changes are counted. */
        readonly flappingWindow: Duration;
        /** More changes than this within the window is flapping. */
        readonly flappingChanges: number;
    };
    readonly queues: {
        /** How long a KEDA queue may stay above its threshold while still growing. */
        readonly growingFor: Duration;
        /** How long a queue may hold messages without its depth ever dropping. */
        readonly stuckFor: Duration;
        /** How long a critical consumer may run no available pod. */
        readonly unavailableFor: Duration;
    };
    readonly pdf: {
        /** p95 of the PDF generation time above this many seconds is slow. */
        readonly p95Seconds: number;
        readonly for: Duration;
    };
    readonly redis: {
        readonly noMasterFor: Duration;
        /** How long the failover notice stays up after the master moved. */
        readonly failoverWindow: Duration;
        readonly quorumLostFor: Duration;
        readonly replicationBrokenFor: Duration;
        /** Used memory above this % of `maxmemory`. */
        readonly memoryPercent: number;
        readonly memoryFor: Duration;
        readonly proxyNoMasterFor: Duration;
    };
    readonly orthanc: {
        /** Size of Orthanc's storage (it reports what it uses, not what is free). */
        readonly storageCapacityGi: number;
        /** Free space below this % of the capacity is low. */
        readonly minFreePercent: number;
        readonly for: Duration;
    };
    readonly rollouts: {
        /** How long a Deployment may report that it stopped progressing. */
        readonly stuckFor: Duration;
    };
}

/** A KEDA-scaled consumer: its ScaledObject's name and queue threshold (messages per replica). */
export interface KedaConsumerTarget {
    readonly name: string;
    readonly queueThreshold: number;
}

/** What the rules watch: plain names, as they appear in metric labels. */
export interface RuleTargets {
    /** The namespace's name (the `namespace` label of every series). */
    readonly namespace: string;
    /** Critical consumers (Deployments) that must always run a pod. */
    readonly criticalConsumers: readonly string[];
    /** KEDA consumers, whose queue depth KEDA exports. */
    readonly kedaConsumers: readonly KedaConsumerTarget[];
    /** Deployments that generate PDFs and export the PDF histogram. */
    readonly pdfWorkloads: readonly string[];
    /** Redis: StatefulSet and proxy names, node count, Sentinel master set, HAProxy backend. */
    readonly redis: {
        readonly statefulSet: string;
        readonly proxy: string;
        readonly nodes: number;
        readonly masterSet: string;
        readonly proxyBackend: string;
    };
    /** Orthanc's Deployment name. */
    readonly orthanc: string;
    /** Address of the README; each alert links to its section (`#<alert name, lowercased>`). */
    readonly runbookBaseUrl: string;
}

/** The histogram the PDF consumers and workers must export (an assumption, see README). */
export const PDF_HISTOGRAM = "sapoche_pdf_generation_duration_seconds";

/**
 * The pod label our monitors copy onto every series (`podTargetLabels`), so rules can select a
 * workload's series by its name whatever the scrape job is called.
 */
export const WORKLOAD_LABEL = "app_kubernetes_io_name";

/** Every alert, by the priority of the inventory it serves. */
export const ALERTS = {
    autoscalerAtMax: "SapocheAutoscalerAtMax",
    autoscalerFlapping: "SapocheAutoscalerFlapping",
    queueBacklogGrowing: "SapocheQueueBacklogGrowing",
    queueStuck: "SapocheQueueStuck",
    criticalConsumerUnavailable: "SapocheCriticalConsumerUnavailable",
    pdfGenerationSlow: "SapochePdfGenerationSlow",
    redisNoMaster: "SapocheRedisNoMaster",
    redisFailover: "SapocheRedisFailover",
    redisSentinelQuorumLost: "SapocheRedisSentinelQuorumLost",
    redisReplicationBroken: "SapocheRedisReplicationBroken",
    redisMemoryNearLimit: "SapocheRedisMemoryNearLimit",
    redisProxyNoMaster: "SapocheRedisProxyNoMaster",
    orthancStorageLow: "SapocheOrthancStorageLow",
    rolloutStuck: "SapocheRolloutStuck",
} as const;
export type AlertName = (typeof ALERTS)[keyof typeof ALERTS];

/** `metric{k="v", k2=~"a|b"}`; a value in an array becomes an anchored alternation. */
export function sel(metric: string, matchers: Record<string, string | readonly string[]>): string {
    const body = Object.entries(matchers)
        .map(([k, v]) => (typeof v === "string" ? `${k}="${v}"` : `${k}=~"${v.join("|")}"`))
        .join(", ");
    return `${metric}{${body}}`;
}

/** An alerting rule with its severity, summary, description and README runbook link. */
export function alert(
    t: RuleTargets,
    name: AlertName,
    severity: "critical" | "warning" | "info",
    expr: string,
    forDuration: Duration | undefined,
    summary: string,
    description: string,
    labels: Record<string, string> = {},
): IRule {
    return {
        alert: name,
        expr,
        ...(forDuration ? { for: forDuration } : {}),
        labels: { severity, ...labels },
        annotations: {
            summary,
            description,
            runbook_url: `${t.runbookBaseUrl}#${name.toLowerCase()}`,
        },
    };
}
