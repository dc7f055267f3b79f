/**
 * Adoption of the live namespace, in phases (`sapoche-stack:adoption.phase`, one normal approved
 * release each, each safe on its own; docs/operations/adoption.md, is the runbook):
 *
 * - `import`: every object that exists in today's namespace under the same kind and name
 *   (docs/live-namespace.txt) is imported (`= import`, same uid) and left exactly as it is; new
 *   objects that change neither admission nor traffic are created (ServiceAccounts, PDBs, the
 *   Redis tier, monitoring, ...). No NetworkPolicy, ResourceQuota, LimitRange or Pod Security
 *   label.
 * - `reshape`: the workloads (Deployments, the HPA, the ScaledObjects) take the program's shape in
 *   place and roll (surge first, never below the desired count); the Namespace takes its labels
 *   but Pod Security only audits and warns. Services keep their live spec (selector and ports)
 *   so old and new pods both serve; only their labels change.
 * - `services`: once every rollout is complete, the Services take the program's spec (named
 *   target ports, `redis-sp` to the proxy, which sends clients to the live Redis:
 *   `redis.legacyMaster` is required).
 * - `redis-moved`: renders as `services`, with `redis.legacyMaster` back to "" once Redis' data
 *   has moved (docs/operations/redis.md).
 * - `enforce`: the ResourceQuota, the LimitRange, the NetworkPolicies and the Pod Security
 *   enforce labels apply.
 * - `done`: the steady state (renders as `enforce`, less the adoption's `pulumi.com/patchForce`
 *   on the live objects other than Deployments); the legacy `redis-master` and `redis-legacy`
 *   have been deleted. A stack that was never adopted (staging) is `done`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS } from "../components/shared/labels";
import { AdoptionPhase, PHASES, PhaseRow } from "./adoption-phases";
import { addedObjects } from "./changes";
import type { Settings } from "./settings";

export { ADOPTION_PHASES } from "./adoption-phases";
export type { AdoptionPhase } from "./adoption-phases";

/** What the program renders in one phase (stacks/adoption-phases.ts, the table). */
export type PhaseRendering = Pick<
    PhaseRow,
    "importsLive" | "servicesAsLive" | "enforced" | "forcesLive"
>;

/** What a phase renders. */
export function phaseRendering(phase: AdoptionPhase): PhaseRendering {
    return PHASES[phase];
}

/**
 * `Kind/name` of every live object this program manages under the same kind and name: what the
 * plan manages, less what stacks/changes.ts declares new (a workload added after the inventory
 * does not exist yet, so there is nothing to import).
 */
export function liveObjects(settings: Pick<Settings, "namespace" | "plan">): Set<string> {
    const added = new Set(addedObjects.map((a) => a.object));
    return new Set(
        [`Namespace/${settings.namespace}`, ...settings.plan.flatMap((p) => p.liveObjects)].filter(
            (o) => !added.has(o),
        ),
    );
}

/**
 * The options a live object gets in a phase, over the program's own: an import that leaves the
 * object as it is (`import`), a Service whose spec stays live (`reshape`), or nothing.
 */
export function liveObjectOptions(
    phase: AdoptionPhase,
    namespace: string,
    kind: string,
    name: string,
): { import?: string; ignoreChanges?: string[] } | undefined {
    const r = phaseRendering(phase);
    if (r.importsLive) {
        return {
            import: kind === "Namespace" ? name : `${namespace}/${name}`,
            // Import requires the program to match the live object; the shape is applied by the
            // next phases, in place.
            ignoreChanges: ["metadata", "spec"],
        };
    }
    if (r.servicesAsLive && kind === "Service") {
        // The live selector matches old and new pods, and the live target ports are what the old
        // pods serve on: the Service switches only once every rollout is done.
        return { ignoreChanges: ["spec"] };
    }
    return undefined;
}

/** Registers the phase's options and annotation on every live object (none in `done`). */
export function adoptLiveObjects(settings: Settings): void {
    const { phase } = settings.adoption;
    const r = phaseRendering(phase);
    if (!r.importsLive && !r.servicesAsLive && !r.forcesLive) return;
    const live = liveObjects(settings);
    pulumi.runtime.registerStackTransformation((args) => {
        if (!args.type.startsWith("kubernetes:")) return undefined;
        const kind = args.type.split(":")[2].split("/").pop() ?? "";
        const props = args.props as { metadata?: { name?: string; annotations?: object } };
        const name = props.metadata?.name ?? "";
        if (!live.has(`${kind}/${name}`)) return undefined;
        const extra = liveObjectOptions(phase, settings.namespace, kind, name) ?? {};
        const metadata = r.forcesLive
            ? {
                  ...props.metadata,
                  annotations: { ...props.metadata?.annotations, [ANNOTATIONS.patchForce]: "true" },
              }
            : props.metadata;
        return {
            props: { ...args.props, metadata },
            opts: {
                ...args.opts,
                ...extra,
                ignoreChanges: [...(args.opts.ignoreChanges ?? []), ...(extra.ignoreChanges ?? [])],
            },
        };
    });
}
