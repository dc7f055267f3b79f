/**
 * The images a sandbox pins in its copies of the stack files (lib/sandbox-stacks.ts): a digest
 * derived from the tag, never written into a committed file, the same for both stack files so
 * that production1's gate can match what staging ran.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackConfig } from "../lib/program";
import {
    bindStackFiles,
    localImage,
    pinImages,
    pinStackFiles,
    pinnedConfig,
} from "../lib/sandbox-stacks";
import { ranSameImage } from "../stacks/promotion";

const TAG = "registry.sapoche.internal/sapoche/backend:2026.11.2";

describe("a sandbox's pinned images", () => {
    it("pins a tag to the sha256 of local:<tag>, and a re-push of it to another digest", () => {
        const sha = createHash("sha256").update(`local:${TAG}`).digest("hex");
        assert.equal(localImage(TAG), `${TAG}@sha256:${sha}`);
        assert.equal(localImage(localImage(TAG)), localImage(TAG));
        const repushed = localImage(TAG, 2);
        assert.match(repushed, new RegExp(`^${TAG.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}$`));
        assert.notEqual(repushed, localImage(TAG));
        // What the promotion gate then sees: the same tag, other bytes.
        assert.ok(ranSameImage(localImage(TAG), localImage(TAG)));
        assert.ok(!ranSameImage(repushed, localImage(TAG)));
    });

    it("rewrites only the values of sapoche-stack:images, keeps a digest already recorded, and is idempotent", () => {
        const text = [
            "config:",
            "  sapoche-stack:clusterUid: unrecorded",
            "  sapoche-stack:images:",
            `    backend: ${TAG}`,
            `    redis: redis:7.4.2@sha256:${"a".repeat(64)}`,
            "  sapoche-stack:namespace: sapoche",
            "",
        ].join("\n");
        const pinned = pinImages(text);
        assert.equal(pinned, text.replace(`backend: ${TAG}`, `backend: ${localImage(TAG)}`));
        assert.equal(pinImages(pinned), pinned);
        assert.equal(
            pinImages("config:\n  sapoche-stack:namespace: x\n"),
            "config:\n  sapoche-stack:namespace: x\n",
        );
    });

    it("pins both stack files of a copy alike, and the config the tests judge the same way", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pin-"));
        try {
            for (const stack of ["production1", "staging"]) {
                fs.copyFileSync(`Pulumi.${stack}.yaml`, path.join(dir, `Pulumi.${stack}.yaml`));
            }
            assert.equal(pinStackFiles(dir), true);
            assert.equal(pinStackFiles(dir), false);
            const images = (stack: string) =>
                readStackConfig(
                    stack,
                    fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8"),
                )["sapoche-stack:images"] as Record<string, string>;
            const committed = readStackConfig("production1")["sapoche-stack:images"] as Record<
                string,
                string
            >;
            assert.deepEqual(
                images("production1"),
                Object.fromEntries(Object.entries(committed).map(([k, v]) => [k, localImage(v)])),
            );
            assert.deepEqual(
                images("production1"),
                pinnedConfig(readStackConfig("production1"))["sapoche-stack:images"],
            );
            assert.equal(images("staging").backend, images("production1").backend);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("binds the copies to the sandbox's cluster: only clusterUid and the images change", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bind-"));
        const uid = "0a1b2c3d-0000-4000-8000-000000000001";
        try {
            for (const stack of ["production1", "staging"]) {
                fs.copyFileSync(`Pulumi.${stack}.yaml`, path.join(dir, `Pulumi.${stack}.yaml`));
            }
            bindStackFiles(dir, uid);
            for (const stack of ["production1", "staging"]) {
                const committed = readStackConfig(stack);
                const bound = readStackConfig(
                    stack,
                    fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8"),
                );
                const expected = pinnedConfig({ ...committed });
                if ("sapoche-stack:clusterUid" in committed)
                    expected["sapoche-stack:clusterUid"] = uid;
                assert.deepEqual(bound, expected, stack);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
