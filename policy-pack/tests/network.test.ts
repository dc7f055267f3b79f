import * as assert from "assert";
import { disallowEvictableLastPod } from "../policies/autoscaling/disallowEvictableLastPod";
import { disallowExposedFastcgi } from "../policies/exposure/disallowExposedFastcgi";
import { disallowEveryAddressWithoutReason } from "../policies/exposure/disallowEveryAddressWithoutReason";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, violations } from "./harness";

const hpa = (r: FixtureResource[]) => pick(r, "HorizontalPodAutoscaler", "sp-bnkd-php").props.spec;
const budget = (r: FixtureResource[]) => pick(r, "PodDisruptionBudget", "sp-bnkd-php").props.spec;

describe("disallow-evictable-last-pod", () => {
    it("passes the compliant namespace (php-fpm at least 2, one unavailable)", async () => {
        assert.deepStrictEqual(
            await violations(disallowEvictableLastPod, compliantResources()),
            [],
        );
    });

    it("refuses the live PHP floor of 1 with one pod unavailable", async () => {
        const r = compliantResources();
        hpa(r).minReplicas = 1;
        assert.deepStrictEqual(await violations(disallowEvictableLastPod, r), [
            'PodDisruptionBudget "sp-bnkd-php" lets an eviction take all 1 pods of Deployment "sp-bnkd-php" at its ' +
                "autoscaler's minimum; raise the minimum to at least 2 or allow fewer disruptions " +
                "(maxUnavailable below 1, or minAvailable at least 1).",
        ]);
    });

    for (const [spec, min, refused] of [
        // Both percentages round up (rounding down would flip the 67% and the 50% minAvailable).
        [{ maxUnavailable: "67%" }, 3, true],
        [{ maxUnavailable: "34%" }, 3, false],
        [{ maxUnavailable: "10%" }, 2, false],
        [{ minAvailable: "50%" }, 1, false],
        [{ minAvailable: "34%" }, 3, false],
        [{ maxUnavailable: 5 }, 2, true],
        [{ maxUnavailable: "50%" }, 1, true],
        [{ maxUnavailable: "50%" }, 2, false],
        [{ maxUnavailable: "100%" }, 5, true],
        [{ minAvailable: "1%" }, 1, false],
        [{ minAvailable: 0 }, 3, true],
        [{ minAvailable: "0%" }, 3, true],
        [{ minAvailable: 1 }, 1, false],
    ] as const) {
        it(`${refused ? "refuses" : "admits"} ${JSON.stringify(spec)} at a floor of ${min}`, async () => {
            const r = compliantResources();
            hpa(r).minReplicas = min;
            const b = budget(r);
            delete b.maxUnavailable;
            Object.assign(b, spec);
            const found = await violations(disallowEvictableLastPod, r);
            assert.strictEqual(found.length, refused ? 1 : 0, found.join("\n"));
        });
    }

    it("refuses a budget it cannot classify, naming what it accepts", async () => {
        for (const spec of [{ maxUnavailable: "1" }, { maxUnavailable: 1, minAvailable: 1 }, {}]) {
            const r = compliantResources();
            delete budget(r).maxUnavailable;
            Object.assign(budget(r), spec);
            const found = await violations(disallowEvictableLastPod, r);
            assert.strictEqual(found.length, 1, JSON.stringify(spec));
        }
        const r = compliantResources();
        budget(r).maxUnavailable = "one";
        const [message] = await violations(disallowEvictableLastPod, r);
        assert.match(
            message,
            /should set exactly one of maxUnavailable or minAvailable as a non-negative integer or a percentage/,
        );
    });
});

/** php-fpm's Deployment, its Service on a node port and its ingress policies. */
function exposedPhp(
    serviceType: string,
    policies: Record<string, any>[],
    port: Record<string, any> = { containerPort: 9000, name: "fpm" },
): FixtureResource[] {
    const r = compliantResources();
    const php = pick(r, "Deployment", "sp-bnkd-php").props.spec.template.spec.containers[0];
    php.ports = [port, { containerPort: 8080, name: "http" }];
    const svc = pick(r, "Service", "sapoche-bknd-php").props.spec;
    svc.type = serviceType;
    svc.ports = [
        { name: "fpm", port: 9000, targetPort: port.name ?? port.containerPort, nodePort: 32766 },
    ];
    const np = (name: string, spec: Record<string, any>): FixtureResource => ({
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name,
        props: { metadata: { name, namespace: "sapoche" }, spec },
    });
    return [
        ...r.filter((x) => !x.type.endsWith(":NetworkPolicy")),
        ...policies.map((spec, i) => np(`p${i}`, spec)),
    ];
}
const phpPods = { matchLabels: { "app.kubernetes.io/name": "sp-bnkd-php" } };
const deny = { podSelector: {}, policyTypes: ["Ingress"], ingress: [] };
const fromNginx = {
    podSelector: phpPods,
    policyTypes: ["Ingress"],
    ingress: [
        {
            from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "sp-bknd-nginx" } } }],
            ports: [{ protocol: "TCP", port: "fpm" }],
        },
    ],
};
const config = (clients: string[] = []) => ({
    "disallow-exposed-fastcgi": { fastcgiWorkloads: ["sp-bnkd-php"], fastcgiClients: clients },
});

