import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { catalog } from "../stacks/catalog";
import { ConfigError, parseSettings } from "../stacks/settings";
import { evaluateProgram, PROJECT, readStackConfig, ROOT, toEngineConfig } from "./support/program";

type Config = Record<string, any>;

/** production1's config without the project prefix, deep-copied so tests can break it. */
function production1(): Config {
    const c = readStackConfig("production1");
    return JSON.parse(
        JSON.stringify(Object.fromEntries(Object.entries(c).map(([k, v]) => [k.split(":")[1], v]))),
    );
}

/** The problems parseSettings reports for production1's config after `breakIt`. */
function problems(breakIt: (c: Config) => void): readonly string[] {
    const c = production1();
    breakIt(c);
    const raw = toEngineConfig(c);
    try {
        parseSettings(raw, PROJECT, "Pulumi.production1.yaml");
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

const W = "sapoche-stack:workloads";

describe("stack config validation", () => {
    it("accepts both stack files as they are", () => {
        for (const stack of ["production1", "staging"]) {
            const raw = Object.fromEntries(
                Object.entries(toEngineConfig(readStackConfig(stack))).map(([k, v]) => [
                    k.split(":")[1],
                    v,
                ]),
            );
            const s = parseSettings(raw, PROJECT, `Pulumi.${stack}.yaml`);
            assert.equal(s.plan.length, catalog.length);
            const dicom = s.plan.find((p) => p.family === "queue-consumer")!;
            assert.ok(Object.isFrozen(dicom.settings.resources));
        }
    });

    it("names the stack file, counts the problems and says nothing was registered", () => {
        const c = production1();
        c.workloads["consumer-dicom"].replicas = -1;
        assert.throws(
            () => parseSettings(toEngineConfig(c), PROJECT, "Pulumi.production1.yaml"),
            (e: Error) =>
                e.message ===
                "Invalid stack configuration in Pulumi.production1.yaml (1 problem); nothing was registered:\n" +
                    `  - ${W}.consumer-dicom.replicas: got -1; expected an integer >= 0`,
        );
    });

    it("reports several mistakes together", () => {
        assert.deepEqual(
            problems((c) => {
                c.workloads["worker-booking"].replicas = -4;
                c.redis.nodes = 0;
                c.images.redis = "redis";
            }),
            [
                `sapoche-stack:images.redis: got "redis"; expected an image reference with a pinned tag or digest, e.g. registry/app:1.2.3`,
                `sapoche-stack:redis.nodes: got 0; expected an integer from 1 to 9`,
                `${W}.worker-booking.replicas: got -4; expected an integer >= 0`,
            ],
        );
    });

    // One row per bad input.
    // prettier-ignore
    const cases: [string, (c: Config) => void, string[]][] = [
        ["a negative replica count", (c) => (c.workloads["consumer-dicom"].replicas = -1), [`${W}.consumer-dicom.replicas: got -1; expected an integer >= 0`]],
        ["a fractional replica count", (c) => (c.workloads["worker-sapoche-pdf"].replicas = 1.5), [`${W}.worker-sapoche-pdf.replicas: got 1.5; expected an integer >= 0`]],
        ["a replica count written as a word", (c) => (c.workloads["worker-sapoche-pdf"].replicas = "two"), [`${W}.worker-sapoche-pdf.replicas: got "two"; expected an integer >= 0`]],
        [
            "a misspelt workload",
            (c) => {
                c.workloads["consumer-dicomm"] = c.workloads["consumer-dicom"];
                delete c.workloads["consumer-dicom"];
            },
            [
                `${W}.consumer-dicom: missing; expected an object with keys replicas, scaledToZero, resources`,
                `${W}.consumer-dicomm: unknown key (did you mean "consumer-dicom"?); allowed keys: ${Object.keys(production1().workloads).join(", ")}`,
            ],
        ],
        [
            "a misspelt field",
            (c) => {
                c.workloads["consumer-ecg"].replica = 2;
                delete c.workloads["consumer-ecg"].replicas;
            },
            [
                `${W}.consumer-ecg.replicas: missing; expected an integer >= 0`,
                `${W}.consumer-ecg.replica: unknown key (did you mean "replicas"?); allowed keys: replicas, scaledToZero, resources`,
            ],
        ],
        [
            "autoscaling on a workload without an autoscaler",
            (c) => {
                c.workloads["consumer-ecg"].autoscaling = c.workloads["consumer-lis-testresult"].autoscaling;
                delete c.workloads["consumer-ecg"].replicas;
            },
            [
                `${W}.consumer-ecg.replicas: missing; expected an integer >= 0`,
                `${W}.consumer-ecg.autoscaling: unknown key; allowed keys: replicas, scaledToZero, resources`,
            ],
        ],
        ["KEDA minReplicas above maxReplicas", (c) => (c.workloads["consumer-lis-testresult"].autoscaling.minReplicas = 5), [`${W}.consumer-lis-testresult.autoscaling.minReplicas: got 5; expected at most maxReplicas (4)`]],
        ["HPA minReplicas above maxReplicas", (c) => (c.workloads["sp-bnkd-php"].autoscaling.minReplicas = 21), [`${W}.sp-bnkd-php.autoscaling.minReplicas: got 21; expected at most maxReplicas (20)`]],
        ["a zero queue threshold", (c) => (c.workloads["consumer-spc-pdf-generate"].autoscaling.queueThreshold = 0), [`${W}.consumer-spc-pdf-generate.autoscaling.queueThreshold: got 0; expected an integer from 1 to 10000`]],
        ["a polling interval beyond an hour", (c) => (c.workloads["consumer-spc-pdf-generate"].autoscaling.pollingInterval = 5000), [`${W}.consumer-spc-pdf-generate.autoscaling.pollingInterval: got 5000; expected an integer from 1 to 3600`]],
        ["a CPU target above 100 %", (c) => (c.workloads["sp-bnkd-php"].autoscaling.cpuUtilization = 150), [`${W}.sp-bnkd-php.autoscaling.cpuUtilization: got 150; expected an integer from 1 to 100`]],
        ["an image without a tag", (c) => (c.images.backend = "registry.sapoche.internal/sapoche/backend"), [`sapoche-stack:images.backend: got "registry.sapoche.internal/sapoche/backend"; expected an image reference with a pinned tag or digest, e.g. registry/app:1.2.3`]],
        ["an image tagged latest", (c) => (c.images.redis = "redis:latest"), [`sapoche-stack:images.redis: got "redis:latest"; expected an image reference with a pinned tag or digest, e.g. registry/app:1.2.3`]],
        ["an image reference with capitals and spaces", (c) => (c.images.orthanc = "Orthanc Team/orthanc:1"), [`sapoche-stack:images.orthanc: got "Orthanc Team/orthanc:1"; expected an image reference with a pinned tag or digest, e.g. registry/app:1.2.3`]],
        ["a node port below the range", (c) => (c.nodePorts["bknd-services-nginx"].http = 29999), [`sapoche-stack:nodePorts.bknd-services-nginx.http: got 29999; expected an integer from 30000 to 32767`]],
        ["a node port above the range", (c) => (c.nodePorts["sapoche-frontend-web"].http = 40000), [`sapoche-stack:nodePorts.sapoche-frontend-web.http: got 40000; expected an integer from 30000 to 32767`]],
        ["a node port used twice", (c) => (c.nodePorts["diag-dicom-viewer-nginx"].http = 32766), [`sapoche-stack:nodePorts.diag-dicom-viewer-nginx.http: got 32766; expected a node port not already used by sapoche-bknd-php.fpm`]],
        ["a node port for an unknown port name", (c) => (c.nodePorts["bknd-services-nginx"].https = 30443), [`sapoche-stack:nodePorts.bknd-services-nginx.https: unknown key (did you mean "http"?); allowed keys: http`]],
        ["a missing Redis password Secret name", (c) => delete c.redis.passwordSecretName, [`sapoche-stack:redis.passwordSecretName: missing; expected a Kubernetes name (lowercase letters, digits and '-')`]],
        ["a missing top-level key", (c) => delete c.keda, [`sapoche-stack:keda: missing; expected an object with keys brokerSecretName`]],
        ["an unknown top-level key", (c) => (c.replicas = 3), [`sapoche-stack:replicas: unknown key; allowed keys: environment, namespace, images, nodePorts, keda, orthanc, redis, scheduler, workloads, promotion, monitoring, adopt`]],
        ["zero replicas without a reason", (c) => (c.workloads["worker-sapoche-pdf-en"].replicas = 0), [`${W}.worker-sapoche-pdf-en.scaledToZero: missing; expected {reason, reviewDate} because replicas is 0`]],
        ["a scaled-to-zero note on a running workload", (c) => (c.workloads["consumer-revenue"].replicas = 1), [`${W}.consumer-revenue.scaledToZero: got {"reason":"Revenue processing moved out of this namespace; kept at zero until confirmed unused (seed recommendation).","reviewDate":"2027-02-26"}; expected no scaledToZero while replicas is above 0`]],
        ["a review date that is not a date", (c) => (c.workloads["consumer-revenue"].scaledToZero.reviewDate = "next spring"), [`${W}.consumer-revenue.scaledToZero.reviewDate: got "next spring"; expected a date written YYYY-MM-DD`]],
        ["an empty scaled-to-zero reason", (c) => (c.workloads["consumer-revenue"].scaledToZero.reason = " "), [`${W}.consumer-revenue.scaledToZero.reason: got " "; expected a non-empty reason`]],
        ["a CPU quantity in an unknown unit", (c) => (c.workloads["worker-booking"].resources.cpu = "0.5"), [`${W}.worker-booking.resources.cpu: got "0.5"; expected a CPU quantity such as 250m or 2`]],
        ["a non-canonical CPU quantity", (c) => (c.workloads["worker-booking"].resources.cpuLimit = "1000m"), [`${W}.worker-booking.resources.cpuLimit: got "1000m"; expected the canonical form 1 (the API server rewrites 1000m)`]],
        ["a non-canonical memory quantity", (c) => (c.workloads["worker-booking"].resources.memoryLimit = "1024Mi"), [`${W}.worker-booking.resources.memoryLimit: got "1024Mi"; expected the canonical form 1Gi (the API server rewrites 1024Mi)`]],
        ["a memory quantity in megabytes", (c) => (c.scheduler.resources.memory = "512MB"), [`sapoche-stack:scheduler.resources.memory: got "512MB"; expected a memory quantity in Mi or Gi such as 256Mi or 2Gi`]],
        ["a memory limit below the request", (c) => (c.workloads["worker-booking"].resources.memoryLimit = "128Mi"), [`${W}.worker-booking.resources.memoryLimit: got "128Mi"; expected at least memory (256Mi)`]],
        ["a Sentinel quorum larger than the cluster", (c) => (c.redis.sentinelQuorum = 4), [`sapoche-stack:redis.sentinelQuorum: got 4; expected at most nodes (3)`]],
        ["an environment name with symbols", (c) => (c.environment = "Prod!"), [`sapoche-stack:environment: got "Prod!"; expected a short lowercase word such as prod or staging`]],
        ["a namespace that is not a Kubernetes name", (c) => (c.namespace = "Sapoche_NS"), [`sapoche-stack:namespace: got "Sapoche_NS"; expected a Kubernetes name (lowercase letters, digits and '-')`]],
        ["an object key holding plain text", (c) => (c.redis = "three nodes"), [`sapoche-stack:redis: got "three nodes"; expected an object with keys nodes, sentinelQuorum, passwordSecretName, storageClassName, storageSize, resources, sentinelResources, proxyReplicas, proxyResources, maxmemory, legacyMaster`]],
        ["a missing sidecar size on Orthanc", (c) => delete c.workloads["orthanc-read-api"].sidecarResources, [`${W}.orthanc-read-api.sidecarResources: missing; expected an object with keys cpu, memory, cpuLimit, memoryLimit`]],
        ["a promotion source that is not a stack reference", (c) => (c.promotion.fromStack = "staging"), [`sapoche-stack:promotion.fromStack: got "staging"; expected a stack reference such as "organization/sapoche-stack/staging", or ""`]],
        ["adoption written as a word", (c) => (c.adopt = "yes"), [`sapoche-stack:adopt: got "yes"; expected true or false`]],
    ];
    for (const [what, breakIt, expected] of cases) {
        it(`rejects ${what}`, () => assert.deepEqual(problems(breakIt), expected));
    }

    it("fails the real program before any resource is registered", async () => {
        const c = readStackConfig("production1") as Config;
        c["sapoche-stack:redis"] = { ...c["sapoche-stack:redis"], nodes: -3 };
        const run = evaluateProgram("production1", c);
        await assert.rejects(
            run,
            /sapoche-stack:redis\.nodes: got -3; expected an integer from 1 to 9/,
        );
    });
});

describe("stack files", () => {
    /** Every key path of a config, with values left out. */
    function keyPaths(value: unknown, prefix = ""): string[] {
        if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
        return Object.entries(value).flatMap(([k, v]) =>
            keyPaths(v, prefix ? `${prefix}.${k}` : k),
        );
    }

    it("staging and production1 have exactly the same keys", () => {
        assert.deepEqual(
            keyPaths(readStackConfig("staging")).sort(),
            keyPaths(readStackConfig("production1")).sort(),
        );
    });

    it("documents every key in the README's config reference", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const generic = new Set(
            keyPaths(readStackConfig("production1")).map((p) =>
                p
                    .replace(/^(sapoche-stack:workloads)\.[^.]+/, "$1.<name>")
                    .replace(/^(sapoche-stack:nodePorts)\.[^.]+\.[^.]+/, "$1.<service>.<port>")
                    .replace(/^(sapoche-stack:images)\.[^.]+/, "$1.<image>")
                    .replace(/(\.[a-zA-Z]*[rR]esources)\.[a-zA-Z]+$/, "$1"),
            ),
        );
        const undocumented = [...generic].filter((k) => !readme.includes(`\`${k}\``));
        assert.deepEqual(undocumented, []);
    });
});
