import { annotationKeys, isIsoDate } from "./conventions";
import { Workload } from "./kube";

/** Whether a workload carries both scaled-to-zero annotations, well formed; that exempts it from replica floors. */
export function hasScaledToZeroExemption(workload: Workload): boolean {
    const annotations = workload.metadata?.annotations ?? {};
    const reason = annotations[annotationKeys.scaledToZeroReason] ?? "";
    const reviewDate = annotations[annotationKeys.reviewDate] ?? "";
    return reason.trim() !== "" && isIsoDate(reviewDate);
}