describe("disallow-exposed-fastcgi", () => {
    it("passes the compliant namespace and a node port closed by policy to all but nginx", async () => {
        assert.deepStrictEqual(
            await violations(disallowExposedFastcgi, compliantResources(), config()),
            [],
        );
        assert.deepStrictEqual(
            await violations(
                disallowExposedFastcgi,
                exposedPhp("NodePort", [deny, fromNginx]),
                config(),
            ),
            [],
        );
    });

    it("refuses php-fpm's port on a NodePort with no policy isolating its pods", async () => {
        const found = await violations(
            disallowExposedFastcgi,
            exposedPhp("NodePort", []),
            config(),
        );
        assert.deepStrictEqual(found, [
            'Service "sapoche-bknd-php" port fpm (nodePort 32766) exposes FastCGI port fpm of Deployment "sp-bnkd-php"; ' +
                "remove it from the node ports, or close it by NetworkPolicy to all but nginx and named fastcgiClients.",
        ]);
    });

    it("recognises php-fpm by the catalog, its image or its command, whatever the port's number or name", async () => {
        for (const [port, cfg, image] of [
            [{ containerPort: 9001, name: "php" }, config(), undefined],
            [{ containerPort: 9000 }, config(), undefined],
            [
                { containerPort: 7000, name: "app" },
                { "disallow-exposed-fastcgi": {} },
                "php:8.3-fpm-alpine",
            ],
            [
                { containerPort: 7000, name: "fastcgi" },
                { "disallow-exposed-fastcgi": {} },
                undefined,
            ],
        ] as const) {
            const r = exposedPhp("NodePort", [], port);
            if (image)
                pick(r, "Deployment", "sp-bnkd-php").props.spec.template.spec.containers[0].image =
                    image;
            const found = await violations(disallowExposedFastcgi, r, cfg);
            assert.strictEqual(
                found.length,
                1,
                `${JSON.stringify(port)} ${image}: ${found.join("\n")}`,
            );
        }
    });

    it("refuses an ingress rule admitting FastCGI from every source, an address range or another namespace", async () => {
        for (const from of [
            undefined,
            [{ ipBlock: { cidr: "0.0.0.0/0" } }],
            [{ namespaceSelector: {} }],
            [{ ipBlock: { cidr: "10.9.0.0/16" } }],
        ]) {
            const rule = { ingress: [{ ...(from && { from }), ports: [{ port: 9000 }] }] };
            const r = exposedPhp("ClusterIP", [
                deny,
                { podSelector: phpPods, policyTypes: ["Ingress"], ...rule },
            ]);
            const found = await violations(disallowExposedFastcgi, r, config(["10.8.0.0/16"]));
            assert.strictEqual(found.length, 1, `${JSON.stringify(from)}: ${found.join("\n")}`);
            assert.match(found[0], /admits FastCGI port fpm of Deployment "sp-bnkd-php"/);
        }
    });

    it("admits a named, confirmed client range, and a rule on the HTTP port only", async () => {
        const clients = {
            podSelector: phpPods,
            ingress: [{ from: [{ ipBlock: { cidr: "10.8.1.0/24" } }], ports: [{ port: "fpm" }] }],
        };
        const http = { podSelector: phpPods, ingress: [{ ports: [{ port: "http" }] }] };
        const r = exposedPhp("NodePort", [deny, fromNginx, clients, http]);
        assert.deepStrictEqual(
            await violations(disallowExposedFastcgi, r, config(["10.8.0.0/16"])),
            [],
        );
    });
});

describe("disallow-every-address-without-reason", () => {
    const np = (
        spec: Record<string, any>,
        annotations?: Record<string, string>,
    ): FixtureResource => ({
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "egress-x",
        props: { metadata: { name: "egress-x", namespace: "sapoche", annotations }, spec },
    });
    const to = (cidr: unknown) => ({ egress: [{ to: [{ ipBlock: { cidr } }] }] });
    const from = (cidr: unknown) => ({ ingress: [{ from: [{ ipBlock: { cidr } }] }] });
    const REASON = { "sapoche.io/every-address-reason": "database: addresses not yet confirmed" };

    it("passes the compliant namespace, narrow ranges, and every address with a recorded reason", async () => {
        assert.deepStrictEqual(
            await violations(disallowEveryAddressWithoutReason, compliantResources()),
            [],
        );
        for (const r of [
            np(to("10.20.0.0/16")),
            np(to("0.0.0.0/0"), REASON),
            np(from("0.0.0.0/0"), REASON),
        ]) {
            assert.deepStrictEqual(await violations(disallowEveryAddressWithoutReason, [r]), []);
        }
    });

    it("refuses every address, in ingress or egress, IPv4 or IPv6, without a reason", async () => {
        for (const r of [
            np(to("0.0.0.0/0")),
            np(from("0.0.0.0/0")),
            np(to("::/0")),
            np(to("0.0.0.0/0"), { "sapoche.io/every-address-reason": " " }),
        ]) {
            const found = await violations(disallowEveryAddressWithoutReason, [r]);
            assert.strictEqual(found.length, 1, JSON.stringify(r.props));
            assert.match(
                found[0],
                /allows every address .* without a reason: narrow the range, or record why/,
            );
        }
    });

    it("refuses a range it cannot classify", async () => {
        const found = await violations(disallowEveryAddressWithoutReason, [np(to(42))]);
        assert.deepStrictEqual(found, [
            'NetworkPolicy "egress-x" should give every ipBlock a CIDR string such as 10.20.0.0/16, not 42.',
        ]);
    });
});
