/**
 * The metrics ports of the namespace's pods: the names the monitoring's PodMonitors and the
 * scrape NetworkPolicy refer to (components/monitoring.ts), and the numbers our own exporters
 * listen on. The pods declare them; test/monitoring/scrape-ports.test.ts proves every port a
 * PodMonitor scrapes exists on every pod it selects.
 */

import type { Probes } from "./args";

/** Names of the container ports Prometheus scrapes. */
export const METRICS_PORTS = {
    /**
     * redis_exporter beside each Redis, HAProxy's Prometheus endpoint, and the PDF consumers' and
     * workers' own metrics (the PDF histogram).
     */
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

/**
 * The container fields of a queue process that serves its metrics on `port`: the named port.
 * Nothing when `port` is undefined. A container with a port needs a readiness probe (the pack's
 * `missing-container-probes`), so one without is refused here, before any preview.
 */
export function metricsPortFields(
    who: string,
    port: number | undefined,
    probes: Probes,
): { ports?: Record<string, number> } {
    if (port === undefined) return {};
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`${who}: \`metricsPort\` (${port}) must be a port number (1-65535)`);
    }
    if (probes.readiness === undefined) {
        throw new Error(
            `${who}: serves metrics on port ${port} but has no readiness probe; a container with a port needs one`,
        );
    }
    return { ports: { [METRICS_PORTS.metrics]: port } };
}
