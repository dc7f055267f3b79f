import * as assert from "assert";
import { podSecurityFindings } from "../policies/lib/podSecurity";
import { enforcePodSecurityStandard } from "../policies/security/enforcePodSecurityStandard";
import { disallowUnlocatedPodTemplate } from "../policies/workloads/disallowUnlocatedPodTemplate";
import { compliantPodSpec, compliantResources } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

const privileged = () => {
    const spec = compliantPodSpec();
    spec.containers[0].securityContext.privileged = true;
    return spec;
};

function object(type: string, name: string, spec: Record<string, any>): FixtureResource {
    return { type, name, props: { metadata: { name, namespace: "sapoche" }, spec } };
}

describe("disallow-unlocated-pod-template", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(disallowUnlocatedPodTemplate, compliantResources()),
            [],
        );
    });

    it("accepts a KEDA ScaledJob's template where KEDA keeps it, and the standard judges it there", async () => {
        const job = object("kubernetes:keda.sh/v1alpha1:ScaledJob", "batch", {
            jobTargetRef: { template: { spec: privileged() } },
        });
        assert.deepStrictEqual(await violations(disallowUnlocatedPodTemplate, [job]), []);
        const found = await violations(enforcePodSecurityStandard, [job]);
        assert.ok(
            found.some((m) => m.includes("check privileged:")),
            JSON.stringify(found),
        );
    });

    it("refuses a custom kind that runs a pod from elsewhere, naming the path and where the pack reads", async () => {
        const crd = object("kubernetes:example.io/v1:Runner", "runner", {
            workers: [{ template: { spec: privileged() } }],
        });
        assert.deepStrictEqual(await violations(disallowUnlocatedPodTemplate, [crd]), [
            `Runner "runner" carries a pod spec at spec.workers.0.template.spec, where the pack does not read Runner's pod template (it reads spec.template.spec); add the kind and its path to podTemplatePaths in policies/lib/kube.ts, or run the pod from a kind listed there.`,
        ]);
    });

    it("refuses a second pod spec hidden beside a Deployment's template", async () => {
        const deployment = object("kubernetes:apps/v1:Deployment", "api", {
            template: { spec: compliantPodSpec() },
            extra: { nested: { spec: privileged() } },
        });
        const found = await violations(disallowUnlocatedPodTemplate, [deployment]);
        assert.strictEqual(found.length, 1);
        assert.match(
            found[0],
            /at spec\.extra\.nested\.spec, where the pack does not read Deployment's pod template \(it reads spec\.template\.spec\)/,
        );
    });

    it("refuses a CronJob whose pod spec sits at spec.template instead of its job template", async () => {
        const cron = object("kubernetes:batch/v1:CronJob", "nightly", {
            template: { spec: compliantPodSpec() },
        });
        const found = await violations(disallowUnlocatedPodTemplate, [cron]);
        assert.match(found[0], /it reads spec\.jobTemplate\.spec\.template\.spec/);
    });

    it("refuses objects nested too deep to read", async () => {
        let deep: Record<string, any> = { leaf: true };
        for (let i = 0; i < 30; i++) deep = { next: deep };
        const found = await violations(disallowUnlocatedPodTemplate, [
            object("kubernetes:example.io/v1:Deep", "deep", deep),
        ]);
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /nests objects deeper than 24 levels/);
    });

    it("skips values not known at preview instead of failing the walk", async () => {
        const deployment = object("kubernetes:apps/v1:Deployment", "api", {
            template: { spec: compliantPodSpec() },
            paused: UNKNOWN,
        });
        assert.deepStrictEqual(await violations(disallowUnlocatedPodTemplate, [deployment]), []);
    });
});

describe("the restricted Pod Security Standard (policies/lib/podSecurity.ts)", () => {
    it("finds nothing in the compliant pod spec", () => {
        assert.deepStrictEqual(podSecurityFindings({}, compliantPodSpec()), []);
    });

    it("defaults a volume without a source to emptyDir, as the API does", () => {
        const spec = { ...compliantPodSpec(), volumes: [{ name: "scratch" }] };
        assert.deepStrictEqual(podSecurityFindings({}, spec), []);
    });

    it("refuses a volume that names an allowed source beside a forbidden one", () => {
        const spec = {
            ...compliantPodSpec(),
            volumes: [{ name: "both", emptyDir: {}, hostPath: { path: "/" } }],
        };
        assert.deepStrictEqual(
            podSecurityFindings({}, spec).map((f) => f.check),
            ["restrictedVolumes"],
        );
    });

    it("relaxes runAsNonRoot and runAsUser for a pod in a user namespace, never procMount", () => {
        const spec = compliantPodSpec();
        spec.hostUsers = false;
        spec.securityContext.runAsNonRoot = false;
        spec.containers[0].securityContext.runAsUser = 0;
        spec.containers[0].securityContext.procMount = "Unmasked";
        assert.deepStrictEqual(
            podSecurityFindings({}, spec).map((f) => f.check),
            ["procMount_restricted"],
        );
    });

    it("exempts a Windows pod from the Linux-only checks, not from hostProcess", () => {
        const spec: Record<string, any> = {
            os: { name: "windows" },
            securityContext: { runAsNonRoot: true, windowsOptions: { hostProcess: true } },
            containers: [{ name: "win", image: "registry.sapoche.internal/win:1" }],
        };
        assert.deepStrictEqual(
            podSecurityFindings({}, spec).map((f) => f.check),
            ["windowsHostProcess"],
        );
    });
});
