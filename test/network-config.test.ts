import { strict as assert } from "assert";
import { cidrContains, networkSchema } from "../stacks/schema/network";
import { networkFlows, outsideBlocks } from "../stacks/flows";
import { stackSettings } from "../lib/program";

const base = {
    podNetwork: ["10.244.0.0/16"],
    nodePortSources: { cidrs: ["10.0.0.0/16"], namespaces: ["apisix"], reason: "" },
    fastcgiClients: [],
    egress: {},
};
const dest = (over: object = {}) => ({
    cidrs: ["10.20.0.0/16"],
    ports: [5672],
    from: ["queue-consumer"],
    reason: "",
    ...over,
});

/** The messages networkSchema gives, by path. */
function problems(network: object): string[] {
    const r = networkSchema.safeParse({ ...base, ...network });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("sapoche-stack:network", () => {
    it("accepts destinations with CIDRs, TCP ports and client families", () => {
        assert.deepEqual(problems({ egress: { broker: dest() } }), []);
    });

    it("refuses malformed CIDRs, host bits, link-local ranges, bad ports and unknown families", () => {
        const found = problems({
            egress: {
                broker: dest({
                    cidrs: ["10.20.0.0/33", "10.20.1.0/16", "169.254.169.254/32"],
                    ports: [0],
                    from: ["php"],
                }),
                empty: dest({ cidrs: [], ports: [] }),
                Bad_Name: dest(),
            },
        });
        assert.deepEqual(
            found.map((f) => f.split(":")[0]),
            [
                "egress.broker.cidrs.0",
                "egress.broker.cidrs.1",
                "egress.broker.cidrs.2",
                "egress.broker.ports.0",
                "egress.broker.from.0",
                "egress.empty.cidrs",
                "egress.empty.ports",
                "egress.Bad_Name",
            ],
        );
    });

    it("refuses 0.0.0.0/0 without a recorded reason, for destinations and node-port sources", () => {
        const found = problems({
            nodePortSources: { cidrs: ["0.0.0.0/0"], namespaces: [], reason: " " },
            egress: { database: dest({ cidrs: ["0.0.0.0/0"] }) },
        });
        assert.deepEqual(
            found.map((f) => f.split(":")[0]),
            ["nodePortSources.reason", "egress.database.reason"],
        );
        assert.deepEqual(
            problems({
                nodePortSources: { cidrs: ["0.0.0.0/0"], namespaces: [], reason: "unconfirmed" },
                egress: { database: dest({ cidrs: ["0.0.0.0/0"], reason: "unconfirmed" }) },
            }),
            [],
        );
    });

    it("never accepts 0.0.0.0/0 as FastCGI clients, whatever the reason", () => {
        assert.deepEqual(
            problems({ fastcgiClients: ["0.0.0.0/0"] }).map((f) => f.split(":")[0]),
            ["fastcgiClients"],
        );
    });

    it("carves the pod network and the metadata address out of every range that holds them, and only those", () => {
        assert.deepEqual(
            outsideBlocks(
                ["0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/24", "169.0.0.0/8"],
                ["10.244.0.0/16"],
            ),
            [
                { cidr: "0.0.0.0/0", except: ["10.244.0.0/16", "169.254.169.254/32"] },
                { cidr: "10.0.0.0/8", except: ["10.244.0.0/16"] },
                { cidr: "192.168.0.0/24", except: [] },
                { cidr: "169.0.0.0/8", except: ["169.254.169.254/32"] },
            ],
        );
        assert.ok(cidrContains("0.0.0.0/0", "169.254.169.254"));
        assert.ok(!cidrContains("10.0.0.0/8", "169.254.169.254"));
    });
});

describe("the flow list (stacks/flows.ts)", () => {
    const settings = stackSettings("production1");
    const flows = (phase: "enforce" | "done") => networkFlows({ ...settings, adoption: { phase } });

    it("names the proxy's Sentinel check, DNS, the scrapes and every destination", () => {
        const keys = flows("done").map((f) => f.key);
        for (const k of ["redis-proxy-backends", "dns", "prometheus-scrape", "egress-database"]) {
            assert.ok(keys.includes(k), `${k} missing from ${keys.join(", ")}`);
        }
        const check = flows("done").find((f) => f.key === "redis-proxy-backends");
        assert.deepEqual(
            check?.ports.map((p) => p.port),
            ["redis", "sentinel"],
        );
    });

    it("keeps php-fpm's node port open to node-port sources in enforce and closes it in done", () => {
        const fastcgiFromOutside = (phase: "enforce" | "done") =>
            flows(phase).some(
                (f) =>
                    f.from.kind !== "pods" &&
                    f.to.kind === "pods" &&
                    f.to.names.includes("sp-bnkd-php") &&
                    f.ports.some((p) => p.port === "fpm"),
            );
        assert.equal(fastcgiFromOutside("enforce"), true);
        assert.equal(fastcgiFromOutside("done"), false);
    });

    it("gives no external destination to the frontends, nginx or Redis", () => {
        const external = flows("done").filter((f) => f.to.kind === "addresses");
        const reached = external.flatMap((f) => (f.from.kind === "pods" ? f.from.names : []));
        for (const name of ["sapoche-frontend-web", "sp-bknd-nginx", "redis", "redis-proxy"]) {
            assert.ok(!reached.includes(name), `${name} reaches ${external.map((f) => f.key)}`);
        }
    });
});
