import { ResourceValidationPolicy } from "@pulumi/policy";
import { labelKeys } from "../lib/conventions";
import {
    allContainers,
    describe,
    isPodBearing,
    objectName,
    podLabelsOf,
    podSpecOf,
    Workload,
} from "../lib/kube";
import { isKind } from "../lib/resourceTypes";
import { schedulerConfigOf, schedulerConfigSchema, schedulerSignature } from "../lib/scheduler";
import { failClosed } from "../lib/unknown";

/** Why an object plays the scheduler's role: what it runs, its component label or its name. */
function schedulerRole(
    resource: { type: string; name: string; props: Record<string, any> },
    runs: string | undefined,
): string | undefined {
    if (runs !== undefined) return `runs ${JSON.stringify(runs)}`;
    const labels = (resource.props as Workload).metadata?.labels ?? {};
    if (
        labels[labelKeys.component] === "scheduler" ||
        podLabelsOf(resource)[labelKeys.component] === "scheduler"
    ) {
        return "is labelled component scheduler";
    }
    return /schedul/i.test(objectName(resource)) ? "is named like a scheduler" : undefined;
}

/**
 * Two schedulers run every cron job twice; a rolling update overlaps old and new pods, Recreate
 * does not. The scheduler is named in config, so relabelling it does not escape the rule, and any
 * other object that runs a scheduler (whatever it is called) or looks like one is a second one.
 */
export const enforceSchedulerSingleton: ResourceValidationPolicy = {
    name: "enforce-scheduler-singleton",
    description:
        "Checks that exactly one workload, the Deployment named schedulerName, runs or plays the scheduler role (recognised by its command, the backend's scheduler role, a cron daemon or schedule runner, its component label or name), with one replica and the Recreate strategy.",
    enforcementLevel: "mandatory",
    configSchema: schedulerConfigSchema,
    validateResource: (args, reportViolation) => {
        if (!isPodBearing(args.type)) {
            return;
        }
        const config = schedulerConfigOf(args.getConfig());
        const { schedulerName } = config;
        failClosed(describe(args), reportViolation, () => {
            const named = objectName(args) === schedulerName;
            if (!named) {
                const runs = allContainers(podSpecOf(args) ?? {})
                    .map((c) => schedulerSignature(c, config))
                    .find((s) => s !== undefined);
                const role = schedulerRole(args, runs);
                if (role !== undefined) {
                    reportViolation(
                        `${describe(args)} ${role}, so it would be a second scheduler; only Deployment "${schedulerName}" ` +
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
