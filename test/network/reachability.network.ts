/**
 * Reachability proven by a real NetworkPolicy analyzer (issue 12, design.md "Behaviour, not only
 * shape"): np-guard's network-config-analyzer computes who can reach whom from the program's own
 * NetworkPolicies and the pods' labels of each adoption phase; the inventory's data flow is the
 * expectation. Needs `bash scripts/network-tools.sh` (npm run test:network; README, "Network
 * reachability").
 */
import { strict as assert } from "assert";
import { K8sObject, toObjects } from "../../scripts/lib/objects";
import { networkSchema } from "../../stacks/network";
import { liveNamespace } from "../e2e/support/live-namespace";
import {
    evaluateProgram,
    PROJECT,
    readStackConfig,
    stackSettings,
    StackName,
} from "../support/program";
import { analyze, ncaPath, Phase, reaches, ADDRESSES, PEERS } from "./support/analyzer";
import {
    cutEdges,
    dataFlow,
    egressViolations,
    scrapeEdges,
    unexpectedIngress,
} from "./support/flow";

/** The stack file's `sapoche-stack:network`, validated as the program validates it. */
const egressConfig = (stack: StackName) =>
    networkSchema.parse(readStackConfig(stack)[`${PROJECT}:network`]);

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet"]);
const ofKind = (objects: readonly K8sObject[], kinds: Set<string>) =>
    objects.filter((o) => kinds.has(o.kind));

/** The program's objects with `adopt` set as given. */
async function programObjects(stack: StackName, adopt: boolean) {
    const config = { ...readStackConfig(stack), [`${PROJECT}:adopt`]: adopt };
    const resources = await evaluateProgram(stack, config);
    const imported = new Set(
        resources
            .filter((r) => r.importId)
            .map((r) => (r.props as unknown as K8sObject).metadata.name),
    );
    return { objects: toObjects(resources), imported };
}

/** After the reshape (`adopt: false`): the program's policies, pods and Services. */
async function reshaped(stack: StackName): Promise<Phase> {
    const { objects } = await programObjects(stack, false);
    return {
        name: `${stack}-reshaped`,
        namespace: stackSettings(stack).namespace,
        policies: ofKind(objects, new Set(["NetworkPolicy"])),
        workloads: ofKind(objects, WORKLOAD_KINDS),
        services: ofKind(objects, new Set(["Service"])),
    };
}

/**
 * The adoption update (`adopt: true`): imported objects keep their live content (stacks/
 * adoption.ts ignores their metadata and spec), so the pods and Services are the live ones
 * (test/e2e/support/live-namespace.ts, the seed's live shape: labels `app.kubernetes.io/name`
 * and `app`, no named ports); what the update creates (Redis, the proxy) has the program's shape.
 */
async function adopting(stack: StackName): Promise<Phase> {
    const namespace = stackSettings(stack).namespace;
    const { objects, imported } = await programObjects(stack, true);
    const live = liveNamespace(namespace) as K8sObject[];
    const created = objects.filter((o) => !imported.has(o.metadata.name));
    return {
        name: `${stack}-adopting`,
        namespace,
        policies: ofKind(objects, new Set(["NetworkPolicy"])),
        workloads: [...ofKind(live, WORKLOAD_KINDS), ...ofKind(created, WORKLOAD_KINDS)],
        services: [...ofKind(live, new Set(["Service"])), ...ofKind(created, new Set(["Service"]))],
    };
}

