import * as assert from "assert";
import { reportPromotionBypass } from "../policies/advisory/reportPromotionBypass";
import { enforceHpaCpuTarget } from "../policies/autoscaling/enforceHpaCpuTarget";
import { enforceHpaMemoryTarget } from "../policies/autoscaling/enforceHpaMemoryTarget";
import { enforceHpaScaleUp } from "../policies/autoscaling/enforceHpaScaleUp";
import { enforceSchedulerSingleton } from "../policies/scheduler/enforceSchedulerSingleton";
import { enforceContainerSecurityContext } from "../policies/workloads/enforceContainerSecurityContext";
import { enforceRunAsNonRoot } from "../policies/workloads/enforceRunAsNonRoot";
import { enforceSeccompProfile } from "../policies/workloads/enforceSeccompProfile";
import { disallowServiceAccountToken } from "../policies/workloads/disallowServiceAccountToken";
import { disallowUnpinnedImage } from "../policies/workloads/disallowUnpinnedImage";
import { stackPolicyConfig } from "./evaluate";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

const staging = stackPolicyConfig("staging");

function hpaSpec(resources: FixtureResource[]): Record<string, any> {
    return pick(resources, "HorizontalPodAutoscaler", "sp-bnkd-php").props.spec;
}

function workerPod(resources: FixtureResource[]): Record<string, any> {
    return pick(resources, "Deployment", "worker-booking").props.spec.template.spec;
}

describe("enforce-hpa-cpu-target in every metric form", () => {
    it("accepts an AverageValue at 70 % of the pods' CPU request", async () => {
        const resources = compliantResources();
        hpaSpec(resources).metrics[0].resource.target = {
            type: "AverageValue",
            averageValue: "70m",
        };
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, resources), []);
    });

    it("rejects an AverageValue above the target of the request", async () => {
        const resources = compliantResources();
        hpaSpec(resources).metrics[0].resource.target = {
            type: "AverageValue",
            averageValue: "95m",
        };
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should target CPU at most 70% of the request, not 95m (95% of the 0.1 cores Deployment "sp-bnkd-php" requests).',
        ]);
    });

    it("rejects an AverageValue it cannot compare (the target is not in the stack)", async () => {
        const resources = compliantResources();
        const spec = hpaSpec(resources);
        spec.scaleTargetRef.name = "elsewhere";
        spec.metrics[0].resource.target = { type: "AverageValue", averageValue: "1" };
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" targets CPU by AverageValue "1", which cannot be checked against the CPU request of the pods it scales; it should target Utilization at most 70%.',
        ]);
    });

    it("rejects a ContainerResource CPU target at 95 %", async () => {
        const resources = compliantResources();
        hpaSpec(resources).metrics[0] = {
            type: "ContainerResource",
            containerResource: {
                name: "cpu",
                container: "php-fpm",
                target: { type: "Utilization", averageUtilization: 95 },
            },
        };
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should target CPU utilization of container "php-fpm" at most 70%, not 95%.',
        ]);
    });

    it("rejects autoscaling/v1's targetCPUUtilizationPercentage and v2beta1's targetAverageUtilization", async () => {
        const v1: FixtureResource = {
            type: "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
            name: "v1",
            props: {
                metadata: { name: "v1" },
                spec: { maxReplicas: 3, targetCPUUtilizationPercentage: 90 },
            },
        };
        const v2beta1: FixtureResource = {
            type: "kubernetes:autoscaling/v2beta1:HorizontalPodAutoscaler",
            name: "v2beta1",
            props: {
                metadata: { name: "v2beta1" },
                spec: {
                    maxReplicas: 3,
                    metrics: [
                        {
                            type: "Resource",
                            resource: { name: "cpu", targetAverageUtilization: 80 },
                        },
                    ],
                },
            },
        };
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, [v1, v2beta1]), [
            'HorizontalPodAutoscaler "v1" should target CPU utilization at most 70%, not 90%.',
            'HorizontalPodAutoscaler "v2beta1" should target CPU utilization at most 70%, not 80%.',
        ]);
    });
});

describe("enforce-hpa-memory-target", () => {
    it("passes the compliant namespace (160Mi under a 256Mi limit)", async () => {
        assert.deepStrictEqual(await violations(enforceHpaMemoryTarget, compliantResources()), []);
    });

    it("rejects a memory target at or above the memory limit", async () => {
        const resources = compliantResources();
        hpaSpec(resources).metrics[1].resource.target.averageValue = "256Mi";
        assert.deepStrictEqual(await violations(enforceHpaMemoryTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should target memory below the 268435456 bytes limit of Deployment "sp-bnkd-php", not 256Mi.',
        ]);
    });

    it("rejects a memory utilization that reaches the limit (300 % of a 128Mi request, 256Mi limit)", async () => {
        const resources = compliantResources();
        hpaSpec(resources).metrics[1].resource.target = {
            type: "Utilization",
            averageUtilization: 300,
        };
        assert.deepStrictEqual(await violations(enforceHpaMemoryTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should target memory below the 268435456 bytes limit of Deployment "sp-bnkd-php", not 300%.',
        ]);
    });
});

