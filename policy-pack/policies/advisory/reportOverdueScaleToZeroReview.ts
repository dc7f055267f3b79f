import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { annotationKeys, isIsoDate } from "../lib/conventions";
import { describe, isWorkload, Workload } from "../lib/kube";

const configSchema: PolicyConfigSchema = {
    properties: {
        // Fixed dates keep tests stable; unset means today's date.
        today: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    },
};

/** Parked workloads rot: once the review date passes, someone should remove or revive them. */
export const reportOverdueScaleToZeroReview: ResourceValidationPolicy = {
    name: "report-overdue-scale-to-zero-review",
    description: "Checks that no workload scaled to zero is past its sapoche.io/review-date.",
    enforcementLevel: "advisory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const workload = args.props as Workload;
        if (!isWorkload(args.type) || workload.spec?.replicas !== 0) {
            return;
        }
        const today =
            configOf<{ today?: string }>(configSchema, args.getConfig()).today ??
            new Date().toISOString().slice(0, 10);
        const reviewDate = workload.metadata?.annotations?.[annotationKeys.reviewDate];
        // ISO dates compare correctly as strings; a missing or malformed date is missing-scaled-to-zero-reason's finding.
        if (reviewDate !== undefined && isIsoDate(reviewDate) && reviewDate < today) {
            reportViolation(
                `${describe(args)} is scaled to zero and should have been reviewed by ${reviewDate}: remove it or scale it back up.`,
            );
        }
    },
};
