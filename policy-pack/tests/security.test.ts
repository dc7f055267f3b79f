import * as assert from "assert";
import { disallowBroadRoleBinding } from "../policies/security/disallowBroadRoleBinding";
import { disallowClusterRbac } from "../policies/security/disallowClusterRbac";
import { disallowSecretData } from "../policies/security/disallowSecretData";
import { enforcePodSecurityLabels } from "../policies/security/enforcePodSecurityLabels";
import { missingPodSecurityAuditLabels } from "../policies/security/missingPodSecurityAuditLabels";
import { disallowServiceExposure } from "../policies/exposure/disallowServiceExposure";
import { disallowOpaqueObject } from "../policies/workloads/disallowOpaqueObject";
import { missingEphemeralStorageQuota } from "../policies/workloads/missingEphemeralStorageQuota";
import { stackPolicyConfig } from "./evaluate";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

const production1 = stackPolicyConfig("production1");

function object(type: string, name: string, props: Record<string, any>): FixtureResource {
    return { type, name, props: { metadata: { name, namespace: "sapoche" }, ...props } };
}

function namespaceLabels(resources: FixtureResource[]): Record<string, string> {
    return pick(resources, "Namespace", "sapoche").props.metadata.labels;
}

describe("disallow-cluster-rbac", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(disallowClusterRbac, compliantResources()), []);
    });

    it("rejects a ClusterRoleBinding and a ClusterRole", async () => {
        const binding = object(
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
            "ops",
            {
                roleRef: { kind: "ClusterRole", name: "cluster-admin" },
            },
        );
        const role = object("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "reader", {});
        assert.deepStrictEqual(await violations(disallowClusterRbac, [binding, role]), [
            'ClusterRoleBinding "ops" should not be registered: the stack grants rights only inside its namespace, with a Role and RoleBinding.',
            'ClusterRole "reader" should not be registered: the stack grants rights only inside its namespace, with a Role and RoleBinding.',
        ]);
    });
});

describe("disallow-broad-role-binding", () => {
    const binding = (roleRef: Record<string, string>, subjects: Record<string, string>[]) =>
        object("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "ci", { roleRef, subjects });

    it("passes a RoleBinding of a Role to a service account", async () => {
        const ok = binding({ kind: "Role", name: "deployer" }, [
            { kind: "ServiceAccount", name: "ci", namespace: "sapoche" },
        ]);
        assert.deepStrictEqual(await violations(disallowBroadRoleBinding, [ok]), []);
    });

    for (const role of ["admin", "edit", "cluster-admin"]) {
        it(`rejects a RoleBinding to ${role}`, async () => {
            const bad = binding({ kind: "ClusterRole", name: role }, [
                { kind: "User", name: "jo" },
            ]);
            assert.deepStrictEqual(await violations(disallowBroadRoleBinding, [bad]), [
                `RoleBinding "ci" should not bind the built-in role ClusterRole "${role}"; bind a Role with the rights needed.`,
            ]);
        });
    }

    for (const group of [
        "system:authenticated",
        "system:unauthenticated",
        "system:serviceaccounts",
        "system:serviceaccounts:sapoche",
    ]) {
        it(`rejects a RoleBinding to the group ${group}`, async () => {
            const bad = binding({ kind: "Role", name: "reader" }, [{ kind: "Group", name: group }]);
            assert.deepStrictEqual(await violations(disallowBroadRoleBinding, [bad]), [
                `RoleBinding "ci" should not bind the group "${group}".`,
            ]);
        });
    }
});

describe("disallow-secret-data", () => {
    it("passes a Secret without data (its values are managed outside the stack)", async () => {
        const secret = object("kubernetes:core/v1:Secret", "redis-auth", { type: "Opaque" });
        assert.deepStrictEqual(await violations(disallowSecretData, [secret]), []);
    });

    it("rejects plaintext stringData and base64 data", async () => {
        const secret = object("kubernetes:core/v1:Secret", "redis-auth", {
            stringData: { password: "hunter2" },
            data: { token: "aHVudGVyMg==" },
        });
        assert.deepStrictEqual(await violations(disallowSecretData, [secret]), [
            'Secret "redis-auth" should not carry data (keys: token); create the Secret outside the stack and reference it by name.',
            'Secret "redis-auth" should not carry stringData (keys: password); create the Secret outside the stack and reference it by name.',
        ]);
    });

    it("rejects data computed at preview instead of skipping it", async () => {
        const secret = object("kubernetes:core/v1:Secret", "redis-auth", { stringData: UNKNOWN });
        assert.deepStrictEqual(await violations(disallowSecretData, [secret]), [
            'Secret "redis-auth" should not carry stringData (computed at preview); create the Secret outside the stack and reference it by name.',
        ]);
    });
});

describe("enforce-pod-security-labels", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforcePodSecurityLabels, compliantResources()),
            [],
        );
    });

    it("rejects a Namespace that switches enforcement to privileged", async () => {
        const resources = compliantResources();
        namespaceLabels(resources)["pod-security.kubernetes.io/enforce"] = "privileged";
        assert.deepStrictEqual(await violations(enforcePodSecurityLabels, resources), [
            'Namespace "sapoche" should set label pod-security.kubernetes.io/enforce to "restricted", not "privileged".',
        ]);
    });

    it("rejects a Namespace without the enforce label, or with an old version or a weaker warn", async () => {
        const resources = compliantResources();
        const labels = namespaceLabels(resources);
        delete labels["pod-security.kubernetes.io/enforce"];
        labels["pod-security.kubernetes.io/enforce-version"] = "v1.22";
        labels["pod-security.kubernetes.io/warn"] = "baseline";
        assert.deepStrictEqual(await violations(enforcePodSecurityLabels, resources), [
            'Namespace "sapoche" should set label pod-security.kubernetes.io/enforce to "restricted".',
            'Namespace "sapoche" should set label pod-security.kubernetes.io/enforce-version to "latest" or leave it unset, not "v1.22".',
            'Namespace "sapoche" should set label pod-security.kubernetes.io/warn to "restricted", not "baseline".',
        ]);
    });
});

