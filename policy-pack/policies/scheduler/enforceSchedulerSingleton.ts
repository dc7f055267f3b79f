import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { labelKeys } from "../lib/conventions";
import { describe, isPodBearing, objectName, podLabelsOf, Workload } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";
import { failClosed } from "../lib/unknown";

const configSchema: PolicyConfigSchema = {
    properties: {
        // Generated from the catalog and the stack's environment (scripts/pack-config.ts).
        schedulerName: { type: "string", minLength: 1, default: "sapoche-be--scheduler--prod" },
    },
};

/** Whether an object plays the scheduler's role: by its component label or its name. */
function isSchedulerRole(resource: { type: string; name: string; props: Record<string, any> }) {
    const labels = (resource.props as Workload).metadata?.labels ?? {};
    return (
        labels[labelKeys.component] === "scheduler" ||
        podLabelsOf(resource)[labelKeys.component] === "scheduler" ||
        /schedul/i.test(objectName(resource))
    );
}

/**
 * Two schedulers run every cron job twice; a rolling update overlaps old and new pods, Recreate
 * does not. The scheduler is named in config, so relabelling it does not escape the rule, and any
 * other object that looks like a scheduler is a second one.
 */
export const enforceSchedulerSingleton: ResourceValidationPolicy = {
    name: "enforce-scheduler-singleton",
    description:
        "Checks that exactly one workload, the Deployment named schedulerName, plays the scheduler role, with one replica and the Recreate strategy.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!isPodBearing(args.type)) {
            return;
        }
        const { schedulerName } = configOf<{ schedulerName: string }>(
            configSchema,
            args.getConfig(),
        );
        failClosed(describe(args), reportViolation, () => {
            const named = objectName(args) === schedulerName;
            if (!named) {
                if (isSchedulerRole(args)) {
                    reportViolation(
                        `${describe(args)} looks like a scheduler (name or component label); only Deployment "${schedulerName}" ` +
                            `should run the scheduler, so two never run at once.`,
                    );
                }
                return;
            }
            if (!isKind(args.type, "Deployment")) {
                reportViolation(
                    `${describe(args)} should be a Deployment with one replica and the Recreate strategy.`,
                );
                return;
            }
            const workload = args.props as Workload;
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
        });
    },
};
