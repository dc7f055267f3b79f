/**
 * production1's config at each adoption phase (docs/operations/adoption.md), as the
 * runbook sets it, and the program's resources in each, evaluated once per test run (the unit
 * tests, the policy-pack tests and the network tests share them).
 */
import { ADOPTION_PHASES, AdoptionPhase } from "../../stacks/adoption";
import { LEGACY_REDIS_REQUIRED, LEGACY_REDIS_GONE } from "../../stacks/schema/adoption";
import { RegisteredResource } from "../../lib/mocks";
import { pinnedConfig } from "../../lib/sandbox-stacks";
import { workloadImages } from "../../stacks/promotion";
import {
    evaluateOutputs,
    evaluateProgram,
    PROJECT,
    readStackConfig,
    StackName,
    stackResources,
    stackSettings,
    stagingRanItsConfig,
} from "../../lib/program";

export { ADOPTION_PHASES };
export type { AdoptionPhase };

/** The live Redis behind the Service the runbook creates with `kubectl expose` (README). */
export const LEGACY_MASTER = "redis-legacy.sapoche.svc.cluster.local";

/**
 * A stack's config at a phase. `redis.legacyMaster` is set from the import on (the runbook's
 * advice: the nodes replicate the live Redis long before `services` sends clients through the
 * proxy) and empty once Redis has moved.
 */
export function phaseConfig(
    phase: AdoptionPhase,
    stack: StackName = "production1",
    config: Record<string, unknown> = readStackConfig(stack),
): Record<string, unknown> {
    const redisKey = `${PROJECT}:redis`;
    const moved = LEGACY_REDIS_GONE.includes(phase);
    const legacy = LEGACY_REDIS_REQUIRED.includes(phase) || !moved;
    return {
        ...config,
        [`${PROJECT}:adoption`]: { phase },
        [redisKey]: { ...(config[redisKey] as object), legacyMaster: legacy ? LEGACY_MASTER : "" },
    };
}

/**
 * What the stack's own outputs say it released before `phase` (stacks/adoption-history.ts): the
 * phase before it, after an import, or nothing before `import`. Its traffic record is empty, so
 * no traffic-bearing field is compared. Merge into `stackOutputs` of lib/program.ts.
 */
export function releasedBefore(
    phase: AdoptionPhase,
    stack: StackName = "production1",
): Record<string, Record<string, unknown>> {
    const i = ADOPTION_PHASES.indexOf(phase);
    if (i === 0) return {};
    const adoption = { phase: ADOPTION_PHASES[i - 1], imported: true, traffic: {} };
    return { [`organization/${PROJECT}/${stack}`]: { namespace: "sapoche", adoption } };
}

const evaluated = new Map<AdoptionPhase, Promise<RegisteredResource[]>>();

/** production1's resources at a phase, released after the one before it (evaluated once per run). */
export function phaseResources(phase: AdoptionPhase): Promise<RegisteredResource[]> {
    let result = evaluated.get(phase);
    if (!result) {
        result = evaluateProgram("production1", phaseConfig(phase), {
            stackOutputs: { ...stagingRanItsConfig(), ...releasedBefore(phase) },
        });
        evaluated.set(phase, result);
    }
    return result;
}

/** `Kind` of a resource type token (`kubernetes:apps/v1:Deployment` -> `Deployment`). */
export const kindOf = (r: RegisteredResource) => r.type.split(":")[2];

/** `Kind/name` of a Kubernetes object. */
export const objectOf = (r: RegisteredResource) =>
    `${kindOf(r)}/${(r.props as { metadata?: { name?: string } }).metadata?.name}`;

/**
 * A stack's resources once its adoption is done: the steady state the tests of the program's
 * shape judge. Staging's stack file is that; production1's stands at the phase its adoption is
 * in (import), so its steady state is `phaseResources("done")`.
 */
export function adoptedResources(stack: StackName): Promise<RegisteredResource[]> {
    return stack === "staging" ? stackResources(stack) : phaseResources("done");
}

/** A stack's outputs once its adoption is done (as `adoptedResources`). */
export function adoptedOutputs(stack: StackName): Promise<Record<string, unknown>> {
    if (stack === "staging") return evaluateOutputs(stack);
    return evaluateOutputs("production1", phaseConfig("done"), {
        stackOutputs: { ...stagingRanItsConfig(), ...releasedBefore("done") },
    });
}

/**
 * Staging's outputs once it ran its stack file with the images pinned as a sandbox pins them
 * (lib/sandbox-stacks.ts): production1's pack refuses tags, and its gate matches a digest only
 * to a digest staging ran.
 */
export function stagingRanPinned(): Record<string, Record<string, unknown>> {
    const config = pinnedConfig(readStackConfig("staging"));
    const images = workloadImages(stackSettings("staging", config).plan);
    return { [`organization/${PROJECT}/staging`]: { workloadImages: images } };
}

const pinned = new Map<string, Promise<RegisteredResource[]>>();

/**
 * production1's resources with its images pinned by digest, as committed (`phase` undefined) or
 * at a phase: what the policy pack's tests judge, as production1's pack refuses every tag.
 */
export function pinnedResources(phase?: AdoptionPhase): Promise<RegisteredResource[]> {
    let result = pinned.get(phase ?? "committed");
    if (!result) {
        const config = pinnedConfig(readStackConfig("production1"));
        result = evaluateProgram(
            "production1",
            phase === undefined ? config : phaseConfig(phase, "production1", config),
            { stackOutputs: { ...stagingRanPinned(), ...(phase ? releasedBefore(phase) : {}) } },
        );
        pinned.set(phase ?? "committed", result);
    }
    return result;
}
