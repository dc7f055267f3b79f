import * as assert from "assert";
import { disallowBlockingDisruptionBudget } from "../policies/autoscaling/disallowBlockingDisruptionBudget";
import { disallowMultipleAutoscalers } from "../policies/autoscaling/disallowMultipleAutoscalers";
import { disallowReplicasOnAutoscaled } from "../policies/autoscaling/disallowReplicasOnAutoscaled";
import { enforceDisruptionBudgetHeadroom } from "../policies/autoscaling/enforceDisruptionBudgetHeadroom";
import { enforceHpaCpuTarget } from "../policies/autoscaling/enforceHpaCpuTarget";
import { enforceHpaReplicaBounds } from "../policies/autoscaling/enforceHpaReplicaBounds";
import { enforceKedaCooldownPeriod } from "../policies/autoscaling/enforceKedaCooldownPeriod";
import { enforceKedaPollingInterval } from "../policies/autoscaling/enforceKedaPollingInterval";
import { enforceKedaReplicaBounds } from "../policies/autoscaling/enforceKedaReplicaBounds";
import { enforceKedaTriggerThreshold } from "../policies/autoscaling/enforceKedaTriggerThreshold";
import { missingAutoscalerTarget } from "../policies/autoscaling/missingAutoscalerTarget";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

function hpaSpec(resources: FixtureResource[]): Record<string, any> {
    return pick(resources, "HorizontalPodAutoscaler", "sp-bnkd-php").props.spec;
}

function scaledObjectSpec(resources: FixtureResource[]): Record<string, any> {
    return pick(resources, "ScaledObject", "consumer-spc-pdf-generate").props.spec;
}

/** A second HPA on the KEDA consumer, as someone copying the PHP backend's setup might add. */
function extraHpa(): FixtureResource {
    return {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        name: "consumer-spc-pdf-generate",
        props: {
            metadata: { name: "consumer-spc-pdf-generate", namespace: "sapoche" },
            spec: {
                scaleTargetRef: {
                    apiVersion: "apps/v1",
                    kind: "Deployment",
                    name: "consumer-spc-pdf-generate",
                },
                minReplicas: 2,
                maxReplicas: 4,
            },
        },
    };
}

describe("enforce-hpa-cpu-target", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, compliantResources()), []);
    });

    it("rejects the live 85 % CPU target", async () => {
        const resources = compliantResources();
        hpaSpec(resources).metrics[0].resource.target.averageUtilization = 85;
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should target CPU utilization at most 70%, not 85%.',
        ]);
    });

    it("reads the ceiling from the maxCpuUtilization config", async () => {
        assert.deepStrictEqual(
            await violations(enforceHpaCpuTarget, compliantResources(), {
                "enforce-hpa-cpu-target": { maxCpuUtilization: 60 },
            }),
            [
                'HorizontalPodAutoscaler "sp-bnkd-php" should target CPU utilization at most 60%, not 70%.',
            ],
        );
    });

    it("rejects an autoscaling/v1 HPA above the ceiling", async () => {
        const resources = compliantResources();
        const hpa = pick(resources, "HorizontalPodAutoscaler", "sp-bnkd-php");
        hpa.type = "kubernetes:autoscaling/v1:HorizontalPodAutoscaler";
        const { metrics: _v2Metrics, ...v1Spec } = hpa.props.spec;
        hpa.props.spec = { ...v1Spec, targetCPUUtilizationPercentage: 80 };
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should target CPU utilization at most 70%, not 80%.',
        ]);
    });

    it("refuses an unknown CPU target (fails closed)", async () => {
        const resources = compliantResources();
        hpaSpec(resources).metrics[0].resource.target.averageUtilization = UNKNOWN;
        assert.deepStrictEqual(await violations(enforceHpaCpuTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should set .spec.metrics.0.resource.target.averageUtilization to a plain value known at preview; this rule cannot verify a computed value.',
        ]);
    });
});

