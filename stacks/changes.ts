/**
 * Every deliberate difference between today's live namespace (docs/live-namespace.txt) and what
 * production1 deploys. The inventory test fails on any difference not listed here, and on any
 * entry here that README.md does not mention: nothing changes unannounced.
 */

/** A live value production1 changes. */
export interface ChangedValue {
    /** `Kind/name` of the live object. */
    readonly object: string;
    readonly field: string;
    readonly live: string | number;
    readonly production1: string | number;
    readonly why: string;
}

const CRITICAL_FLOOR = "seed recommendation: a baseline of 2 replicas for critical consumers";

// prettier-ignore
export const changedValues: readonly ChangedValue[] = [
    { object: "Deployment/consumer-dicom", field: "replicas", live: 1, production1: 2, why: CRITICAL_FLOOR },
    { object: "Deployment/consumer-ecg", field: "replicas", live: 1, production1: 2, why: CRITICAL_FLOOR },
    { object: "Deployment/consumer-pat-test-result-update", field: "replicas", live: 1, production1: 2, why: CRITICAL_FLOOR },
    { object: "Deployment/consumer-spc-aborted-booking", field: "replicas", live: 1, production1: 2, why: CRITICAL_FLOOR },
    { object: "ScaledObject/consumer-lis-testresult", field: "minReplicaCount", live: 1, production1: 2, why: CRITICAL_FLOOR },
    { object: "ScaledObject/consumer-spc-checkup-orders", field: "minReplicaCount", live: 1, production1: 2, why: CRITICAL_FLOOR },
    { object: "ScaledObject/consumer-spc-pdf-generate", field: "minReplicaCount", live: 1, production1: 2, why: CRITICAL_FLOOR },
    { object: "ScaledObject/consumer-spc-pdf-generate-examination", field: "minReplicaCount", live: 1, production1: 2, why: CRITICAL_FLOOR },
    {
        object: "HorizontalPodAutoscaler/sp-bnkd-php",
        field: "cpu averageUtilization",
        live: 85,
        production1: 70,
        why: "seed recommendation: lower the PHP CPU target to 70 % for faster response",
    },
    {
        object: "HorizontalPodAutoscaler/sp-bnkd-php",
        field: "minReplicas",
        live: 1,
        production1: 2,
        why: "php-fpm serves every clinic request: with one pod a node drain (its PDB allows one unavailable) evicts the only one; the inventory shows 4-8 running",
    },
    {
        object: "Service/sapoche-bknd-php",
        field: "port fpm (node port 32766) reachable from",
        live: "any address and any pod",
        production1: "nginx only (NetworkPolicy allow-fastcgi, adoption phase done)",
        why: "FastCGI has no authentication: reaching php-fpm is remote code execution; confirm nothing external uses it first (docs/network.md, FastCGI)",
    },
    {
        object: "Service/redis-sp",
        field: "selector",
        live: "redis-master pods",
        production1: "redis-proxy pods",
        why: "the proxy follows Sentinel failovers, so redis-sp:6379 keeps reaching the writable master",
    },
];

/** A live object production1 no longer runs. */
export interface RemovedObject {
    readonly object: string;
    readonly replacedBy: string;
    readonly why: string;
}

export const removedObjects: readonly RemovedObject[] = [
    {
        object: "Deployment/redis-master",
        replacedBy:
            "StatefulSet/redis (3 nodes, Sentinel) behind Service redis-sp via Deployment/redis-proxy",
        why: "seed recommendation: Redis Sentinel (3 nodes) instead of a single point of failure",
    },
];

/** Kinds production1 adds that the live namespace does not have (or does not list). */
export const addedKinds: readonly { readonly kind: string; readonly why: string }[] = [
    { kind: "StatefulSet", why: "Redis Sentinel nodes with their own volumes" },
    { kind: "PersistentVolumeClaim", why: "Redis data, protected from deletion" },
    { kind: "PodDisruptionBudget", why: "one pod down at a time for every multi-replica workload" },
    { kind: "NetworkPolicy", why: "ingress only along the data flow" },
    { kind: "ServiceAccount", why: "one per family, no API token mounted" },
    { kind: "ResourceQuota", why: "sized from the peak: max replicas x requests" },
    { kind: "LimitRange", why: "defaults for pods created by hand during incidents" },
    { kind: "ConfigMap", why: "Redis start scripts, HAProxy and Orthanc proxy config" },
    {
        kind: "TriggerAuthentication",
        why: "KEDA's broker credentials, from a Secret managed outside",
    },
    { kind: "PodMonitor", why: "scrape Redis, Sentinel and HAProxy" },
    { kind: "ServiceMonitor", why: "scrape Orthanc's metrics through its Service" },
    { kind: "PrometheusRule", why: "the inventory's monitoring priorities as alerts" },
    { kind: "AlertmanagerConfig", why: "inhibitions, so that one incident pages once" },
];

/** Objects production1 adds whose kind the live namespace already has. */
export const addedObjects: readonly { readonly object: string; readonly why: string }[] = [
    {
        object: "Deployment/redis-proxy",
        why: "keeps redis-sp:6379 pointing at the writable master",
    },
    { object: "Service/redis-sentinel", why: "endpoint for Sentinel-aware clients" },
    { object: "Service/redis-headless", why: "stable DNS names of the Redis nodes" },
];