describe("missing-pod-security-audit-labels", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(missingPodSecurityAuditLabels, compliantResources()),
            [],
        );
    });

    it("rejects a Namespace that neither audits nor warns", async () => {
        const resources = compliantResources();
        delete namespaceLabels(resources)["pod-security.kubernetes.io/audit"];
        delete namespaceLabels(resources)["pod-security.kubernetes.io/warn"];
        assert.deepStrictEqual(await violations(missingPodSecurityAuditLabels, resources), [
            'Namespace "sapoche" should set label pod-security.kubernetes.io/audit to "restricted".',
            'Namespace "sapoche" should set label pod-security.kubernetes.io/warn to "restricted".',
        ]);
    });
});

describe("disallow-service-exposure", () => {
    it("passes the compliant namespace with production1's node-port contract", async () => {
        assert.deepStrictEqual(
            await violations(disallowServiceExposure, compliantResources(), production1),
            [],
        );
    });

    it("rejects a node port outside the contract, and one left to auto-assignment", async () => {
        const resources = compliantResources();
        const spec = pick(resources, "Service", "sapoche-frontend-web").props.spec;
        spec.ports = [
            { name: "http", port: 80, nodePort: 30999 },
            { name: "admin", port: 81 },
        ];
        assert.deepStrictEqual(await violations(disallowServiceExposure, resources, production1), [
            'Service "sapoche-frontend-web" port http should use a nodePort from the contract (30103, 30178, 31620, 32104, 32262, 32702, 32766), not 30999.',
            'Service "sapoche-frontend-web" port admin should set a nodePort from the contract (30103, 30178, 31620, 32104, 32262, 32702, 32766), not leave it to auto-assignment.',
        ]);
    });

    it("rejects a LoadBalancer and externalIPs", async () => {
        const resources = compliantResources();
        const spec = pick(resources, "Service", "redis-sp").props.spec;
        spec.type = "LoadBalancer";
        spec.externalIPs = ["203.0.113.7"];
        spec.ports[0].nodePort = 31620;
        assert.deepStrictEqual(await violations(disallowServiceExposure, resources, production1), [
            'Service "redis-sp" should not be a LoadBalancer; expose it through the gateway.',
            'Service "redis-sp" should not set externalIPs (203.0.113.7).',
        ]);
    });
});

describe("disallow-opaque-object", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(disallowOpaqueObject, compliantResources()), []);
    });

    it("rejects a Patch, a List and a Helm Release", async () => {
        const resources = [
            object("kubernetes:apps/v1:DeploymentPatch", "consumer-dicom", {
                spec: { replicas: 1 },
            }),
            object("kubernetes:core/v1:PodList", "pods", { items: [] }),
            { type: "kubernetes:helm.sh/v3:Release", name: "vendor", props: { chart: "redis" } },
        ];
        assert.deepStrictEqual(await violations(disallowOpaqueObject, resources), [
            'DeploymentPatch "consumer-dicom" should be a whole Deployment owned by the stack, not a patch of one owned elsewhere.',
            'PodList "pods" should be registered as its items, one object each, not as a list.',
            'Release "vendor" should be a helm.v4.Chart, whose objects the pack checks one by one, not a Helm Release it cannot see into.',
        ]);
    });
});

describe("missing-ephemeral-storage-quota", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(missingEphemeralStorageQuota, compliantResources()),
            [],
        );
    });

    it("rejects a namespace whose quota and limit range leave ephemeral storage out", async () => {
        const resources = compliantResources();
        delete pick(resources, "ResourceQuota", "sapoche-peak").props.spec.hard[
            "limits.ephemeral-storage"
        ];
        delete pick(resources, "LimitRange", "sapoche-defaults").props.spec.limits[0].max[
            "ephemeral-storage"
        ];
        assert.deepStrictEqual(await violations(missingEphemeralStorageQuota, resources), [
            'Namespace "sapoche" should have a ResourceQuota setting requests.ephemeral-storage and limits.ephemeral-storage.',
            'Namespace "sapoche" should have a LimitRange whose Container entry sets default, defaultRequest and max ephemeral-storage.',
        ]);
    });

    it("does not apply to a stack that does not own the Namespace", async () => {
        const resources = compliantResources().filter(
            (r) => !/:(Namespace|ResourceQuota|LimitRange)$/.test(r.type),
        );
        assert.deepStrictEqual(await violations(missingEphemeralStorageQuota, resources), []);
    });
});
