import { ResourceValidationPolicy } from "@pulumi/policy";
import { annotationKeys } from "../lib/conventions";
import { describe, isPodBearing, Workload } from "../lib/kube";

/** An emergency bypass of the staging gate is allowed, but it must show up in every preview until it is gone. */
export const reportPromotionBypass: ResourceValidationPolicy = {
    name: "report-promotion-bypass",
    description:
        "Checks that no workload (any pod-bearing kind) carries the sapoche.io/promotion-bypass annotation, and reports its reason when one does.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (!isPodBearing(args.type)) {
            return;
        }
        const reason = (args.props as Workload).metadata?.annotations?.[
            annotationKeys.promotionBypass
        ];
        if (reason !== undefined) {
            reportViolation(`${describe(args)} was deployed without staging promotion: ${reason}`);
        }
    },
};
