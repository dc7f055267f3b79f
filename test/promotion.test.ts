import { strict as assert } from "assert";
import { configuredWorkloads } from "../stacks/catalog";
import {
    evaluateOutputs,
    evaluateProgram,
    PROJECT,
    readStackConfig,
    stackSettings,
    stagingRanItsConfig,
} from "../lib/program";
import {
    DEFAULT_HISTORY_LENGTH,
    findUnpromoted,
    parseImage,
    nextImageHistory,
    promotionRefusal,
    ranImages,
    workloadImages,
} from "../stacks/promotion";

type Any = Record<string, any>;
const STAGING = `organization/${PROJECT}/staging`;
const BACKEND = "registry.sapoche.internal/sapoche/backend";
const CURRENT = `${BACKEND}:2026.11.2`;
const NEW = `${BACKEND}:2026.12.0`;
const OLDER = `${BACKEND}:2026.11.1`;

/** A stack file's config with a new backend image and promotion settings, as a release brings them. */
function withBackend(
    stack: "production1" | "staging",
    image: string,
    promotion: Record<string, unknown> = {},
): Record<string, unknown> {
    const c = readStackConfig(stack) as Record<string, Any>;
    return {
        ...c,
        [`${PROJECT}:images`]: { ...c[`${PROJECT}:images`], backend: image },
        [`${PROJECT}:promotion`]: { ...c[`${PROJECT}:promotion`], ...promotion },
    };
}

const production1WithBackend = (image: string, bypassReason = "") =>
    withBackend("production1", image, { bypassReason });

/** Staging's `workloadImages` as Pulumi.staging.yaml runs it. */
const stagingImages = () => stagingRanItsConfig()[STAGING].workloadImages as Record<string, string>;

/** Keys of the workloads running the backend image. */
const backendKeys = () =>
    Object.entries(stagingImages())
        .filter(([, image]) => image.startsWith(`${BACKEND}:`))
        .map(([key]) => key);

/** Staging's outputs after it ran OLDER, then CURRENT (what it runs now) for the backend. */
function stagingRanOlderThenCurrent(): Record<string, Record<string, unknown>> {
    const current = stagingImages();
    const imageHistory = Object.fromEntries(
        Object.entries(current).map(([k, image]) => [
            k,
            image === CURRENT ? [CURRENT, OLDER] : [image],
        ]),
    );
    return { [STAGING]: { workloadImages: current, imageHistory } };
}