describe("enforce-hpa-replica-bounds", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceHpaReplicaBounds, compliantResources()), []);
    });

    it("rejects minReplicas above maxReplicas", async () => {
        const resources = compliantResources();
        hpaSpec(resources).minReplicas = 25;
        assert.deepStrictEqual(await violations(enforceHpaReplicaBounds, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should set minReplicas (25) no higher than maxReplicas (20).',
        ]);
    });

    it("rejects an HPA without maxReplicas", async () => {
        const resources = compliantResources();
        delete hpaSpec(resources).maxReplicas;
        assert.deepStrictEqual(await violations(enforceHpaReplicaBounds, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should set maxReplicas.',
        ]);
    });
});

describe("enforce-keda-replica-bounds", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceKedaReplicaBounds, compliantResources()),
            [],
        );
    });

    it("rejects minReplicaCount above maxReplicaCount", async () => {
        const resources = compliantResources();
        scaledObjectSpec(resources).maxReplicaCount = 1;
        assert.deepStrictEqual(await violations(enforceKedaReplicaBounds, resources), [
            'ScaledObject "consumer-spc-pdf-generate" should set minReplicaCount (2) no higher than maxReplicaCount (1).',
        ]);
    });

    it("compares against KEDA's default maximum of 100", async () => {
        const resources = compliantResources();
        delete scaledObjectSpec(resources).maxReplicaCount;
        scaledObjectSpec(resources).minReplicaCount = 101;
        assert.deepStrictEqual(await violations(enforceKedaReplicaBounds, resources), [
            'ScaledObject "consumer-spc-pdf-generate" should set minReplicaCount (101) no higher than maxReplicaCount (100).',
        ]);
    });
});

describe("enforce-keda-trigger-threshold", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceKedaTriggerThreshold, compliantResources()),
            [],
        );
    });

    it("rejects a threshold of zero", async () => {
        const resources = compliantResources();
        scaledObjectSpec(resources).triggers[0].metadata.value = "0";
        assert.deepStrictEqual(await violations(enforceKedaTriggerThreshold, resources), [
            'ScaledObject "consumer-spc-pdf-generate" trigger 0 (rabbitmq) should set a threshold between 1 and 1000, not "0".',
        ]);
    });

    it("rejects a threshold above the configured maximum", async () => {
        const resources = compliantResources();
        assert.deepStrictEqual(
            await violations(enforceKedaTriggerThreshold, resources, {
                "enforce-keda-trigger-threshold": { maxThreshold: 10 },
            }),
            [
                'ScaledObject "consumer-spc-pdf-generate" trigger 0 (rabbitmq) should set a threshold between 1 and 10, not "20".',
            ],
        );
    });

    it("rejects a threshold that is not a number", async () => {
        const resources = compliantResources();
        scaledObjectSpec(resources).triggers[0].metadata.value = "twenty";
        assert.deepStrictEqual(await violations(enforceKedaTriggerThreshold, resources), [
            'ScaledObject "consumer-spc-pdf-generate" trigger 0 (rabbitmq) should set a threshold between 1 and 1000, not "twenty".',
        ]);
    });
});

describe("enforce-keda-polling-interval", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceKedaPollingInterval, compliantResources()),
            [],
        );
    });

    it("rejects polling every second", async () => {
        const resources = compliantResources();
        scaledObjectSpec(resources).pollingInterval = 1;
        assert.deepStrictEqual(await violations(enforceKedaPollingInterval, resources), [
            'ScaledObject "consumer-spc-pdf-generate" should set pollingInterval between 5 and 300 seconds, not 1.',
        ]);
    });

    it("rejects polling every ten minutes", async () => {
        const resources = compliantResources();
        scaledObjectSpec(resources).pollingInterval = 600;
        assert.deepStrictEqual(await violations(enforceKedaPollingInterval, resources), [
            'ScaledObject "consumer-spc-pdf-generate" should set pollingInterval between 5 and 300 seconds, not 600.',
        ]);
    });
});

