import { strict as assert } from "assert";
import { collisions, createsOf, LiveObject } from "../scripts/delivery/lib/creates-over-live";

const URN = "urn:pulumi:production1::sapoche-stack::";
const plan = {
    resourcePlans: {
        [`${URN}pulumi:pulumi:Stack::sapoche-stack-production1`]: { steps: ["create"] },
        [`${URN}sapoche:namespace:Baseline$kubernetes:core/v1:Namespace::sapoche`]: {
            goal: {
                type: "kubernetes:core/v1:Namespace",
                inputDiff: { adds: { apiVersion: "v1", metadata: { name: "sapoche" } } },
            },
            steps: ["create"],
        },
        [`${URN}sapoche:workloads:Worker$kubernetes:apps/v1:Deployment::worker-a`]: {
            goal: {
                type: "kubernetes:apps/v1:Deployment",
                inputDiff: {
                    adds: {
                        apiVersion: "apps/v1",
                        metadata: { name: "worker-a", namespace: "sapoche" },
                    },
                },
            },
            steps: ["create"],
        },
        [`${URN}sapoche:workloads:Redis$kubernetes:apps/v1:StatefulSet::redis`]: {
            goal: {
                type: "kubernetes:apps/v1:StatefulSet",
                inputDiff: {
                    adds: {
                        apiVersion: "apps/v1",
                        metadata: { name: "redis", namespace: "sapoche" },
                    },
                },
            },
            steps: ["create-replacement", "replace", "delete-replaced"],
        },
        [`${URN}sapoche:workloads:Worker$kubernetes:keda.sh/v1alpha1:ScaledObject::consumer-x`]: {
            goal: {
                type: "kubernetes:keda.sh/v1alpha1:ScaledObject",
                inputDiff: {
                    adds: {
                        apiVersion: "keda.sh/v1alpha1",
                        metadata: { name: "consumer-x", namespace: "sapoche" },
                    },
                },
            },
            steps: ["create"],
        },
        [`${URN}sapoche:workloads:Worker$kubernetes:core/v1:Service::adopted`]: {
            goal: {
                type: "kubernetes:core/v1:Service",
                inputDiff: {
                    adds: { apiVersion: "v1", metadata: { name: "adopted", namespace: "sapoche" } },
                },
            },
            steps: ["import"],
        },
    },
};

const live = (kind: string, apiVersion: string, name: string, namespace?: string): LiveObject => ({
    kind,
    apiVersion,
    metadata: { name, namespace, managedFields: [{ manager: "pulumi-kubernetes-4f1c" }] },
});

describe("a plan's creates against the live cluster (scripts/delivery/lib/creates-over-live.ts)", () => {
    it("takes every Kubernetes create, not a replacement's create, an import or a non-Kubernetes one", () => {
        assert.deepEqual(createsOf(plan), [
            { kind: "Namespace", group: "", name: "sapoche", namespace: "" },
            { kind: "Deployment", group: "apps", name: "worker-a", namespace: "sapoche" },
            { kind: "ScaledObject", group: "keda.sh", name: "consumer-x", namespace: "sapoche" },
        ]);
    });

    it("names each create whose object exists already, with its managers", () => {
        const found = collisions(createsOf(plan), [
            live("Namespace", "v1", "sapoche"),
            live("ScaledObject", "keda.sh/v1alpha1", "consumer-x", "sapoche"),
            // Same name, other namespace or other group: a different object.
            live("Deployment", "apps/v1", "worker-a", "staging"),
            live("ScaledObject", "other.io/v1", "consumer-x", "sapoche"),
        ]);
        assert.deepEqual(found, [
            "Namespace sapoche (managed by: pulumi-kubernetes-4f1c)",
            "ScaledObject sapoche/consumer-x (managed by: pulumi-kubernetes-4f1c)",
        ]);
    });

    it("finds nothing on an empty cluster", () => {
        assert.deepEqual(collisions(createsOf(plan), []), []);
    });

    it("refuses to guess a create it cannot look up", () => {
        assert.throws(
            () =>
                createsOf({
                    resourcePlans: {
                        [`${URN}kubernetes:core/v1:ConfigMap::x`]: {
                            goal: {
                                type: "kubernetes:core/v1:ConfigMap",
                                inputDiff: { adds: { metadata: { name: 42 } } },
                            },
                            steps: ["create"],
                        },
                    },
                }),
            /metadata\.name is not a known string; cannot check the cluster/,
        );
    });

    it("skips a create the provider names itself (no metadata.name: a random suffix cannot collide)", () => {
        assert.deepEqual(
            createsOf({
                resourcePlans: {
                    [`${URN}kubernetes:core/v1:ConfigMap::auto`]: {
                        goal: {
                            type: "kubernetes:core/v1:ConfigMap",
                            inputDiff: {
                                adds: { apiVersion: "v1", metadata: { namespace: "sapoche" } },
                            },
                        },
                        steps: ["create"],
                    },
                },
            }),
            [],
        );
    });
});
