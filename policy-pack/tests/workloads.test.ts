import * as assert from "assert";
import { disallowBarePod } from "../policies/workloads/disallowBarePod";
import { disallowHostNamespaces } from "../policies/workloads/disallowHostNamespaces";
import { disallowHostPathVolume } from "../policies/workloads/disallowHostPathVolume";
import { disallowUnpinnedImage } from "../policies/workloads/disallowUnpinnedImage";
import { enforceContainerSecurityContext } from "../policies/workloads/enforceContainerSecurityContext";
import { enforceNamespace } from "../policies/workloads/enforceNamespace";
import { enforceRunAsNonRoot } from "../policies/workloads/enforceRunAsNonRoot";
import { missingContainerProbes } from "../policies/workloads/missingContainerProbes";
import { missingContainerResources } from "../policies/workloads/missingContainerResources";
import { missingDisruptionBudget } from "../policies/workloads/missingDisruptionBudget";
import { missingRecommendedLabels } from "../policies/workloads/missingRecommendedLabels";
import { missingScaledToZeroReason } from "../policies/workloads/missingScaledToZeroReason";
import { missingServiceWorkload } from "../policies/workloads/missingServiceWorkload";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

function workerPod(resources: FixtureResource[]): Record<string, any> {
    return pick(resources, "Deployment", "worker-booking").props.spec.template.spec;
}

function phpContainer(resources: FixtureResource[]): Record<string, any> {
    return pick(resources, "Deployment", "sp-bnkd-php").props.spec.template.spec.containers[0];
}

function revenueAnnotations(resources: FixtureResource[]): Record<string, string> {
    return pick(resources, "Deployment", "consumer-revenue").props.metadata.annotations;
}

describe("missing-scaled-to-zero-reason", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(missingScaledToZeroReason, compliantResources()),
            [],
        );
    });

    it("rejects a workload scaled to zero without a reason", async () => {
        const resources = compliantResources();
        delete revenueAnnotations(resources)["sapoche.io/scaled-to-zero-reason"];
        assert.deepStrictEqual(await violations(missingScaledToZeroReason, resources), [
            'Deployment "consumer-revenue" is scaled to zero and should explain why in the sapoche.io/scaled-to-zero-reason annotation.',
        ]);
    });

    it("rejects a workload scaled to zero without a review date", async () => {
        const resources = compliantResources();
        delete revenueAnnotations(resources)["sapoche.io/review-date"];
        assert.deepStrictEqual(await violations(missingScaledToZeroReason, resources), [
            'Deployment "consumer-revenue" is scaled to zero and should set the sapoche.io/review-date annotation (YYYY-MM-DD).',
        ]);
    });

    it("rejects a review date that is not a calendar date", async () => {
        const resources = compliantResources();
        revenueAnnotations(resources)["sapoche.io/review-date"] = "2027-02-30";
        assert.deepStrictEqual(await violations(missingScaledToZeroReason, resources), [
            'Deployment "consumer-revenue" should set the sapoche.io/review-date annotation to a date (YYYY-MM-DD), not "2027-02-30".',
        ]);
    });
});

describe("missing-container-resources", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(missingContainerResources, compliantResources()),
            [],
        );
    });

    it("rejects a container without a CPU request", async () => {
        const resources = compliantResources();
        delete phpContainer(resources).resources.requests.cpu;
        assert.deepStrictEqual(await violations(missingContainerResources, resources), [
            'Deployment "sp-bnkd-php" container "php-fpm" should set resources.requests.cpu.',
        ]);
    });

    it("rejects a container without a memory request", async () => {
        const resources = compliantResources();
        delete phpContainer(resources).resources.requests.memory;
        assert.deepStrictEqual(await violations(missingContainerResources, resources), [
            'Deployment "sp-bnkd-php" container "php-fpm" should set resources.requests.memory.',
        ]);
    });

    it("rejects a container without a memory limit", async () => {
        const resources = compliantResources();
        delete phpContainer(resources).resources.limits;
        assert.deepStrictEqual(await violations(missingContainerResources, resources), [
            'Deployment "sp-bnkd-php" container "php-fpm" should set resources.limits.memory.',
        ]);
    });

    it("checks init containers too", async () => {
        const resources = compliantResources();
        workerPod(resources).initContainers = [
            { name: "migrate", image: "registry.sapoche.internal/sapoche/backend:2026.11.2" },
        ];
        assert.deepStrictEqual(await violations(missingContainerResources, resources), [
            'Deployment "worker-booking" container "migrate" should set resources.requests.cpu.',
            'Deployment "worker-booking" container "migrate" should set resources.requests.memory.',
            'Deployment "worker-booking" container "migrate" should set resources.limits.memory.',
        ]);
    });
});

