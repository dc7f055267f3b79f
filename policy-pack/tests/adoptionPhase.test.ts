import * as assert from "assert";
import * as path from "path";
import { PolicyPackConfig } from "@pulumi/policy";
import { enforceAdoptionPhase } from "../policies/adoption/enforceAdoptionPhase";
import { ADOPTION_PHASES, AdoptionPhase } from "../policies/lib/adoption";
import { evaluatePack } from "./evaluate";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

const root = path.resolve(__dirname, "../..");
// The program's side, loaded at run time so the pack type-checks on its own.
const program = () => ({
    schema: require(path.join(root, "stacks/schema/adoption")) as {
        ADOPTION_PHASES: readonly string[];
    },
    phases: require(path.join(root, "test/support/phases")) as {
        phaseConfig(phase: AdoptionPhase): Record<string, unknown>;
        phaseResources(phase: AdoptionPhase): Promise<FixtureResource[]>;
        pinnedResources(phase: AdoptionPhase): Promise<FixtureResource[]>;
    },
    packConfig: require(path.join(root, "scripts/pack-config")) as {
        packConfig(stack: "production1", config: Record<string, unknown>): PolicyPackConfig;
    },
});

/** The live objects of the compliant fixture, as scripts/pack-config.ts lists them. */
const LIVE = [
    "Namespace/sapoche",
    "Deployment/consumer-dicom",
    "Service/sapoche-frontend-web",
    "Service/redis-sp",
];

const configAt = (phase: unknown, liveObjects = LIVE): PolicyPackConfig => ({
    "enforce-adoption-phase": { phase, liveObjects } as any,
});

const object = (type: string, name: string, props: Record<string, any> = {}) => ({
    type,
    name,
    props: { metadata: { name, namespace: "sapoche" }, ...props },
});

/** The compliant namespace as the program renders it in a phase before enforce. */
function beforeEnforce(phase: AdoptionPhase): FixtureResource[] {
    const resources = compliantResources().filter(
        (r) => !/:(NetworkPolicy|ResourceQuota|LimitRange)$/.test(r.type),
    );
    const ns = pick(resources, "Namespace", "sapoche");
    for (const label of Object.keys(ns.props.metadata.labels)) {
        if (label.startsWith("pod-security.kubernetes.io/enforce")) {
            delete ns.props.metadata.labels[label];
        }
    }
    for (const r of resources) {
        const kind = r.type.split(":")[2];
        const live = LIVE.includes(`${kind}/${r.props.metadata?.name}`);
        if (live && phase === "import") r.ignoreChanges = ["metadata", "spec"];
        else if (live && kind === "Service" && phase === "reshape") r.ignoreChanges = ["spec"];
    }
    return resources;
}

const check = (resources: FixtureResource[], phase: unknown, live?: string[]) =>
    violations(enforceAdoptionPhase, resources, configAt(phase, live));

