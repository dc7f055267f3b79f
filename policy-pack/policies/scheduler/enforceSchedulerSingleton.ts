import { ResourceValidationPolicy } from "@pulumi/policy";
import { labelKeys } from "../lib/conventions";
import { describe, types, Workload } from "../lib/kube";

/** Two schedulers run every cron job twice; a rolling update overlaps old and new pods, Recreate does not. */
export const enforceSchedulerSingleton: ResourceValidationPolicy = {
    name: "enforce-scheduler-singleton",
    description:
        "Checks that the scheduler Deployment runs exactly one replica and rolls out with the Recreate strategy.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const workload = args.props as Workload;
        if (
            args.type !== types.deployment ||
            workload.metadata?.labels?.[labelKeys.component] !== "scheduler"
        ) {
            return;
        }
        const replicas = workload.spec?.replicas;
        if (replicas !== 1) {
            reportViolation(
                `${describe(args)} should set spec.replicas to exactly 1, not ${replicas ?? "unset"}.`,
            );
        }
        const strategy = workload.spec?.strategy?.type ?? "RollingUpdate";
        if (strategy !== "Recreate") {
            reportViolation(
                `${describe(args)} should use strategy Recreate so two schedulers never overlap during a rollout, not ${strategy}.`,
            );
        }
    },
};
