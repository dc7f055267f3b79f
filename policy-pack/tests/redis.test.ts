import * as assert from "assert";
import { disallowUnsanctionedRedis } from "../policies/redis/disallowUnsanctionedRedis";
import { enforceRedisDisruptionBudget } from "../policies/redis/enforceRedisDisruptionBudget";
import { enforceRedisPersistence } from "../policies/redis/enforceRedisPersistence";
import { enforceRedisReplicas } from "../policies/redis/enforceRedisReplicas";
import { enforceRedisSentinel } from "../policies/redis/enforceRedisSentinel";
import { enforceRedisSpread } from "../policies/redis/enforceRedisSpread";
import { enforceSentinelQuorum } from "../policies/redis/enforceSentinelQuorum";
import { compliantResources, pick, podBearing } from "./fixtures/compliant";
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

    it("refuses an unknown replica count (fails closed)", async () => {
        const resources = compliantResources();
        redisOf(resources).spec.replicas = UNKNOWN;
        assert.deepStrictEqual(await violations(enforceRedisReplicas, resources), [
            'StatefulSet "redis" should set .spec.replicas to a plain value known at preview; this rule cannot verify a computed value.',
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

    it("refuses an unknown quorum (fails closed)", async () => {
        const resources = compliantResources();
        sentinelOf(resources).env[0].value = UNKNOWN;
        assert.deepStrictEqual(await violations(enforceSentinelQuorum, resources), [
            'StatefulSet "redis" should set .spec.template.spec.containers.1.env.0.value to a plain value known at preview; this rule cannot verify a computed value.',
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

describe("disallow-unsanctioned-redis", () => {
    function proxyContainer(resources: FixtureResource[]): Record<string, any> {
        return pick(resources, "Deployment", "redis-proxy").props.spec.template.spec.containers[0];
    }

    it("passes the compliant namespace, whose Redis images run in the sanctioned StatefulSet", async () => {
        assert.deepStrictEqual(
            await violations(disallowUnsanctionedRedis, compliantResources()),
            [],
        );
    });

    const images = [
        "bitnami/redis:6.2.7",
        "registry.local:5000/library/redis@sha256:0123abcd",
        "docker.io/bitnami/redis-sentinel:7.2",
        "redis/redis-stack-server:7.2.0-v10",
        "valkey/valkey:8.0.1",
        "ghcr.io/valkey-io/valkey:8.0",
        "eqalpha/keydb:x86_64_v6.3.4",
        "docker.dragonflydb.io/dragonflydb/dragonfly:v1.23.0",
        "apache/kvrocks:2.9.0",
        "REDIS:7.4",
    ];
    for (const image of images) {
        it(`rejects a Deployment running ${image}`, async () => {
            const resources = compliantResources();
            proxyContainer(resources).image = image;
            assert.deepStrictEqual(await violations(disallowUnsanctionedRedis, resources), [
                `Deployment "redis-proxy" container "haproxy" runs a Redis-compatible server ("${image}"); ` +
                    'Redis should run only as the Sentinel StatefulSet "redis".',
            ]);
        });
    }

    it("rejects a generic image whose command starts redis-server", async () => {
        const resources = compliantResources();
        Object.assign(proxyContainer(resources), {
            image: "debian:12.8",
            command: ["/usr/bin/redis-server", "--port", "6379"],
        });
        assert.deepStrictEqual(await violations(disallowUnsanctionedRedis, resources), [
            'Deployment "redis-proxy" container "haproxy" runs a Redis-compatible server ("debian:12.8 /usr/bin/redis-server --port 6379"); ' +
                'Redis should run only as the Sentinel StatefulSet "redis".',
        ]);
    });

    it("rejects redis-server started from args or inside a shell script", async () => {
        const resources = compliantResources();
        Object.assign(proxyContainer(resources), {
            image: "alpine:3.20",
            command: ["sh", "-c"],
            args: ["apk add redis && exec redis-server --save ''"],
        });
        assert.deepStrictEqual(await violations(disallowUnsanctionedRedis, resources), [
            'Deployment "redis-proxy" container "haproxy" runs a Redis-compatible server ("alpine:3.20 sh -c apk add redis && exec redis-server --save \'\'"); ' +
                'Redis should run only as the Sentinel StatefulSet "redis".',
        ]);
    });

    it("rejects Redis in a CronJob's init container", async () => {
        const cronJob = podBearing("CronJob", "cache-warmer", {
            initContainers: [{ name: "cache", image: "redis:7.4.2" }],
            containers: [{ name: "warm", image: "busybox:1.36" }],
        });
        assert.deepStrictEqual(await violations(disallowUnsanctionedRedis, [cronJob]), [
            'CronJob "cache-warmer" container "cache" runs a Redis-compatible server ("redis:7.4.2"); ' +
                'Redis should run only as the Sentinel StatefulSet "redis".',
        ]);
    });

    it("rejects a second Redis StatefulSet under another name and component label", async () => {
        const resources = compliantResources();
        const copy = JSON.parse(JSON.stringify(redisOf(resources)));
        copy.metadata.name = "cache";
        copy.metadata.labels["app.kubernetes.io/component"] = "worker";
        const statefulSet = { type: "kubernetes:apps/v1:StatefulSet", name: "cache", props: copy };
        assert.deepStrictEqual(await violations(disallowUnsanctionedRedis, [statefulSet]), [
            'StatefulSet "cache" container "redis" runs a Redis-compatible server ("redis:7.4.2 redis-server --appendonly yes --dir /data"); Redis should run only as the Sentinel StatefulSet "redis".',
            'StatefulSet "cache" container "sentinel" runs a Redis-compatible server ("redis:7.4.2 redis-sentinel /etc/sentinel/sentinel.conf"); Redis should run only as the Sentinel StatefulSet "redis".',
        ]);
    });

    it("takes the sanctioned StatefulSet's name and the image list from config", async () => {
        const resources = compliantResources();
        proxyContainer(resources).image = "registry.sapoche.internal/cache/memstore:1.0";
        assert.deepStrictEqual(
            await violations(disallowUnsanctionedRedis, resources, {
                "disallow-unsanctioned-redis": {
                    sanctionedStatefulSet: "redis-ha",
                    images: ["cache/memstore"],
                },
            }),
            [
                'StatefulSet "redis" container "redis" runs a Redis-compatible server ("redis:7.4.2 redis-server --appendonly yes --dir /data"); Redis should run only as the Sentinel StatefulSet "redis-ha".',
                'StatefulSet "redis" container "sentinel" runs a Redis-compatible server ("redis:7.4.2 redis-sentinel /etc/sentinel/sentinel.conf"); Redis should run only as the Sentinel StatefulSet "redis-ha".',
                'Deployment "redis-proxy" container "haproxy" runs a Redis-compatible server ("registry.sapoche.internal/cache/memstore:1.0"); Redis should run only as the Sentinel StatefulSet "redis-ha".',
            ],
        );
    });

    it("does not take an image that merely mentions redis for a server", async () => {
        const resources = compliantResources();
        proxyContainer(resources).image = "oliver006/redis_exporter:v1.62.0";
        assert.deepStrictEqual(await violations(disallowUnsanctionedRedis, resources), []);
    });
});

describe("the Redis rules on a StatefulSet that runs Redis under another label", () => {
    it("apply whatever the component label says", async () => {
        const resources = compliantResources();
        const redis = redisOf(resources);
        redis.metadata.labels["app.kubernetes.io/component"] = "worker";
        redis.metadata.name = "cache";
        redis.spec.replicas = 1;
        assert.deepStrictEqual(await violations(enforceRedisReplicas, resources), [
            'StatefulSet "cache" should run at least 3 replicas, not 1.',
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
