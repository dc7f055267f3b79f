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
    readonly inputs: {
        /** How long an alert's input series may be missing before that silence pages. */
        readonly absentFor: Duration;
        /** How long one of our scrape targets may be down. */
        readonly targetDownFor: Duration;
    };
    readonly services: {
        /** How long a user-facing Deployment may run fewer available pods than it needs. */
        readonly degradedFor: Duration;
        /** How long a user-facing Deployment may run no available pod at all. */
        readonly downFor: Duration;
    };
    readonly autoscaling: {
        /** How long an autoscaler may sit at its maximum before it pages. */
        readonly atMaxFor: Duration;
        /** Window in which desired-replica changes are counted. */
        readonly flappingWindow: Duration;
        /** More changes than this within the window is flapping. */
        readonly flappingChanges: number;
        /** How long an autoscaler may want more replicas than it runs (quota, scheduling). */
        readonly blockedFor: Duration;
        /** How long an autoscaler may report `ScalingActive=false` (it has no metrics). */
        readonly metricsMissingFor: Duration;
    };
    readonly queues: {
        /** How long a KEDA queue may stay above its threshold while still growing. */
        readonly growingFor: Duration;
        /** How long a queue may hold messages while no pod of its consumer is available. */
        readonly stuckFor: Duration;
        /** How long a critical consumer may run no available pod. */
        readonly unavailableFor: Duration;
    };
    readonly pdf: {
        /** How long a PDF queue may hold messages without ever draining. */
        readonly backlogAgeFor: Duration;
        /** How long a PDF producer may run fewer available pods than it needs. */
        readonly workersUnavailableFor: Duration;
    };
    readonly redis: {
        readonly noMasterFor: Duration;
        /**
         * How long more than one node may report role master: a switchover (about 2 s) and
         * Sentinel demoting an old master that comes back (about 10 s) stay below it.
         */
        readonly twoMastersFor: Duration;
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
        /** Free space below this % of the volume's capacity is low. */
        readonly minFreePercent: number;
        /** Free space predicted to run out within this many days is filling up. */
        readonly fullWithinDays: number;
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
    /** User-facing Deployments: the PHP backend and its nginx, Orthanc, the frontends. */
    readonly services: readonly string[];
    /** Critical consumers (Deployments) that must always run a pod. */
    readonly criticalConsumers: readonly string[];
    /** KEDA consumers, whose queue depth KEDA exports. */
    readonly kedaConsumers: readonly KedaConsumerTarget[];
    /** The KEDA consumers that generate PDFs (their queues are the PDF backlog). */
    readonly pdfQueues: readonly string[];
    /** Deployments that generate PDFs (consumers and workers). */
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
    /** The PersistentVolumeClaim holding Orthanc's storage (its kubelet volume stats). */
    readonly orthancClaim: string;
    /** Folder of the runbooks on the forge; each alert links to `<base>/<alert>.md`. */
    readonly runbookBaseUrl: string;
}

/**
 * The pod label our monitors copy onto every series (`podTargetLabels`), so rules can select a
 * workload's series by its name whatever the scrape job is called.
 */
export const WORKLOAD_LABEL = "app_kubernetes_io_name";

/** Every alert, by the priority of the inventory it serves. */
export const ALERTS = {
    alertInputAbsent: "SapocheAlertInputAbsent",
    scrapeTargetDown: "SapocheScrapeTargetDown",
    serviceDown: "SapocheServiceDown",
    serviceDegraded: "SapocheServiceDegraded",
    autoscalerAtMax: "SapocheAutoscalerAtMax",
    autoscalerFlapping: "SapocheAutoscalerFlapping",
    autoscalerScaleUpBlocked: "SapocheAutoscalerScaleUpBlocked",
    autoscalerMetricsMissing: "SapocheAutoscalerMetricsMissing",
    queueBacklogGrowing: "SapocheQueueBacklogGrowing",
    queueStuck: "SapocheQueueStuck",
    criticalConsumerUnavailable: "SapocheCriticalConsumerUnavailable",
    pdfBacklogOld: "SapochePdfBacklogOld",
    pdfWorkersUnavailable: "SapochePdfWorkersUnavailable",
    redisNoMaster: "SapocheRedisNoMaster",
    redisTwoMasters: "SapocheRedisTwoMasters",
    redisFailover: "SapocheRedisFailover",
    redisSentinelQuorumLost: "SapocheRedisSentinelQuorumLost",
    redisReplicationBroken: "SapocheRedisReplicationBroken",
    redisMemoryNearLimit: "SapocheRedisMemoryNearLimit",
    redisProxyNoMaster: "SapocheRedisProxyNoMaster",
    orthancStorageLow: "SapocheOrthancStorageLow",
    orthancStorageFillingUp: "SapocheOrthancStorageFillingUp",
    rolloutStuck: "SapocheRolloutStuck",
} as const;
export type AlertName = (typeof ALERTS)[keyof typeof ALERTS];

/**
 * The severity scheme (docs/operations/alerts.md): `critical` pages now (patients or clinics are
 * affected, or the paging itself is blind); `warning` is worked within office hours (a cause, a
 * degradation with headroom left, a trend); `info` is a notice that needs no action by itself.
 */
export type Severity = "critical" | "warning" | "info";

/** `metric{k="v", k2=~"a|b"}`; a value in an array becomes an anchored alternation. */
export function sel(metric: string, matchers: Record<string, string | readonly string[]>): string {
    const body = Object.entries(matchers)
        .map(([k, v]) => (typeof v === "string" ? `${k}="${v}"` : `${k}=~"${v.join("|")}"`))
        .join(", ");
    return `${metric}{${body}}`;
}

/** An alerting rule with its severity, summary, description and runbook page. */
export function alert(
    t: RuleTargets,
    name: AlertName,
    severity: Severity,
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
        // An AlertmanagerConfig acts only on alerts labelled with its namespace: aggregations
        // drop the label, so every alert carries it.
        labels: { severity, namespace: t.namespace, ...labels },
        annotations: {
            summary,
            description,
            runbook_url: `${t.runbookBaseUrl}/${name}.md`,
        },
    };
}