describe("staging-first promotion", () => {
    /** Workloads running the backend image, from the plan (one catalog key: `backend`). */
    const backend = stackSettings("production1").plan.flatMap((p) =>
        Object.entries(p.imageKeys).some(([, key]) => key === "backend")
            ? p.promoted.filter((i) => i.image.includes("/backend:"))
            : [],
    ).length;

    it("lists every workload whose image staging never ran, with what it runs and ran before", () => {
        const ran = { a: ["x:1"], b: ["y:3", "y:1"], d: ["w:2", "w:1"] };
        assert.deepEqual(
            findUnpromoted({ a: "x:1", b: "y:2", c: "z:3", d: "w:1" }, ran),
            [
                { workload: "b", image: "y:2", staged: "y:3", ranBefore: ["y:1"] },
                { workload: "c", image: "z:3", staged: undefined, ranBefore: [] },
            ],
            "d runs an image staging ran before: accepted",
        );
    });

    it("judges a digest-pinned image by its digest: a re-pushed tag does not pass, tag@digest is its digest", () => {
        const repo = "registry.sapoche.internal/sapoche/backend";
        const d = (c: string) => `sha256:${c.repeat(64)}`;
        const ran = { a: [`${repo}:2026.12.0@${d("a")}`, `${repo}@${d("b")}`] };
        // The same tag pushed again: another digest, refused, naming what staging ran.
        const repushed = findUnpromoted({ a: `${repo}:2026.12.0@${d("c")}` }, ran);
        assert.equal(repushed.length, 1);
        assert.equal(repushed[0].staged, `${repo}:2026.12.0@${d("a")}`);
        // Any tag (or none) on a digest staging ran passes: the digest is what runs.
        assert.deepEqual(findUnpromoted({ a: `${repo}@${d("a")}` }, ran), []);
        assert.deepEqual(findUnpromoted({ a: `${repo}:other@${d("b")}` }, ran), []);
        // The same digest from another repository is not what staging ran.
        assert.equal(findUnpromoted({ a: `${repo}-fork@${d("a")}` }, ran).length, 1);
        // A bare tag never matches a digest staging ran: which bytes it names is unknown.
        assert.equal(findUnpromoted({ a: `${repo}:2026.12.0` }, ran).length, 1);
        // A malformed digest is no digest: only the very same reference would match.
        assert.equal(
            findUnpromoted({ a: `${repo}@sha256:abc` }, { a: [`${repo}@sha256:abcd`] }).length,
            1,
        );
    });

    it("splits image references as a registry reads them, ports and all", () => {
        const d = `sha256:${"f".repeat(64)}`;
        assert.deepEqual(parseImage(`reg:5000/a/b:1.2@${d}`), {
            repository: "reg:5000/a/b",
            tag: "1.2",
            digest: d,
        });
        assert.deepEqual(parseImage("reg:5000/a/b"), {
            repository: "reg:5000/a/b",
            tag: undefined,
            digest: undefined,
        });
    });

    it("reads a promotion source that predates imageHistory from its workloadImages alone", () => {
        assert.deepEqual(ranImages({ workloadImages: { a: "x:2" } }), { a: ["x:2"] });
        assert.deepEqual(
            ranImages({ workloadImages: { a: "x:2" }, imageHistory: { a: ["x:2", "x:1"] } }),
            { a: ["x:2", "x:1"] },
        );
        assert.deepEqual(ranImages(undefined), {});
    });

    it("records the current image first, distinct, bounded, only for workloads that exist", () => {
        const previous = {
            workloadImages: { a: "x:3", gone: "g:1" },
            imageHistory: { a: ["x:3", "x:2", "x:1"], gone: ["g:1"] },
        };
        assert.deepEqual(nextImageHistory({ a: "x:4", b: "y:1" }, previous, 3), {
            a: ["x:4", "x:3", "x:2"],
            b: ["y:1"],
        });
        // Going back to an image already in the history moves it to the front, never twice.
        assert.deepEqual(nextImageHistory({ a: "x:2" }, previous, 3), { a: ["x:2", "x:3", "x:1"] });
        assert.deepEqual(nextImageHistory({ a: "x:1" }, undefined, 3), { a: ["x:1"] });
    });

    it("refuses production1 an image staging never ran, naming each workload, the image and what staging ran", async () => {
        const keys = backendKeys();
        assert.equal(keys.length, backend);
        const expected = promotionRefusal(
            STAGING,
            keys.map((workload) => ({ workload, image: NEW, staged: CURRENT, ranBefore: [OLDER] })),
            "Pulumi.production1.yaml",
        );
        await assert.rejects(
            evaluateProgram("production1", production1WithBackend(NEW), {
                stackOutputs: stagingRanOlderThenCurrent(),
            }),
            (e: Error) => {
                assert.equal(e.message, expected);
                // The exact wording an operator reads, for one workload.
                assert.ok(
                    e.message.includes(
                        `\n  - consumer-ecg: ${NEW} (${STAGING} runs ${CURRENT}; ran before: ${OLDER})\n`,
                    ),
                    e.message,
                );
                assert.ok(e.message.startsWith(`Refusing to deploy ${backend} workload image(s)`));
                return true;
            },
        );
    });

    it("accepts production1 going back to an image in staging's history (rollback)", async () => {
        const rs = await evaluateProgram("production1", production1WithBackend(OLDER), {
            stackOutputs: stagingRanOlderThenCurrent(),
        });
        const ecg = rs.find(
            (r) =>
                r.type === "kubernetes:apps/v1:Deployment" &&
                (r.props as Any).metadata.name === "consumer-ecg",
        );
        assert.equal((ecg?.props as Any).spec.template.spec.containers[0].image, OLDER);
        assert.ok(
            rs.every(
                (r) => !(r.props as Any).metadata?.annotations?.["sapoche.io/promotion-bypass"],
            ),
            "no bypass was needed",
        );
    });

    it("accepts the same production1 once staging has run the image (a source without history)", async () => {
        const images = { ...stagingImages() };
        for (const k of backendKeys()) images[k] = NEW;
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

    it("refuses an image that only production1's own history holds: staging's record is what counts", async () => {
        // production1 ran NEW once under a bypass; staging never did.
        await assert.rejects(
            evaluateProgram("production1", production1WithBackend(NEW), {
                stackOutputs: {
                    ...stagingRanOlderThenCurrent(),
                    production1: { imageHistory: { "consumer-ecg": [NEW] } },
                },
            }),
            /consumer-ecg: registry\.sapoche\.internal\/sapoche\/backend:2026\.12\.0/,
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

    it("gives staging no promotion source: its only stack reference is its own history", async () => {
        const rs = await evaluateProgram("staging");
        const refs = rs.filter((r) => r.type === "pulumi:pulumi:StackReference");
        assert.deepEqual(
            refs.map((r) => [r.name, r.props.name]),
            [["image-history", "staging"]],
        );
    });
});

describe("staging's image history (stack output imageHistory)", () => {
    const current = () => workloadImages(stackSettings("staging").plan);

    it("on the first deployment records exactly what staging runs, one image per workload", async () => {
        // No previous outputs at all: the stack was just initialised.
        const outputs = await evaluateOutputs("staging", readStackConfig("staging"), {
            stackOutputs: { staging: {} },
        });
        assert.deepEqual(outputs.workloadImages, current());
        assert.deepEqual(
            outputs.imageHistory,
            Object.fromEntries(Object.entries(current()).map(([k, image]) => [k, [image]])),
        );
    });

    it("adds a new image in front of what the previous update recorded", async () => {
        const previous = Object.fromEntries(
            Object.entries(current()).map(([k, image]) => [k, [image, OLDER]]),
        );
        const outputs = await evaluateOutputs("staging", withBackend("staging", NEW), {
            stackOutputs: { staging: { workloadImages: current(), imageHistory: previous } },
        });
        const history = outputs.imageHistory as Record<string, string[]>;
        assert.deepEqual(history["consumer-ecg"], [NEW, CURRENT, OLDER]);
        // A workload whose image did not change keeps its record as it was (no duplicate).
        const redis = Object.keys(history).find((k) => !backendKeys().includes(k))!;
        assert.deepEqual(history[redis], previous[redis]);
        assert.equal((outputs.workloadImages as Record<string, string>)["consumer-ecg"], NEW);
    });

    it("keeps at most promotion.historyLength images per workload, dropping the oldest", async () => {
        const long = Array.from({ length: 20 }, (_, i) => `${BACKEND}:2026.10.${i}`);
        const previous = Object.fromEntries(Object.keys(current()).map((k) => [k, long]));
        const latest = Object.fromEntries(Object.keys(current()).map((k) => [k, long[0]]));
        const ran = { staging: { workloadImages: latest, imageHistory: previous } };

        const bounded = await evaluateOutputs(
            "staging",
            withBackend("staging", NEW, { historyLength: 3 }),
            { stackOutputs: ran },
        );
        assert.deepEqual((bounded.imageHistory as Any)["consumer-ecg"], [NEW, long[0], long[1]]);

        // Without the key: DEFAULT_HISTORY_LENGTH.
        const byDefault = await evaluateOutputs("staging", withBackend("staging", NEW), {
            stackOutputs: ran,
        });
        const ecg = (byDefault.imageHistory as Any)["consumer-ecg"] as string[];
        assert.equal(ecg.length, DEFAULT_HISTORY_LENGTH);
        assert.deepEqual(ecg, [NEW, ...long.slice(0, DEFAULT_HISTORY_LENGTH - 1)]);
    });
});
