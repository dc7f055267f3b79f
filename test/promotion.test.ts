import { strict as assert } from "assert";
import { configuredWorkloads } from "../stacks/catalog";
import {
    evaluateProgram,
    PROJECT,
    readStackConfig,
    stackSettings,
    stagingRanItsConfig,
} from "./support/program";
import { findUnpromoted, promotionRefusal } from "../stacks/promotion";

type Any = Record<string, any>;
const STAGING = `organization/${PROJECT}/staging`;

/** production1's config with a new backend image, as a release would bring it. */
function production1WithBackend(image: string, bypassReason = ""): Record<string, unknown> {
    const c = readStackConfig("production1") as Record<string, Any>;
    return {
        ...c,
        [`${PROJECT}:images`]: { ...c[`${PROJECT}:images`], backend: image },
        [`${PROJECT}:promotion`]: { ...c[`${PROJECT}:promotion`], bypassReason },
    };
}

describe("staging-first promotion", () => {
    const NEW = "registry.sapoche.internal/sapoche/backend:2026.12.0";
    /** Workloads running the backend image, from the plan (one catalog key: `backend`). */
    const backend = stackSettings("production1").plan.flatMap((p) =>
        Object.entries(p.imageKeys).some(([, key]) => key === "backend")
            ? p.promoted.filter((i) => i.image.includes("/backend:"))
            : [],
    ).length;

    it("lists every workload whose image staging has not run", () => {
        assert.deepEqual(findUnpromoted({ a: "x:1", b: "y:2", c: "z:3" }, { a: "x:1", b: "y:1" }), [
            { workload: "b", image: "y:2", staged: "y:1" },
            { workload: "c", image: "z:3", staged: undefined },
        ]);
    });

    it("refuses production1 when staging has not run the image, naming each workload and image", async () => {
        const backendWorkloads = Object.entries(
            stagingRanItsConfig()[STAGING].workloadImages as Record<string, string>,
        ).filter(([, image]) => image.includes("/backend:"));
        const expected = promotionRefusal(
            STAGING,
            backendWorkloads.map(([workload, staged]) => ({ workload, image: NEW, staged })),
            "Pulumi.production1.yaml",
        );
        assert.equal(backendWorkloads.length, backend);
        await assert.rejects(
            evaluateProgram("production1", production1WithBackend(NEW)),
            (e: Error) => {
                assert.equal(e.message, expected);
                return true;
            },
        );
    });

    it("accepts the same production1 once staging has run the image", async () => {
        const staged = stagingRanItsConfig();
        const images = { ...(staged[STAGING].workloadImages as Record<string, string>) };
        for (const [k, v] of Object.entries(images)) if (v.includes("/backend:")) images[k] = NEW;
        const rs = await evaluateProgram("production1", production1WithBackend(NEW), {
            stackOutputs: { [STAGING]: { workloadImages: images } },
        });
        const deployments = rs.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
        // Every configured workload, the Redis proxy and the scheduler.
        assert.equal(deployments.length, configuredWorkloads.length + 2);
        assert.ok(
            deployments.every(
                (d) => !(d.props as Any).metadata.annotations?.["sapoche.io/promotion-bypass"],
            ),
        );
    });

    it("deploys under an explicit bypass and marks every bypassed workload", async () => {
        const rs = await evaluateProgram(
            "production1",
            production1WithBackend(NEW, "INC-4711 lab results down"),
        );
        const bypassed = rs
            .filter((r) => /apps\/v1:(Deployment|StatefulSet)$/.test(r.type))
            .filter(
                (r) =>
                    (r.props as Any).metadata.annotations?.["sapoche.io/promotion-bypass"] ===
                    "INC-4711 lab results down",
            )
            .map((r) => (r.props as Any).metadata.name)
            .sort();
        assert.equal(bypassed.length, backend);
        assert.ok(bypassed.includes("sapoche-be--scheduler--prod"));
        assert.ok(!bypassed.includes("redis"));
    });

    it("gives staging no promotion source", async () => {
        const rs = await evaluateProgram("staging");
        assert.equal(rs.filter((r) => r.type === "pulumi:pulumi:StackReference").length, 0);
    });
});
