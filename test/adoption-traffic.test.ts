/**
 * Traffic-bearing fields change only in the phase meant to change them
 * (stacks/adoption-traffic.ts), and the legacy Redis target never resolves to the program's own
 * Services (stacks/adoption-target.ts), in any spelling Kubernetes DNS resolves.
 */
import { strict as assert } from "assert";
import {
    evaluateOutputs,
    evaluateProgram,
    PROJECT,
    stackResources,
    stackSettings,
    stagingRanItsConfig,
} from "../lib/program";
import { AdoptionPhase } from "../stacks/adoption-phases";
import { AdoptionRecord } from "../stacks/adoption-history";
import { legacyTargetProblem, OWN_SERVICES } from "../stacks/adoption-target";
import { LEGACY_MASTER, phaseConfig, releasedBefore } from "./support/phases";

const SELF = `organization/${PROJECT}/production1`;
const withRecord = (rec: AdoptionRecord) => ({
    stackOutputs: { ...stagingRanItsConfig(), [SELF]: { namespace: "sapoche", adoption: rec } },
});

/** What production1 records when it releases `phase` after the phase before it. */
async function recordOf(phase: AdoptionPhase): Promise<AdoptionRecord> {
    const outputs = await evaluateOutputs("production1", phaseConfig(phase), {
        stackOutputs: { ...stagingRanItsConfig(), ...releasedBefore(phase) },
    });
    return outputs.adoption as AdoptionRecord;
}

/** production1's config at `phase` with one NodePort moved. */
function movedNodePort(phase: AdoptionPhase): Record<string, unknown> {
    const config = phaseConfig(phase);
    const key = `${PROJECT}:nodePorts`;
    const ports = JSON.parse(JSON.stringify(config[key])) as Record<string, Record<string, number>>;
    ports["sapoche-frontend-web"].http = 31621;
    return { ...config, [key]: ports };
}

