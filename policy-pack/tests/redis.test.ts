import * as assert from "assert";
import { disallowRedisDeployment } from "../policies/redis/disallowRedisDeployment";
import { enforceRedisDisruptionBudget } from "../policies/redis/enforceRedisDisruptionBudget";
import { enforceRedisPersistence } from "../policies/redis/enforceRedisPersistence";
import { enforceRedisReplicas } from "../policies/redis/enforceRedisReplicas";
import { enforceRedisSentinel } from "../policies/redis/enforceRedisSentinel";
import { enforceRedisSpread } from "../policies/redis/enforceRedisSpread";
import { enforceSentinelQuorum } from "../policies/redis/enforceSentinelQuorum";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

function redisOf(resources: FixtureResource[]): Record<string, any> {
    return pick(resources, "StatefulSet", "redis").props;
}

function sentinelOf(resources: FixtureResource[]): Record<string, any> {
    return redisOf(resources).spec.template.spec.containers[1];
}

describe("enforce-redis-sentinel", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceRedisSentinel, compliantResources()), []);
    });

    it("rejects a Redis StatefulSet without a sentinel container", async () => {
        const resources = compliantResources();
        redisOf(resources).spec.template.spec.containers.pop();
        assert.deepStrictEqual(await violations(enforceRedisSentinel, resources), [
            'StatefulSet "redis" should have a container named "sentinel" (found: redis).',
        ]);
    });

    it("rejects a Redis StatefulSet whose server container is not named redis", async () => {
        const resources = compliantResources();
        redisOf(resources).spec.template.spec.containers[0].name = "server";
        assert.deepStrictEqual(await violations(enforceRedisSentinel, resources), [
            'StatefulSet "redis" should have a container named "redis" (found: server, sentinel).',
        ]);
    });
});

describe("enforce-redis-replicas", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceRedisReplicas, compliantResources()), []);
    });

    it("rejects a single Redis replica", async () => {
        const resources = compliantResources();
        redisOf(resources).spec.replicas = 1;
        assert.deepStrictEqual(await violations(enforceRedisReplicas, resources), [
            'StatefulSet "redis" should run at least 3 replicas, not 1.',
        ]);
    });

    it("rejects an even number of Redis replicas", async () => {
        const resources = compliantResources();
        redisOf(resources).spec.replicas = 4;
        assert.deepStrictEqual(await violations(enforceRedisReplicas, resources), [
            'StatefulSet "redis" should run an odd number of replicas so Sentinel keeps a majority, not 4.',
        ]);
    });

    it("reads the floor from the minReplicas config", async () => {
        assert.deepStrictEqual(
            await violations(enforceRedisReplicas, compliantResources(), {
                "enforce-redis-replicas": { minReplicas: 5 },
            }),
            ['StatefulSet "redis" should run at least 5 replicas, not 3.'],
        );
    });

    it("reports an unknown replica count as skipped instead of passing", async () => {
        const resources = compliantResources();
        redisOf(resources).spec.replicas = UNKNOWN;
        assert.deepStrictEqual(await violations(enforceRedisReplicas, resources), [
            "skipped: unknown value: string value at .spec.replicas can't be known during preview",
        ]);
    });
});

describe("enforce-sentinel-quorum", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceSentinelQuorum, compliantResources()), []);
    });

    it("rejects a quorum below a majority", async () => {
        const resources = compliantResources();
        sentinelOf(resources).env[0].value = "1";
        assert.deepStrictEqual(await violations(enforceSentinelQuorum, resources), [
            'StatefulSet "redis" should set SENTINEL_QUORUM between 2 and 3 (a majority of 3 replicas), not "1".',
        ]);
    });

    it("rejects a quorum above the replica count", async () => {
        const resources = compliantResources();
        sentinelOf(resources).env[0].value = "4";
        assert.deepStrictEqual(await violations(enforceSentinelQuorum, resources), [
            'StatefulSet "redis" should set SENTINEL_QUORUM between 2 and 3 (a majority of 3 replicas), not "4".',
        ]);
    });

    it("rejects a quorum that is not a whole number", async () => {
        const resources = compliantResources();
        sentinelOf(resources).env[0].value = "two";
        assert.deepStrictEqual(await violations(enforceSentinelQuorum, resources), [
            'StatefulSet "redis" should set SENTINEL_QUORUM between 2 and 3 (a majority of 3 replicas), not "two".',
        ]);
    });

    it("rejects a sentinel container without SENTINEL_QUORUM", async () => {
        const resources = compliantResources();
        delete sentinelOf(resources).env;
        assert.deepStrictEqual(await violations(enforceSentinelQuorum, resources), [
            'StatefulSet "redis" container "sentinel" should set SENTINEL_QUORUM.',
        ]);
    });

    it("reports an unknown quorum as skipped instead of passing", async () => {
        const resources = compliantResources();
        sentinelOf(resources).env[0].value = UNKNOWN;
        assert.deepStrictEqual(await violations(enforceSentinelQuorum, resources), [
            "skipped: unknown value: string value at .spec.template.spec.containers.1.env.0.value can't be known during preview",
        ]);
    });
});

