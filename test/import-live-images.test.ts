/**
 * import-live reads the digests the live pods run (scripts/import-live/live-images.ts): from
 * `status.containerStatuses[].imageID` only, never made up; two digests under one tag are
 * refused.
 */
import { strict as assert } from "assert";
import { liveImages, reportedDigest } from "../scripts/import-live/live-images";
import { targetsFor } from "../scripts/import-live/live-config";
import type { LiveObject } from "../scripts/import-live/live-types";

const TAG = "registry.sapoche.internal/sapoche/backend:2026.11.2";
const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const targets = targetsFor("prod").filter((t) =>
    ["consumer-ecg", "consumer-dicom"].includes(t.deployment),
);

function deployment(name: string, image = TAG): LiveObject {
    return {
        kind: "Deployment",
        metadata: { name },
        spec: {
            selector: { matchLabels: { app: name } },
            template: { spec: { containers: [{ name: "consumer", image }] } },
        },
    };
}

function pod(app: string, n: number, imageID?: string): LiveObject {
    return {
        kind: "Pod",
        metadata: { name: `${app}-${n}`, labels: { app } },
        status: { containerStatuses: [{ name: "consumer", image: TAG, imageID }] },
    } as LiveObject;
}

const deployments = new Map(
    ["consumer-ecg", "consumer-dicom"].map((n) => [n, deployment(n)] as const),
);
const current = { backend: TAG };

describe("import-live: the digests the live pods run", () => {
    it("reads a digest only from a repository digest the runtime reports", () => {
        assert.equal(reportedDigest(`docker.io/library/redis@${A}`), A);
        assert.equal(reportedDigest(`docker-pullable://redis@${A}`), A);
        for (const none of [undefined, "", A, "sha256:latest", `redis@${A}x`]) {
            assert.equal(reportedDigest(none), undefined, String(none));
        }
    });

    it("pins the stack file's tag to the one digest every pod of that image key reports", () => {
        const pods = [1, 2].flatMap((n) => [
            pod("consumer-ecg", n, `${TAG.split(":")[0]}@${A}`),
            pod("consumer-dicom", n, `docker-pullable://${TAG.split(":")[0]}@${A}`),
        ]);
        const r = liveImages(targets, deployments, pods, current);
        assert.deepEqual(r.images, { backend: `${TAG}@${A}` });
        assert.deepEqual(r.refused, []);
        assert.match(r.notes.join("\n"), /the digest its 4 live pod\(s\) report/);
    });

    it("refuses an image key whose pods report two digests, naming the pods and both digests", () => {
        const pods = [pod("consumer-ecg", 1, `r@${A}`), pod("consumer-dicom", 1, `r@${B}`)];
        const r = liveImages(targets, deployments, pods, current);
        assert.deepEqual(r.images, {});
        assert.equal(r.refused.length, 1);
        assert.match(
            r.refused[0],
            /^sapoche-stack:images\.backend: the live pods of .* run 2 digests/,
        );
        assert.ok(r.refused[0].includes(`${A}: consumer-ecg/consumer-ecg-1`));
        assert.ok(r.refused[0].includes(`${B}: consumer-dicom/consumer-dicom-1`));
        assert.match(r.refused[0], /different bytes under one tag/);
    });

    it("says the digest is unknown when a pod reports no imageID (kwok's do not), and writes nothing", () => {
        for (const pods of [
            [pod("consumer-ecg", 1, ""), pod("consumer-dicom", 1, "")],
            // One pod without a digest: the others cannot vouch for its bytes.
            [pod("consumer-ecg", 1, `r@${A}`), pod("consumer-dicom", 1)],
            // No pod at all.
            [],
        ]) {
            const r = liveImages(targets, deployments, pods, current);
            assert.deepEqual(r.images, {});
            assert.deepEqual(r.refused, []);
            assert.match(
                r.notes.join("\n"),
                /sapoche-stack:images\.backend: digest unknown, .* report no imageID .* is left as it is\. Read the digest from the registry \(crane digest /,
            );
        }
    });

    it("imports no digest for Deployments that run another image than the stack file names", () => {
        const other = new Map([
            [
                "consumer-ecg",
                deployment("consumer-ecg", "registry.sapoche.internal/sapoche/live:2022.1"),
            ],
        ]);
        const r = liveImages(targets, other, [pod("consumer-ecg", 1, `r@${A}`)], current);
        assert.deepEqual(r.images, {});
        assert.match(r.notes.join("\n"), /1 live Deployment\(s\) run another image \(consumer-ecg/);
    });
});