describe("traffic-bearing fields change only in their phase", function () {
    // Each case evaluates the whole program under mocks: seconds, not milliseconds.
    this.timeout(300_000);
    let services: AdoptionRecord;
    before(async () => {
        services = await recordOf("services");
    });

    it("refuses a live Service's spec changed after services (redis-moved, enforce, the step into done)", async () => {
        for (const [phase, from] of [
            ["redis-moved", "services"],
            ["enforce", "redis-moved"],
            ["done", "enforce"],
        ] as const) {
            const rec = {
                ...services,
                phase: from,
                traffic: { ...services.traffic, legacyTarget: "" },
            };
            await assert.rejects(
                evaluateProgram("production1", movedNodePort(phase), withRecord(rec)),
                new RegExp(
                    `Service/sapoche-frontend-web: its spec \\(selector, ports\\) would change in adoption phase ${phase} \\(last released phase ${from}: .*31620.*; now .*31621.*only phase services changes it`,
                ),
            );
        }
    });

    it("lets services change the Services, and done change them once done is released", async () => {
        const reshape = await recordOf("reshape");
        await evaluateProgram("production1", movedNodePort("services"), withRecord(reshape));
        const done = {
            ...services,
            phase: "done" as const,
            traffic: { ...services.traffic, legacyTarget: "" },
        };
        await evaluateProgram("production1", movedNodePort("done"), withRecord(done));
    });

    it("refuses the pods' labels changed in any phase but reshape", async () => {
        const rec = await recordOf("reshape");
        const podLabels = {
            ...rec.traffic.podLabels,
            "Deployment/consumer-dicom": '{"app":"consumer-dicom"}',
        };
        await assert.rejects(
            evaluateProgram(
                "production1",
                phaseConfig("services"),
                withRecord({ ...rec, traffic: { ...rec.traffic, podLabels } }),
            ),
            /Deployment\/consumer-dicom: its pod template labels \(what the live Services select\) would change in adoption phase services \(last released phase reshape: \{"app":"consumer-dicom"\}; now .*only phase reshape changes it/,
        );
        // reshape itself may change them.
        const imported = await recordOf("import");
        const atImport = {
            ...imported.traffic.podLabels,
            "Deployment/consumer-dicom": '{"app":"consumer-dicom"}',
        };
        await evaluateProgram(
            "production1",
            phaseConfig("reshape"),
            withRecord({ ...imported, traffic: { ...imported.traffic, podLabels: atImport } }),
        );
    });

    it("refuses the legacy Redis target changed in services, once clients reach it", async () => {
        const rec = await recordOf("reshape");
        assert.equal(rec.traffic.legacyTarget, LEGACY_MASTER);
        const config = phaseConfig("services");
        const redis = {
            ...(config[`${PROJECT}:redis`] as object),
            legacyMaster: "redis-old.sapoche.svc.cluster.local",
        };
        await assert.rejects(
            evaluateProgram(
                "production1",
                { ...config, [`${PROJECT}:redis`]: redis },
                withRecord(rec),
            ),
            /sapoche-stack:redis.legacyMaster: its redis.legacyMaster would change in adoption phase services \(last released phase reshape: "redis-legacy.sapoche.svc.cluster.local"; now "redis-old.sapoche.svc.cluster.local"\)/,
        );
    });
});

describe("the legacy Redis target never resolves to the program's own Services", function () {
    this.timeout(300_000);
    const own = (value: string) => legacyTargetProblem(value, "sapoche") ?? "";

    it("lists every Service the program renders, in both stacks", async () => {
        for (const stack of ["production1", "staging"] as const) {
            const names = (await stackResources(stack))
                .filter((r) => r.type === "kubernetes:core/v1:Service")
                .map((r) => (r.props as { metadata: { name: string } }).metadata.name);
            assert.deepEqual([...names].sort(), [...OWN_SERVICES].sort(), stack);
        }
    });

    it("refuses each own Service in every spelling a pod of the namespace resolves", () => {
        for (const service of OWN_SERVICES) {
            const spellings = [
                service,
                `${service}.sapoche`,
                `${service}.sapoche.svc`,
                `${service}.sapoche.svc.cluster.local`,
                `${service}.sapoche.svc.cluster.local.`,
                `${service}.sapoche.svc.example.internal`,
                `redis-0.${service}`,
                `redis-0.${service}.sapoche.svc.cluster.local`,
            ];
            for (const s of spellings) {
                for (const v of [s, s.toUpperCase(), `${s}:6379`, `${s.toUpperCase()}:26379`]) {
                    assert.match(own(v), new RegExp(`resolves to ${service}\\.sapoche\\.svc`), v);
                }
            }
        }
    });

    it('accepts the live Redis and other namespaces\' or external hosts, and ""', () => {
        for (const v of [
            "",
            "redis-legacy",
            "redis-legacy.sapoche.svc.cluster.local",
            "REDIS-LEGACY.sapoche.svc.cluster.local:6379",
            "redis-sp.other",
            "redis-sp.other.svc.cluster.local",
            "redis.legacy.example.internal",
        ]) {
            assert.equal(legacyTargetProblem(v, "sapoche"), undefined, v);
        }
    });

    it("refuses unknown shapes, saying what is accepted", () => {
        for (const [v, what] of [
            ["10.0.0.7", "an IP address"],
            ["10.0.0.7:6379", "an IP address"],
            ["[::1]:6379", "not a DNS name"],
            ["redis legacy", "not a DNS name"],
            ["redis-legacy:0", "port 0 is outside 1-65535"],
            ["redis-legacy:70000", "port 70000 is outside 1-65535"],
            ["redis_legacy", "not a DNS name"],
            ["-redis", "not a DNS name"],
        ] as const) {
            const m = legacyTargetProblem(v, "sapoche") ?? "";
            assert.match(m, /^"", or the live Redis by DNS name, optionally with :port/, v);
            assert.ok(m.endsWith(`(${JSON.stringify(v)} is ${what})`), `${v}: ${m}`);
        }
    });

    it("reports it as a stack-file error naming the key", () => {
        const config = phaseConfig("services");
        const redis = {
            ...(config[`${PROJECT}:redis`] as object),
            legacyMaster: "Redis-SP.Sapoche.svc:6379",
        };
        assert.throws(
            () => stackSettings("production1", { ...config, [`${PROJECT}:redis`]: redis }),
            /sapoche-stack:redis.legacyMaster: got "Redis-SP.Sapoche.svc:6379"; expected the live Redis, never one of this program's own Services/,
        );
    });
});