describe("enforce-redis-spread", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceRedisSpread, compliantResources()), []);
    });

    it("accepts a required podAntiAffinity on the hostname instead of a spread constraint", async () => {
        const resources = compliantResources();
        const pod = redisOf(resources).spec.template.spec;
        delete pod.topologySpreadConstraints;
        pod.affinity = {
            podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                    { topologyKey: "kubernetes.io/hostname" },
                ],
            },
        };
        assert.deepStrictEqual(await violations(enforceRedisSpread, resources), []);
    });

    it("rejects a spread constraint that only asks politely", async () => {
        const resources = compliantResources();
        redisOf(resources).spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable =
            "ScheduleAnyway";
        assert.deepStrictEqual(await violations(enforceRedisSpread, resources), [
            'StatefulSet "redis" should spread its pods across nodes: a topologySpreadConstraint on kubernetes.io/hostname ' +
                "with whenUnsatisfiable DoNotSchedule, or a required podAntiAffinity on kubernetes.io/hostname.",
        ]);
    });
});

describe("enforce-redis-persistence", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceRedisPersistence, compliantResources()), []);
    });

    it("rejects a Redis StatefulSet without volumeClaimTemplates", async () => {
        const resources = compliantResources();
        delete redisOf(resources).spec.volumeClaimTemplates;
        assert.deepStrictEqual(await violations(enforceRedisPersistence, resources), [
            'StatefulSet "redis" should mount a volumeClaimTemplate in container "redis" so its data survives a restart.',
        ]);
    });

    it("rejects a claim the redis container does not mount", async () => {
        const resources = compliantResources();
        delete redisOf(resources).spec.template.spec.containers[0].volumeMounts;
        assert.deepStrictEqual(await violations(enforceRedisPersistence, resources), [
            'StatefulSet "redis" should mount a volumeClaimTemplate in container "redis" so its data survives a restart.',
        ]);
    });
});

describe("disallow-redis-deployment", () => {
    it("passes the compliant namespace, whose Redis images run in the StatefulSet", async () => {
        assert.deepStrictEqual(await violations(disallowRedisDeployment, compliantResources()), []);
    });

    it("rejects a Deployment running the bitnami Redis image", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "redis-proxy").props.spec.template.spec.containers[0].image =
            "bitnami/redis:6.2.7";
        assert.deepStrictEqual(await violations(disallowRedisDeployment, resources), [
            'Deployment "redis-proxy" runs Redis image "bitnami/redis:6.2.7"; Redis should run as the Sentinel StatefulSet instead.',
        ]);
    });

    it("rejects a Deployment running Redis pinned by digest from a registry with a port", async () => {
        const resources = compliantResources();
        const image = "registry.local:5000/library/redis@sha256:0123abcd";
        pick(resources, "Deployment", "redis-proxy").props.spec.template.spec.containers[0].image =
            image;
        assert.deepStrictEqual(await violations(disallowRedisDeployment, resources), [
            `Deployment "redis-proxy" runs Redis image "${image}"; Redis should run as the Sentinel StatefulSet instead.`,
        ]);
    });
});

describe("enforce-redis-disruption-budget", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceRedisDisruptionBudget, compliantResources()),
            [],
        );
    });

    it("rejects a Redis StatefulSet without a PodDisruptionBudget", async () => {
        const resources = compliantResources().filter(
            (r) => !(r.type.endsWith("PodDisruptionBudget") && r.name === "redis"),
        );
        assert.deepStrictEqual(await violations(enforceRedisDisruptionBudget, resources), [
            'StatefulSet "redis" should have a PodDisruptionBudget with maxUnavailable 1.',
        ]);
    });

    it("rejects a budget that lets two Redis pods go at once", async () => {
        const resources = compliantResources();
        pick(resources, "PodDisruptionBudget", "redis").props.spec.maxUnavailable = 2;
        assert.deepStrictEqual(await violations(enforceRedisDisruptionBudget, resources), [
            'PodDisruptionBudget "redis" should let exactly one of the 3 pods of StatefulSet "redis" be disrupted (maxUnavailable 1), not maxUnavailable 2.',
        ]);
    });

    it("accepts minAvailable one below the replica count", async () => {
        const resources = compliantResources();
        pick(resources, "PodDisruptionBudget", "redis").props.spec = {
            minAvailable: 2,
            selector: redisOf(resources).spec.selector,
        };
        assert.deepStrictEqual(await violations(enforceRedisDisruptionBudget, resources), []);
    });

    it("rejects minAvailable equal to the replica count", async () => {
        const resources = compliantResources();
        pick(resources, "PodDisruptionBudget", "redis").props.spec = {
            minAvailable: 3,
            selector: redisOf(resources).spec.selector,
        };
        assert.deepStrictEqual(await violations(enforceRedisDisruptionBudget, resources), [
            'PodDisruptionBudget "redis" should let exactly one of the 3 pods of StatefulSet "redis" be disrupted (maxUnavailable 1), not minAvailable 3.',
        ]);
    });
});
