import * as assert from "assert";
import { imageRepository } from "../policies/lib/images";
import { disallowServiceExposure } from "../policies/exposure/disallowServiceExposure";
import { disallowUnlistedImage } from "../policies/workloads/disallowUnlistedImage";
import { disallowUnlistedKind } from "../policies/workloads/disallowUnlistedKind";
import { disallowUnlistedVolumeSource } from "../policies/workloads/disallowUnlistedVolumeSource";
import { stackPolicyConfig } from "./evaluate";
import { compliantPodSpec, compliantResources, podBearing } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

const production1 = stackPolicyConfig("production1");

function object(type: string, name: string, props: Record<string, any> = {}): FixtureResource {
    return { type, name, props: { metadata: { name, namespace: "sapoche" }, ...props } };
}

function withImage(image: unknown): FixtureResource {
    const spec = compliantPodSpec();
    spec.containers[0].image = image;
    return podBearing("Deployment", "api", spec);
}

describe("disallow-unlisted-kind", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(disallowUnlistedKind, compliantResources(), production1),
            [],
        );
    });

    it("admits a listed kind in any served version", async () => {
        const hpa = object("kubernetes:autoscaling/v1:HorizontalPodAutoscaler", "api");
        assert.deepStrictEqual(await violations(disallowUnlistedKind, [hpa], production1), []);
    });

    for (const [type, kind] of [
        [
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
            "rbac.authorization.k8s.io/ClusterRole",
        ],
        [
            "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
            "admissionregistration.k8s.io/MutatingWebhookConfiguration",
        ],
        ["kubernetes:core/v1:PersistentVolume", "core/PersistentVolume"],
        ["kubernetes:core/v1:Pod", "core/Pod"],
        ["kubernetes:core/v1:Secret", "core/Secret"],
        [
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
            "rbac.authorization.k8s.io/RoleBinding",
        ],
        ["kubernetes:evil.example/v1:Deployment", "evil.example/Deployment"],
        ["kubernetes:keda.sh/v1alpha1:ScaledJob", "keda.sh/ScaledJob"],
    ]) {
        it(`refuses a ${kind}, naming what is allowed`, async () => {
            const found = await violations(disallowUnlistedKind, [object(type, "x")], production1);
            assert.strictEqual(found.length, 1);
            assert.match(
                found[0],
                new RegExp(
                    `is a ${kind.replace(/\./g, "\\.")}, a kind this namespace does not contain; allowed: core/Namespace, `,
                ),
            );
        });
    }

    it("refuses every kind when it was never configured", async () => {
        const found = await violations(disallowUnlistedKind, [
            object("kubernetes:core/v1:ConfigMap", "c"),
        ]);
        assert.deepStrictEqual(found, [
            'ConfigMap "c" is a core/ConfigMap, a kind this namespace does not contain; allowed: none.',
        ]);
    });
});

describe("image repositories", () => {
    it("resolve as the runtime resolves them", () => {
        assert.strictEqual(imageRepository("redis:7.4.2"), "docker.io/library/redis");
        assert.strictEqual(
            imageRepository("index.docker.io/library/redis"),
            "docker.io/library/redis",
        );
        assert.strictEqual(
            imageRepository("oliver006/redis_exporter:v1"),
            "docker.io/oliver006/redis_exporter",
        );
        assert.strictEqual(
            imageRepository("REGISTRY.sapoche.internal/sapoche/backend@sha256:ab"),
            "registry.sapoche.internal/sapoche/backend",
        );
        assert.strictEqual(
            imageRepository("registry.sapoche.internal:5000/sapoche/backend:1"),
            "registry.sapoche.internal:5000/sapoche/backend",
        );
        assert.strictEqual(imageRepository("localhost/redis"), "localhost/redis");
    });
});

