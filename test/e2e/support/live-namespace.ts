/**
 * Manifests shaped like today's live namespace, from docs/live-namespace.txt: every Deployment
 * at its live replica count (no security context, no probes, no resources), the 7 Services with
 * their node ports, the PHP HPA at 85 % CPU and the 4 KEDA ScaledObjects at minimum 1.
 * Assumptions the seed does not state, and that adoption relies on (README, "Adopting the live
 * namespace"): selectors are `app.kubernetes.io/name: <name>`, and containers carry the names
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
                    metadata: { labels: { ...selector(d.name), app: d.name } },
                    spec: {
                        containers: [
                            {
                                name: CONTAINER[d.name],
                                image: "registry.sapoche.internal/sapoche/live:2022.1",
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
                                  },
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
