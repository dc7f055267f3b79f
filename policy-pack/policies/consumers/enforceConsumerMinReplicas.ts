import { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { autoscalersOf, autoscalersTargeting, replicaRange } from "../lib/autoscaling";
import { annotationKeys } from "../lib/conventions";
import { describe, types, Workload } from "../lib/kube";
import { hasScaledToZeroExemption } from "../lib/scaledToZero";

const configSchema: PolicyConfigSchema = {
    properties: {
        minReplicas: { type: "integer", minimum: 0, default: 2 },
    },
};

/** A critical consumer at one replica stops the integration it serves whenever its pod restarts. */
export const enforceConsumerMinReplicas: StackValidationPolicy = {
    name: "enforce-consumer-min-replicas",
    description:
        "Checks that every Deployment annotated sapoche.io/critical runs at least minReplicas, through spec.replicas or its autoscaler's minimum.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const { minReplicas } = configOf<{ minReplicas: number }>(configSchema, args.getConfig());
        const autoscalers = autoscalersOf(args.resources);
        for (const consumer of args.resources) {
            const workload = consumer.props as Workload;
            // The annotation alone decides: the live consumers carry it but not the component label yet.
            if (
                consumer.type !== types.deployment ||
                workload.metadata?.annotations?.[annotationKeys.critical] !== "true"
            ) {
                continue;
            }
            const floor = replicaRange(consumer, autoscalers).min;
            if (floor >= minReplicas || (floor === 0 && hasScaledToZeroExemption(workload))) {
                continue;
            }
            const autoscaler = autoscalersTargeting(consumer, autoscalers).find(
                (a) => a.minReplicas === floor,
            );
            const source = autoscaler
                ? `, but ${describe(autoscaler.resource)} has a minimum of ${floor}`
                : `, not ${floor}`;
            const hint =
                floor === 0 && !autoscaler
                    ? `; to keep it scaled to zero, annotate ${annotationKeys.scaledToZeroReason} and ${annotationKeys.reviewDate}`
                    : "";
            reportViolation(
                `${describe(consumer)} is critical and should run at least ${minReplicas} replicas${source}${hint}.`,
                consumer.urn,
            );
        }
    },
};
