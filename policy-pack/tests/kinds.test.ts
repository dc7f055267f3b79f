import * as assert from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { enforceImagePullPolicy } from "../policies/advisory/enforceImagePullPolicy";
import { disallowUnsanctionedRedis } from "../policies/redis/disallowUnsanctionedRedis";
import { disallowHostNamespaces } from "../policies/workloads/disallowHostNamespaces";
import { disallowHostPathVolume } from "../policies/workloads/disallowHostPathVolume";
import { disallowHostPort } from "../policies/workloads/disallowHostPort";
import { disallowLiteralCredential } from "../policies/workloads/disallowLiteralCredential";
import { disallowServiceAccountToken } from "../policies/workloads/disallowServiceAccountToken";
import { disallowUnpinnedImage } from "../policies/workloads/disallowUnpinnedImage";
import { enforceContainerSecurityContext } from "../policies/workloads/enforceContainerSecurityContext";
import { enforceRunAsNonRoot } from "../policies/workloads/enforceRunAsNonRoot";
import { enforceSeccompProfile } from "../policies/workloads/enforceSeccompProfile";
import { missingContainerProbes } from "../policies/workloads/missingContainerProbes";
import { missingContainerResources } from "../policies/workloads/missingContainerResources";
import { missingEphemeralStorage } from "../policies/workloads/missingEphemeralStorage";
import { compliantPodSpec, podBearing, podBearingTypes } from "./fixtures/compliant";
import { validateResource } from "./harness";

/** One pod-spec rule: how to break a compliant pod, and what it must then say (`subject` is `Kind "name"`). */
interface Case {
    policy: ResourceValidationPolicy;
    breaks: string;
    mutate: (pod: Record<string, any>) => void;
    messages: (subject: string) => string[];
}

const worker = (subject: string) => `${subject} container "worker"`;