describe("enforce-keda-cooldown-period", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceKedaCooldownPeriod, compliantResources()),
            [],
        );
    });

    it("rejects a cooldown shorter than the minimum", async () => {
        const resources = compliantResources();
        scaledObjectSpec(resources).cooldownPeriod = 10;
        assert.deepStrictEqual(await violations(enforceKedaCooldownPeriod, resources), [
            'ScaledObject "consumer-spc-pdf-generate" should set cooldownPeriod between 30 and 3600 seconds, not 10.',
        ]);
    });

    it("rejects a cooldown longer than the maximum", async () => {
        const resources = compliantResources();
        scaledObjectSpec(resources).cooldownPeriod = 7200;
        assert.deepStrictEqual(await violations(enforceKedaCooldownPeriod, resources), [
            'ScaledObject "consumer-spc-pdf-generate" should set cooldownPeriod between 30 and 3600 seconds, not 7200.',
        ]);
    });
});

describe("disallow-replicas-on-autoscaled", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(disallowReplicasOnAutoscaled, compliantResources()),
            [],
        );
    });

    it("rejects spec.replicas on a Deployment scaled by an HPA", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "sp-bnkd-php").props.spec.replicas = 8;
        assert.deepStrictEqual(await violations(disallowReplicasOnAutoscaled, resources), [
            'Deployment "sp-bnkd-php" is scaled by HorizontalPodAutoscaler "sp-bnkd-php" and should not set spec.replicas (found 8).',
        ]);
    });

    it("rejects spec.replicas on a Deployment scaled by KEDA", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "consumer-spc-pdf-generate").props.spec.replicas = 2;
        assert.deepStrictEqual(await violations(disallowReplicasOnAutoscaled, resources), [
            'Deployment "consumer-spc-pdf-generate" is scaled by ScaledObject "consumer-spc-pdf-generate" and should not set spec.replicas (found 2).',
        ]);
    });

    // After an update, stack policies see the live object: the API server has defaulted
    // spec.replicas, and only field ownership says whether this stack set it.
    const live = (owner: string, fields: Record<string, unknown>) => [
        { manager: owner, operation: "Apply", fieldsV1: { "f:spec": fields } },
        { manager: "kube-controller-manager", operation: "Update", fieldsV1: {} },
    ];

    it("passes a live autoscaled Deployment whose replicas the server defaulted", async () => {
        const resources = compliantResources();
        const fpm = pick(resources, "Deployment", "sp-bnkd-php");
        fpm.props.spec.replicas = 1;
        fpm.props.metadata.managedFields = live("pulumi-kubernetes-65c61507", { "f:template": {} });
        assert.deepStrictEqual(await violations(disallowReplicasOnAutoscaled, resources), []);
    });

    it("rejects a live autoscaled Deployment whose replicas Pulumi's field manager owns", async () => {
        const resources = compliantResources();
        const fpm = pick(resources, "Deployment", "sp-bnkd-php");
        fpm.props.spec.replicas = 4;
        fpm.props.metadata.managedFields = live("pulumi-kubernetes-65c61507", { "f:replicas": {} });
        assert.deepStrictEqual(await violations(disallowReplicasOnAutoscaled, resources), [
            'Deployment "sp-bnkd-php" is scaled by HorizontalPodAutoscaler "sp-bnkd-php" and should not set spec.replicas (found 4).',
        ]);
    });
});

describe("disallow-multiple-autoscalers", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(disallowMultipleAutoscalers, compliantResources()),
            [],
        );
    });

    it("rejects an HPA next to a ScaledObject on the same Deployment", async () => {
        const resources = [...compliantResources(), extraHpa()];
        assert.deepStrictEqual(await violations(disallowMultipleAutoscalers, resources), [
            'Deployment "consumer-spc-pdf-generate" should be scaled by at most one autoscaler, not 2 ' +
                '(ScaledObject "consumer-spc-pdf-generate", HorizontalPodAutoscaler "consumer-spc-pdf-generate").',
        ]);
    });
});