describe("enforce-adoption-phase", () => {
    it("knows the program's phases, in the program's order", () => {
        assert.deepStrictEqual([...ADOPTION_PHASES], [...program().schema.ADOPTION_PHASES]);
    });

    for (const phase of ADOPTION_PHASES) {
        it(`passes the compliant namespace as rendered in phase ${phase}`, async () => {
            const resources =
                phase === "enforce" || phase === "done"
                    ? compliantResources()
                    : beforeEnforce(phase);
            assert.deepStrictEqual(await check(resources, phase), []);
        });
    }

    describe("refuses a pack config that does not name a known phase", () => {
        const expected = (given: string) => [
            `The policy config should name the stack's adoption phase (enforce-adoption-phase.phase), one of import, reshape, services, redis-moved, enforce, done, not ${given}: generate it from the stack file with scripts/pack-config.ts.`,
        ];

        it("removed", async () => {
            assert.deepStrictEqual(
                await violations(enforceAdoptionPhase, compliantResources(), {}),
                expected("null"),
            );
        });

        for (const phase of ["", "Import", "imported", "complete", "adopt"]) {
            it(`unknown: ${JSON.stringify(phase)}`, async () => {
                assert.deepStrictEqual(
                    await check(compliantResources(), phase),
                    expected(JSON.stringify(phase)),
                );
            });
        }

        it("of another type", async () => {
            assert.deepStrictEqual(await check(compliantResources(), true), expected("true"));
        });
    });

    describe("before enforce, refuses anything that restricts admission or traffic", () => {
        const restricting: [string, FixtureResource][] = [
            ["a NetworkPolicy", object("kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny")],
            ["a ResourceQuota", object("kubernetes:core/v1:ResourceQuota", "peak")],
            ["a LimitRange", object("kubernetes:core/v1:LimitRange", "defaults")],
            [
                "a NetworkPolicy patch",
                object("kubernetes:networking.k8s.io/v1:NetworkPolicyPatch", "deny"),
            ],
            [
                "a list of NetworkPolicies",
                object("kubernetes:networking.k8s.io/v1:NetworkPolicyList", "denies"),
            ],
            ["a bare List", object("kubernetes:core/v1:List", "anything")],
            [
                "an older API version's NetworkPolicy",
                object("kubernetes:extensions/v1beta1:NetworkPolicy", "deny"),
            ],
            [
                "a Calico NetworkPolicy",
                object("kubernetes:crd.projectcalico.org/v1:NetworkPolicy", "deny"),
            ],
            [
                "a Calico GlobalNetworkPolicy",
                object("kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy", "deny"),
            ],
            [
                "a CiliumNetworkPolicy",
                object("kubernetes:cilium.io/v2:CiliumNetworkPolicy", "deny"),
            ],
            [
                "an AdminNetworkPolicy",
                object("kubernetes:policy.networking.k8s.io/v1alpha1:AdminNetworkPolicy", "deny"),
            ],
            [
                "an Istio AuthorizationPolicy",
                object("kubernetes:security.istio.io/v1:AuthorizationPolicy", "deny"),
            ],
            [
                "a ValidatingAdmissionPolicy",
                object(
                    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
                    "rule",
                ),
            ],
            [
                "a MutatingWebhookConfiguration",
                object(
                    "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
                    "hook",
                ),
            ],
            ["a Kyverno ClusterPolicy", object("kubernetes:kyverno.io/v1:ClusterPolicy", "rule")],
            [
                "a Gatekeeper constraint",
                object("kubernetes:constraints.gatekeeper.sh/v1beta1:K8sRequiredLabels", "rule"),
            ],
        ];
        for (const phase of ["import", "reshape", "services", "redis-moved"] as const) {
            for (const [what, resource] of restricting) {
                it(`${what} in phase ${phase}`, async () => {
                    const found = await check([...beforeEnforce(phase), resource], phase);
                    assert.strictEqual(found.length, 1, found.join("\n"));
                    assert.match(found[0], new RegExp(`in adoption phase ${phase}:`));
                });
            }
        }

        it("names the object and why", async () => {
            const policy = object("kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny");
            assert.deepStrictEqual(await check([...beforeEnforce("import"), policy], "import"), [
                'NetworkPolicy "deny" should not be registered in adoption phase import: it changes which pods are admitted or what traffic passes, which only phase enforce may do.',
            ]);
        });

        it("leaves other kinds alone (PDBs, ServiceAccounts, the Redis tier, monitoring)", async () => {
            const harmless = [
                object("kubernetes:policy/v1:PodDisruptionBudget", "pdb"),
                object("kubernetes:core/v1:ServiceAccount", "sa"),
                object("kubernetes:monitoring.coreos.com/v1:PodMonitor", "monitor"),
                object("kubernetes:core/v1:ConfigMap", "policy-notes"),
            ];
            assert.deepStrictEqual(
                await check([...beforeEnforce("import"), ...harmless], "import"),
                [],
            );
        });

        for (const phase of ["reshape", "services", "redis-moved"] as const) {
            it(`a Pod Security enforce label on the Namespace in phase ${phase}`, async () => {
                const resources = beforeEnforce(phase);
                const labels = pick(resources, "Namespace", "sapoche").props.metadata.labels;
                labels["pod-security.kubernetes.io/enforce-version"] = "latest";
                assert.deepStrictEqual(await check(resources, phase), [
                    `Namespace "sapoche" should not set label pod-security.kubernetes.io/enforce-version in adoption phase ${phase}: pods of the live ReplicaSets would be refused; phase enforce sets it (audit and warn may be set).`,
                ]);
            });
        }

        it("a Pod Security enforce label set through a Namespace patch", async () => {
            const patch = object("kubernetes:core/v1:NamespacePatch", "sapoche", {
                metadata: {
                    name: "sapoche",
                    labels: { "pod-security.kubernetes.io/enforce": "restricted" },
                },
            });
            const found = await check([...beforeEnforce("services"), patch], "services");
            assert.strictEqual(found.length, 1);
            assert.match(found[0], /^NamespacePatch "sapoche" should not set label/);
        });

        it("accepts the live Namespace's own labels on import, left as they are (ignoreChanges)", async () => {
            const resources = beforeEnforce("import");
            const ns = pick(resources, "Namespace", "sapoche");
            ns.props.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
            assert.deepStrictEqual(await check(resources, "import"), []);
        });

        it("fails closed on Namespace labels not known at preview", async () => {
            const resources = beforeEnforce("reshape");
            pick(resources, "Namespace", "sapoche").props.metadata.labels = UNKNOWN;
            assert.deepStrictEqual(await check(resources, "reshape"), [
                'Namespace "sapoche" should set its labels to plain values known at preview in adoption phase reshape: this rule cannot verify that no Pod Security enforce label is set.',
            ]);
        });
    });

    describe("keeps live Services as they are in import and reshape", () => {
        for (const phase of ["import", "reshape"] as const) {
            it(`refuses a live Service whose spec changes in phase ${phase}`, async () => {
                const resources = beforeEnforce(phase);
                pick(resources, "Service", "sapoche-frontend-web").ignoreChanges = ["metadata"];
                const found = await check(resources, phase);
                assert.ok(
                    found.includes(
                        `Service "sapoche-frontend-web" is a live Service and should keep its live spec in adoption phase ${phase} (ignoreChanges: ["spec"]): old and new pods serve until every rollout is done; phase services switches it.`,
                    ),
                    found.join("\n"),
                );
            });

            it(`refuses a patch of a live Service in phase ${phase}`, async () => {
                const patch = {
                    ...object("kubernetes:core/v1:ServicePatch", "redis-sp"),
                    ignoreChanges: ["spec"],
                };
                const found = await check([...beforeEnforce(phase), patch], phase);
                assert.ok(
                    found.some((f) => f.startsWith('ServicePatch "redis-sp" is a live Service')),
                    found.join("\n"),
                );
            });

            it(`fails closed on a Service whose name is not known at preview in phase ${phase}`, async () => {
                const service = object("kubernetes:core/v1:Service", "mystery");
                service.props.metadata.name = UNKNOWN;
                const found = await check([...beforeEnforce(phase), service], phase);
                assert.ok(
                    found.some((f) => f.includes("has a name not known at preview")),
                    found.join("\n"),
                );
            });
        }

        it("lets a new Service be created in phase import", async () => {
            const service = object("kubernetes:core/v1:Service", "redis-sentinel");
            assert.deepStrictEqual(
                await check([...beforeEnforce("import"), service], "import"),
                [],
            );
        });

        it("lets the Services switch in phase services", async () => {
            const resources = beforeEnforce("services");
            assert.ok(resources.every((r) => (r.ignoreChanges ?? []).length === 0));
            assert.deepStrictEqual(await check(resources, "services"), []);
        });
    });

    describe("on import, leaves every live object as it is and adopts every one", () => {
        it("refuses a live Deployment whose spec the import would change", async () => {
            const resources = beforeEnforce("import");
            pick(resources, "Deployment", "consumer-dicom").ignoreChanges = ["metadata"];
            assert.deepStrictEqual(await check(resources, "import"), [
                'Deployment "consumer-dicom" is a live object and should be imported unchanged in adoption phase import (ignoreChanges: ["metadata", "spec"]); the next phases reshape it.',
            ]);
        });

        for (const phase of ["import", "reshape", "services", "redis-moved", "enforce"] as const) {
            it(`refuses to drop a live object in phase ${phase}`, async () => {
                const resources = (
                    phase === "enforce" ? compliantResources() : beforeEnforce(phase)
                ).filter((r) => r.props.metadata?.name !== "consumer-dicom");
                const found = await check(resources, phase);
                assert.strictEqual(found.length, 1, found.join("\n"));
                assert.match(
                    found[0],
                    new RegExp(
                        `^Deployment/consumer-dicom is a live object and should stay registered in adoption phase ${phase}: left out, ${phase === "import" ? "it is not adopted" : "the update deletes it"}\\.$`,
                    ),
                );
            });
        }

        it("lets a workload go in phase done (a reviewed removal)", async () => {
            const resources = compliantResources().filter(
                (r) => r.props.metadata?.name !== "consumer-dicom",
            );
            assert.deepStrictEqual(await check(resources, "done"), []);
        });
    });

    describe("from enforce on, requires what enforces", () => {
        for (const phase of ["enforce", "done"] as const) {
            it(`refuses phase ${phase} without the quota, the LimitRange and the default deny`, async () => {
                const resources = beforeEnforce("services");
                assert.deepStrictEqual(await check(resources, phase), [
                    `The stack should register a ResourceQuota in adoption phase ${phase}: from phase enforce on the namespace's admission rules apply.`,
                    `The stack should register a LimitRange in adoption phase ${phase}: from phase enforce on the namespace's admission rules apply.`,
                    `The stack should register a NetworkPolicy denying ingress to every pod (podSelector {}, policyTypes [Ingress], no rule) in adoption phase ${phase}: from phase enforce on only the data flow reaches the pods.`,
                ]);
            });
        }

        it("asks nothing of a stack that does not own its namespace (registers no Namespace)", async () => {
            const resources = beforeEnforce("services").filter(
                (r) => !r.type.endsWith(":Namespace"),
            );
            assert.deepStrictEqual(await check(resources, "done", []), []);
        });

        it("does not take a NetworkPolicy that admits something, or selects some pods, for the default deny", async () => {
            for (const spec of [
                { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] },
                { podSelector: { matchLabels: { a: "b" } }, policyTypes: ["Ingress"] },
                { podSelector: {}, policyTypes: ["Egress"] },
                UNKNOWN,
            ]) {
                const resources = compliantResources();
                pick(resources, "NetworkPolicy", "default-deny-ingress").props.spec = spec;
                const found = await check(resources, "enforce");
                assert.strictEqual(found.length, 1, JSON.stringify(spec));
                assert.match(found[0], /denying ingress to every pod/);
            }
        });
    });

    describe("over the program, phase by phase, with the pack config pack-config.ts generates", function () {
        // Six evaluations of the whole program (shared with test/adoption.test.ts).
        this.timeout(180_000);

        for (const phase of ADOPTION_PHASES) {
            it(`finds no mandatory violation in phase ${phase}`, async () => {
                const { phases, packConfig } = program();
                const config = packConfig.packConfig("production1", phases.phaseConfig(phase));
                assert.strictEqual((config["enforce-adoption-phase"] as any).phase, phase);
                // Pinned by digest, as production1's pack refuses tags (lib/sandbox-stacks.ts).
                const findings = await evaluatePack(await phases.pinnedResources(phase), config);
                const mandatory = findings
                    .filter((f) => f.level === "mandatory")
                    .map((f) => `${f.policy}: ${f.message}`);
                assert.deepStrictEqual(mandatory, []);
            });
        }

        it("refuses phase enforce's rendering under phase import's config, and the reverse", async () => {
            const { phases, packConfig } = program();
            const at = (phase: AdoptionPhase) =>
                packConfig.packConfig("production1", phases.phaseConfig(phase));
            const enforced = await phases.phaseResources("enforce");
            const early = await violations(enforceAdoptionPhase, enforced, at("import"));
            // Every restricting object (the quota, the LimitRange, one NetworkPolicy per flow and
            // per workload's egress), 2 Pod Security enforce labels, 7 live Services' spec
            // changed, 51 live objects not left as they are.
            const restricting = enforced.filter((r) =>
                /:(NetworkPolicy|ResourceQuota|LimitRange)$/.test(r.type),
            ).length;
            assert.ok(restricting > 8, `only ${restricting} restricting objects`);
            assert.strictEqual(early.length, restricting + 2 + 7 + 51, early.join("\n"));
            const late = await violations(
                enforceAdoptionPhase,
                await phases.phaseResources("import"),
                at("enforce"),
            );
            assert.strictEqual(late.length, 3, late.join("\n"));
        });
    });
});
