/**
 * The config schema and the policy pack guard the same things: every schema range lies inside
 * the pack's (its defaults and the generated per-stack config), so a value the pack would refuse
 * at preview is refused first by the schema, naming the config key. And the program renders what
 * the pack's ephemeral-storage and Pod Security rules ask for, sized from the plan.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Scheduler } from "../components";
import { CONTAINER_LIMIT_RANGE } from "../components/shared/limit-range";
import { namespacePeak } from "../stacks/capacity";
import {
    CREDENTIAL_ENV_NAME,
    CRITICAL_CONSUMER_FLOOR,
    FLOATING_TAGS,
    RANGES,
    STACK_ENVIRONMENTS,
} from "../stacks/ranges";
import { defaultFloatingTags } from "../policy-pack/policies/lib/images";
import { credentialName } from "../policy-pack/policies/lib/credentials";
import { enforceHpaCpuTarget } from "../policy-pack/policies/autoscaling/enforceHpaCpuTarget";
import { enforceKedaCooldownPeriod } from "../policy-pack/policies/autoscaling/enforceKedaCooldownPeriod";
import { enforceKedaPollingInterval } from "../policy-pack/policies/autoscaling/enforceKedaPollingInterval";
import { enforceKedaTriggerThreshold } from "../policy-pack/policies/autoscaling/enforceKedaTriggerThreshold";
import { enforceRedisReplicas } from "../policy-pack/policies/redis/enforceRedisReplicas";
import { packConfig } from "../scripts/pack-config";
import { RecordingMocks } from "../lib/mocks";
import { PROJECT, settle, StackName, stackSettings } from "../lib/program";
import { adoptedResources, phaseConfig } from "./support/phases";

type Any = Record<string, any>;

/** A policy's config default. */
function packDefault(policy: { configSchema?: { properties: Record<string, any> } }, key: string) {
    const value = policy.configSchema?.properties[key]?.default;
    assert.notEqual(value, undefined, `the pack has no default for ${key}`);
    return value as number;
}

describe("the config schema's ranges lie inside the policy pack's", () => {
    const inside = (name: string, schema: { min: number; max: number }, pack: [number, number]) =>
        it(`${name}: ${schema.min}-${schema.max} within the pack's ${pack[0]}-${pack[1]}`, () => {
            assert.ok(schema.min >= pack[0] && schema.max <= pack[1]);
        });
    inside("KEDA queue threshold", RANGES.queueThreshold, [
        packDefault(enforceKedaTriggerThreshold, "minThreshold"),
        packDefault(enforceKedaTriggerThreshold, "maxThreshold"),
    ]);
    inside("KEDA polling interval", RANGES.pollingInterval, [
        packDefault(enforceKedaPollingInterval, "minPollingIntervalSeconds"),
        packDefault(enforceKedaPollingInterval, "maxPollingIntervalSeconds"),
    ]);
    inside("KEDA cooldown period", RANGES.cooldownPeriod, [
        packDefault(enforceKedaCooldownPeriod, "minCooldownPeriodSeconds"),
        packDefault(enforceKedaCooldownPeriod, "maxCooldownPeriodSeconds"),
    ]);
    for (const stack of ["production1", "staging"] as const) {
        // Once adopted: until then production1's config reports some of these rules (import).
        const config = packConfig(stack, phaseConfig("done", stack)) as Record<string, Any>;
        inside(`HPA CPU target (${stack})`, RANGES.cpuUtilization, [
            1,
            config["enforce-hpa-cpu-target"]?.maxCpuUtilization ??
                packDefault(enforceHpaCpuTarget, "maxCpuUtilization"),
        ]);
        it(`critical consumer floor (${stack}) is the one the pack enforces`, () => {
            assert.equal(
                CRITICAL_CONSUMER_FLOOR[stack],
                config["enforce-consumer-min-replicas"].minReplicas,
            );
        });
        it(`environment (${stack}) names the scheduler the pack protects`, () => {
            assert.equal(
                `sapoche-be--scheduler--${STACK_ENVIRONMENTS[stack]}`,
                config["enforce-scheduler-singleton"].schedulerName,
            );
        });
    }
    inside("Redis nodes", RANGES.redisNodes, [
        packDefault(enforceRedisReplicas, "minReplicas"),
        Number.MAX_SAFE_INTEGER,
    ]);

    it("refuses every floating tag the pack refuses", () => {
        assert.deepEqual([...FLOATING_TAGS].sort(), [...defaultFloatingTags].sort());
    });

    it("refuses, and never imports, a literal under every name the pack calls a credential", () => {
        assert.equal(CREDENTIAL_ENV_NAME.source, credentialName.source);
        assert.equal(CREDENTIAL_ENV_NAME.flags, credentialName.flags);
    });
});

