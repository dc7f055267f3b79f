import { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { Autoscaler, autoscalersOf, autoscalersTargeting, replicaRange } from "../lib/autoscaling";
import { annotationKeys } from "../lib/conventions";
import { describe, isWorkload, objectName, Workload } from "../lib/kube";
import { hasScaledToZeroExemption } from "../lib/scaledToZero";
import { failClosed, isUnknownValue } from "../lib/unknown";

const configSchema: PolicyConfigSchema = {
    properties: {
        minReplicas: { type: "integer", minimum: 0, default: 2 },
        // Generated from the catalog (scripts/pack-config.ts): the floor holds by name, whatever
        // the annotations say.
        criticalConsumers: { type: "array", items: { type: "string" }, default: [] },
    },
};

interface Config {
    minReplicas: number;
    criticalConsumers: string[];
}

/** Whether an autoscaler whose bounds are unknown names this workload, or its target is unknown too. */
function mayTarget(autoscaler: PolicyResource, workload: PolicyResource): boolean {
    try {
        const target = autoscaler.props.spec?.scaleTargetRef?.name;
        return target === undefined || target === objectName(workload);
    } catch {
        return true;
    }
}

/** A critical consumer at one replica stops the integration it serves whenever its pod restarts. */
export const enforceConsumerMinReplicas: StackValidationPolicy = {
    name: "enforce-consumer-min-replicas",
    description:
        "Checks that every critical consumer (named in config, or annotated sapoche.io/critical) runs at least minReplicas, through spec.replicas or its autoscaler's minimum.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const { minReplicas, criticalConsumers } = configOf<Config>(configSchema, args.getConfig());
        // An autoscaler with a computed field cannot vouch for any floor: read each one apart, so
        // the consumers it may target fail closed and the others keep their verdict.
        const autoscalers: Autoscaler[] = [];
        const unreadable: PolicyResource[] = [];
        for (const resource of args.resources) {
            try {
                autoscalers.push(...autoscalersOf([resource]));
            } catch (error) {
                if (!isUnknownValue(error)) {
                    throw error;
                }
                unreadable.push(resource);
            }
        }
        for (const consumer of args.resources.filter((r) => isWorkload(r.type))) {
            const report = (message: string) => reportViolation(message, consumer.urn);
            failClosed(describe(consumer), report, () => {
                const workload = consumer.props as Workload;
                const named = criticalConsumers.includes(objectName(consumer));
                // Any spelling of "true" raises the floor; only the config can lower it.
                const annotation = workload.metadata?.annotations?.[annotationKeys.critical];
                const annotated =
                    String(annotation ?? "")
                        .trim()
                        .toLowerCase() === "true";
                if (!named && !annotated) {
                    return;
                }
                for (const autoscaler of unreadable.filter((a) => mayTarget(a, consumer))) {
                    report(
                        `${describe(consumer)} is critical, and ${describe(autoscaler)} that may scale it should set its ` +
                            `replica bounds and target to plain values known at preview; this rule cannot verify computed ones.`,
                    );
                }
                if (unreadable.some((a) => mayTarget(a, consumer))) {
                    return;
                }
                const floor = replicaRange(consumer, autoscalers).min;
                // A consumer the catalog names critical may not be parked by annotations alone.
                const parked = !named && floor === 0 && hasScaledToZeroExemption(workload);
                if (floor >= minReplicas || parked) {
                    return;
                }
                const autoscaler = autoscalersTargeting(consumer, autoscalers).find(
                    (a) => a.minReplicas === floor,
                );
                const source = autoscaler
                    ? `, but ${describe(autoscaler.resource)} has a minimum of ${floor}`
                    : `, not ${floor}`;
                const hint =
                    floor === 0 && !autoscaler && !named
                        ? `; to keep it scaled to zero, annotate ${annotationKeys.scaledToZeroReason} and ${annotationKeys.reviewDate}`
                        : "";
                report(
                    `${describe(consumer)} is critical and should run at least ${minReplicas} replicas${source}${hint}.`,
                );
            });
        }
    },
};