describe("missing-container-probes", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(missingContainerProbes, compliantResources()), []);
    });

    it("rejects a serving container without a readinessProbe", async () => {
        const resources = compliantResources();
        delete phpContainer(resources).readinessProbe;
        assert.deepStrictEqual(await violations(missingContainerProbes, resources), [
            'Deployment "sp-bnkd-php" container "php-fpm" serves ports and should set a readinessProbe.',
        ]);
    });

    it("rejects a worker without a livenessProbe", async () => {
        const resources = compliantResources();
        delete workerPod(resources).containers[0].livenessProbe;
        assert.deepStrictEqual(await violations(missingContainerProbes, resources), [
            'Deployment "worker-booking" container "worker" should set a livenessProbe.',
        ]);
    });
});

describe("disallow-unpinned-image", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(disallowUnpinnedImage, compliantResources()), []);
    });

    it("rejects an image without a tag", async () => {
        const resources = compliantResources();
        phpContainer(resources).image = "registry.sapoche.io:5000/sapoche/backend";
        assert.deepStrictEqual(await violations(disallowUnpinnedImage, resources), [
            'Deployment "sp-bnkd-php" container "php-fpm" should pin an image tag, not "registry.sapoche.io:5000/sapoche/backend".',
        ]);
    });

    it("rejects the latest tag", async () => {
        const resources = compliantResources();
        phpContainer(resources).image = "registry.sapoche.internal/sapoche/backend:latest";
        assert.deepStrictEqual(await violations(disallowUnpinnedImage, resources), [
            'Deployment "sp-bnkd-php" container "php-fpm" should pin a release tag or a digest, not the floating tag "latest" ("registry.sapoche.internal/sapoche/backend:latest").',
        ]);
    });

    it("accepts an image pinned by digest", async () => {
        const resources = compliantResources();
        phpContainer(resources).image =
            "registry.sapoche.internal/sapoche/backend@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert.deepStrictEqual(await violations(disallowUnpinnedImage, resources), []);
    });
});

describe("enforce-run-as-non-root", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceRunAsNonRoot, compliantResources()), []);
    });

    it("rejects a pod template without runAsNonRoot", async () => {
        const resources = compliantResources();
        delete workerPod(resources).securityContext;
        assert.deepStrictEqual(await violations(enforceRunAsNonRoot, resources), [
            'Deployment "worker-booking" should set securityContext.runAsNonRoot: true on its pod template.',
        ]);
    });
});

describe("enforce-container-security-context", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceContainerSecurityContext, compliantResources()),
            [],
        );
    });

    it("rejects a container without a security context", async () => {
        const resources = compliantResources();
        delete workerPod(resources).containers[0].securityContext;
        assert.deepStrictEqual(await violations(enforceContainerSecurityContext, resources), [
            'Deployment "worker-booking" container "worker" should set securityContext.allowPrivilegeEscalation: false.',
            'Deployment "worker-booking" container "worker" should set securityContext.readOnlyRootFilesystem: true.',
            'Deployment "worker-booking" container "worker" should drop ALL capabilities in securityContext.capabilities.drop.',
        ]);
    });

    it("rejects a privileged container", async () => {
        const resources = compliantResources();
        workerPod(resources).containers[0].securityContext.privileged = true;
        assert.deepStrictEqual(await violations(enforceContainerSecurityContext, resources), [
            'Deployment "worker-booking" container "worker" should not set securityContext.privileged: true.',
        ]);
    });

    it("rejects dropping only some capabilities", async () => {
        const resources = compliantResources();
        workerPod(resources).containers[0].securityContext.capabilities.drop = ["NET_RAW"];
        assert.deepStrictEqual(await violations(enforceContainerSecurityContext, resources), [
            'Deployment "worker-booking" container "worker" should drop ALL capabilities in securityContext.capabilities.drop.',
        ]);
    });
});

