/**
 * The metrics ports of the namespace's pods: the names the monitoring's PodMonitors and the
 * scrape NetworkPolicy refer to (components/monitoring.ts), and the numbers our own exporters
 * listen on. The pods declare them; test/monitoring/scrape-ports.test.ts proves every port a
 * PodMonitor scrapes exists on every pod it selects.
 */

/** Names of the container ports Prometheus scrapes. */
export const METRICS_PORTS = {
    /** redis_exporter beside each Redis, and HAProxy's Prometheus endpoint. */
    metrics: "metrics",
    /** redis_exporter beside each Sentinel. */
    // At most 15 characters: the API server refuses a longer port name (IANA service name).
    sentinelMetrics: "sentinel-export",
} as const;

/** Where our own exporters listen (the application's port is stack config). */
export const EXPORTER_PORTS = {
    /** redis_exporter beside Redis: its default port. */
    redis: 9121,
    /** redis_exporter beside Sentinel: the port Sentinel exporters conventionally use. */
    sentinel: 9355,
    /** HAProxy's `prometheus-exporter` service: the port HAProxy's documentation uses. */
    haproxy: 8405,
} as const;
