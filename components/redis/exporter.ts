/**
 * The redis_exporter sidecars of each Redis pod (one beside Redis, one beside Sentinel): the
 * metrics behind the Redis alerts (see components/monitoring-rules.ts).
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Resources } from "../shared/args";
import { httpProbe, resourcesOf } from "../shared/defaults";
import { ContainerArgs, secureContainer } from "../shared/pod";

/**
 * A redis_exporter sidecar scraping the Redis or Sentinel of its own pod on `target`, serving
 * `/metrics` on the named `port`. The password comes from the Secret Redis uses, through the
 * environment variable the exporter reads (`REDIS_PASSWORD`), never its command line.
 */
export function redisExporter(e: {
    readonly name: string;
    readonly image: string;
    readonly resources: Resources;
    readonly target: number;
    readonly port: readonly [string, number];
    readonly password: k8s.types.input.core.v1.EnvVarSource;
}): ContainerArgs {
    const [portName, port] = e.port;
    return secureContainer({
        name: e.name,
        image: e.image,
        args: [
            `--redis.addr=redis://localhost:${e.target}`,
            `--web.listen-address=:${port}`,
            // Redis' and Sentinel's metrics only, not the exporter's own Go runtime.
            "--redis-only-metrics",
        ],
        env: { REDIS_PASSWORD: e.password },
        ports: { [portName]: port },
        resources: resourcesOf(e.resources),
        // `/health` answers while the exporter runs, whatever Redis does: a Redis outage shows
        // as `redis_up 0`, and does not restart the exporter or make the pod unready.
        readinessProbe: httpProbe(portName, "/health"),
        livenessProbe: httpProbe(portName, "/health"),
        writable: ["/tmp"],
    });
}