const cases: Case[] = [
    {
        policy: missingContainerResources,
        breaks: "a container without resources",
        mutate: (pod) => delete pod.containers[0].resources,
        messages: (s) => [
            `${worker(s)} should set resources.requests.cpu.`,
            `${worker(s)} should set resources.requests.memory.`,
            `${worker(s)} should set resources.limits.memory.`,
        ],
    },
    {
        policy: missingContainerProbes,
        breaks: "a container without a livenessProbe",
        mutate: (pod) => delete pod.containers[0].livenessProbe,
        messages: (s) => [`${worker(s)} should set a livenessProbe.`],
    },
    {
        policy: disallowUnpinnedImage,
        breaks: "an image on the floating tag Stable",
        mutate: (pod) =>
            (pod.containers[0].image = "registry.sapoche.internal/sapoche/backend:Stable"),
        messages: (s) => [
            `${worker(s)} should pin a release tag or a digest, not the floating tag "Stable" ("registry.sapoche.internal/sapoche/backend:Stable").`,
        ],
    },
    {
        policy: enforceRunAsNonRoot,
        breaks: "a container that undoes runAsNonRoot",
        mutate: (pod) => (pod.containers[0].securityContext.runAsNonRoot = false),
        messages: (s) => [`${worker(s)} should not set securityContext.runAsNonRoot: false.`],
    },
    {
        policy: enforceContainerSecurityContext,
        breaks: "a privileged container",
        mutate: (pod) => (pod.containers[0].securityContext.privileged = true),
        messages: (s) => [`${worker(s)} should not set securityContext.privileged: true.`],
    },
    {
        policy: enforceContainerSecurityContext,
        breaks: "a privileged init container",
        mutate: (pod) =>
            (pod.initContainers = [
                {
                    ...JSON.parse(JSON.stringify(pod.containers[0])),
                    name: "init",
                    securityContext: {
                        ...pod.containers[0].securityContext,
                        privileged: true,
                    },
                },
            ]),
        messages: (s) => [`${s} container "init" should not set securityContext.privileged: true.`],
    },
    {
        policy: enforceContainerSecurityContext,
        breaks: "an ephemeral debug container that adds SYS_ADMIN",
        mutate: (pod) =>
            (pod.ephemeralContainers = [
                {
                    name: "debug",
                    image: "busybox:1.36",
                    securityContext: {
                        ...pod.containers[0].securityContext,
                        capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
                    },
                },
            ]),
        messages: (s) => [
            `${s} container "debug" should not add capability SYS_ADMIN; allowed: none.`,
        ],
    },
    {
        policy: disallowHostNamespaces,
        breaks: "hostNetwork",
        mutate: (pod) => (pod.hostNetwork = true),
        messages: (s) => [`${s} should not set hostNetwork: true.`],
    },
    {
        policy: disallowHostPathVolume,
        breaks: "a hostPath volume",
        mutate: (pod) => (pod.volumes = [{ name: "root", hostPath: { path: "/" } }]),
        messages: (s) => [`${s} should not mount hostPath volume "root".`],
    },
    {
        policy: disallowHostPort,
        breaks: "a hostPort",
        mutate: (pod) => (pod.containers[0].ports = [{ containerPort: 8080, hostPort: 80 }]),
        messages: (s) => [`${worker(s)} should not bind hostPort 80.`],
    },
    {
        policy: enforceSeccompProfile,
        breaks: "a container under seccomp Unconfined",
        mutate: (pod) =>
            (pod.containers[0].securityContext.seccompProfile = { type: "Unconfined" }),
        messages: (s) => [
            `${worker(s)} should set seccompProfile.type RuntimeDefault or Localhost, not Unconfined.`,
        ],
    },
    {
        policy: disallowServiceAccountToken,
        breaks: "a pod that mounts its service-account token",
        mutate: (pod) => (pod.automountServiceAccountToken = true),
        messages: (s) => [
            `${s} should set automountServiceAccountToken: false on its pod, not true; only allow-listed workloads get an API token.`,
        ],
    },
    {
        policy: disallowLiteralCredential,
        breaks: "a literal password in the environment",
        mutate: (pod) => (pod.containers[0].env = [{ name: "DB_PASSWORD", value: "hunter2" }]),
        messages: (s) => [
            `${worker(s)} env DB_PASSWORD holds a literal under the credential name DB_PASSWORD ("***"); read it from a Secret (env valueFrom.secretKeyRef or envFrom.secretRef, as $(VAR) in command, args and headers; a KEDA TriggerAuthentication for trigger metadata), or hold a value that is not a credential.`,
        ],
    },
    {
        policy: missingEphemeralStorage,
        breaks: "a container without ephemeral-storage and an unbounded emptyDir",
        mutate: (pod) => {
            delete pod.containers[0].resources.requests["ephemeral-storage"];
            pod.volumes = [{ name: "tmp", emptyDir: {} }];
        },
        messages: (s) => [
            `${worker(s)} should set resources.requests.ephemeral-storage.`,
            `${s} should set a sizeLimit on emptyDir volume "tmp".`,
        ],
    },
    {
        policy: disallowUnsanctionedRedis,
        breaks: "a container running valkey",
        mutate: (pod) => (pod.containers[0].image = "valkey/valkey:8.0.1"),
        messages: (s) => [
            `${worker(s)} runs a Redis-compatible server ("valkey/valkey:8.0.1"); Redis should run only as the Sentinel StatefulSet "redis".`,
        ],
    },
    {
        policy: enforceImagePullPolicy,
        breaks: "imagePullPolicy Always",
        mutate: (pod) => (pod.containers[0].imagePullPolicy = "Always"),
        messages: (s) => [`${worker(s)} should use imagePullPolicy IfNotPresent, not Always.`],
    },
];

describe("every pod-spec rule on every pod-bearing kind", () => {
    for (const kind of Object.keys(podBearingTypes)) {
        describe(kind, () => {
            for (const { policy, breaks, mutate, messages } of cases) {
                it(`${policy.name} passes a compliant ${kind}`, async () => {
                    const resource = podBearing(kind, "job-runner", compliantPodSpec());
                    assert.deepStrictEqual(await validateResource(policy, resource), []);
                });

                it(`${policy.name} rejects ${breaks} in a ${kind}`, async () => {
                    const pod = compliantPodSpec();
                    mutate(pod);
                    const resource = podBearing(kind, "job-runner", pod);
                    assert.deepStrictEqual(
                        await validateResource(policy, resource),
                        messages(`${kind} "job-runner"`),
                    );
                });
            }
        });
    }

    it("reads the pod template of an older API version and of a custom workload kind", async () => {
        const pod = compliantPodSpec();
        pod.containers[0].securityContext.privileged = true;
        for (const type of [
            "kubernetes:extensions/v1beta1:Deployment",
            "kubernetes:batch/v1beta1:CronJob",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        ]) {
            const resource = podBearing(
                type.endsWith("CronJob") ? "CronJob" : "Deployment",
                "job-runner",
                pod,
            );
            resource.type = type;
            const kind = type.slice(type.lastIndexOf(":") + 1);
            assert.deepStrictEqual(
                await validateResource(enforceContainerSecurityContext, resource),
                [
                    `${kind} "job-runner" container "worker" should not set securityContext.privileged: true.`,
                ],
            );
        }
    });
});
