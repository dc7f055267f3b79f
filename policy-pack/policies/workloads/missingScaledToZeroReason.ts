import { ResourceValidationPolicy } from "@pulumi/policy";
import { annotationKeys, isIsoDate } from "../lib/conventions";
import { describe, isWorkload, Workload } from "../lib/kube";

/** A workload at zero replicas looks like an outage unless someone wrote down why and until when. */
export const missingScaledToZeroReason: ResourceValidationPolicy = {
    name: "missing-scaled-to-zero-reason",
    description:
        "Checks that every workload scaled to zero carries a reason and a review date (YYYY-MM-DD) as annotations.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const workload = args.props as Workload;
        if (!isWorkload(args.type) || workload.spec?.replicas !== 0) {
            return;
        }
        const annotations = workload.metadata?.annotations ?? {};
        const reason = annotations[annotationKeys.scaledToZeroReason];
        const reviewDate = annotations[annotationKeys.reviewDate];
        if (reason === undefined || reason.trim() === "") {
            reportViolation(
                `${describe(args)} is scaled to zero and should explain why in the ${annotationKeys.scaledToZeroReason} annotation.`,
            );
        }
        if (reviewDate === undefined) {
            reportViolation(
                `${describe(args)} is scaled to zero and should set the ${annotationKeys.reviewDate} annotation (YYYY-MM-DD).`,
            );
        } else if (!isIsoDate(reviewDate)) {
            reportViolation(
                `${describe(args)} should set the ${annotationKeys.reviewDate} annotation to a date (YYYY-MM-DD), not "${reviewDate}".`,
            );
        }
    },
};