describe("disallow-host-namespaces", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(disallowHostNamespaces, compliantResources()), []);
    });

    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
        it(`rejects ${field}`, async () => {
            const resources = compliantResources();
            workerPod(resources)[field] = true;
            assert.deepStrictEqual(await violations(disallowHostNamespaces, resources), [
                `Deployment "worker-booking" should not set ${field}: true.`,
            ]);
        });
    }
});

describe("disallow-host-path-volume", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(disallowHostPathVolume, compliantResources()), []);
    });

    it("rejects a hostPath volume", async () => {
        const resources = compliantResources();
        workerPod(resources).volumes = [
            { name: "docker-sock", hostPath: { path: "/var/run/docker.sock" } },
        ];
        assert.deepStrictEqual(await violations(disallowHostPathVolume, resources), [
            'Deployment "worker-booking" should not mount hostPath volume "docker-sock".',
        ]);
    });
});

describe("enforce-namespace", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceNamespace, compliantResources()), []);
    });

    it("rejects an object in another namespace", async () => {
        const resources = compliantResources();
        pick(resources, "ConfigMap", "sapoche-env").props.metadata.namespace = "default";
        assert.deepStrictEqual(await violations(enforceNamespace, resources), [
            'ConfigMap "sapoche-env" should be in namespace "sapoche", not "default".',
        ]);
    });

    it("rejects an object that leaves its namespace to the provider default", async () => {
        const resources = compliantResources();
        delete pick(resources, "Service", "redis-sp").props.metadata.namespace;
        assert.deepStrictEqual(await violations(enforceNamespace, resources), [
            'Service "redis-sp" should set metadata.namespace to "sapoche".',
        ]);
    });

    it("rejects a Namespace with another name", async () => {
        const resources = compliantResources();
        pick(resources, "Namespace", "sapoche").props.metadata.name = "sapoche-1a2b3c";
        assert.deepStrictEqual(await violations(enforceNamespace, resources), [
            'Namespace "sapoche-1a2b3c" should be named "sapoche".',
        ]);
    });

    it("reads the namespace from config", async () => {
        const resources = compliantResources().filter(
            (r) => r.type === "kubernetes:core/v1:ConfigMap",
        );
        assert.deepStrictEqual(
            await violations(enforceNamespace, resources, {
                "enforce-namespace": { namespace: "sapoche-staging" },
            }),
            ['ConfigMap "sapoche-env" should be in namespace "sapoche-staging", not "sapoche".'],
        );
    });

    it("reports an unknown namespace as skipped instead of passing", async () => {
        const resources = compliantResources();
        pick(resources, "ConfigMap", "sapoche-env").props.metadata.namespace = UNKNOWN;
        assert.deepStrictEqual(await violations(enforceNamespace, resources), [
            "skipped: unknown value: string value at .metadata.namespace can't be known during preview",
        ]);
    });
});

describe("disallow-bare-pod", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(disallowBarePod, compliantResources()), []);
    });

    it("rejects a bare Pod", async () => {
        const pod: FixtureResource = {
            type: "kubernetes:core/v1:Pod",
            name: "debug",
            props: { metadata: { name: "debug", namespace: "sapoche" }, spec: { containers: [] } },
        };
        assert.deepStrictEqual(await violations(disallowBarePod, [...compliantResources(), pod]), [
            'Pod "debug" should be managed by a Deployment or StatefulSet, not created directly.',
        ]);
    });
});

