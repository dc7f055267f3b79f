import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf, replicaRange } from "../lib/autoscaling";
import { describe, isWorkload, podSpecOf } from "../lib/kube";

/** Replicas packed onto one node fail together; advisory because a soft spread is enough outside Redis. */
export const missingTopologySpread: StackValidationPolicy = {
    name: "missing-topology-spread",
    description:
        "Checks that every workload that can run more than one replica spreads its pods across nodes.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const autoscalers = autoscalersOf(args.resources);
        for (const workload of args.resources.filter((r) => isWorkload(r.type))) {
            const { max } = replicaRange(workload, autoscalers);
            const pod = podSpecOf(workload) ?? {};
            const spread =
                (pod.topologySpreadConstraints ?? []).length > 0 ||
                pod.affinity?.podAntiAffinity !== undefined;
            if (max > 1 && !spread) {
                reportViolation(
                    `${describe(workload)} runs up to ${max} replicas and should spread them across nodes with topologySpreadConstraints.`,
                    workload.urn,
                );
            }
        }
    },
};