describe("missing-autoscaler-target", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(missingAutoscalerTarget, compliantResources()), []);
    });

    it("rejects a ScaledObject whose Deployment is not in the stack", async () => {
        const resources = compliantResources();
        scaledObjectSpec(resources).scaleTargetRef.name = "consumer-spc-pdf-generat";
        assert.deepStrictEqual(await violations(missingAutoscalerTarget, resources), [
            'ScaledObject "consumer-spc-pdf-generate" should target a Deployment in the stack, but Deployment "consumer-spc-pdf-generat" is not in it.',
        ]);
    });

    it("rejects an HPA that targets a StatefulSet", async () => {
        const resources = compliantResources();
        hpaSpec(resources).scaleTargetRef = {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            name: "redis",
        };
        assert.deepStrictEqual(await violations(missingAutoscalerTarget, resources), [
            'HorizontalPodAutoscaler "sp-bnkd-php" should target a Deployment, not StatefulSet "redis".',
        ]);
    });
});

describe("disallow-blocking-disruption-budget", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(disallowBlockingDisruptionBudget, compliantResources()),
            [],
        );
    });

    it("rejects maxUnavailable 0", async () => {
        const resources = compliantResources();
        pick(resources, "PodDisruptionBudget", "worker-booking").props.spec.maxUnavailable = 0;
        assert.deepStrictEqual(await violations(disallowBlockingDisruptionBudget, resources), [
            'PodDisruptionBudget "worker-booking" should allow at least one disruption, not maxUnavailable 0.',
        ]);
    });

    it("rejects minAvailable 100%", async () => {
        const resources = compliantResources();
        const spec = pick(resources, "PodDisruptionBudget", "worker-booking").props.spec;
        delete spec.maxUnavailable;
        spec.minAvailable = "100%";
        assert.deepStrictEqual(await violations(disallowBlockingDisruptionBudget, resources), [
            'PodDisruptionBudget "worker-booking" should allow at least one disruption, not minAvailable "100%".',
        ]);
    });
});

describe("enforce-disruption-budget-headroom", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceDisruptionBudgetHeadroom, compliantResources()),
            [],
        );
    });

    it("rejects minAvailable equal to a fixed replica count", async () => {
        const resources = compliantResources();
        const spec = pick(resources, "PodDisruptionBudget", "worker-booking").props.spec;
        delete spec.maxUnavailable;
        spec.minAvailable = 4;
        assert.deepStrictEqual(await violations(enforceDisruptionBudgetHeadroom, resources), [
            'PodDisruptionBudget "worker-booking" allows no disruption when Deployment "worker-booking" runs at its minimum (4 pods): minAvailable 4 rounds as the disruption controller does to keep every pod; allow at least one (e.g. maxUnavailable: 1).',
        ]);
    });

    it("rejects minAvailable at the autoscaler's minimum", async () => {
        const resources = compliantResources();
        const spec = pick(resources, "PodDisruptionBudget", "sp-bnkd-php").props.spec;
        delete spec.maxUnavailable;
        spec.minAvailable = 2;
        assert.deepStrictEqual(await violations(enforceDisruptionBudgetHeadroom, resources), [
            'PodDisruptionBudget "sp-bnkd-php" allows no disruption when Deployment "sp-bnkd-php" runs at its minimum (2 pods): minAvailable 2 rounds as the disruption controller does to keep every pod; allow at least one (e.g. maxUnavailable: 1).',
        ]);
    });

    it("accepts minAvailable below the autoscaler's minimum", async () => {
        const resources = compliantResources();
        const spec = pick(resources, "PodDisruptionBudget", "sp-bnkd-php").props.spec;
        delete spec.maxUnavailable;
        spec.minAvailable = 1;
        assert.deepStrictEqual(await violations(enforceDisruptionBudgetHeadroom, resources), []);
    });
});