describe("enforce-hpa-scale-up", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceHpaScaleUp, compliantResources()), []);
    });

    it("rejects disabled scale-up", async () => {
        const resources = compliantResources();
        hpaSpec(resources).behavior = { scaleUp: { selectPolicy: "Disabled" } };
        assert.deepStrictEqual(await violations(enforceHpaScaleUp, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should let the autoscaler scale up, not set behavior.scaleUp.selectPolicy: Disabled.',
        ]);
    });

    it("refuses an unknown behavior (fails closed)", async () => {
        const resources = compliantResources();
        hpaSpec(resources).behavior = UNKNOWN;
        assert.deepStrictEqual(await violations(enforceHpaScaleUp, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should set .spec.behavior to a plain value known at preview; this rule cannot verify a computed value.',
        ]);
    });
});

describe("enforce-scheduler-singleton by name and role", () => {
    function scheduler(resources: FixtureResource[]): Record<string, any> {
        return pick(resources, "Deployment", "sapoche-be--scheduler--prod").props;
    }

    it("holds the named scheduler to one replica even after its component label is changed", async () => {
        const resources = compliantResources();
        scheduler(resources).metadata.labels["app.kubernetes.io/component"] = "worker";
        scheduler(resources).spec.template.metadata.labels["app.kubernetes.io/component"] =
            "worker";
        scheduler(resources).spec.replicas = 2;
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            'Deployment "sapoche-be--scheduler--prod" should set spec.replicas to exactly 1, not 2.',
        ]);
    });

    it("rejects a second scheduler, such as production1's running under staging's name", async () => {
        const resources = compliantResources();
        scheduler(resources).metadata.name = "sapoche-be--scheduler--staging";
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            'Deployment "sapoche-be--scheduler--staging" is labelled component scheduler, so it would be a second scheduler; only Deployment "sapoche-be--scheduler--prod" should run the scheduler, so two never run at once.',
        ]);
    });

    it("takes the scheduler's name from the stack's config", async () => {
        assert.deepStrictEqual(
            await violations(enforceSchedulerSingleton, compliantResources(), staging),
            [
                'Deployment "sapoche-be--scheduler--prod" is labelled component scheduler, so it would be a second scheduler; only Deployment "sapoche-be--scheduler--staging" should run the scheduler, so two never run at once.',
            ],
        );
    });

    it("refuses an unknown replica count on the scheduler (fails closed)", async () => {
        const resources = compliantResources();
        scheduler(resources).spec.replicas = UNKNOWN;
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            'Deployment "sapoche-be--scheduler--prod" should set .spec.replicas to a plain value known at preview; this rule cannot verify a computed value.',
        ]);
    });
});

describe("enforce-run-as-non-root, container by container", () => {
    it("accepts runAsNonRoot on every container without the pod field", async () => {
        const resources = compliantResources();
        const pod = workerPod(resources);
        delete pod.securityContext.runAsNonRoot;
        pod.containers[0].securityContext.runAsNonRoot = true;
        assert.deepStrictEqual(await violations(enforceRunAsNonRoot, resources), []);
    });

    it("rejects a container that runs as user 0 under a non-root pod", async () => {
        const resources = compliantResources();
        workerPod(resources).containers[0].securityContext.runAsUser = 0;
        assert.deepStrictEqual(await violations(enforceRunAsNonRoot, resources), [
            'Deployment "worker-booking" container "worker" should not set securityContext.runAsUser: 0.',
        ]);
    });

    it("rejects a pod without runAsNonRoot when a container does not set it either", async () => {
        const resources = compliantResources();
        delete workerPod(resources).securityContext.runAsNonRoot;
        assert.deepStrictEqual(await violations(enforceRunAsNonRoot, resources), [
            'Deployment "worker-booking" should set securityContext.runAsNonRoot: true on its pod template.',
        ]);
    });
});

