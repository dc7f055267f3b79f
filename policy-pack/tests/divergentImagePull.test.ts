import * as assert from "assert";
import { disallowDivergentImagePull } from "../policies/workloads/disallowDivergentImagePull";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, violations } from "./harness";

const DIGEST = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const BACKEND = "registry.sapoche.internal/sapoche/backend:2026.11.2";

/** Every container of every pod template, init containers included. */
function containers(resources: FixtureResource[]): Record<string, any>[] {
    return resources.flatMap((r) => {
        const spec =
            r.props.spec?.template?.spec ?? r.props.spec?.jobTemplate?.spec?.template?.spec;
        return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
    });
}

/** The compliant namespace with every image pinned as `<tag>@sha256:...`, as production1 will be. */
function pinned(): FixtureResource[] {
    const resources = compliantResources();
    for (const c of containers(resources)) c.image = `${c.image}@${DIGEST}`;
    return resources;
}

function php(resources: FixtureResource[]): Record<string, any> {
    return pick(resources, "Deployment", "sp-bnkd-php").props.spec.template.spec.containers[0];
}

describe("disallow-divergent-image-pull", () => {
    it("passes a namespace whose images are all pinned by digest, whatever their pull policy", async () => {
        const resources = pinned();
        assert.ok(containers(resources).length > 5);
        assert.deepStrictEqual(await violations(disallowDivergentImagePull, resources), []);
        for (const policy of ["Always", "Never", undefined]) {
            php(resources).imagePullPolicy = policy;
            assert.deepStrictEqual(await violations(disallowDivergentImagePull, resources), []);
        }
        php(resources).image = `registry.sapoche.internal/sapoche/backend@${DIGEST}`;
        assert.deepStrictEqual(await violations(disallowDivergentImagePull, resources), []);
    });

    it("refuses a tag pulled IfNotPresent, naming the image and the commands that read its digest", async () => {
        const resources = pinned();
        php(resources).image = BACKEND;
        assert.deepStrictEqual(await violations(disallowDivergentImagePull, resources), [
            `Deployment "sp-bnkd-php" container "php-fpm" runs "${BACKEND}" with imagePullPolicy IfNotPresent: each node keeps the bytes it pulled first, so a tag pushed again runs old bytes on some nodes and new on others. Only a digest names one set of bytes: set its sapoche-stack:images value in the stack file to "${BACKEND}@sha256:<digest>" (accepted: repository[:tag]@sha256:<64 hex digits>), reading the digest from the registry (crane digest ${BACKEND}, docker buildx imagetools inspect ${BACKEND}, or skopeo inspect docker://${BACKEND}); production1 takes a digest only once staging ran it, so both stack files carry it.`,
        ]);
    });

    it("names the stack file and the image key its config gives, Docker Hub's short names included", async () => {
        const resources = pinned();
        php(resources).image = BACKEND;
        pick(resources, "StatefulSet", "redis").props.spec.template.spec.containers[0].image =
            "redis:7.4.2";
        const config = {
            "disallow-divergent-image-pull": {
                stackFile: "Pulumi.production1.yaml",
                imageKeys: {
                    "registry.sapoche.internal/sapoche/backend": "backend",
                    "docker.io/library/redis": "redis",
                },
            },
        };
        const found = await violations(disallowDivergentImagePull, resources, config);
        assert.equal(found.length, 2, found.join("\n"));
        assert.match(
            found[0],
            new RegExp(
                `set sapoche-stack:images\\.backend in Pulumi\\.production1\\.yaml to "${BACKEND}@sha256:<digest>"`,
            ),
        );
        assert.match(
            found[1],
            /StatefulSet "redis" container "redis" runs "redis:7.4.2" .* set sapoche-stack:images\.redis in Pulumi\.production1\.yaml to "redis:7\.4\.2@sha256:<digest>"/,
        );
    });

    it("leaves out only the live Deployments an import brings under management as they run", async () => {
        const resources = pinned();
        php(resources).image = BACKEND;
        const web = pick(resources, "Deployment", "sapoche-frontend-web").props.spec.template.spec;
        web.containers[0].image = "registry.sapoche.internal/sapoche/frontend-web:2026.11.1";
        const config = {
            "disallow-divergent-image-pull": { importedLive: ["Deployment/sp-bnkd-php"] },
        };
        const found = await violations(disallowDivergentImagePull, resources, config);
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /^Deployment "sapoche-frontend-web" /);
        // A StatefulSet of the same name is not the imported Deployment.
        const redis = pick(resources, "StatefulSet", "redis");
        redis.props.spec.template.spec.containers[0].image = "redis:7.4.2";
        const other = { "disallow-divergent-image-pull": { importedLive: ["Deployment/redis"] } };
        assert.equal((await violations(disallowDivergentImagePull, resources, other)).length, 3);
    });

    it("refuses a tag under every pull policy, set or defaulted", async () => {
        const resources = pinned();
        const container = php(resources);
        container.image = BACKEND;
        const cases: [string | undefined, RegExp][] = [
            ["Always", /imagePullPolicy Always: each start runs whatever the tag names/],
            ["Never", /imagePullPolicy Never: each node runs whatever bytes it was given/],
            [
                undefined,
                /imagePullPolicy IfNotPresent \(the default for this tag\): each node keeps/,
            ],
        ];
        for (const [policy, message] of cases) {
            container.imagePullPolicy = policy;
            const found = await violations(disallowDivergentImagePull, resources);
            assert.equal(found.length, 1, String(policy));
            assert.match(found[0], message);
        }
        // `latest` (or no tag) defaults to Always, which diverges as well.
        container.image = "registry.sapoche.internal/sapoche/backend";
        const [untagged] = await violations(disallowDivergentImagePull, resources);
        assert.match(untagged, /imagePullPolicy Always \(the default for this tag\)/);
    });

    it("refuses a malformed digest as a tag would be", async () => {
        const resources = pinned();
        php(resources).image = "registry.sapoche.internal/sapoche/backend@sha256:latest";
        const [found] = await violations(disallowDivergentImagePull, resources);
        assert.match(found, /runs "registry.sapoche.internal\/sapoche\/backend@sha256:latest"/);
    });

    it("refuses a pull policy Kubernetes does not know, naming the ones it does", async () => {
        const resources = pinned();
        php(resources).imagePullPolicy = "IfChanged";
        assert.deepStrictEqual(await violations(disallowDivergentImagePull, resources), [
            'Deployment "sp-bnkd-php" container "php-fpm" has imagePullPolicy "IfChanged", which Kubernetes does not know: use one of Always, IfNotPresent, Never or leave it unset.',
        ]);
    });

    it("judges init containers too", async () => {
        const resources = pinned();
        const spec = pick(resources, "Deployment", "sp-bnkd-php").props.spec.template.spec;
        spec.initContainers = [{ ...php(resources), name: "migrate", image: BACKEND }];
        const found = await violations(disallowDivergentImagePull, resources);
        assert.equal(found.length, 1);
        assert.match(found[0], /container "migrate" runs/);
    });
});
