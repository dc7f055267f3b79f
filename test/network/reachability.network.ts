/**
 * Reachability proven by a real NetworkPolicy analyzer, not read off the objects' shape: np-guard's network-config-analyzer computes who can reach whom from the program's own
 * NetworkPolicies and the pods' labels of each adoption phase; the inventory's data flow is the
 * expectation. Needs `bash scripts/toolchain/network-tools.sh` (npm run test:network; docs/network.md).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { importedText } from "../../scripts/import-live/import-live";
import { liveToConfig } from "../../scripts/import-live/live-config";
import type { LiveObject } from "../../scripts/import-live/live-types";
import { K8sObject, toObjects } from "../../scripts/review/lib/objects";
import { phaseRendering } from "../../stacks/adoption";
import * as catalog from "../../stacks/catalog";
import { networkFlows } from "../../stacks/flows";
import { liveNamespace } from "../e2e/support/live-namespace";
import {
    evaluateProgram,
    readStackConfig,
    ROOT,
    stackSettings,
    StackName,
    stagingRanItsConfig,
} from "../../lib/program";
import {
    ADOPTION_PHASES,
    AdoptionPhase,
    phaseConfig,
    phaseResources,
    releasedBefore,
} from "../support/phases";
import { analyze, ncaPath, Phase, reaches, ADDRESSES, PEERS } from "./support/analyzer";
import {
    cutEdges,
    dataFlow,
    egressViolations,
    scrapeEdges,
    unexpectedIngress,
} from "./support/flow";
import { extraPairs, flowEdges } from "./support/pairs";

/** The flow list the program renders for a stack at a phase (once adopted, `done`, by default). */
const flowsOf = (stack: StackName, phase: AdoptionPhase = "done") =>
    networkFlows({ ...stackSettings(stack), adoption: { phase } });

/**
 * Allowed pairs with a pod at both ends that neither the flow list nor the data flow explains,
 * each with its reason. Empty: the final namespace admits its flows and nothing else.
 */
const IN_CLUSTER_EXCEPTIONS: Record<string, string> = {};

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet"]);

/**
 * Edges the reshape's rollout window cuts although no policy exists yet, pinned so that any other
 * cut fails the test: the live Services keep their live target port (the fixture's, from the
 * inventory: 80), which the program's new pods do not serve on (they declare `http` 8080). So
 * once a new pod is ready, node-port clients reaching it get refused until phase services. Safe
 * only if the live Services already target the port the new pods serve on, or the program serves
 * on the live port (issue 12 item 1 reads the live ports); docs/operations/adoption.md,
 * step reshape. When that lands this list becomes empty.
 */
const RESHAPE_PORT_GAPS: string[] = [
    ["sapoche-bknd-php", "sp-bnkd-php"],
    ["bknd-services-nginx", "sp-bknd-nginx"],
    ["sapoche-frontend-web", "sapoche-frontend-web"],
    ["diag-design-system-nginx", "diag-design-system-nginx"],
    ["diag-dicom-viewer-nginx", "diag-dicom-viewer-nginx"],
    ["orthanc-read-api-service", "orthanc-read-api"],
].flatMap(([service, workload]) =>
    ["203.0.113.10", "apisix/apisix"].map(
        (src) =>
            `node-port clients: ${service}:80 -> ${workload} from ${src}: target port declared by no container`,
    ),
);
const ofKind = (objects: readonly K8sObject[], kinds: Set<string>) =>
    objects.filter((o) => kinds.has(o.kind));

/** The program's objects at an adoption phase (production1), or as the stack file says. */
async function programObjects(stack: StackName, phase?: AdoptionPhase): Promise<K8sObject[]> {
    const resources =
        phase === undefined ? await evaluateProgram(stack) : await phaseResources(phase);
    return toObjects(resources);
}

/** The Service the runbook puts in front of the live redis-master (`kubectl expose`). */
const legacyService = (namespace: string): K8sObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "redis-legacy", namespace },
    spec: {
        selector: { "app.kubernetes.io/name": catalog.redis.liveName },
        ports: [{ port: 6379, targetPort: 6379 }],
    },
});

/**
 * What decides reachability at one adoption phase of production1 (docs/operations/adoption.md): the program's NetworkPolicies of that phase, and the pods and Services that run
 * then. Live objects come from test/e2e/support/live-namespace.ts (the seed's live shape: labels
 * `app.kubernetes.io/name` and `app`, no named ports).
 * - import: the live pods and Services, plus what the import creates (the Redis tier);
 * - reshape, mid-rollout: each workload's old pods (live labels, renamed `<name>-old`) and new
 *   pods (the program's) side by side, behind the live Services;
 * - services and redis-moved: the program's pods and Services; until Redis has moved, the live
 *   redis-master behind `redis-legacy`, which the Redis tier replicates;
 * - enforce and done: the program's pods and Services.
 */
