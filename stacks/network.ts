/**
 * The baseline's network arguments: the flow list (stacks/flows.ts) and whether the adoption
 * phase renders NetworkPolicies yet (the ranges' schema: stacks/schema/network.ts).
 */
import { phaseRendering } from "./adoption";
import { networkFlows } from "./flows";
import type { Flow } from "./flows";

/** The baseline's network arguments (components/namespace-baseline.ts). */
export interface NetworkArgs {
    readonly networkPolicies: boolean;
    /** The flow list (stacks/flows.ts): what the policies admit, and nothing else. */
    readonly flows: readonly Flow[];
}

/**
 * The baseline's network arguments. No NetworkPolicy before the adoption's `enforce` phase: pods
 * of the live ReplicaSets keep their live labels and ports, which no rule selects, so a default
 * deny would cut them off (docs/network.md); by `enforce` every rollout is done.
 */
export function networkArgs(settings: Parameters<typeof networkFlows>[0]): NetworkArgs {
    return {
        networkPolicies: phaseRendering(settings.adoption.phase).enforced,
        flows: networkFlows(settings),
    };
}
