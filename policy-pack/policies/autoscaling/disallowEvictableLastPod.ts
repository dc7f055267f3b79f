import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf, autoscalersTargeting, replicaRange } from "../lib/autoscaling";
import { isKind } from "../lib/resourceTypes";
import { describe, isWorkload, podLabelsOf, selectorMatches } from "../lib/kube";

const ACCEPTED =
    "maxUnavailable or minAvailable as a non-negative integer or a percentage such as 25%";

/**
 * How many of `pods` a budget lets an eviction take, with the disruption controller's rounding:
 * both percentages round up (maxUnavailable: 50% of 1 pod is 1; minAvailable: 50% of 1 is 1).
 * Undefined for a value Kubernetes would not accept, or a budget that sets neither or both.
 */
function evictable(
    spec: { maxUnavailable?: unknown; minAvailable?: unknown },
    pods: number,
): number | undefined {
    const scaled = (v: unknown): number | undefined => {
        if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? v : undefined;
        const m = typeof v === "string" ? /^(\d+)%$/.exec(v) : null;
        return m && Number(m[1]) <= 100 ? Math.ceil((Number(m[1]) * pods) / 100) : undefined;
    };
    const { maxUnavailable, minAvailable } = spec;
    if ((maxUnavailable === undefined) === (minAvailable === undefined)) return undefined;
    if (maxUnavailable !== undefined) {
        const n = scaled(maxUnavailable);
        return n === undefined ? undefined : Math.min(n, pods);
    }
    const keep = scaled(minAvailable);
    return keep === undefined ? undefined : Math.max(pods - keep, 0);
}

/**
 * An autoscaled workload at its floor must keep a pod through a node drain: a budget that lets
 * the eviction API take every pod (maxUnavailable 1 of 1, minAvailable 0 or 0%) leaves the
 * service with none until a new pod is ready. Checked at the floor: fewer pods evict no worse
 * than more. A floor of zero is a workload designed to run without pods.
 */
export const disallowEvictableLastPod: StackValidationPolicy = {
    name: "disallow-evictable-last-pod",
    description:
        "Checks that no PodDisruptionBudget of an autoscaled workload lets an eviction take its last pod at the autoscaler's minimum.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const autoscalers = autoscalersOf(args.resources);
        const scaled = args.resources.filter(
            (r) => isWorkload(r.type) && autoscalersTargeting(r, autoscalers).length > 0,
        );
        for (const pdb of args.resources.filter((r) => isKind(r.type, "PodDisruptionBudget"))) {
            const spec = pdb.props.spec ?? {};
            for (const workload of scaled) {
                if (!selectorMatches(spec.selector ?? {}, podLabelsOf(workload))) continue;
                const { min } = replicaRange(workload, autoscalers);
                if (min < 1) continue;
                const n = evictable(spec, min);
                if (n === undefined) {
                    reportViolation(
                        `${describe(pdb)} should set exactly one of ${ACCEPTED}, not ` +
                            `maxUnavailable ${JSON.stringify(spec.maxUnavailable)} and ` +
                            `minAvailable ${JSON.stringify(spec.minAvailable)}.`,
                        pdb.urn,
                    );
                } else if (n >= min) {
                    reportViolation(
                        `${describe(pdb)} lets an eviction take all ${min} pods of ${describe(workload)} ` +
                            `at its autoscaler's minimum; raise the minimum to at least ${min + 1} or ` +
                            `allow fewer disruptions (maxUnavailable below ${min}, or minAvailable at least 1).`,
                        pdb.urn,
                    );
                }
            }
        }
    },
};
