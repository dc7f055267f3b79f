/**
 * Manifests shaped like today's live namespace, from docs/live-namespace.txt: every Deployment
 * at its live replica count (no resources, no container security context), the 7 Services with
 * their node ports, the PHP HPA at 85 % CPU and the 4 KEDA ScaledObjects at minimum 1.
 *
 * What the inventory does not give is made up here in a live namespace's shape, so that
 * `npm run import-live` has something to read back (issue 12): each container's command, args,
 * env (literals, a Secret and a ConfigMap reference, a field reference, and a broker URL with a
 * password in it, which must never reach config), envFrom, volumes and mounts, probes, and the
 * pods' live labels (`app.kubernetes.io/name`, `app`, `tier`); php-fpm runs as a user of its own.
 * Containers declare no ports (the Services target numbers). Exported pieces let tests compare.
 *
 * Assumptions the seed does not state, and that adoption relies on (docs/operations/adoption.md): selectors are `app.kubernetes.io/name: <name>`, and containers carry the names
 * this program gives them (an immutable selector or a renamed container cannot be adopted in
 * place).
 */
import * as catalog from "../../../stacks/catalog";
import { readSeed } from "../../support/seed";

const CONTAINER: Record<string, string> = Object.fromEntries([
    ...catalog.consumers.map((c) => [c.name, "consumer"]),
    ...catalog.workers.map((w) => [w.name, "worker"]),
    ...catalog.frontends.map((f) => [f.name, "nginx"]),
    [catalog.phpBackend.fpm.name, "php-fpm"],
    [catalog.phpBackend.nginx.name, "nginx"],
    [catalog.orthanc.name, "orthanc"],
    [catalog.redis.liveName, "redis"],
    [catalog.schedulerName("prod"), "scheduler"],
]);

type Any = Record<string, unknown>;

/** A credential-looking literal of the live namespace: a URL with a password in it. */
export const LIVE_BROKER_URL = "amqp://sapoche:live-broker-pass@rabbitmq.internal:5672/sapoche";

const QUEUE = new Map<string, string>([
    ...catalog.consumers.map((c) => [c.name, c.queue] as const),
    ...catalog.workers.map((w) => [w.name, w.queue] as const),
]);
const BACKEND = new Set([
    ...QUEUE.keys(),
    catalog.phpBackend.fpm.name,
    catalog.schedulerName("prod"),
]);

const exec = (command: string[], periodSeconds: number) => ({
    exec: { command },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold: 3,
});
const http = (port: number, path = "/") => ({
    httpGet: { path, port, scheme: "HTTP" },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
});

/** The `tier` label the live pods carry, by workload. */
export function liveTier(name: string): string {
    if (BACKEND.has(name)) return "backend";
    if (name === catalog.orthanc.name) return "imaging";
    if (name === catalog.redis.liveName) return "cache";
    return "web";
}

/** What the live container of a workload runs and sees, and the pod's volumes and user. */
export function liveContainer(name: string): { container: Any; pod: Any } {
    const queue = QUEUE.get(name);
    const backendEnv = [
        { name: "APP_ENV", value: "prod" },
        { name: "DB_HOST", value: "mysql.internal" },
        {
            name: "DB_PASSWORD",
            valueFrom: { secretKeyRef: { name: "sapoche-db", key: "password" } },
        },
        {
            name: "APP_LOCALE",
            valueFrom: { configMapKeyRef: { name: "sapoche-app", key: "locale" } },
        },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "BROKER_URL", value: LIVE_BROKER_URL },
    ];
    const appConfig = {
        volumes: [
            { name: "app-config", configMap: { name: "sapoche-app" } },
            { name: "tmp", emptyDir: {} },
        ],
        mounts: [
            { name: "app-config", mountPath: "/app/config/live", readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
        ],
    };
    const alive = ["/bin/sh", "-c", "pgrep -f 'bin/console|artisan' >/dev/null"];
    if (queue !== undefined || name === catalog.schedulerName("prod")) {
        const consumer = catalog.consumers.some((c) => c.name === name);
        const args =
            queue === undefined
                ? ["artisan", "schedule:work"]
                : consumer
                  ? ["bin/console", "messenger:consume", queue, "--time-limit=3600"]
                  : ["artisan", "queue:work", "redis", `--queue=${queue}`];
        return {
            container: {
                command: ["php"],
                args,
                env: [...backendEnv, ...(queue ? [{ name: "QUEUE", value: queue }] : [])],
                envFrom: [{ configMapRef: { name: "sapoche-app" } }],
                volumeMounts: appConfig.mounts,
                livenessProbe: exec(alive, 30),
                readinessProbe: exec(alive, 10),
            },
            pod: { volumes: appConfig.volumes },
        };
    }
    if (name === catalog.phpBackend.fpm.name) {
        return {
            container: {
                env: backendEnv,
                envFrom: [{ configMapRef: { name: "sapoche-app" } }],
                volumeMounts: appConfig.mounts,
                livenessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 20, timeoutSeconds: 3 },
                readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 10, timeoutSeconds: 3 },
            },
            pod: {
                volumes: appConfig.volumes,
                securityContext: { runAsUser: 33, runAsGroup: 33, fsGroup: 33 },
            },
        };
    }
    if (name === catalog.orthanc.name) {
        return {
            container: {
                env: [{ name: "ORTHANC__NAME", value: "sapoche-read" }],
                volumeMounts: [{ name: "config", mountPath: "/etc/orthanc", readOnly: true }],
                livenessProbe: http(8042, "/system"),
                readinessProbe: http(8042, "/system"),
            },
            pod: { volumes: [{ name: "config", secret: { secretName: "orthanc-config" } }] },
        };
    }
    if (name === catalog.redis.liveName) return { container: {}, pod: {} };
    return { container: { livenessProbe: http(80), readinessProbe: http(80) }, pod: {} };
}

