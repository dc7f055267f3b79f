import { strict as assert } from "assert";
import { cidrContains, egressDestinations, networkSchema } from "../stacks/network";

/** The messages networkSchema gives for `egress`, by path. */
function problems(egress: unknown): string[] {
    const r = networkSchema.safeParse({ egress });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("sapoche-stack:network", () => {
    it("accepts destinations with CIDRs and TCP ports", () => {
        assert.deepEqual(problems({ broker: { cidrs: ["10.20.0.0/16"], ports: [5672] } }), []);
    });

    it("refuses malformed CIDRs, host bits, link-local ranges and bad ports", () => {
        const found = problems({
            broker: { cidrs: ["10.20.0.0/33", "10.20.1.0/16", "169.254.169.254/32"], ports: [0] },
            empty: { cidrs: [], ports: [] },
            Bad_Name: { cidrs: ["10.0.0.0/8"], ports: [443] },
        });
        assert.deepEqual(
            found.map((f) => f.split(":")[0]),
            [
                "egress.broker.cidrs.0",
                "egress.broker.cidrs.1",
                "egress.broker.cidrs.2",
                "egress.broker.ports.0",
                "egress.empty.cidrs",
                "egress.empty.ports",
                "egress.Bad_Name",
            ],
        );
    });

    it("carves the metadata address out of every range that holds it, and only those", () => {
        const rendered = egressDestinations({
            egress: {
                https: { cidrs: ["0.0.0.0/0", "10.0.0.0/8"], ports: [443] },
                cloud: { cidrs: ["169.0.0.0/8"], ports: [443] },
            },
        });
        assert.deepEqual(rendered, [
            {
                name: "cloud",
                ports: [443],
                blocks: [{ cidr: "169.0.0.0/8", except: ["169.254.169.254/32"] }],
            },
            {
                name: "https",
                ports: [443],
                blocks: [
                    { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] },
                    { cidr: "10.0.0.0/8" },
                ],
            },
        ]);
        assert.ok(cidrContains("0.0.0.0/0", "169.254.169.254"));
        assert.ok(!cidrContains("10.0.0.0/8", "169.254.169.254"));
    });
});