for (const stack of ["production1", "staging"] as StackName[]) {
    describe(`ephemeral storage and Pod Security labels of ${stack}`, () => {
        it("every container requests and limits ephemeral storage, every emptyDir has a sizeLimit", async () => {
            let containers = 0;
            for (const r of await adoptedResources(stack)) {
                const spec = (r.props as Any)?.spec?.template?.spec;
                if (!r.custom || !spec) continue;
                for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                    containers++;
                    const limit = c.resources?.limits?.["ephemeral-storage"];
                    assert.ok(c.resources?.requests?.["ephemeral-storage"], c.name);
                    assert.ok(limit, c.name);
                    // Each of the container's scratch volumes is bounded by its own limit.
                    for (const m of c.volumeMounts ?? []) {
                        const v = spec.volumes.find((x: Any) => x.name === m.name);
                        if (v?.emptyDir) assert.equal(v.emptyDir.sizeLimit, limit, v.name);
                    }
                }
                for (const v of spec.volumes ?? []) {
                    if (v.emptyDir) assert.ok(v.emptyDir.sizeLimit, `${r.name}: ${v.name}`);
                }
            }
            assert.ok(containers > 40);
        });

        it("the quota's ephemeral storage is the plan's peak; the LimitRange covers it", async () => {
            const rs = await adoptedResources(stack);
            const quota = rs.find((r) => r.type === "kubernetes:core/v1:ResourceQuota")!;
            const peak = namespacePeak(stackSettings(stack).plan);
            const hard = (quota.props as Any).spec.hard;
            assert.equal(hard["requests.ephemeral-storage"], peak.requestsEphemeralStorage);
            assert.equal(hard["limits.ephemeral-storage"], peak.limitsEphemeralStorage);
            const range = rs.find((r) => r.type === "kubernetes:core/v1:LimitRange")!;
            assert.deepEqual((range.props as Any).spec.limits, [
                { type: "Container", ...CONTAINER_LIMIT_RANGE },
            ]);
        });

        it("the Namespace enforces, audits and warns on the restricted profile", async () => {
            const ns = (await adoptedResources(stack)).find(
                (r) => r.type === "kubernetes:core/v1:Namespace",
            )!;
            const labels = (ns.props as Any).metadata.labels;
            for (const mode of ["enforce", "audit", "warn"]) {
                assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted");
            }
        });
    });
}

describe("the scheduler", () => {
    it("is deleted before its replacement is created (a renamed scheduler never runs twice)", async () => {
        const mocks = new RecordingMocks();
        await pulumi.runtime.setMocks(mocks, PROJECT, "unit", false);
        const seen = new Map<string, boolean | undefined>();
        // A component's transformations see each child's options before it registers.
        const capture: pulumi.ResourceTransformation = (args) => {
            seen.set(args.type, (args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace);
            return undefined;
        };
        const resources = {
            cpu: "100m",
            memory: "128Mi",
            cpuLimit: "200m",
            memoryLimit: "256Mi",
            ephemeralStorage: "64Mi",
            ephemeralStorageLimit: "256Mi",
        };
        new Scheduler(
            "s",
            {
                namespace: "sapoche",
                serviceAccountName: "sa",
                image: "registry/app:1",
                purpose: "test",
                resources,
                probes: { liveness: { exec: { command: ["true"] } } },
                minReadySeconds: 0,
                liveName: "sapoche-be--scheduler--prod",
            },
            { transformations: [capture] },
        );
        await settle(mocks);
        assert.equal(seen.get("kubernetes:apps/v1:Deployment"), true);
    });
});