export function liveNamespace(namespace: string): object[] {
    const seed = readSeed();
    const selector = (name: string) => ({ "app.kubernetes.io/name": name });
    const objects: object[] = [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    ];
    for (const d of seed.deployments) {
        objects.push({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: d.name, namespace, labels: { app: d.name } },
            spec: {
                replicas: d.replicas,
                selector: { matchLabels: selector(d.name) },
                template: {
                    metadata: {
                        labels: { ...selector(d.name), app: d.name, tier: liveTier(d.name) },
                    },
                    spec: {
                        ...liveContainer(d.name).pod,
                        containers: [
                            {
                                name: CONTAINER[d.name],
                                image: "registry.sapoche.internal/sapoche/live:2022.1",
                                ...liveContainer(d.name).container,
                            },
                        ],
                    },
                },
            },
        });
    }
    const workload = (service: string) =>
        catalog.nodePortServices.find((s) => s.name === service)?.selects ?? catalog.redis.liveName;
    for (const s of seed.services) {
        const ports = catalog.nodePortServices.find((x) => x.name === s.name)?.ports ?? [
            { name: "redis", port: 6379, targetPort: "redis" },
        ];
        objects.push({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: s.name, namespace },
            spec: {
                type: s.type,
                selector: selector(workload(s.name)),
                ports: ports.map((p, i) => ({
                    name: p.name,
                    port: p.port,
                    targetPort: p.port,
                    protocol: "TCP",
                    ...(s.nodePorts[i] ? { nodePort: s.nodePorts[i] } : {}),
                })),
            },
        });
    }
    for (const h of seed.hpas) {
        const target = { apiVersion: "apps/v1", kind: "Deployment", name: h.target };
        objects.push(
            h.keda
                ? {
                      apiVersion: "keda.sh/v1alpha1",
                      kind: "ScaledObject",
                      metadata: { name: h.target, namespace },
                      spec: {
                          scaleTargetRef: target,
                          minReplicaCount: h.min,
                          maxReplicaCount: h.max,
                          triggers: [
                              {
                                  type: "rabbitmq",
                                  metadata: {
                                      mode: "QueueLength",
                                      value: "20",
                                      queueName: h.target,
                                      vhostName: "sapoche",
                                  },
                                  authenticationRef: { name: "keda-trigger-auth-rabbitmq" },
                              },
                          ],
                      },
                  }
                : {
                      apiVersion: "autoscaling/v2",
                      kind: "HorizontalPodAutoscaler",
                      metadata: { name: h.name, namespace },
                      spec: {
                          scaleTargetRef: target,
                          minReplicas: h.min,
                          maxReplicas: h.max,
                          metrics: [
                              {
                                  type: "Resource",
                                  resource: {
                                      name: "cpu",
                                      target: { type: "Utilization", averageUtilization: h.cpu },
                                  },
                              },
                          ],
                      },
                  },
        );
    }
    return objects;
}
