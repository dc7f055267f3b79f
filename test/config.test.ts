import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { catalog } from "../stacks/catalog";
import { ConfigError, parseSettings } from "../stacks/settings";
import { reviewHorizon } from "../stacks/schema";
import { evaluateProgram, PROJECT, readStackConfig, ROOT, toEngineConfig } from "../lib/program";

type Config = Record<string, any>;

/** production1's config without the project prefix, deep-copied so tests can break it. */
function production1(): Config {
    const c = readStackConfig("production1");
    return JSON.parse(
        JSON.stringify(Object.fromEntries(Object.entries(c).map(([k, v]) => [k.split(":")[1], v]))),
    );
}

/** A stack's config without the project prefix, deep-copied so tests can break it. */
function stackConfig(stack: string): Config {
    const c = readStackConfig(stack);
    return JSON.parse(
        JSON.stringify(Object.fromEntries(Object.entries(c).map(([k, v]) => [k.split(":")[1], v]))),
    );
}

/** The problems parseSettings reports for production1's config after `breakIt`. */
function problems(breakIt: (c: Config) => void, stack = "production1"): readonly string[] {
    const c = stackConfig(stack);
    breakIt(c);
    const raw = toEngineConfig(c);
    try {
        parseSettings(raw, PROJECT, `Pulumi.${stack}.yaml`);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

const W = "sapoche-stack:workloads";
const P = "sapoche-stack:promotion";
const REASON = "a short sentence saying why (at least 20 characters and 4 words)";
const LIMIT_RANGE = "(the max of the namespace's LimitRange sapoche-defaults)";
const IMAGE = "an image reference with a pinned tag or digest, e.g. registry/app:1.2.3";
const DIGEST = "@sha256:" + "a".repeat(64);
const PHASES = `one of import, reshape, services, redis-moved, enforce, done (in that order, one release each; docs/operations/adoption.md)`;
const HORIZON = reviewHorizon(new Date());
/** The keys a fixed-size workload entry allows, as the unknown-key report lists them. */
const FIXED_KEYS = "replicas, scaledToZero, resources, probes, container, pod";

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
                    `  - ${W}.consumer-dicom.replicas: got -1; expected an integer from 0 to 50`,
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
                `sapoche-stack:redis.nodes: got 0; expected an integer from 3 to 9`,
                `${W}.worker-booking.replicas: got -4; expected an integer from 0 to 50`,
            ],
        );
    });

    // One row per bad input.
    // prettier-ignore
    const cases: [string, (c: Config) => void, string[], string?][] = [
        ["a negative replica count", (c) => (c.workloads["consumer-dicom"].replicas = -1), [`${W}.consumer-dicom.replicas: got -1; expected an integer from 0 to 50`]],
        ["a fractional replica count", (c) => (c.workloads["worker-sapoche-pdf"].replicas = 1.5), [`${W}.worker-sapoche-pdf.replicas: got 1.5; expected an integer from 0 to 50`]],
        ["a replica count written as a word", (c) => (c.workloads["worker-sapoche-pdf"].replicas = "two"), [`${W}.worker-sapoche-pdf.replicas: got "two"; expected an integer from 0 to 50`]],
        [
            "a misspelt workload",
            (c) => {
                c.workloads["consumer-dicomm"] = c.workloads["consumer-dicom"];
                delete c.workloads["consumer-dicom"];
            },
            [
                `${W}.consumer-dicom: missing; expected an object with keys ${FIXED_KEYS}`,
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
                `${W}.consumer-ecg.replicas: missing; expected an integer from 0 to 50`,
                `${W}.consumer-ecg.replica: unknown key (did you mean "replicas"?); allowed keys: ${FIXED_KEYS}`,
            ],
        ],
        [
            "autoscaling on a workload without an autoscaler",
            (c) => {
                c.workloads["consumer-ecg"].autoscaling = c.workloads["consumer-lis-testresult"].autoscaling;
                delete c.workloads["consumer-ecg"].replicas;
            },
            [
                `${W}.consumer-ecg.replicas: missing; expected an integer from 0 to 50`,
                `${W}.consumer-ecg.autoscaling: unknown key; allowed keys: ${FIXED_KEYS}`,
            ],
        ],
        ["KEDA minReplicas above maxReplicas", (c) => (c.workloads["consumer-lis-testresult"].autoscaling.minReplicas = 5), [`${W}.consumer-lis-testresult.autoscaling.minReplicas: got 5; expected at most maxReplicas (4)`]],
        ["HPA minReplicas above maxReplicas", (c) => (c.workloads["sp-bnkd-php"].autoscaling.minReplicas = 21), [`${W}.sp-bnkd-php.autoscaling.minReplicas: got 21; expected at most maxReplicas (20)`]],
        ["a zero queue threshold", (c) => (c.workloads["consumer-spc-pdf-generate"].autoscaling.queueThreshold = 0), [`${W}.consumer-spc-pdf-generate.autoscaling.queueThreshold: got 0; expected an integer from 1 to 1000`]],
        ["a polling interval beyond an hour", (c) => (c.workloads["consumer-spc-pdf-generate"].autoscaling.pollingInterval = 5000), [`${W}.consumer-spc-pdf-generate.autoscaling.pollingInterval: got 5000; expected an integer from 5 to 300`]],
        ["a CPU target above 100 %", (c) => (c.workloads["sp-bnkd-php"].autoscaling.cpuUtilization = 150), [`${W}.sp-bnkd-php.autoscaling.cpuUtilization: got 150; expected an integer from 1 to 70`]],
        ["an image without a tag", (c) => (c.images.backend = "registry.sapoche.internal/sapoche/backend"), [`sapoche-stack:images.backend: got "registry.sapoche.internal/sapoche/backend"; expected an image reference with a pinned tag or digest, e.g. registry/app:1.2.3`]],
        ["an image tagged latest", (c) => (c.images.redis = "redis:latest"), [`sapoche-stack:images.redis: got "redis:latest"; expected ${IMAGE}; "latest" is a floating tag (it names a channel, not a build)`]],
        ["a redis_exporter image tagged latest", (c) => (c.images.redisExporter = "oliver006/redis_exporter:latest"), [`sapoche-stack:images.redisExporter: got "oliver006/redis_exporter:latest"; expected ${IMAGE}; "latest" is a floating tag (it names a channel, not a build)`]],
        ["no redis_exporter image", (c) => delete c.images.redisExporter, [`sapoche-stack:images.redisExporter: missing; expected an image reference with a pinned tag or digest, e.g. registry/app:1.2.3`]],
        ["no redis_exporter size", (c) => delete c.redis.exporterResources, [`sapoche-stack:redis.exporterResources: missing; expected an object with keys cpu, memory, cpuLimit, memoryLimit, ephemeralStorage, ephemeralStorageLimit`]],
        ["a redis_exporter limit above the LimitRange", (c) => (c.redis.exporterResources.memoryLimit = "16Gi"), [`sapoche-stack:redis.exporterResources.memoryLimit: got "16Gi"; expected at most 8Gi ${LIMIT_RANGE}`]],
        ["a runbook folder ending in a slash", (c) => (c.monitoring.runbookBaseUrl = "https://github.com/sapoche/sapoche-stack/blob/main/docs/runbooks/"), [`sapoche-stack:monitoring.runbookBaseUrl: got "https://github.com/sapoche/sapoche-stack/blob/main/docs/runbooks/"; expected an https:// address without a trailing / (the runbooks' folder on the forge)`]],
        ["an Orthanc claim that is not a Kubernetes name", (c) => (c.monitoring.orthanc.storageClaim = "Orthanc_Storage"), [`sapoche-stack:monitoring.orthanc.storageClaim: got "Orthanc_Storage"; expected a Kubernetes name (lowercase letters, digits and '-')`]],
        ["an image reference with capitals and spaces", (c) => (c.images.orthanc = "Orthanc Team/orthanc:1"), [`sapoche-stack:images.orthanc: got "Orthanc Team/orthanc:1"; expected an image reference with a pinned tag or digest, e.g. registry/app:1.2.3`]],
        ["a node port below the range", (c) => (c.nodePorts["bknd-services-nginx"].http = 29999), [`sapoche-stack:nodePorts.bknd-services-nginx.http: got 29999; expected an integer from 30000 to 32767`]],
        ["a node port above the range", (c) => (c.nodePorts["sapoche-frontend-web"].http = 40000), [`sapoche-stack:nodePorts.sapoche-frontend-web.http: got 40000; expected an integer from 30000 to 32767`]],
        ["a node port used twice", (c) => (c.nodePorts["diag-dicom-viewer-nginx"].http = 32766), [`sapoche-stack:nodePorts.diag-dicom-viewer-nginx.http: got 32766; expected a node port not already used by sapoche-bknd-php.fpm`]],
        ["a node port for an unknown port name", (c) => (c.nodePorts["bknd-services-nginx"].https = 30443), [`sapoche-stack:nodePorts.bknd-services-nginx.https: unknown key (did you mean "http"?); allowed keys: http`]],
        ["a missing Redis password Secret name", (c) => delete c.redis.passwordSecretName, [`sapoche-stack:redis.passwordSecretName: missing; expected a Kubernetes name (lowercase letters, digits and '-')`]],
        ["a missing top-level key", (c) => delete c.keda, [`sapoche-stack:keda: missing; expected an object with keys brokerSecretName`]],
        ["an unknown top-level key", (c) => (c.replicas = 3), [`sapoche-stack:replicas: unknown key; allowed keys: environment, namespace, clusterUid, images, nodePorts, keda, orthanc, redis, queueProcess, scheduler, workloads, promotion, monitoring, network, adoption`]],
        ["zero replicas without a reason", (c) => (c.workloads["worker-sapoche-pdf-en"].replicas = 0), [`${W}.worker-sapoche-pdf-en.scaledToZero: missing; expected {reason, reviewDate} because replicas is 0`]],
        ["a scaled-to-zero note on a running workload", (c) => (c.workloads["consumer-revenue"].replicas = 1), [`${W}.consumer-revenue.scaledToZero: got {"reason":"Revenue processing moved out of this namespace; kept at zero until confirmed unused (seed recommendation).","reviewDate":"2027-02-26"}; expected no scaledToZero while replicas is above 0`]],
        ["a review date that is not a date", (c) => (c.workloads["consumer-revenue"].scaledToZero.reviewDate = "next spring"), [`${W}.consumer-revenue.scaledToZero.reviewDate: got "next spring"; expected a calendar date written YYYY-MM-DD`]],
        ["an empty scaled-to-zero reason", (c) => (c.workloads["consumer-revenue"].scaledToZero.reason = " "), [`${W}.consumer-revenue.scaledToZero.reason: got " "; expected ${REASON}`]],
        ["a CPU quantity in an unknown unit", (c) => (c.workloads["worker-booking"].resources.cpu = "0.5"), [`${W}.worker-booking.resources.cpu: got "0.5"; expected a CPU quantity such as 250m or 2: write 500m for 0.5`]],
        ["a non-canonical CPU quantity", (c) => (c.workloads["worker-booking"].resources.cpuLimit = "1000m"), [`${W}.worker-booking.resources.cpuLimit: got "1000m"; expected the canonical form 1 (the API server rewrites 1000m)`]],
        ["a non-canonical memory quantity", (c) => (c.workloads["worker-booking"].resources.memoryLimit = "1024Mi"), [`${W}.worker-booking.resources.memoryLimit: got "1024Mi"; expected the canonical form 1Gi (the API server rewrites 1024Mi)`]],
        ["a memory quantity in megabytes", (c) => (c.scheduler.resources.memory = "512MB"), [`sapoche-stack:scheduler.resources.memory: got "512MB"; expected a memory quantity in Mi or Gi such as 256Mi or 2Gi`]],
        ["a memory limit below the request", (c) => (c.workloads["worker-booking"].resources.memoryLimit = "128Mi"), [`${W}.worker-booking.resources.memoryLimit: got "128Mi"; expected at least memory (256Mi)`]],
        ["a Sentinel quorum larger than the cluster", (c) => (c.redis.sentinelQuorum = 4), [`sapoche-stack:redis.sentinelQuorum: got 4; expected a majority of nodes (3): from 2 to 3`]],
        ["an environment name with symbols", (c) => (c.environment = "Prod!"), [`sapoche-stack:environment: got "Prod!"; expected a short lowercase word such as prod or staging`]],
        ["a namespace that is not a Kubernetes name", (c) => (c.namespace = "Sapoche_NS"), [`sapoche-stack:namespace: got "Sapoche_NS"; expected "sapoche" or no key: the namespace of production1 is a constant of the project (stacks/identity.ts, changed under review), not a stack-file value`]],
        ["an object key holding plain text", (c) => (c.redis = "three nodes"), [`sapoche-stack:redis: got "three nodes"; expected an object with keys nodes, sentinelQuorum, passwordSecretName, storageClassName, storageSize, resources, sentinelResources, proxyReplicas, proxyResources, exporterResources, maxmemory, minReplicasToWrite, minReplicasMaxLag, legacyMaster`]],
        ["a missing sidecar size on Orthanc", (c) => delete c.workloads["orthanc-read-api"].sidecarResources, [`${W}.orthanc-read-api.sidecarResources: missing; expected an object with keys cpu, memory, cpuLimit, memoryLimit, ephemeralStorage, ephemeralStorageLimit`]],
        ["a promotion source that is not a stack reference", (c) => (c.promotion.fromStack = "staging"), [`sapoche-stack:promotion.fromStack: got "staging"; expected "organization/sapoche-stack/staging" or no key: the promotion source of production1 is a constant of the project (stacks/identity.ts, changed under review), not a stack-file value`]],
        ["an adoption phase that does not exist", (c) => (c.adoption.phase = "imported"), [`sapoche-stack:adoption.phase: got "imported"; expected ${PHASES}`]],
        ["the adoption phase written as plain text", (c) => (c.adoption = "import"), [`sapoche-stack:adoption: got "import"; expected an object with keys phase`]],
        ["the boolean adoption key the phases replaced", (c) => (c.adopt = true), [`sapoche-stack:adopt: unknown key (did you mean "adoption"?); allowed keys: environment, namespace, clusterUid, images, nodePorts, keda, orthanc, redis, queueProcess, scheduler, workloads, promotion, monitoring, network, adoption`]],
        ["phase services with no live Redis to send clients to", (c) => (c.adoption.phase = "services"), [`sapoche-stack:redis.legacyMaster: got ""; expected the live Redis' address (such as redis-legacy.sapoche.svc.cluster.local) while adoption.phase is services: redis-sp moves to the proxy, which must send clients to the live redis-master until its data has moved`]],
        ["the live Redis still named once enforced", (c) => { c.adoption.phase = "enforce"; c.redis.legacyMaster = "redis-legacy.sapoche.svc.cluster.local"; }, [`sapoche-stack:redis.legacyMaster: got "redis-legacy.sapoche.svc.cluster.local"; expected "" once adoption.phase is enforce (Redis' data has moved: docs/operations/redis.md; phases redis-moved, enforce, done)`]],
        // Upper bounds: a typo must not ask for three billion pods.
        ["replicas far above the ceiling", (c) => (c.workloads["worker-booking"].replicas = 3e9), [`${W}.worker-booking.replicas: got 3000000000; expected an integer from 0 to 50`]],
        ["replicas just above the ceiling", (c) => (c.workloads["worker-sapoche-default"].replicas = 51), [`${W}.worker-sapoche-default.replicas: got 51; expected an integer from 0 to 50`]],
        ["a KEDA maximum above the ceiling", (c) => (c.workloads["consumer-spc-pdf-generate"].autoscaling.maxReplicas = 500), [`${W}.consumer-spc-pdf-generate.autoscaling.maxReplicas: got 500; expected an integer from 1 to 50`]],
        ["an HPA maximum above the ceiling", (c) => (c.workloads["sp-bnkd-php"].autoscaling.maxReplicas = 1000), [`${W}.sp-bnkd-php.autoscaling.maxReplicas: got 1000; expected an integer from 1 to 50`]],
        ["an HPA floor of zero", (c) => (c.workloads["sp-bnkd-php"].autoscaling.minReplicas = 0), [`${W}.sp-bnkd-php.autoscaling.minReplicas: got 0; expected an integer from 1 to 50`]],
        ["too many HAProxy pods", (c) => (c.redis.proxyReplicas = 11), [`sapoche-stack:redis.proxyReplicas: got 11; expected an integer from 1 to 10`]],
        // Ranges the pack enforces, refused here by config key.
        ["a queue threshold above the pack's", (c) => (c.workloads["consumer-lis-testresult"].autoscaling.queueThreshold = 5000), [`${W}.consumer-lis-testresult.autoscaling.queueThreshold: got 5000; expected an integer from 1 to 1000`]],
        ["a polling interval below the pack's", (c) => (c.workloads["consumer-lis-testresult"].autoscaling.pollingInterval = 1), [`${W}.consumer-lis-testresult.autoscaling.pollingInterval: got 1; expected an integer from 5 to 300`]],
        ["a cooldown below the pack's", (c) => (c.workloads["consumer-lis-testresult"].autoscaling.cooldownPeriod = 5), [`${W}.consumer-lis-testresult.autoscaling.cooldownPeriod: got 5; expected an integer from 30 to 3600`]],
        ["a cooldown of a day", (c) => (c.workloads["consumer-lis-testresult"].autoscaling.cooldownPeriod = 86400), [`${W}.consumer-lis-testresult.autoscaling.cooldownPeriod: got 86400; expected an integer from 30 to 3600`]],
        ["a CPU target of 85 %", (c) => (c.workloads["sp-bnkd-php"].autoscaling.cpuUtilization = 85), [`${W}.sp-bnkd-php.autoscaling.cpuUtilization: got 85; expected an integer from 1 to 70`]],
        ["one Redis node", (c) => { c.redis.nodes = 1; c.redis.sentinelQuorum = 1; }, [`sapoche-stack:redis.nodes: got 1; expected an integer from 3 to 9`]],
        ["an even number of Redis nodes", (c) => (c.redis.nodes = 4), [`sapoche-stack:redis.nodes: got 4; expected an odd number from 3 to 9`, `sapoche-stack:redis.sentinelQuorum: got 2; expected a majority of nodes (4): from 3 to 4`]],
        ["a minority Sentinel quorum", (c) => (c.redis.sentinelQuorum = 1), [`sapoche-stack:redis.sentinelQuorum: got 1; expected a majority of nodes (3): from 2 to 3`]],
        ["more in-sync replicas required than there are replicas", (c) => (c.redis.minReplicasToWrite = 3), [`sapoche-stack:redis.minReplicasToWrite: got 3; expected an integer from 0 to 2 (nodes - 1)`]],
        ["a replica lag of 0 s", (c) => (c.redis.minReplicasMaxLag = 0), [`sapoche-stack:redis.minReplicasMaxLag: got 0; expected an integer from 1 to 60`]],
        ["a critical consumer below production1's floor", (c) => (c.workloads["consumer-dicom"].replicas = 1), [`${W}.consumer-dicom.replicas: got 1; expected at least 2: consumer-dicom is a critical consumer (production1's floor)`]],
        ["a critical KEDA consumer whose floor is below production1's", (c) => (c.workloads["consumer-lis-testresult"].autoscaling.minReplicas = 1), [`${W}.consumer-lis-testresult.autoscaling.minReplicas: got 1; expected at least 2: consumer-lis-testresult is a critical consumer (production1's floor)`]],
        ["a critical consumer scaled to zero with a dot for a reason", (c) => { c.workloads["consumer-ecg"].replicas = 0; c.workloads["consumer-ecg"].scaledToZero = { reason: ".", reviewDate: "9999-12-31" }; }, [`${W}.consumer-ecg.scaledToZero.reason: got "."; expected ${REASON}`, `${W}.consumer-ecg.scaledToZero.reviewDate: got "9999-12-31"; expected a date at most 180 days ahead (${HORIZON} or earlier)`, `${W}.consumer-ecg.replicas: got 0; expected at least 2: consumer-ecg is a critical consumer (production1's floor)`]],
        // Requests and limits within the LimitRange the program creates.
        ["a CPU limit above the LimitRange", (c) => (c.workloads["orthanc-read-api"].resources.cpuLimit = "8"), [`${W}.orthanc-read-api.resources.cpuLimit: got "8"; expected at most 4 ${LIMIT_RANGE}`]],
        ["a memory limit above the LimitRange", (c) => (c.redis.resources.memoryLimit = "16Gi"), [`sapoche-stack:redis.resources.memoryLimit: got "16Gi"; expected at most 8Gi ${LIMIT_RANGE}`]],
        ["an ephemeral-storage limit above the LimitRange", (c) => (c.workloads["worker-sapoche-pdf"].resources.ephemeralStorageLimit = "20Gi"), [`${W}.worker-sapoche-pdf.resources.ephemeralStorageLimit: got "20Gi"; expected at most 8Gi ${LIMIT_RANGE}`]],
        ["an ephemeral-storage limit below its request", (c) => (c.workloads["worker-sapoche-pdf"].resources.ephemeralStorageLimit = "512Mi"), [`${W}.worker-sapoche-pdf.resources.ephemeralStorageLimit: got "512Mi"; expected at least ephemeralStorage (1Gi)`]],
        ["ephemeral storage in gigabytes", (c) => (c.workloads["worker-booking"].resources.ephemeralStorage = "1GB"), [`${W}.worker-booking.resources.ephemeralStorage: got "1GB"; expected a memory quantity in Mi or Gi such as 256Mi or 2Gi`]],
        ["an unknown resources field", (c) => (c.scheduler.resources.storage = "1Gi"), [`sapoche-stack:scheduler.resources.storage: unknown key; allowed keys: cpu, memory, cpuLimit, memoryLimit, ephemeralStorage, ephemeralStorageLimit`]],
        ["an HPA memory target at the limit", (c) => (c.workloads["sp-bnkd-php"].autoscaling.memoryAverage = "512Mi"), [`${W}.sp-bnkd-php.autoscaling.memoryAverage: got "512Mi"; expected below resources.memoryLimit (512Mi): pods are killed before the average reaches it`]],
        ["an HPA memory target above the limit", (c) => (c.workloads["sp-bnkd-php"].autoscaling.memoryAverage = "1Gi"), [`${W}.sp-bnkd-php.autoscaling.memoryAverage: got "1Gi"; expected below resources.memoryLimit (512Mi): pods are killed before the average reaches it`]],
        // Dates and reasons.
        ["an impossible date", (c) => (c.workloads["consumer-revenue"].scaledToZero.reviewDate = "2026-02-30"), [`${W}.consumer-revenue.scaledToZero.reviewDate: got "2026-02-30"; expected a calendar date written YYYY-MM-DD`]],
        ["a thirteenth month", (c) => (c.workloads["consumer-revenue"].scaledToZero.reviewDate = "2026-13-01"), [`${W}.consumer-revenue.scaledToZero.reviewDate: got "2026-13-01"; expected a calendar date written YYYY-MM-DD`]],
        ["a date written the American way", (c) => (c.workloads["consumer-revenue"].scaledToZero.reviewDate = "02/26/2027"), [`${W}.consumer-revenue.scaledToZero.reviewDate: got "02/26/2027"; expected a calendar date written YYYY-MM-DD`]],
        ["a review date in a distant year", (c) => (c.workloads["diag-design-system-nginx"].scaledToZero.reviewDate = "9999-12-31"), [`${W}.diag-design-system-nginx.scaledToZero.reviewDate: got "9999-12-31"; expected a date at most 180 days ahead (${HORIZON} or earlier)`]],
        ["a review date one day past the horizon", (c) => (c.workloads["diag-design-system-nginx"].scaledToZero.reviewDate = reviewHorizon(new Date(Date.now() + 86_400_000))), [`${W}.diag-design-system-nginx.scaledToZero.reviewDate: got "${reviewHorizon(new Date(Date.now() + 86_400_000))}"; expected a date at most 180 days ahead (${HORIZON} or earlier)`]],
        ["a one-word reason", (c) => (c.workloads["consumer-revenue"].scaledToZero.reason = "unused"), [`${W}.consumer-revenue.scaledToZero.reason: got "unused"; expected ${REASON}`]],
        ["a reason padded to look long", (c) => (c.workloads["consumer-revenue"].scaledToZero.reason = "   tbd                    "), [`${W}.consumer-revenue.scaledToZero.reason: got "   tbd                    "; expected ${REASON}`]],
        ["a scaled-to-zero note without a reason", (c) => delete c.workloads["consumer-revenue"].scaledToZero.reason, [`${W}.consumer-revenue.scaledToZero.reason: missing; expected ${REASON}`]],
        // Promotion.
        ["production1 without a promotion source", (c) => (c.promotion.fromStack = ""), [`${P}.fromStack: got ""; expected "organization/sapoche-stack/staging" or no key: the promotion source of production1 is a constant of the project (stacks/identity.ts, changed under review), not a stack-file value`]],
        ["production1 promoted from itself", (c) => (c.promotion.fromStack = "organization/sapoche-stack/production1"), [`${P}.fromStack: got "organization/sapoche-stack/production1"; expected "organization/sapoche-stack/staging" or no key: the promotion source of production1 is a constant of the project (stacks/identity.ts, changed under review), not a stack-file value`]],
        ["a promotion source in another project", (c) => (c.promotion.fromStack = "organization/billing/staging"), [`${P}.fromStack: got "organization/billing/staging"; expected "organization/sapoche-stack/staging" or no key: the promotion source of production1 is a constant of the project (stacks/identity.ts, changed under review), not a stack-file value`]],
        ["a whitespace-only bypass reason", (c) => (c.promotion.bypassReason = "   "), [`${P}.bypassReason: got "   "; expected "" (no bypass) or ${REASON} for an emergency bypass`]],
        ["a bypass reason of one word", (c) => (c.promotion.bypassReason = "urgent"), [`${P}.bypassReason: got "urgent"; expected "" (no bypass) or ${REASON} for an emergency bypass`]],
        ["a bypass without a promotion source", (c) => (c.promotion.bypassReason = "Hotfix for the lab results outage INC-4521"), [`${P}.bypassReason: got "Hotfix for the lab results outage INC-4521"; expected "" while fromStack is "" (there is no promotion gate to bypass)`], "staging"],
        // The environment names the scheduler: it must match the stack.
        ["production1 running the staging environment", (c) => (c.environment = "staging"), [`sapoche-stack:environment: got "staging"; expected "prod" (the environment of stack production1)`]],
        ["staging running the prod environment", (c) => (c.environment = "prod"), [`sapoche-stack:environment: got "prod"; expected "staging" (the environment of stack staging)`], "staging"],
        // Hints.
        ["an unquoted CPU limit", (c) => (c.workloads["worker-sapoche-pdf"].resources.cpuLimit = 1), [`${W}.worker-sapoche-pdf.resources.cpuLimit: got 1; expected a CPU quantity such as 250m or 2, as a quoted string: write '1'`]],
        ["an unquoted fractional CPU", (c) => (c.workloads["worker-sapoche-pdf"].resources.cpu = 0.5), [`${W}.worker-sapoche-pdf.resources.cpu: got 0.5; expected a CPU quantity such as 250m or 2, as a quoted string: write '500m'`]],
        ["a memory quantity without a unit", (c) => (c.workloads["worker-sapoche-pdf"].resources.memory = 512), [`${W}.worker-sapoche-pdf.resources.memory: got 512; expected a memory quantity in Mi or Gi such as 256Mi or 2Gi, as a quoted string: write '512Mi' or '512Gi' (with its unit, in quotes)`]],
        ["a fractional Gi", (c) => (c.workloads["orthanc-read-api"].resources.memory = "1.5Gi"), [`${W}.orthanc-read-api.resources.memory: got "1.5Gi"; expected a whole number of Mi or Gi: write 1536Mi for 1.5Gi`]],
        ["a fractional CPU string", (c) => (c.workloads["orthanc-read-api"].resources.cpuLimit = "1.5"), [`${W}.orthanc-read-api.resources.cpuLimit: got "1.5"; expected a CPU quantity such as 250m or 2: write 1500m for 1.5`]],
        // Images.
        ["a floating tag", (c) => (c.images.redis = "redis:stable"), [`sapoche-stack:images.redis: got "redis:stable"; expected ${IMAGE}; "stable" is a floating tag (it names a channel, not a build)`]],
        ["a floating tag in capitals", (c) => (c.images.backend = "registry.sapoche.internal/sapoche/backend:Latest"), [`sapoche-stack:images.backend: got "registry.sapoche.internal/sapoche/backend:Latest"; expected ${IMAGE}; "Latest" is a floating tag (it names a channel, not a build)`]],
        ["a truncated digest", (c) => (c.images.orthanc = "orthancteam/orthanc@sha256:abc"), [`sapoche-stack:images.orthanc: got "orthancteam/orthanc@sha256:abc"; expected ${IMAGE}`]],
    ];
    for (const [what, breakIt, expected, stack] of cases) {
        it(`rejects ${what}`, () => assert.deepEqual(problems(breakIt, stack), expected));
    }

    it("accepts a digest-pinned image with or without a tag", () => {
        for (const image of [`redis:7.4.2${DIGEST}`, `redis${DIGEST}`, `redis:stable${DIGEST}`]) {
            assert.deepEqual(
                problems((c) => (c.images.redis = image)),
                [],
            );
        }
    });

    it("accepts a review date exactly at the horizon, and leaves storage defaults in place", () => {
        const c = production1();
        c.workloads["consumer-revenue"].scaledToZero.reviewDate = HORIZON;
        delete c.workloads["worker-booking"].resources.ephemeralStorage;
        delete c.workloads["worker-booking"].resources.ephemeralStorageLimit;
        const s = parseSettings(toEngineConfig(c), PROJECT, "Pulumi.production1.yaml");
        const booking = s.plan.find((p) => p.name === "worker-booking")!;
        assert.equal(booking.family, "worker");
        assert.deepEqual(
            booking.family === "worker" && [
                booking.settings.resources.ephemeralStorage,
                booking.settings.resources.ephemeralStorageLimit,
            ],
            ["256Mi", "1Gi"],
        );
    });

    it("names a key under a misspelt project prefix with the key it was meant to be", () => {
        assert.throws(
            () =>
                parseSettings(toEngineConfig(production1()), PROJECT, "Pulumi.production1.yaml", {
                    otherKeys: [
                        "sapoche-stak:adoption",
                        "kubernetes:context",
                        "pulumi:disable-default-providers",
                    ],
                }),
            (e: ConfigError) =>
                assert.deepEqual(e.problems, [
                    `sapoche-stak:adoption: unknown project prefix "sapoche-stak" (did you mean "sapoche-stack:adoption"?); this program reads only sapoche-stack: keys`,
                ]) === undefined,
        );
    });

    it("reads the stack files as the Pulumi CLI does: an unquoted date stays a string", () => {
        const file = path.join(ROOT, "Pulumi.production1.yaml");
        const unquoted = fs
            .readFileSync(file, "utf8")
            .replace(/reviewDate: '(\d{4}-\d{2}-\d{2})'/g, "reviewDate: $1");
        const c = readStackConfig("production1", unquoted) as Config;
        assert.equal(
            typeof c["sapoche-stack:workloads"]["consumer-revenue"].scaledToZero.reviewDate,
            "string",
        );
    });

    it("refuses a promotion source other than the project's before any resource is registered", async () => {
        const c = readStackConfig("production1") as Config;
        c["sapoche-stack:promotion"] = {
            ...c["sapoche-stack:promotion"],
            fromStack: "organization/sapoche-stack/stagin",
        };
        await assert.rejects(evaluateProgram("production1", c), (e: Error) => {
            assert.equal(
                e.message,
                "Invalid stack configuration in Pulumi.production1.yaml (1 problem); nothing was registered:\n" +
                    `  - ${P}.fromStack: got "organization/sapoche-stack/stagin"; expected "organization/sapoche-stack/staging" or no key: the promotion source of production1 is a constant of the project (stacks/identity.ts, changed under review), not a stack-file value`,
            );
            return true;
        });
    });

    it("fails the real program before any resource is registered", async () => {
        const c = readStackConfig("production1") as Config;
        c["sapoche-stack:redis"] = { ...c["sapoche-stack:redis"], nodes: -3 };
        const run = evaluateProgram("production1", c);
        await assert.rejects(
            run,
            /sapoche-stack:redis\.nodes: got -3; expected an integer from 3 to 9/,
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

    it("documents every key in docs/reference/configuration.md", () => {
        const readme = fs.readFileSync(
            path.join(ROOT, "docs", "reference", "configuration.md"),
            "utf8",
        );
        const generic = new Set(
            keyPaths(readStackConfig("production1")).map((p) =>
                p
                    .replace(/^(sapoche-stack:workloads)\.[^.]+/, "$1.<name>")
                    .replace(/^(sapoche-stack:nodePorts)\.[^.]+\.[^.]+/, "$1.<service>.<port>")
                    .replace(/^(sapoche-stack:images)\.[^.]+/, "$1.<image>")
                    .replace(/^(sapoche-stack:network\.egress)\.[^.]+/, "$1.<name>")
                    .replace(/(\.[a-zA-Z]*[rR]esources)\.[a-zA-Z]+$/, "$1")
                    // A probe is one value, documented once ("a probe"); so are the live facts.
                    .replace(/(\.(liveness|readiness))\..+$/, "$1")
                    .replace(/(\.(container|pod|triggers))\..+$/, "$1"),
            ),
        );
        const undocumented = [...generic].filter((k) => !readme.includes(`\`${k}\``));
        assert.deepEqual(undocumented, []);
    });
});