describe("missing-service-workload", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(missingServiceWorkload, compliantResources()), []);
    });

    it("rejects a Service whose selector has a typo", async () => {
        const resources = compliantResources();
        pick(resources, "Service", "redis-sp").props.spec.selector["app.kubernetes.io/name"] =
            "redis-prxy";
        assert.deepStrictEqual(await violations(missingServiceWorkload, resources), [
            'Service "redis-sp" should select the pods of a workload in the stack, but its selector ' +
                '{"app.kubernetes.io/name":"redis-prxy","app.kubernetes.io/instance":"production1"} matches none.',
        ]);
    });

    it("rejects a Service without a selector", async () => {
        const resources = compliantResources();
        delete pick(resources, "Service", "redis-sp").props.spec.selector;
        assert.deepStrictEqual(await violations(missingServiceWorkload, resources), [
            'Service "redis-sp" should select the pods of a workload in the stack, but its selector {} matches none.',
        ]);
    });

    it("reports an unknown selector as skipped instead of passing", async () => {
        const resources = compliantResources();
        pick(resources, "Service", "redis-sp").props.spec.selector = UNKNOWN;
        assert.deepStrictEqual(await violations(missingServiceWorkload, resources), [
            "skipped: unknown value: string value at .spec.selector can't be known during preview",
        ]);
    });
});

describe("missing-disruption-budget", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(missingDisruptionBudget, compliantResources()), []);
    });

    it("rejects a multi-replica workload without a PodDisruptionBudget", async () => {
        const resources = compliantResources().filter(
            (r) => !(r.type.endsWith("PodDisruptionBudget") && r.name === "worker-booking"),
        );
        assert.deepStrictEqual(await violations(missingDisruptionBudget, resources), [
            'Deployment "worker-booking" runs up to 4 replicas and should have a PodDisruptionBudget selecting its pods.',
        ]);
    });

    it("counts an autoscaler's maximum as the workload's replicas", async () => {
        const resources = compliantResources().filter(
            (r) => !(r.type.endsWith("PodDisruptionBudget") && r.name === "sp-bnkd-php"),
        );
        assert.deepStrictEqual(await violations(missingDisruptionBudget, resources), [
            'Deployment "sp-bnkd-php" runs up to 20 replicas and should have a PodDisruptionBudget selecting its pods.',
        ]);
    });

    it("rejects a PodDisruptionBudget whose selector misses the pods", async () => {
        const resources = compliantResources();
        pick(resources, "PodDisruptionBudget", "worker-booking").props.spec.selector.matchLabels[
            "app.kubernetes.io/instance"
        ] = "staging";
        assert.deepStrictEqual(await violations(missingDisruptionBudget, resources), [
            'Deployment "worker-booking" runs up to 4 replicas and should have a PodDisruptionBudget selecting its pods.',
        ]);
    });
});

describe("missing-recommended-labels", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(missingRecommendedLabels, compliantResources()),
            [],
        );
    });

    it("rejects a workload without the part-of label", async () => {
        const resources = compliantResources();
        delete pick(resources, "Deployment", "worker-booking").props.metadata.labels[
            "app.kubernetes.io/part-of"
        ];
        assert.deepStrictEqual(await violations(missingRecommendedLabels, resources), [
            'Deployment "worker-booking" should set label app.kubernetes.io/part-of on its metadata.',
        ]);
    });

    it("rejects a pod template whose name label differs from the workload", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "worker-booking").props.spec.template.metadata.labels[
            "app.kubernetes.io/name"
        ] = "booking";
        assert.deepStrictEqual(await violations(missingRecommendedLabels, resources), [
            'Deployment "worker-booking" should set label app.kubernetes.io/name to "worker-booking" on its pod template, not "booking".',
        ]);
    });

    it("rejects an unknown component", async () => {
        const resources = compliantResources();
        pick(resources, "Service", "redis-sp").props.metadata.labels[
            "app.kubernetes.io/component"
        ] = "cache";
        assert.deepStrictEqual(await violations(missingRecommendedLabels, resources), [
            'Service "redis-sp" should set label app.kubernetes.io/component to one of queue-consumer, worker, php-backend, ' +
                'redis, redis-proxy, scheduler, orthanc, frontend on its metadata, not "cache".',
        ]);
    });

    it("rejects a workload managed by another tool", async () => {
        const resources = compliantResources();
        pick(resources, "StatefulSet", "redis").props.metadata.labels[
            "app.kubernetes.io/managed-by"
        ] = "Helm";
        assert.deepStrictEqual(await violations(missingRecommendedLabels, resources), [
            'StatefulSet "redis" should set label app.kubernetes.io/managed-by to "pulumi" on its metadata, not "Helm".',
        ]);
    });
});