async function phaseAt(phase: AdoptionPhase, rendered?: K8sObject[]): Promise<Phase> {
    const stack = "production1";
    const namespace = stackSettings(stack).namespace;
    const objects = rendered ?? (await programObjects(stack, phase));
    const live = liveNamespace(namespace) as K8sObject[];
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    const liveKeys = new Set(live.map(key));
    const programKeys = new Set(objects.map(key));
    const ofProgram = (kinds: Set<string>) => ofKind(objects, kinds);
    const created = (kinds: Set<string>) => ofProgram(kinds).filter((o) => !liveKeys.has(key(o)));
    const liveOnly = (kinds: Set<string>) =>
        ofKind(live, kinds).filter((o) => !programKeys.has(key(o)));
    const old = (o: K8sObject): K8sObject => ({
        ...o,
        metadata: { ...o.metadata, name: `${o.metadata.name}-old` },
    });
    const SERVICES = new Set(["Service"]);
    const base = {
        name: `${stack}-${phase}`,
        namespace,
        policies: ofProgram(new Set(["NetworkPolicy"])),
    };
    switch (phase) {
        case "import":
            return {
                ...base,
                workloads: [...ofKind(live, WORKLOAD_KINDS), ...created(WORKLOAD_KINDS)],
                services: [...ofKind(live, SERVICES), ...created(SERVICES)],
            };
        case "reshape":
            return {
                ...base,
                workloads: [
                    ...ofProgram(WORKLOAD_KINDS),
                    ...ofKind(live, WORKLOAD_KINDS).map((o) =>
                        programKeys.has(key(o)) ? old(o) : o,
                    ),
                ],
                services: [...ofKind(live, SERVICES), ...created(SERVICES)],
            };
        case "services":
            return {
                ...base,
                workloads: [...ofProgram(WORKLOAD_KINDS), ...liveOnly(WORKLOAD_KINDS)],
                services: [...ofProgram(SERVICES), legacyService(namespace)],
            };
        default:
            return { ...base, workloads: ofProgram(WORKLOAD_KINDS), services: ofProgram(SERVICES) };
    }
}

/**
 * A stack once its adoption is done (staging's stack file says so; production1's stands at
 * import): the program's policies, pods, Services.
 */
async function steadyState(stack: StackName): Promise<Phase> {
    const objects = await programObjects(stack, stack === "production1" ? "done" : undefined);
    return {
        name: `${stack}-done`,
        namespace: stackSettings(stack).namespace,
        policies: ofKind(objects, new Set(["NetworkPolicy"])),
        workloads: ofKind(objects, WORKLOAD_KINDS),
        services: ofKind(objects, new Set(["Service"])),
    };
}