describe("disallow-unlisted-image", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(disallowUnlistedImage, compliantResources(), production1),
            [],
        );
    });

    for (const image of [
        "redis:7.4.2",
        "docker.io/library/redis:7.4.2@sha256:" + "a".repeat(64),
        "registry.sapoche.internal/sapoche/backend:2026.11.2",
    ]) {
        it(`admits ${image}, a repository of the catalog`, async () => {
            assert.deepStrictEqual(
                await violations(disallowUnlistedImage, [withImage(image)], production1),
                [],
            );
        });
    }

    for (const image of [
        "evil.example/library/redis:7.4.2",
        "registry.sapoche.internal/sapoche/backend-debug:1",
        "registry.sapoche.internal:5000/sapoche/backend:2026.11.2",
        "bitnami/redis:7.4.2",
        "ghcr.io/sapoche/backend:1",
        "registry.sapoche.internal.evil.example/sapoche/backend:1",
    ]) {
        it(`refuses ${image}, naming its repository and the allowed ones`, async () => {
            const found = await violations(disallowUnlistedImage, [withImage(image)], production1);
            assert.strictEqual(found.length, 1);
            assert.match(
                found[0],
                /which the catalog does not list for this stack; allowed: docker\.io\/library\/haproxy, /,
            );
        });
    }

    it("refuses a container without an image and fails closed on an unknown one", async () => {
        assert.match(
            (await violations(disallowUnlistedImage, [withImage("")], production1))[0],
            /should name an image/,
        );
        assert.match(
            (await violations(disallowUnlistedImage, [withImage(UNKNOWN)], production1))[0],
            /should set \.spec\.template\.spec\.containers\.0\.image to a plain value known at preview/,
        );
    });
});

describe("disallow-unlisted-volume-source", () => {
    const withVolume = (volume: Record<string, unknown>) => {
        const spec = compliantPodSpec();
        spec.volumes = [volume];
        return podBearing("Deployment", "api", spec);
    };

    it("passes the compliant namespace and a volume the API defaults to emptyDir", async () => {
        assert.deepStrictEqual(
            await violations(disallowUnlistedVolumeSource, compliantResources(), production1),
            [],
        );
        assert.deepStrictEqual(
            await violations(
                disallowUnlistedVolumeSource,
                [withVolume({ name: "v" })],
                production1,
            ),
            [],
        );
    });

    for (const source of [
        "hostPath",
        "nfs",
        "gitRepo",
        "csi",
        "ephemeral",
        "image",
        "iscsi",
        "somethingNew",
    ]) {
        it(`refuses a ${source} volume, naming the allowed sources`, async () => {
            const found = await violations(
                disallowUnlistedVolumeSource,
                [withVolume({ name: "v", [source]: {} })],
                production1,
            );
            assert.deepStrictEqual(found, [
                `Deployment "api" volume "v" uses ${source}; allowed: configMap, secret, emptyDir, persistentVolumeClaim, projected, downwardAPI.`,
            ]);
        });
    }
});

describe("disallow-service-exposure's Service types", () => {
    const service = (spec: Record<string, unknown>) =>
        object("kubernetes:core/v1:Service", "svc", { spec });

    it("admits ClusterIP, headless and unset types", async () => {
        for (const spec of [{}, { type: "ClusterIP" }, { clusterIP: "None" }]) {
            assert.deepStrictEqual(
                await violations(disallowServiceExposure, [service(spec)], production1),
                [],
            );
        }
    });

    it("refuses an ExternalName Service and any type the catalog does not use", async () => {
        assert.deepStrictEqual(
            await violations(
                disallowServiceExposure,
                [service({ type: "ExternalName", externalName: "evil.example" })],
                production1,
            ),
            ['Service "svc" is of type ExternalName; allowed: ClusterIP, NodePort.'],
        );
        assert.deepStrictEqual(
            await violations(disallowServiceExposure, [service({ type: "Bogus" })], production1),
            ['Service "svc" is of type Bogus; allowed: ClusterIP, NodePort.'],
        );
    });
});
