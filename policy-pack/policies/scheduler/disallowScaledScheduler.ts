import { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersOf, autoscalersTargeting } from "../lib/autoscaling";
import { describe, isWorkload, objectName } from "../lib/kube";
import { schedulerConfigOf, schedulerConfigSchema } from "../lib/scheduler";

/**
 * An autoscaler adds scheduler pods under load, and a paused ScaledObject or an HPA with
 * minReplicas 1 still owns the count: the scheduler stays at the one replica its Deployment sets.
 */
export const disallowScaledScheduler: StackValidationPolicy = {
    name: "disallow-scaled-scheduler",
    description:
        "Checks that no HorizontalPodAutoscaler or ScaledObject targets the scheduler's Deployment.",
    enforcementLevel: "mandatory",
    configSchema: schedulerConfigSchema,
    validateStack: (args, reportViolation) => {
        const { schedulerName } = schedulerConfigOf(args.getConfig());
        const autoscalers = autoscalersOf(args.resources);
        for (const workload of args.resources.filter(
            (r) => isWorkload(r.type) && objectName(r) === schedulerName,
        )) {
            for (const scaler of autoscalersTargeting(workload, autoscalers)) {
                reportViolation(
                    `${describe(scaler.resource)} scales ${describe(workload)}, the scheduler: it runs exactly one replica, ` +
                        `set by its Deployment, and no autoscaler.`,
                    (scaler.resource as { urn?: string }).urn,
                );
            }
        }
    },
};