describe("network reachability (network-config-analyzer)", function () {
    let nca: string;
    before(() => {
        nca = ncaPath();
    });

    for (const stack of ["production1", "staging"] as const) {
        describe(`${stack}, once adopted (adoption phase done)`, () => {
            let phase: Phase;
            let allowed: ReturnType<typeof analyze>;
            const environment = () => stackSettings(stack).environment;
            before(async () => {
                phase = await steadyState(stack);
                allowed = analyze(phase, nca);
            });

            it("allows every edge of the inventory's data flow", () => {
                const edges = dataFlow(phase, environment(), undefined, true);
                assert.ok(edges.length > 40, `only ${edges.length} edges derived`);
                assert.deepEqual(cutEdges(allowed, edges), []);
            });

            it("lets Prometheus scrape every exporter on the port its PodMonitor names (no PDF producer serves metrics)", () => {
                // The peer stands for the stack's Prometheus only if it runs where config says.
                assert.equal(
                    stackSettings(stack).monitoring.prometheusNamespace,
                    PEERS.prometheus.namespace,
                );
                const edges = scrapeEdges(phase);
                assert.equal(edges.length, 3, edges.map((e) => e.what).join("\n"));
                assert.deepEqual(cutEdges(allowed, edges), []);
            });

            it("lets nothing else reach the namespace's pods", () => {
                const edges = [
                    ...dataFlow(phase, environment(), undefined, true),
                    ...scrapeEdges(phase),
                ];
                assert.deepEqual(unexpectedIngress(allowed, edges, phase.namespace), []);
            });

            it("restricts egress to DNS, the namespace and the configured destinations, never the metadata address", () => {
                assert.deepEqual(egressViolations(allowed, phase, flowsOf(stack)), []);
            });
        });
    }

    describe("production1, phase by phase (pods and Services as they run in each phase)", () => {
        for (const name of ADOPTION_PHASES) {
            const enforced = phaseRendering(name).enforced;
            describe(`phase ${name}`, () => {
                let phase: Phase;
                let allowed: ReturnType<typeof analyze>;
                // In phase services the live redis-master still holds the data behind redis-legacy.
                const edges = () =>
                    dataFlow(
                        phase,
                        "prod",
                        name === "services" ? "redis-legacy" : undefined,
                        name === "done",
                    );
                before(async () => {
                    phase = await phaseAt(name);
                    allowed = analyze(phase, nca);
                });

                if (name === "reshape") {
                    it("allows every edge of the data flow to old and new pods, except where the new pods do not serve on the live target port", () => {
                        const found = edges();
                        assert.ok(found.some((e) => e.dst.pod.endsWith("-old")));
                        assert.deepEqual(cutEdges(allowed, found), RESHAPE_PORT_GAPS);
                    });
                } else {
                    it("allows every edge of the data flow", () => {
                        const found = edges();
                        assert.ok(found.length > 40, `only ${found.length} edges derived`);
                        if (name === "import") {
                            // The live redis-sp still selects redis-master.
                            assert.ok(found.some((e) => e.dst.pod.endsWith("/redis-master")));
                        }
                        if (name === "services") {
                            assert.ok(found.some((e) => e.what.startsWith("Redis tier -> legacy")));
                        }
                        assert.deepEqual(cutEdges(allowed, found), []);
                    });
                }

                if (enforced) {
                    it("lets Prometheus scrape every exporter", () => {
                        assert.deepEqual(cutEdges(allowed, scrapeEdges(phase)), []);
                    });

                    it("lets nothing else reach the namespace's pods", () => {
                        const expected = [...edges(), ...scrapeEdges(phase)];
                        assert.deepEqual(unexpectedIngress(allowed, expected, phase.namespace), []);
                    });

                    it("reports the inventory's flows allowed and the extra pairs: in-cluster, only the listed exceptions", () => {
                        const inventory = edges();
                        const cut = cutEdges(allowed, inventory);
                        const listedFlows = flowEdges(phase, flowsOf("production1", name));
                        const flowsCut = cutEdges(allowed, listedFlows);
                        const expected = [...inventory, ...scrapeEdges(phase), ...listedFlows];
                        const extra = extraPairs(allowed, expected, phase.namespace);
                        const listed = Object.keys(IN_CLUSTER_EXCEPTIONS);
                        console.log(
                            `      phase ${name}: ${inventory.length - cut.length}/${inventory.length} ` +
                                `inventory flows allowed, ${listedFlows.length - flowsCut.length}/` +
                                `${listedFlows.length} flow-list connections; extra pairs: ${extra.inCluster.length} ` +
                                `in-cluster (${listed.length} listed exceptions), ` +
                                `${extra.outside.length} from outside addresses` +
                                extra.outside.map((l) => `\n        outside: ${l}`).join(""),
                        );
                        assert.deepEqual(cut, []);
                        assert.deepEqual(flowsCut, []);
                        assert.deepEqual(
                            extra.inCluster.filter((l) => !listed.includes(l)),
                            [],
                        );
                        assert.deepEqual(
                            listed.filter((l) => !extra.inCluster.includes(l)),
                            [],
                            "a listed exception no longer happens: remove it",
                        );
                    });

                    it("restricts egress to DNS, the namespace and the configured destinations, never the metadata address", () => {
                        assert.deepEqual(
                            egressViolations(allowed, phase, flowsOf("production1", name)),
                            [],
                        );
                    });
                } else {
                    it("changes no traffic: no NetworkPolicy exists before phase enforce", () => {
                        assert.deepEqual(
                            phase.policies.map((p) => p.metadata.name),
                            [],
                        );
                    });
                }
            });
        }
    });

    describe("production1 after import-live (the fixture's live facts in the stack file)", () => {
        it("reshape cuts only Orthanc's edges: every other new pod serves on the live target port", async () => {
            const stack = "production1";
            const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
            const live = liveNamespace(stackSettings(stack).namespace) as LiveObject[];
            const imported = importedText(stack, text, liveToConfig(live, "prod"), "network test");
            const config = phaseConfig("reshape", stack, readStackConfig(stack, imported));
            // Released after import (stacks/adoption-history.ts).
            const history = {
                stackOutputs: { ...stagingRanItsConfig(), ...releasedBefore("reshape") },
            };
            const rs = await evaluateProgram(stack, config, history);
            const phase = await phaseAt("reshape", toObjects(rs));
            const edges = dataFlow(phase, "prod");
            assert.ok(edges.some((e) => e.dst.pod.endsWith("-old")));
            // Orthanc's Service reaches the read-only proxy the program puts in front of Orthanc
            // (port `http`, 8080), which import-live cannot take from the live pod: that window
            // stays (docs/operations/adoption.md, preparations before reshape).
            assert.deepEqual(
                cutEdges(analyze(phase, nca), edges),
                RESHAPE_PORT_GAPS.filter((e) => e.includes("orthanc-read-api-service")),
            );
        });
    });

    describe("the analyzer catches a cut edge", () => {
        let phase: Phase;
        before(async () => {
            phase = await steadyState("production1");
        });

        it("reports the live pods cut off when a default deny lands in phase import (the one-update adoption's bug)", async () => {
            const importing = await phaseAt("import");
            const deny = phase.policies.find((p) => p.metadata.name === "default-deny-ingress");
            assert.ok(deny);
            const broken = { ...importing, name: "broken-import", policies: [deny] };
            const cut = cutEdges(analyze(broken, nca), dataFlow(broken, "prod"));
            assert.ok(
                cut.some((c) => c.startsWith("node-port clients: sapoche-frontend-web:")),
                cut.join("\n"),
            );
            assert.ok(
                cut.some((c) => c.includes("-> redis-master")),
                cut.join("\n"),
            );
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
                flowsOf("production1"),
            );
            assert.ok(violations.some((v) => v.includes("reaches the metadata address")));
        });
    });
});