describe("enforce-container-security-context capabilities", () => {
    it("rejects drop ALL next to add SYS_ADMIN", async () => {
        const resources = compliantResources();
        workerPod(resources).containers[0].securityContext.capabilities.add = ["SYS_ADMIN"];
        assert.deepStrictEqual(await violations(enforceContainerSecurityContext, resources), [
            'Deployment "worker-booking" container "worker" should not add capability SYS_ADMIN; allowed: none.',
        ]);
    });

    it("accepts a capability allow-listed in config, in any spelling", async () => {
        const resources = compliantResources();
        workerPod(resources).containers[0].securityContext.capabilities.add = [
            "cap_net_bind_service",
        ];
        assert.deepStrictEqual(
            await violations(enforceContainerSecurityContext, resources, {
                "enforce-container-security-context": { allowedCapabilities: ["NET_BIND_SERVICE"] },
            }),
            [],
        );
    });
});

describe("enforce-seccomp-profile", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceSeccompProfile, compliantResources()), []);
    });

    it("rejects a pod without any seccomp profile, and a pod set to Unconfined", async () => {
        const resources = compliantResources();
        delete workerPod(resources).securityContext.seccompProfile;
        pick(
            resources,
            "Deployment",
            "consumer-dicom",
        ).props.spec.template.spec.securityContext.seccompProfile = { type: "Unconfined" };
        assert.deepStrictEqual(await violations(enforceSeccompProfile, resources), [
            'Deployment "consumer-dicom" should set seccompProfile.type RuntimeDefault or Localhost on its pod, not Unconfined.',
            'Deployment "worker-booking" container "worker" should run under a seccomp profile: set securityContext.seccompProfile.type RuntimeDefault on the pod.',
        ]);
    });
});

describe("disallow-service-account-token", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(disallowServiceAccountToken, compliantResources()),
            [],
        );
    });

    it("rejects a pod that leaves the token to the service account's default", async () => {
        const resources = compliantResources();
        delete workerPod(resources).automountServiceAccountToken;
        assert.deepStrictEqual(await violations(disallowServiceAccountToken, resources), [
            'Deployment "worker-booking" should set automountServiceAccountToken: false on its pod, not unset; only allow-listed workloads get an API token.',
        ]);
    });

    it("lets an allow-listed workload mount its token", async () => {
        const resources = compliantResources();
        workerPod(resources).automountServiceAccountToken = true;
        assert.deepStrictEqual(
            await violations(disallowServiceAccountToken, resources, {
                "disallow-service-account-token": { allowedWorkloads: ["worker-booking"] },
            }),
            [],
        );
    });
});

describe("disallow-unpinned-image tags and digests", () => {
    const digest = "sha256:" + "ab".repeat(32);

    for (const image of [
        "registry.sapoche.internal/sapoche/backend:LATEST",
        "registry.sapoche.internal/sapoche/backend:Main",
        "registry.sapoche.internal/sapoche/backend:edge",
    ]) {
        it(`rejects the floating tag of ${image}`, async () => {
            const resources = compliantResources();
            workerPod(resources).containers[0].image = image;
            const tag = image.slice(image.lastIndexOf(":") + 1);
            assert.deepStrictEqual(await violations(disallowUnpinnedImage, resources), [
                `Deployment "worker-booking" container "worker" should pin a release tag or a digest, not the floating tag "${tag}" ("${image}").`,
            ]);
        });
    }

    it("accepts repo:tag@digest, even when the tag floats, and a bare digest", async () => {
        const resources = compliantResources();
        workerPod(resources).containers[0].image =
            `registry.sapoche.internal/sapoche/backend:latest@${digest}`;
        workerPod(resources).initContainers = [
            { ...workerPod(resources).containers[0], name: "init", image: `redis@${digest}` },
        ];
        assert.deepStrictEqual(await violations(disallowUnpinnedImage, resources), []);
    });

    it("rejects a malformed digest", async () => {
        const resources = compliantResources();
        workerPod(resources).containers[0].image =
            "registry.sapoche.internal/sapoche/backend@sha256:latest";
        assert.deepStrictEqual(await violations(disallowUnpinnedImage, resources), [
            'Deployment "worker-booking" container "worker" should pin a well-formed digest (@sha256: and 64 hex digits), not "registry.sapoche.internal/sapoche/backend@sha256:latest".',
        ]);
    });
});

describe("report-promotion-bypass on every pod-bearing kind", () => {
    it("reports the Redis StatefulSet deployed without staging promotion", async () => {
        const resources = compliantResources();
        pick(resources, "StatefulSet", "redis").props.metadata.annotations = {
            "sapoche.io/promotion-bypass": "INC-4711 Redis CVE hotfix",
        };
        assert.deepStrictEqual(await violations(reportPromotionBypass, resources), [
            'StatefulSet "redis" was deployed without staging promotion: INC-4711 Redis CVE hotfix',
        ]);
    });
});
