/**
 * enforce-catalogued-service over the real program's Services, with the shapes
 * scripts/pack-config.ts generates from the catalog: each way of re-pointing a Service is refused.
 */
import * as assert from "assert";
import * as path from "path";
import { enforceCataloguedService } from "../policies/exposure/enforceCataloguedService";
import { stackPolicyConfig } from "./evaluate";
import { FixtureResource, violations } from "./harness";

type Any = Record<string, any>;
const { stackResources } = require(path.resolve(__dirname, "../../lib/program")) as {
    stackResources(stack: string): Promise<FixtureResource[]>;
};
const AFTER =
    "A Service is re-pointed only by changing stacks/catalog.ts (then scripts/pack-config.ts).";

describe("enforce-catalogued-service", function () {
    this.timeout(60_000);
    let services: FixtureResource[] = [];
    const config = stackPolicyConfig("production1");
    before(async () => {
        services = (await stackResources("production1")).filter(
            (r) => r.type === "kubernetes:core/v1:Service",
        );
    });
    /** production1's Services with one of them changed. */
    const after = (name: string, change: (spec: Any) => void) => {
        const copy = JSON.parse(JSON.stringify(services)) as FixtureResource[];
        change(copy.find((s) => s.props.metadata.name === name)!.props.spec);
        return copy;
    };

    it("passes production1's and staging's Services", async () => {
        assert.deepStrictEqual(await violations(enforceCataloguedService, services, config), []);
        const staging = (await stackResources("staging")).filter(
            (r) => r.type === "kubernetes:core/v1:Service",
        );
        assert.deepStrictEqual(
            await violations(enforceCataloguedService, staging, stackPolicyConfig("staging")),
            [],
        );
    });

    // prettier-ignore
    const cases: [string, string, (spec: Any) => void, string][] = [
        ["an ExternalName", "redis-sp", (s) => { s.type = "ExternalName"; s.externalName = "redis.evil.example"; delete s.selector; }, 'type ExternalName, not ClusterIP; externalName "redis.evil.example", not none; selector null, not {"app.kubernetes.io/name":"redis-proxy"}'],
        ["a selector pointing at another workload", "sapoche-bknd-php", (s) => (s.selector = { "app.kubernetes.io/name": "worker-booking" }), 'selector {"app.kubernetes.io/name":"worker-booking"}, not {"app.kubernetes.io/name":"sp-bnkd-php"}'],
        ["a selector widened with an extra label", "redis-sentinel", (s) => (s.selector = { ...s.selector, tier: "x" }), 'selector {"app.kubernetes.io/name":"redis","tier":"x"}, not {"app.kubernetes.io/name":"redis"}'],
        ["a selector-less Service (hand-made Endpoints)", "redis-sp", (s) => delete s.selector, 'selector null, not {"app.kubernetes.io/name":"redis-proxy"}'],
        ["a port re-targeted", "sapoche-frontend-web", (s) => (s.ports[0].targetPort = 9090), 'port http targetPort "9090", not "http"'],
        ["a NodePort made ClusterIP", "bknd-services-nginx", (s) => { s.type = "ClusterIP"; delete s.ports[0].nodePort; }, "type ClusterIP, not NodePort; port http nodePort null, not 32702"],
        ["a headless Service given a cluster IP", "redis-headless", (s) => delete s.clusterIP, 'clusterIP null, not "None" (headless)'],
        ["an extra port", "redis-sp", (s) => s.ports.push({ name: "admin", port: 8404, targetPort: 8404 }), "ports admin the catalog does not list"],
        ["a UDP port", "redis-sentinel", (s) => (s.ports[0].protocol = "UDP"), 'port sentinel protocol "UDP", not "TCP"'],
    ];
    for (const [what, name, change, problem] of cases) {
        it(`rejects ${what}`, async () =>
            assert.deepStrictEqual(
                await violations(enforceCataloguedService, after(name, change), config),
                [`Service "${name}" differs from its catalogued shape: ${problem}. ${AFTER}`],
            ));
    }

    it("rejects a Service the catalog does not list, and every Service when the config names none", async () => {
        const extra = after("redis-sp", () => undefined);
        const copy = JSON.parse(
            JSON.stringify(extra.find((s) => s.props.metadata.name === "redis-sp")),
        );
        copy.name = copy.props.metadata.name = "redis-direct";
        const found = await violations(enforceCataloguedService, [...services, copy], config);
        assert.strictEqual(found.length, 1);
        assert.match(
            found[0],
            /^Service "redis-direct" is not a catalogued Service \(catalogued: bknd-services-nginx, .*redis-sp.*\); add it to stacks\/catalog.ts/,
        );
        const unconfigured = await violations(enforceCataloguedService, services.slice(0, 1));
        assert.match(unconfigured[0], /is not a catalogued Service \(catalogued: none\)/);
    });
});