describe("network reachability (network-config-analyzer)", function () {
    let nca: string;
    before(() => {
        nca = ncaPath();
    });

    for (const stack of ["production1", "staging"] as const) {
        describe(`${stack}, reshaped (adopt: false)`, () => {
            let phase: Phase;
            let allowed: ReturnType<typeof analyze>;
            const environment = () => stackSettings(stack).environment;
            before(async () => {
                phase = await reshaped(stack);
                allowed = analyze(phase, nca);
            });

            it("allows every edge of the inventory's data flow", () => {
                const edges = dataFlow(phase, environment());
                assert.ok(edges.length > 40, `only ${edges.length} edges derived`);
                assert.deepEqual(cutEdges(allowed, edges), []);
            });

            it("lets Prometheus scrape every exporter and PDF producer on the port its PodMonitor names", () => {
                // The peer stands for the stack's Prometheus only if it runs where config says.
                assert.equal(
                    stackSettings(stack).monitoring.prometheusNamespace,
                    PEERS.prometheus.namespace,
                );
                const edges = scrapeEdges(phase);
                assert.equal(edges.length, 3 + 8, edges.map((e) => e.what).join("\n"));
                assert.deepEqual(cutEdges(allowed, edges), []);
            });

            it("lets nothing else reach the namespace's pods", () => {
                const edges = [...dataFlow(phase, environment()), ...scrapeEdges(phase)];
                assert.deepEqual(unexpectedIngress(allowed, edges, phase.namespace), []);
            });

            it("restricts egress to DNS, the namespace and the configured destinations, never the metadata address", () => {
                assert.deepEqual(egressViolations(allowed, phase, egressConfig(stack)), []);
            });
        });
    }

    describe("production1, adoption update (adopt: true, live pod labels)", () => {
        let phase: Phase;
        let allowed: ReturnType<typeof analyze>;
        before(async () => {
            phase = await adopting("production1");
            allowed = analyze(phase, nca);
        });

        it("allows every edge of the data flow to the live pods", () => {
            const edges = dataFlow(phase, stackSettings("production1").environment);
            // The live redis-sp still selects redis-master: the clients' edge goes there.
            assert.ok(edges.some((e) => e.dst.pod.endsWith("/redis-master")));
            assert.deepEqual(cutEdges(allowed, edges), []);
        });

        it("changes no traffic: no NetworkPolicy is created while adopting", () => {
            assert.deepEqual(
                phase.policies.map((p) => p.metadata.name),
                [],
            );
        });
    });

    describe("production1, Redis data moving in (redis.legacyMaster set)", () => {
        let phase: Phase;
        let allowed: ReturnType<typeof analyze>;
        before(async () => {
            const stack = "production1";
            const config = readStackConfig(stack);
            const redisKey = `${PROJECT}:redis`;
            const legacyMaster = "redis-legacy.sapoche.svc.cluster.local";
            const resources = await evaluateProgram(stack, {
                ...config,
                [redisKey]: { ...(config[redisKey] as object), legacyMaster },
            });
            const objects = toObjects(resources);
            const namespace = stackSettings(stack).namespace;
            // The live redis-master keeps running, with its live labels, until step 5 of the
            // move; `kubectl expose` puts the redis-legacy Service in front of it (step 2).
            const live = (liveNamespace(namespace) as K8sObject[]).filter(
                (o) => o.kind === "Deployment" && o.metadata.name === "redis-master",
            );
            const legacy: K8sObject = {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "redis-legacy", namespace },
                spec: {
                    selector: { "app.kubernetes.io/name": "redis-master" },
                    ports: [{ port: 6379, targetPort: 6379 }],
                },
            };
            phase = {
                name: `${stack}-redis-moving`,
                namespace,
                policies: ofKind(objects, new Set(["NetworkPolicy"])),
                workloads: [...ofKind(objects, WORKLOAD_KINDS), ...live],
                services: [...ofKind(objects, new Set(["Service"])), legacy],
            };
            allowed = analyze(phase, nca);
        });

        it("lets the Redis tier replicate the live redis-master, and keeps every other edge", () => {
            const edges = [...dataFlow(phase, "prod", "redis-legacy"), ...scrapeEdges(phase)];
            assert.ok(edges.some((e) => e.what.startsWith("Redis tier -> legacy")));
            assert.deepEqual(cutEdges(allowed, edges), []);
            assert.deepEqual(unexpectedIngress(allowed, edges, phase.namespace), []);
        });
    });

    describe("the analyzer catches a cut edge", () => {
        let phase: Phase;
        before(async () => {
            phase = await reshaped("production1");
        });

        it("reports the node-port edges denied when allow-node-ports is removed", () => {
            const broken = {
                ...phase,
                name: "broken-node-ports",
                policies: phase.policies.filter((p) => p.metadata.name !== "allow-node-ports"),
            };
            assert.equal(broken.policies.length, phase.policies.length - 1);
            const cut = cutEdges(analyze(broken, nca), dataFlow(broken, "prod"));
            for (const svc of [
                "sapoche-frontend-web",
                "bknd-services-nginx",
                "sapoche-bknd-php",
                "orthanc-read-api-service",
            ]) {
                assert.ok(
                    cut.some(
                        (c) =>
                            c.startsWith(`node-port clients: ${svc}:`) &&
                            c.includes(ADDRESSES.client),
                    ),
                    `${svc} not reported cut; cut: ${cut.join("\n")}`,
                );
            }
            // nginx reaches php-fpm through the same rule (php-fpm serves any source on its
            // node port); nothing else depends on it, so nothing else is reported.
            assert.ok(
                cut.every((c) => /^(node-port clients|nginx -> php-fpm):/.test(c)),
                cut.join("\n"),
            );
        });

        it("reports Redis clients cut when allow-redis-proxy-clients selects the wrong pods", () => {
            const broken = {
                ...phase,
                name: "broken-redis-clients",
                policies: phase.policies.map((p) =>
                    p.metadata.name !== "allow-redis-proxy-clients"
                        ? p
                        : {
                              ...p,
                              spec: {
                                  ...(p.spec as object),
                                  // A typo in the family a rule admits: the proxy is isolated.
                                  ingress: [
                                      {
                                          from: [
                                              {
                                                  podSelector: {
                                                      matchLabels: {
                                                          "app.kubernetes.io/component":
                                                              "php-backnd",
                                                      },
                                                  },
                                              },
                                          ],
                                      },
                                  ],
                              },
                          },
                ),
            };
            const allowed = analyze(broken, nca);
            const cut = cutEdges(allowed, dataFlow(broken, "prod"));
            assert.ok(
                cut.some((c) => c.startsWith("backend -> redis-sp: redis-sp:6379 -> redis-proxy")),
            );
            assert.ok(
                !reaches(
                    allowed,
                    { pod: "sapoche/sp-bnkd-php" },
                    { pod: "sapoche/redis-proxy" },
                    "TCP",
                    6379,
                ),
            );
        });

        it("reports the scrapes cut when allow-prometheus-scrape omits the Sentinel exporters' port", () => {
            const broken = {
                ...phase,
                name: "broken-scrape",
                policies: phase.policies.map((p) => {
                    if (p.metadata.name !== "allow-prometheus-scrape") return p;
                    const spec = p.spec as { ingress: { ports: { port: unknown }[] }[] };
                    const [rule] = spec.ingress;
                    const ports = rule.ports.filter((x) => x.port !== "sentinel-export");
                    assert.equal(ports.length, rule.ports.length - 1);
                    return { ...p, spec: { ...spec, ingress: [{ ...rule, ports }] } };
                }),
            };
            assert.deepEqual(cutEdges(analyze(broken, nca), scrapeEdges(broken)), [
                "Prometheus scrapes redis (sentinel-export) from monitoring/prometheus (TCP/9355)",
            ]);
        });

        it("reports the metadata address reachable when an egress rule opens everything", () => {
            const broken = {
                ...phase,
                name: "broken-egress",
                policies: phase.policies.map((p) =>
                    p.metadata.name !== "restrict-egress"
                        ? p
                        : {
                              ...p,
                              spec: {
                                  ...(p.spec as object),
                                  egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
                              },
                          },
                ),
            };
            const violations = egressViolations(
                analyze(broken, nca),
                broken,
                egressConfig("production1"),
            );
            assert.ok(violations.some((v) => v.includes("reaches the metadata address")));
        });
    });
});
